"""Provide the SQLite engine: opening the file, transactions, faults, and every SQLite-only spelling.

The store's concerns speak to the database only through the ``Engine`` surface below, in SQL that both
engines read, with ``?`` placeholders (``postgres.Postgres`` translates them). The few spellings that
differ are attributes of each engine (``greatest``, ``least``, ``join_in_order``); PostgreSQL's
engine and schema are ``postgres.py`` and ``schema_pg.py``.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

import sqlite_utils
from filelock import FileLock

from listener.errors import StoreError
from listener.store.checkpoint import BACKSTOP_PAGES, Checkpointer
from listener.store.schema import migrations

# How long a write waits for another process's lock before giving up (the faults name this figure).
BUSY_SECONDS = 10


class Cursor(Protocol):
    """What running one statement gives back (a DB-API cursor)."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Engine(Protocol):
    """The surface the store's concerns use: plain SQL, a few table helpers, and the spellings that differ."""

    location: str  # the database as a person names it: a file path, or a URL with its password masked
    read_only: bool
    dialect: str  # "sqlite" or "postgresql"
    greatest: str  # the scalar max(a, b) of the engine's SQL
    least: str  # the scalar min(a, b)
    join_in_order: str  # a join whose left table is read first (SQLite's CROSS JOIN keeps its planner to it)

    def close(self) -> None: ...

    def transaction(self) -> AbstractContextManager[None]: ...

    def lock(self, name: str) -> AbstractContextManager[None]: ...

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]: ...

    def insert_all(self, table: str, rows: Iterable[Mapping[str, Any]], *, ignore: bool = False) -> None: ...

    def upsert_all(self, table: str, rows: Iterable[Mapping[str, Any]], *, pk: str) -> None: ...


def describe_fault(path: Path | str, exc: BaseException) -> str:
    """One line for a database fault: what happened, to which file, and what to do about it."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return (
            f"{path}: the database is locked by another process (a running `heard run`, or a program"
            f" holding it open) and stayed locked for {BUSY_SECONDS} s; try again, or stop that process first"
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return (
            f"{path}: the database file is damaged or is not a heard database ({exc}); restore it from a"
            " backup, or move it aside to start a new one"
        )
    if "full" in text or isinstance(exc, OSError) and exc.errno == 28:
        return f"{path}: the disk holding the database is full; free some space, then run the command again"
    if "readonly" in text or "read-only" in text or isinstance(exc, PermissionError):
        return (
            f"{path}: the database (or its folder) is read-only; run this command as a user who can write"
            " both, or use a read-only command (status, queue, report)"
        )
    if "unable to open" in text:
        return f"{path}: cannot open the database file; check that its folder exists and can be written"
    return f"{path}: database error: {exc}"


class SQLite:
    """heard's SQLite file, migrated on open: one connection, used by one thread at a time."""

    dialect = "sqlite"
    greatest = "max"
    least = "min"
    join_in_order = "CROSS JOIN"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._depth = 0  # savepoints open inside the current transaction
        self.location = str(path.resolve())
        # A file heard may not write (a backup, another user's) still answers status, queue and report.
        self.read_only = path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))
        self._checkpointer: Checkpointer | None = None
        try:
            if not self.read_only:
                path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite_utils.Database(_connect(path, read_only=self.read_only))
            self.db.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
            if self.read_only:
                if migrations.pending(self.db):
                    raise StoreError(
                        f"{path}: this database is read-only and needs upgrading to this version of heard;"
                        " run any writable command (e.g. `heard poll`) once as a user who can write it"
                    )
            else:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
                migrations.apply(self.db)
                # Commits leave the copying of the log into the file to a thread of its own (checkpoint.py).
                self.db.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
                self._checkpointer = Checkpointer(path)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(describe_fault(path, exc)) from exc

    def close(self) -> None:
        """Checkpoint what is left of the log, then close the connection."""
        if self._checkpointer is not None:
            self._checkpointer.close()
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several writes into one atomic transaction that holds the write lock from its start.

        sqlite-utils' ``atomic()`` begins a deferred transaction: one that reads, then writes, fails at
        once with "database is locked" if another process (the service, a CLI command) committed in
        between, whatever the busy timeout. BEGIN IMMEDIATE waits for the write lock first instead.
        """
        conn = self.db.conn
        if conn.in_transaction:
            # Nested: a savepoint inside the open transaction, named by its depth (a name per level is all
            # SQLite needs; sqlite-utils' atomic() makes a random one each time, a cost on the decide path).
            self._depth += 1
            name = f"heard_{self._depth}"
            conn.execute(f"SAVEPOINT {name}")
            try:
                yield
            except BaseException:
                conn.execute(f"ROLLBACK TO {name}")
                conn.execute(f"RELEASE {name}")
                raise
            finally:
                self._depth -= 1
            conn.execute(f"RELEASE {name}")
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            conn.rollback()
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            conn.rollback()
            raise
        if self._checkpointer is not None:
            self._checkpointer.committed()

    @contextmanager
    def lock(self, name: str) -> Iterator[None]:
        """Hold the lock ``name`` of this database for the block: a file beside it, released when the process dies."""
        with FileLock(f"{self.path}.{name}.lock"):
            yield

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run one statement."""
        return self.db.execute(sql, list(params))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement once per row of parameters."""
        self.db.conn.executemany(sql, rows)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run one query; each row as a dict of column -> value."""
        # The plain cursor, not sqlite-utils' query(): that wraps every read in a savepoint of its own.
        cursor = self.db.conn.execute(sql, list(params))
        names = [d[0] for d in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def insert_all(self, table: str, rows: Iterable[Mapping[str, Any]], *, ignore: bool = False) -> None:
        """Insert rows; with ``ignore``, a row whose key is already stored is skipped (idempotent inserts)."""
        for sql, values in inserts(table, rows, ignore=ignore):
            self.db.conn.executemany(sql, values)

    def upsert_all(self, table: str, rows: Iterable[Mapping[str, Any]], *, pk: str) -> None:
        """Insert rows, or update the columns given of those whose ``pk`` is already stored."""
        for sql, values in upserts(table, rows, pk=pk):
            self.db.conn.executemany(sql, values)


def inserts(table: str, rows: Iterable[Mapping[str, Any]], *, ignore: bool) -> Iterator[tuple[str, list[list[Any]]]]:
    """The INSERT statements of ``insert_all`` (one per shape of row), each with its rows of values."""
    tail = " ON CONFLICT DO NOTHING" if ignore else ""
    for columns, values in _by_columns(rows):
        names = ", ".join(map(quoted, columns))
        yield f"INSERT INTO {quoted(table)} ({names}) VALUES ({_marks(columns)}){tail}", values


def upserts(table: str, rows: Iterable[Mapping[str, Any]], *, pk: str) -> Iterator[tuple[str, list[list[Any]]]]:
    """The INSERT … ON CONFLICT statements of ``upsert_all`` (one per shape of row), each with its rows of values."""
    for columns, values in _by_columns(rows):
        updates = [f"{quoted(c)} = excluded.{quoted(c)}" for c in columns if c != pk]
        on_conflict = f"DO UPDATE SET {', '.join(updates)}" if updates else "DO NOTHING"
        yield (
            f"INSERT INTO {quoted(table)} ({', '.join(map(quoted, columns))}) VALUES ({_marks(columns)})"
            f" ON CONFLICT({quoted(pk)}) {on_conflict}",
            values,
        )


def _by_columns(rows: Iterable[Mapping[str, Any]]) -> Iterator[tuple[tuple[str, ...], list[list[Any]]]]:
    """Rows grouped by the columns they give, in first-seen order: one statement per shape, run for each row.

    Written by hand rather than through sqlite-utils' insert_all, which asks sqlite_master whether the table
    exists on every call: a third of a decide pass's statements.
    """
    shapes: dict[tuple[str, ...], list[list[Any]]] = {}
    for row in rows:
        shapes.setdefault(tuple(row), []).append(list(row.values()))
    return iter(shapes.items())


def quoted(identifier: str) -> str:
    """An SQL identifier (a table or column name) quoted, as both engines read it."""
    return '"' + identifier.replace('"', '""') + '"'


def _marks(columns: Sequence[str]) -> str:
    return ", ".join("?" * len(columns))


def _connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    """One connection, used by one thread at a time: the service runs its jobs on a single worker.

    In autocommit mode (``isolation_level=None``): a write outside ``transaction()`` is committed at once,
    never left in a transaction Python's sqlite3 opened behind our back.
    """
    if not read_only:
        return sqlite3.connect(path, check_same_thread=False, timeout=BUSY_SECONDS, isolation_level=None)
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=BUSY_SECONDS, isolation_level=None)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        # A WAL database in a folder we cannot write has no -shm to share: read the file as it stands.
        return sqlite3.connect(
            f"{uri}&immutable=1", uri=True, check_same_thread=False, timeout=BUSY_SECONDS, isolation_level=None
        )
