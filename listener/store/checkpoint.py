"""Copy SQLite's write-ahead log back into the database file on a thread of its own, off the writer's path."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)

# How long after a commit the log is copied back: the commits of a burst share one checkpoint.
SETTLE_SECONDS = 0.5
# The writer's own connection checkpoints only past this many WAL pages (4 KiB each, so ~64 MiB): a
# backstop for when this thread falls behind, or for writes that never call ``committed``.
BACKSTOP_PAGES = 16_000
# A thread with nothing to do for this long ends (a later commit starts another): stores left open cost nothing.
IDLE_SECONDS = 30.0


class Checkpointer:
    """Checkpoints one database's WAL in the background, a moment after commits, on its own connection.

    SQLite's automatic checkpoint runs inside the COMMIT that crosses 1,000 pages: that writer pays
    for copying and syncing everything before it, about half of what storing a page of comments
    costs. Here the copying happens on another thread (SQLite lets go of Python's lock while it
    works), while the writer goes on fetching its next page. A PASSIVE checkpoint never waits for
    or blocks readers and writers; one that cannot finish now is simply done again later.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._due = threading.Event()
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def committed(self) -> None:
        """Note that a transaction committed: the log is checkpointed a moment later."""
        self._due.set()  # before looking at the thread: one that is ending sees it and stays
        if self._thread is None:
            with self._lock:
                if self._thread is None and not self._closing.is_set():
                    self._thread = threading.Thread(target=self._run, name="heard-checkpoint", daemon=True)
                    self._thread.start()

    def close(self) -> None:
        """Checkpoint what is left, then stop the thread."""
        self._closing.set()
        self._due.set()
        thread = self._thread
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as exc:
            log.warning("checkpoint thread cannot open %s: %s; the writer checkpoints instead", self.path, exc)
            return
        try:
            while True:
                if not self._due.wait(IDLE_SECONDS):
                    with self._lock:
                        if not self._due.is_set():
                            self._thread = None
                            return
                # Let the burst's next commits land first; a closing store checkpoints at once.
                self._closing.wait(SETTLE_SECONDS)
                self._due.clear()
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.Error as exc:  # the next commit tries again; the backstop still holds
                    log.warning("checkpoint of %s failed: %s", self.path, exc)
                if self._closing.is_set():
                    return
        finally:
            conn.close()
