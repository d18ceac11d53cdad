"""Provide heard's exception hierarchy; foreign errors are translated into these at each boundary.

HeardError
 ├── ConfigError          a setting is missing or malformed
 ├── StoreError           the database cannot be opened or written (locked, corrupt, full, read-only)
 ├── QueueFileError       the queue file cannot be read as decisions
 ├── IllegalTransition    a reply state change the state machine forbids
 └── PlatformError        a platform call failed
      ├── RateLimited       the platform said "not before retry_at"
      ├── AuthFailed        credentials were refused (401/403)
      ├── CreditsExhausted  the account's paid usage is spent (X 402)
      ├── Transient         a timeout, 5xx or connection error: try again later
      ├── PermanentFailure  the target cannot be answered (deleted, locked, blocked)
      │    └── ContentRefused  the platform refused this reply's text (too long, duplicate, invalid)
      └── BadPayload        the platform sent something we cannot read
           └── CursorUnreadable  a stored cursor is not one heard wrote: `heard reset-cursor SOURCE`
"""

from __future__ import annotations

from datetime import datetime


class HeardError(Exception):
    """Base of every error heard raises on purpose."""


class ConfigError(HeardError):
    """A setting is missing or malformed."""


class StoreError(HeardError):
    """The database cannot be opened, read or written: the message says what, which file, and what to do."""


class QueueFileError(HeardError):
    """The queue file cannot be read as decisions."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


class IllegalTransition(HeardError):
    """A reply state change that the state machine forbids."""


class PlatformError(HeardError):
    """A platform call failed."""


class RateLimited(PlatformError):
    """The platform asked us to wait until retry_at."""

    def __init__(self, message: str, retry_at: datetime) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class AuthFailed(PlatformError):
    """The platform refused our credentials."""


class CreditsExhausted(PlatformError):
    """The account's paid API usage is spent."""


class Transient(PlatformError):
    """A failure worth retrying later: timeout, 5xx, connection reset."""


class PermanentFailure(PlatformError):
    """The target cannot be answered: deleted, locked or blocked."""


class ContentRefused(PermanentFailure):
    """The platform refused this reply's text (too long, duplicate, invalid): a per-reply failure."""

    def __init__(self, message: str, *, duplicate: bool = False) -> None:
        super().__init__(message)
        # A duplicate refusal may mean our reply is already there (posted before a crash): look first.
        self.duplicate = duplicate


class BadPayload(PlatformError):
    """The platform sent data we cannot read."""


class CursorUnreadable(BadPayload):
    """A stored cursor is not one heard wrote (hand-edited, or from an older heard): reset it to go on."""
