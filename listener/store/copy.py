"""Copy one heard database into another (SQLite or PostgreSQL, either way): every row of every table, once.

The rows are copied as they are, table by table in key order, in batches of ``BATCH`` rows (a transaction
each, so the destination's triggers never work through one huge transaction). The kept counts
(``KEPT``: reply_counts, needing_counts, counts, changes) are not copied: the destination's triggers build
them as the rows arrive, as they would have had heard written the rows there, and ``copy`` then checks
them against the source's. For that, comments come first (with their markers as stored), then tags,
replies and authors (``FIRST``), so each trigger finds what it reads already there: an author's
``replied`` is counted from the posted replies copied before it, and nothing is counted twice.

A row whose key the destination already holds is skipped when it is the same (a second copy adds
nothing) and refused when it differs (``CopyConflict`` names the table and key): a copy never overwrites.
The columns the triggers write (``DERIVED``) are left out of that comparison, so a copy cut short can be
run again. Both databases must be at the same schema version; PostgreSQL's sequences are moved past the
ids copied (``events.id``), so the next event written there gets a new id, and its tables are analyzed.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlite_utils

from listener.errors import StoreError
from listener.store import Store, migrations
from listener.store.engine import quoted
from listener.store.schema_pg import MIGRATION_SET, MIGRATIONS_TABLE

# Rows read, compared and written at a time: one transaction on the destination each. Not more: each row's
# triggers update the same few kept-count rows, and on PostgreSQL a row updated thousands of times in one
# transaction grows a chain of versions each update walks (replies copy twice as fast at 1,000 as at 5,000).
BATCH = 1_000
# Tables the destination's triggers keep from the rows of the others: never copied, compared after.
KEPT = ("changes", "counts", "needing_counts", "reply_counts")
# Copied first, in this order: each one's triggers read the tables copied before it.
FIRST = ("comments", "tags", "replies", "authors")
# Columns the triggers write from other tables: copied as stored, but not compared (a cut-short copy differs there).
DERIVED = {
    "comments": frozenset({"stage", "needs_reply", "priority", "reply_state"}),
    "replies": frozenset({"platform", "author_id"}),
    "authors": frozenset({"replied"}),
}


class CopyConflict(StoreError):
    """The destination holds other data under a key the source has, or is not at the source's schema version."""


@dataclass(frozen=True)
class Table:
    """One table of heard's schema: its columns in order, and the columns of its primary key."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]


@dataclass(frozen=True)
class Copied:
    """How far one table's copy has gone: rows read from the source, added to the destination, already there."""

    table: str
    total: int
    read: int
    added: int
    seconds: float

    @property
    def present(self) -> int:
        """Rows the destination already held, the same as the source's."""
        return self.read - self.added


@dataclass(frozen=True)
class Outcome:
    """A whole copy: each table's figures, and the kept counts that differ between the two databases (none: equal)."""

    tables: tuple[Copied, ...]
    kept_differences: tuple[str, ...]
    kept_checked: bool  # False when the destination holds rows the source lacks: its counts cannot be compared


@cache
def tables() -> tuple[Table, ...]:
    """The tables of heard's schema as a new database has them, the kept counts and the migrations' left out."""
    db = sqlite_utils.Database(memory=True)
    migrations.apply(db)
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()]
    found = []
    for name in names:
        if name in KEPT or name == MIGRATIONS_TABLE:
            continue
        info = db.execute(f"PRAGMA table_info({quoted(name)})").fetchall()
        key = tuple(r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5]))
        found.append(Table(name, tuple(r[1] for r in info), key))
    db.close()
    rank = {name: n for n, name in enumerate(FIRST)}
    return tuple(sorted(found, key=lambda t: (rank.get(t.name, len(FIRST)), t.name)))


def counts(store: Store) -> dict[str, int]:
    """How many rows each of heard's tables holds."""
    return {t.name: _count(store, t.name) for t in tables()}


def kept(store: Store) -> dict[str, dict[tuple[Any, ...], int]]:
    """The kept counts, table by table: each row's key and its non-zero figure (a zero row is the same as none)."""
    out: dict[str, dict[tuple[Any, ...], int]] = {}
    for table in KEPT:
        rows = store.engine.execute(f"SELECT * FROM {quoted(table)}").fetchall()
        out[table] = {tuple(r[:-1]): int(r[-1]) for r in rows if r[-1]}
    return out


def copy(
    source: Store, destination: Store, *, batch: int = BATCH, progress: Callable[[Copied], None] | None = None
) -> Outcome:
    """Copy every row of ``source`` that ``destination`` lacks; ``progress`` hears of each batch.

    :raises CopyConflict: the two are the same database or at different schema versions, or the destination
        holds a different row under a key the source has (nothing of that table's batch is written).
    """
    if source.location == destination.location:
        raise CopyConflict(f"{source.location}: the source and the destination are the same database")
    _same_version(source, destination)
    done = tuple(_copy_table(source, destination, table, batch, progress) for table in tables())
    _after_load(destination)
    complete = all(_count(destination, c.table) == c.total for c in done)
    differences = _kept_differences(source, destination) if complete else ()
    return Outcome(done, differences, complete)


def _copy_table(
    source: Store, destination: Store, table: Table, batch: int, progress: Callable[[Copied], None] | None
) -> Copied:
    started, total = time.perf_counter(), _count(source, table.name)
    read = added = 0
    figures = Copied(table.name, total, 0, 0, 0.0)
    for rows in _batches(source, table, batch):
        added += _write(destination, table, rows)
        read += len(rows)
        figures = Copied(table.name, total, read, added, time.perf_counter() - started)
        if progress:
            progress(figures)
    if progress and not read:  # an empty table is still named
        progress(figures)
    return figures


def _batches(store: Store, table: Table, size: int) -> Iterator[list[tuple[Any, ...]]]:
    """The table's rows in key order, ``size`` at a time (keyset pages: each read starts after the last key)."""
    columns = ", ".join(map(quoted, table.columns))
    order = ", ".join(map(quoted, table.key))
    at = [table.columns.index(k) for k in table.key]
    after: list[Any] = []
    while True:
        where = f" WHERE {_tuple(table.key)} > ({_marks(len(table.key))})" if after else ""
        sql = f"SELECT {columns} FROM {quoted(table.name)}{where} ORDER BY {order} LIMIT {size}"
        rows = [tuple(r) for r in store.engine.execute(sql, after).fetchall()]
        if not rows:
            return
        yield rows
        after = [rows[-1][i] for i in at]


def _write(destination: Store, table: Table, rows: list[tuple[Any, ...]]) -> int:
    """Add the rows the destination lacks (one transaction); return how many.

    :raises CopyConflict: a row the destination holds under the same key differs, or one it refuses.
    """
    at = [table.columns.index(k) for k in table.key]
    compared = [i for i, c in enumerate(table.columns) if c not in DERIVED.get(table.name, ())]
    first, last = [rows[0][i] for i in at], [rows[-1][i] for i in at]
    marks = _marks(len(at))
    sql = (
        f"SELECT {', '.join(map(quoted, table.columns))} FROM {quoted(table.name)}"
        f" WHERE {_tuple(table.key)} >= ({marks}) AND {_tuple(table.key)} <= ({marks})"
    )
    with destination.transaction():
        held = {tuple(r[i] for i in at): r for r in destination.engine.execute(sql, [*first, *last]).fetchall()}
        missing = []
        for row in rows:
            key = tuple(row[i] for i in at)
            there = held.get(key)
            if there is None:
                missing.append(row)
            elif any(not _same(row[i], there[i]) for i in compared):
                column = next(table.columns[i] for i in compared if not _same(row[i], there[i]))
                raise CopyConflict(
                    f"{destination.location}: table {table.name} already holds key {_shown(key)} with other data"
                    f" ({column} differs); a copy never overwrites: copy into an empty database"
                )
        if missing:
            insert = (
                f"INSERT INTO {quoted(table.name)} ({', '.join(map(quoted, table.columns))})"
                f" VALUES ({_marks(len(table.columns))})"
            )
            try:
                destination.engine.executemany(insert, missing)
            except _refusals(destination) as exc:
                raise CopyConflict(
                    f"{destination.location}: table {table.name} refused a row between keys {_shown(tuple(first))}"
                    f" and {_shown(tuple(last))}: {str(exc).splitlines()[0]}"
                ) from exc
    return len(missing)


def _same_version(source: Store, destination: Store) -> None:
    """Refuse two databases whose applied migrations differ (one written by a newer heard)."""
    sql = f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ?"
    applied = [{r[0] for r in s.engine.execute(sql, [MIGRATION_SET]).fetchall()} for s in (source, destination)]
    if applied[0] != applied[1]:
        only = sorted(applied[0] ^ applied[1])
        raise CopyConflict(
            f"{source.location} and {destination.location} are at different schema versions"
            f" ({', '.join(only)} applied to one only); open both with the newest heard first"
        )


def _after_load(destination: Store) -> None:
    """On PostgreSQL, move each integer key's sequence past the ids copied, and gather the planner's statistics.

    The ids were given, not drawn from the sequence. Without statistics, the first queries after a bulk load
    are planned as if the tables were empty, until autovacuum gets round to them.
    """
    if destination.engine.dialect != "postgresql":
        return
    for name in (*(t.name for t in tables()), *KEPT):
        destination.engine.execute(f"ANALYZE {quoted(name)}")
    for table in tables():
        if len(table.key) != 1:
            continue
        row = destination.engine.execute("SELECT pg_get_serial_sequence(?, ?)", [table.name, table.key[0]]).fetchone()
        if row and row[0]:
            top = f"max({quoted(table.key[0])})"
            destination.engine.execute(
                f"SELECT setval(?, {top}) FROM {quoted(table.name)} HAVING {top} IS NOT NULL", [row[0]]
            )


def _kept_differences(source: Store, destination: Store) -> tuple[str, ...]:
    """Each kept count the destination's triggers built that differs from the source's, as one line."""
    theirs, ours = kept(source), kept(destination)
    lines = []
    for table in KEPT:
        for key in sorted(set(theirs[table]) | set(ours[table]), key=str):
            a, b = theirs[table].get(key, 0), ours[table].get(key, 0)
            if table != "changes" and a != b:  # the queue serial only has to move, not to match
                lines.append(f"{table} {_shown(key)}: source {a}, destination {b}")
    return tuple(lines)


def _count(store: Store, table: str) -> int:
    return int(store.engine.execute(f"SELECT count(*) FROM {quoted(table)}").fetchone()[0])


def _same(a: Any, b: Any) -> bool:
    """Equal values, whichever engine read them (SQLite's 1 and PostgreSQL's 1.0 are the same number)."""
    return bool(a == b)


def _refusals(store: Store) -> tuple[type[Exception], ...]:
    """What the destination's engine raises for a row it refuses (a unique index, a value out of range)."""
    if store.engine.dialect == "postgresql":
        from listener.store.postgres import RowRefused  # psycopg is loaded only for a PostgreSQL database

        return (RowRefused,)
    return (sqlite3.IntegrityError,)


def _shown(key: Sequence[Any]) -> str:
    return ", ".join(map(repr, key)) if len(key) != 1 else repr(key[0])


def _tuple(columns: Sequence[str]) -> str:
    return f"({', '.join(map(quoted, columns))})"


def _marks(n: int) -> str:
    return ", ".join("?" * n)
