"""Provide heard's store: every read and write of state, composed of one part per concern.

All SQL lives in this package. The database is a SQLite file (``engine``, migrated by ``schema``) or a
PostgreSQL server (``postgres``, migrated by ``schema_pg``); each concern module (comments, tags,
threads, authors, replies, ledger, sources, journal, history, quarantine, drafts) writes one portable
SQL text per query against the engine, which holds the few spellings that differ.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
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
from listener.store.location import is_url
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

    def __init__(self, where: str | Path) -> None:
        """Open (and migrate) the database ``where`` names: a SQLite file's path, or a ``postgresql://`` URL."""
        self.path: Path | str
        if is_url(where):
            from listener.store.postgres import Postgres  # psycopg is loaded only for a PostgreSQL database

            self.engine = Postgres(str(where))
            self.path = self.engine.location
        else:
            self._sqlite = SQLite(Path(where))
            self.engine, self.path = self._sqlite, self._sqlite.path
        # The database as a person names it (the file, or the URL with its password masked): for messages and keys.
        self.location = self.engine.location
        self.read_only = self.engine.read_only

    @property
    def db(self) -> sqlite_utils.Database:
        """The SQLite database itself, for tests and benches that inspect it directly (SQLite only)."""
        if not isinstance(self.engine, SQLite):
            raise AttributeError(f"{self.location} is not a SQLite database: use store.engine")
        return self._sqlite.db

    def lock(self, name: str) -> AbstractContextManager[None]:
        """Hold the lock ``name`` of this database (one poster at a time, say); it dies with its process."""
        return self.engine.lock(name)

    def close(self) -> None:
        """Close the connection."""
        self.engine.close()
