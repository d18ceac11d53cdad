"""Name the kinds of failure heard records for a source or a posting pause, from its exception class."""

from __future__ import annotations

from enum import StrEnum

from listener.errors import (
    AuthFailed,
    BadPayload,
    CreditsExhausted,
    CursorUnreadable,
    HeardError,
    RateLimited,
    Transient,
)


class ErrorKind(StrEnum):
    """What kind of failure a source's last poll, or a posting pause, was: stored as a column, never parsed."""

    AUTH = "auth"  # credentials refused: a person renews them
    CREDITS = "credits"  # the account's paid usage is spent: a person tops it up
    RATE_LIMITED = "rate_limited"  # the platform said "not before": it passes by itself
    CURSOR = "cursor"  # the stored cursor is not one heard wrote: `heard reset-cursor SOURCE`
    TRANSIENT = "transient"  # a timeout, 5xx or dropped connection: the next poll tries again
    PAYLOAD = "payload"  # the platform sent something we cannot read
    OTHER = "other"  # anything else: a refusal, a client's own bug

    @classmethod
    def of(cls, exc: BaseException) -> ErrorKind:
        """The kind of an exception, by its class in heard's hierarchy (the most specific class first)."""
        return next((kind for klass, kind in _BY_CLASS if isinstance(exc, klass)), cls.OTHER)


# Most specific first: CursorUnreadable is a BadPayload.
_BY_CLASS: tuple[tuple[type[HeardError], ErrorKind], ...] = (
    (RateLimited, ErrorKind.RATE_LIMITED),
    (AuthFailed, ErrorKind.AUTH),
    (CreditsExhausted, ErrorKind.CREDITS),
    (CursorUnreadable, ErrorKind.CURSOR),
    (BadPayload, ErrorKind.PAYLOAD),
    (Transient, ErrorKind.TRANSIENT),
)
