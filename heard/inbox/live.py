"""Tell open inbox pages when what waits has changed: one cheap version check, streamed as server-sent events.

The check is two one-row look-ups (the store's queue serial, which triggers move on every write the queue
shows, and how many comments are stored) and a ``stat`` of the queue file, shared by every open page and
made at most once per interval. A queue file saved by a person is synced here too, once it has settled, so
its decisions reach the pages.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from listener.errors import QueueFileError
from responders.queue_io import SETTLE_SECONDS

if TYPE_CHECKING:
    from heard.app import App

log = logging.getLogger("heard.inbox")
# A stream that has said nothing this long sends a comment line, so a dead connection is noticed.
KEEPALIVE_SECONDS = 15.0


@dataclass(frozen=True)
class Seen:
    """What one check found: the version of the waiting items, and a queue file fault to show (if any)."""

    version: str
    fault: str | None = None


class Watch:
    """The version of what the inbox shows, read at most once per ``every`` seconds whoever asks."""

    def __init__(self, app: App, clock: Callable[[], datetime], *, every: float) -> None:
        self.app = app
        self.clock = clock
        self.every = every
        self._last: tuple[float, Seen] | None = None
        self._file: tuple[int, int, int] | None = self._stat()

    def version(self) -> str:
        """What changes whenever a waiting reply, or the set of comments, does."""
        store = self.app.store
        return hashlib.sha256(repr((store.queue_serial(), store.count_comments())).encode()).hexdigest()[:16]

    def check(self) -> Seen:
        """The current version, syncing a queue file a person saved since the last check (on the store's thread)."""
        mark = time.monotonic()
        if self._last is not None and mark - self._last[0] < self.every / 2:
            return self._last[1]
        fault = self._sync_saved_file()
        seen = Seen(self.version(), fault)
        self._last = (mark, seen)
        return seen

    def _sync_saved_file(self) -> str | None:
        stat = self._stat()
        if stat == self._file or (stat is not None and time.time() - stat[2] / 1e9 < SETTLE_SECONDS):
            return None  # unchanged, or perhaps still being written: the next check looks again
        try:
            self.app.sync_queue(now=self.clock())
            return None
        except QueueFileError as exc:
            log.warning("inbox queue-file error=%s", exc)
            return f"queue file error at {exc}: fix that line; its decisions wait until then"
        finally:
            self._file = self._stat()

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.app.settings.queue_file)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)


async def stream(
    check: Callable[[], Awaitable[Seen]],
    disconnected: Callable[[], Awaitable[bool]],
    stopping: asyncio.Event,
    *,
    every: float,
) -> AsyncIterator[str]:
    """Server-sent events: ``change`` with each new version, ``fault`` with a queue file error; ends on shutdown."""
    last: str | None = None
    fault: str | None = None
    quiet = 0.0
    yield "retry: 2000\n\n"
    while not stopping.is_set() and not await disconnected():
        seen = await check()
        if seen.fault and seen.fault != fault:
            yield f"event: fault\ndata: {json.dumps(seen.fault)}\n\n"
        fault = seen.fault
        if seen.version != last:
            last, quiet = seen.version, 0.0
            yield f"event: change\ndata: {seen.version}\n\n"
        elif quiet >= KEEPALIVE_SECONDS:
            quiet = 0.0
            yield ": still here\n\n"
        try:
            await asyncio.wait_for(stopping.wait(), timeout=every)
        except TimeoutError:
            quiet += every
