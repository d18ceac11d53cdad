"""Provide heard's store: every read and write of state, composed of one part per concern.

All SQL lives in this package. ``engine`` opens the database and holds what only SQLite spells
its way; ``schema`` migrates it; each concern module (comments, tags, threads, authors, replies,
ledger, sources, journal, history, quarantine, drafts) writes portable SQL against the engine.
"""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from listener.store import keys
from listener.store.codecs import iso, parse_time
from listener.store.drafts import Draft, DraftsStore
from listener.store.engine import SQLite, describe_fault
from listener.store.history import HistoryStore
from listener.store.journal import JournalStore
from listener.store.keys import OWN_HANDLES
from listener.store.kinds import ErrorKind
from listener.store.ledger import LedgerStore
from listener.store.replies import RepliesStore
from listener.store.rows import Awaiting, PostingPause, Reply, Saved
from listener.store.schedule import ScheduleStore
from listener.store.schema import migrations
from listener.store.tags import TagsStore
from listener.store.threads import ThreadsStore

__all__ = [
    "OWN_HANDLES",
    "Awaiting",
    "Draft",
    "ErrorKind",
    "PostingPause",
    "Reply",
    "Saved",
    "Store",
    "describe_fault",
    "iso",
    "keys",
    "migrations",
    "parse_time",
]


class Store(TagsStore, ThreadsStore, RepliesStore, LedgerStore, JournalStore, HistoryStore, DraftsStore, ScheduleStore):
    """heard's database: every read and write of state goes through here.

    :raises StoreError: when the file cannot be opened or migrated (the message names the fix).
    """

    def __init__(self, path: str | Path) -> None:
        self._sqlite = SQLite(Path(path))
        self.engine = self._sqlite
        self.path = self._sqlite.path
        self.read_only = self._sqlite.read_only

    @property
    def db(self) -> sqlite_utils.Database:
        """The SQLite database itself, for tests and benches that inspect it directly."""
        return self._sqlite.db

    def close(self) -> None:
        """Close the connection."""
        self.engine.close()
