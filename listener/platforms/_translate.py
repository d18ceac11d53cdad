"""Translate an HTTP status from any platform into heard's errors, by one table.

====================  ===================================================================
429                   RateLimited(retry_at): the platform says when (else in a minute)
402                   CreditsExhausted: the account's paid usage is spent
401                   AuthFailed
400, 403              AuthFailed when the refusal is about our credentials (a 403 while
                      reading, unless the platform says otherwise), ContentRefused when
                      writing and the platform blames the text, else PermanentFailure
                      (blocked, locked, not allowed)
408, 425, 5xx         Transient: try again later
404, 410, other 4xx   PermanentFailure (ContentRefused when writing and the text is blamed)
anything else         PlatformError
====================  ===================================================================

Each platform module reads what its client library raises (a status, the platform's own error
codes) and says only what the table cannot know: whether the text or our credentials are blamed.
Timeouts and refused connections never reach a status: each client maps its library's network
errors to Transient itself.
"""

from __future__ import annotations

from datetime import datetime

from listener.errors import (
    AuthFailed,
    ContentRefused,
    CreditsExhausted,
    PermanentFailure,
    PlatformError,
    RateLimited,
    Transient,
)
from listener.platforms._common import utc_now, whole_second
from listener.platforms._ratelimit import DEFAULT_WAIT


def by_status(
    what: str,
    status: int | None,
    *,
    writing: bool = False,
    refused: bool = False,
    duplicate: bool = False,
    credentials: bool | None = None,
    retry_at: datetime | None = None,
) -> PlatformError:
    """The error for one failed call, ``what`` its message (``x post: 403 Forbidden ...``).

    ``refused``: while writing, the platform blames the text (too long, a duplicate: ``duplicate``).
    ``credentials``: a 400 or 403 refuses us, not the target (None: a 403 does while reading).
    """
    if status is None or not 400 <= status < 600:
        return PlatformError(what)
    if status == 429:
        return RateLimited(what, retry_at or whole_second(utc_now() + DEFAULT_WAIT))
    if status == 402:
        return CreditsExhausted(what)
    if status == 401:
        return AuthFailed(what)
    if status in (408, 425) or status >= 500:
        return Transient(what)
    if writing and refused and status not in (404, 410):
        return ContentRefused(what, duplicate=duplicate)
    ours = credentials if credentials is not None else status == 403 and not writing
    if status in (400, 403) and ours:
        return AuthFailed(what)
    return PermanentFailure(what)
