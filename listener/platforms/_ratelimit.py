"""Keep to a platform's rate-limit windows: remember what each answer said, refuse a call before the platform says 429.

X, Bluesky and Reddit send the window in response headers (``Headers`` names them per platform);
Mastodon.py reads its instance's headers itself and hands over the numbers (``Windows.set``). A
refused call raises ``RateLimited(retry_at)``, which pauses the source until then; retry times are
whole seconds, rounded up, because the store keeps whole seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from listener.errors import RateLimited
from listener.platforms._common import Clock, ceil_epoch, utc_now, whole_second

DEFAULT_WAIT = timedelta(minutes=1)  # how long a 429 that names no reset pauses a source


@dataclass(frozen=True)
class Headers:
    """Which response headers carry a platform's window, and how its reset is given."""

    remaining: str
    reset: str
    limit: str | None = None
    reset_is_delay: bool = False  # Reddit: seconds from now; X and Bluesky: epoch seconds


@dataclass(frozen=True)
class Window:
    """What the last answer said about one window: its size, what is left, and when it resets."""

    limit: int | None
    remaining: float
    reset: datetime
    noted: datetime  # when that answer came


class Windows:
    """The rate-limit windows of one client, one per key (an endpoint, or "" where the platform has one).

    With ``pace``, the last tenth of a window is spread over the time left, so paging cannot spend
    it all at once and leave a source blind until the reset (X).
    """

    def __init__(self, platform: str, headers: Headers | None = None, *, clock: Clock = utc_now, pace: bool = False):
        self.platform, self.headers, self.clock, self.pace = platform, headers, clock, pace
        self._windows: dict[str, Window] = {}

    def admit(self, key: str = "") -> None:
        """Refuse a call the window cannot afford.

        :raises RateLimited: the window is spent (or, pacing, the next call is not due yet).
        """
        window, now = self._windows.get(key), self.clock()
        if window is None or now >= window.reset:
            return
        where = f"{self.platform} {key}".rstrip()
        if window.remaining < 1:
            raise RateLimited(f"{where}: rate-limit window spent", whole_second(window.reset))
        if self.pace and window.limit and window.remaining <= window.limit // 10:
            due = window.noted + (window.reset - now) / window.remaining
            if now < due:
                raise RateLimited(f"{where}: pacing the last requests of the window", whole_second(due))

    def note(self, key: str, headers: Mapping[str, Any] | None) -> None:
        """Remember the window one answer's headers describe; odd or missing headers keep what was known."""
        if self.headers is None or not headers:
            return
        names, now = self.headers, self.clock()
        try:
            remaining = float(headers[names.remaining])
            reset = float(headers[names.reset])
            limit = int(headers[names.limit]) if names.limit and names.limit in headers else None
        except (KeyError, ValueError, TypeError):
            return  # a 429 still stops us
        at = whole_second(now + timedelta(seconds=reset)) if names.reset_is_delay else ceil_epoch(reset)
        self._windows[key] = Window(limit, remaining, at, now)

    def set(self, key: str, remaining: float | None, reset: datetime | None) -> None:
        """Remember a window a client library has read for us (Mastodon.py)."""
        if remaining is not None and reset is not None:
            self._windows[key] = Window(None, remaining, reset, self.clock())

    def spent(self, key: str, reset: datetime | None = None) -> datetime:
        """A 429: nothing more until ``reset`` (a minute when unknown or past); return when to retry."""
        now = self.clock()
        at = whole_second(reset if reset is not None and reset > now else now + DEFAULT_WAIT)
        self._windows[key] = Window(None, 0, at, now)
        return at

    def remaining(self, key: str = "") -> float | None:
        """Requests left in the window, or None when no answer has said."""
        window = self._windows.get(key)
        return window.remaining if window and self.clock() < window.reset else None

    def reset_at(self, key: str = "") -> datetime | None:
        """When the window resets, or None when no answer has said."""
        window = self._windows.get(key)
        return window.reset if window else None


def retry_after(headers: Mapping[str, Any], clock: Clock, *, keys: tuple[str, ...] = ("retry-after",)) -> datetime:
    """When a 429 lets us try again: the first of ``keys`` holding seconds, else a minute from now."""
    for key in keys:
        try:
            return whole_second(clock() + timedelta(seconds=max(1.0, float(headers[key]))))
        except (KeyError, ValueError, TypeError):
            continue
    return whole_second(clock() + DEFAULT_WAIT)
