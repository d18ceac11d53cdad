"""Provide the PostgreSQL engine: the store's portable SQL on a PostgreSQL server, through psycopg 3.

Imported only when ``[heard] database`` (or ``--db``) is a ``postgresql://`` URL, so a SQLite user never
loads psycopg. One connection, in autocommit mode outside ``transaction()`` (as SQLite's is); the store's
``?`` placeholders become psycopg's ``%s`` here, each statement's text translated once. psycopg's faults are
translated at this boundary: a value the server refuses is one row's (``RowRefused``, set aside like
SQLite's DataError); a connection, authentication or server fault is a ``StoreError`` naming the URL
without its password.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.adapt import Dumper
from psycopg.pq import Format

from listener.errors import StoreError
from listener.store.engine import inserts, upserts
from listener.store.location import masked
from listener.store.schema_both import both
from listener.store.schema_pg import migrate

# A statement in pieces: quoted literals and identifiers (kept as they are), and the SQL around them.
_QUOTED = re.compile(r"('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\")")
# How long a statement may wait for a row or table another connection holds (SQLite's busy timeout).
LOCK_TIMEOUT = "10s"


class RowRefused(ValueError):
    """PostgreSQL refused a value of one row (text with a NUL character, a number out of range)."""


class Postgres:
    """heard's PostgreSQL database, migrated on open: one connection, used by one thread at a time."""

    dialect = "postgresql"
    greatest = "greatest"
    least = "least"
    join_in_order = "JOIN"

    def __init__(self, url: str) -> None:
        self.url = url
        self.location = masked(url)
        self.conn = self._connect()
        encoding, self.read_only = self._one(
            "SELECT current_setting('server_encoding'), current_setting('transaction_read_only') = 'on'"
            " OR (to_regclass('comments') IS NOT NULL AND NOT has_table_privilege('comments', 'INSERT'))"
        )
        if encoding != "UTF8":
            self.conn.close()
            raise StoreError(
                f"{self.location}: the database's encoding is {encoding}, and heard stores any text:"
                " create the database with ENCODING 'UTF8'"
            )
        migrate(self, both.steps, location=self.location, read_only=self.read_only)
        # The schema heard's tables are in (public, or a workspace's own): a lock is this database's alone.
        self.schema = str(self._one("SELECT current_schema()")[0])

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            conn = psycopg.connect(self.url, autocommit=True)
            conn.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
        except psycopg.Error as exc:
            raise StoreError(describe_pg_fault(self.location, exc)) from exc
        # Booleans are stored as integers, as on SQLite: a Python bool is sent as 0 or 1.
        conn.adapters.register_dumper(bool, _BoolAsInt)
        return conn

    def _live(self) -> psycopg.Connection[Any]:
        """The connection; one the server dropped (a restart) is opened again for the statement after the failed one."""
        if self.conn.broken:
            self.conn = self._connect()
        return self.conn

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several writes into one transaction (BEGIN … COMMIT); a nested one is a savepoint."""
        try:
            with self._live().transaction():
                yield
        except psycopg.Error as exc:  # the COMMIT itself, or a statement run on the connection directly
            raise self._ours(exc) from exc

    @contextmanager
    def lock(self, name: str) -> Iterator[None]:
        """Hold the lock ``name`` of this database for the block: a session lock, released if the connection dies."""
        key = [f"heard:{self.schema}:{name}"]
        self.execute("SELECT pg_advisory_lock(hashtextextended(?, 0))", key)
        try:
            yield
        finally:
            self.execute("SELECT pg_advisory_unlock(hashtextextended(?, 0))", key)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        """Run one statement."""
        try:
            return self._live().execute(_pyformat(sql), list(params))
        except psycopg.Error as exc:
            raise self._ours(exc) from exc

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement once per row of parameters."""
        try:
            self._live().cursor().executemany(_pyformat(sql), rows)
        except psycopg.Error as exc:
            raise self._ours(exc) from exc

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run one query; each row as a dict of column -> value."""
        cursor = self.execute(sql, params)
        names = [d.name for d in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def insert_all(self, table: str, rows: Iterable[Mapping[str, Any]], *, ignore: bool = False) -> None:
        """Insert rows; with ``ignore``, a row whose key is already stored is skipped (idempotent inserts)."""
        for sql, values in inserts(table, rows, ignore=ignore):
            self.executemany(sql, values)

    def upsert_all(self, table: str, rows: Iterable[Mapping[str, Any]], *, pk: str) -> None:
        """Insert rows, or update the columns given of those whose ``pk`` is already stored."""
        for sql, values in upserts(table, rows, pk=pk):
            self.executemany(sql, values)

    def _one(self, sql: str) -> tuple[Any, ...]:
        row = self.execute(sql).fetchone()
        assert row is not None  # a SELECT of values, never of rows
        return tuple(row)

    def _ours(self, exc: psycopg.Error) -> Exception:
        """The error heard raises for psycopg's: one row's, the database's (a StoreError), or a bug's (itself)."""
        if isinstance(exc, psycopg.DataError | psycopg.IntegrityError):
            return RowRefused(str(exc))
        if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError | psycopg.errors.InsufficientPrivilege):
            return StoreError(describe_pg_fault(self.location, exc))
        return exc


def describe_pg_fault(location: str, exc: BaseException) -> str:
    """One line for a PostgreSQL fault: what happened, to which database (its password masked), what to do."""
    state, text = getattr(exc, "sqlstate", None), str(exc)
    first, lowered = " ".join(text.split("\n", 1)[0].split()) or type(exc).__name__, text.lower()
    if state in ("28P01", "28000") or "password authentication failed" in lowered:
        return (
            f"{location}: the server refused heard's credentials; check the user and password in the URL"
            " (or in PGPASSWORD, ~/.pgpass) and that pg_hba.conf lets this user in"
        )
    if state == "3D000" or ("database" in lowered and "does not exist" in lowered):
        return f"{location}: the database does not exist on that server; create it (createdb), or fix its name"
    if "connection refused" in lowered or "could not connect" in lowered or "no such file" in lowered:
        return (
            f"{location}: cannot reach the PostgreSQL server (connection refused); check that it is running"
            " and listening at that host and port"
        )
    if "could not translate host name" in lowered or "name or service not known" in lowered:
        return f"{location}: the server's host name is unknown; fix the host in the URL"
    if state == "55P03" or "lock timeout" in lowered:
        return (
            f"{location}: a row or table stayed locked by another connection for {LOCK_TIMEOUT};"
            " try again, or stop the process holding it"
        )
    if state in ("57P01", "57P02", "57P03") or ("connection" in lowered and ("lost" in lowered or "closed" in lowered)):
        return f"{location}: the connection to the server was lost ({first}); it is opened again on the next try"
    if state == "42501":
        return (
            f"{location}: {first}: grant heard's user the rights it needs on its schema, or use a read-only"
            " command (status, queue, report)"
        )
    if state in ("53100", "53200"):
        return f"{location}: the server is out of disk space or memory; free some, then run the command again"
    return f"{location}: database error: {first}"


@lru_cache(maxsize=2048)
def _pyformat(sql: str) -> str:
    """The statement with psycopg's placeholders: each ``?`` outside quotes as ``%s``, each ``%`` as ``%%``."""
    pieces = _QUOTED.split(sql)
    for i, piece in enumerate(pieces):
        piece = piece.replace("%", "%%")
        pieces[i] = piece if i % 2 else piece.replace("?", "%s")
    return "".join(pieces)


class _BoolAsInt(Dumper):
    """Send a Python bool as the integer 0 or 1, the store's spelling of a boolean on both engines."""

    format = Format.TEXT

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"
