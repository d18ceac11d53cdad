"""Translate atproto's exceptions into heard's errors, and tell a session the server ended from a refusal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from atproto_client.exceptions import (
    BadRequestError,
    LoginRequiredError,
    ModelError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)
from atproto_core.exceptions import AtProtocolError

from listener.errors import AuthFailed, BadPayload, PlatformError
from listener.platforms import _ratelimit
from listener.platforms._common import utc_now, whole_second
from listener.platforms._translate import by_status

LOGIN = "com.atproto.server.createSession"
_TOKEN_ERRORS = {"ExpiredToken", "InvalidToken"}
# A write refused for its record (text over 300 graphemes, say): this reply fails, not the session.
_RECORD_REFUSED = {"InvalidRequest", "InvalidRecord"}


class ExpiredToken(Exception):
    """The server refused our access token as expired or invalid."""


def _error_name(exc: RequestErrorBase) -> str:
    content = exc.response.content if exc.response is not None else None
    return str(getattr(content, "error", "") or "")


@contextmanager
def translated(nsid: str, *, writing: bool = False, windows: _ratelimit.Windows | None = None) -> Iterator[None]:
    """Turn atproto's exceptions into heard's hierarchy (``ExpiredToken`` for a session to renew)."""
    try:
        yield
    except RateLimitExceededError as exc:
        clock = windows.clock if windows else utc_now
        reset = exc.reset_at
        if reset is None and exc.retry_after is not None:
            reset = clock() + timedelta(seconds=exc.retry_after)
        retry_at = windows.spent(nsid, reset) if windows else whole_second(reset) if reset else None
        raise by_status(f"bluesky {nsid}: 429 {exc}", 429, retry_at=retry_at) from exc
    except (UnauthorizedError, BadRequestError) as exc:
        if _error_name(exc) in _TOKEN_ERRORS and nsid != LOGIN:
            raise ExpiredToken(str(exc)) from exc
        status = exc.response.status_code if exc.response is not None else 400
        raise by_status(
            f"bluesky {nsid}: {'credentials refused: ' if status in (401, 403) else ''}{exc}",
            status,
            writing=writing,
            refused=_error_name(exc) in _RECORD_REFUSED,
            credentials=True if nsid == LOGIN else None,
        ) from exc
    except NetworkError as exc:  # includes InvokeTimeoutError, and 409/413/502 answers
        raise by_status(f"bluesky {nsid}: {type(exc).__name__} {exc}", 503) from exc
    except LoginRequiredError as exc:
        raise AuthFailed(f"bluesky {nsid}: not logged in") from exc
    except RequestErrorBase as exc:
        status = exc.response.status_code if exc.response is not None else 0
        raise by_status(f"bluesky {nsid}: {exc}", status or 503, writing=writing) from exc
    except (ModelError, ValueError) as exc:  # a body that is not JSON, or not the lexicon's shape
        raise BadPayload(f"bluesky {nsid}: unreadable answer: {type(exc).__name__}") from exc
    except AtProtocolError as exc:
        raise PlatformError(f"bluesky {nsid}: {type(exc).__name__}: {exc}") from exc
