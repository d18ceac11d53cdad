"""Provide the migrations after m010: each written once, in SQL both engines read, and run on both.

The rule for the next migration (m011 on): write it here, decorated with ``@both``, as a function of a
``Target``: ``execute(sql, params)`` with ``?`` placeholders, and ``dialect`` ("sqlite" or "postgresql").
Its SQL is what both engines read: ``ALTER TABLE … ADD COLUMN`` (TEXT, INTEGER or REAL, as the codecs
expect), ``CREATE [UNIQUE] INDEX`` (partial ones too), ``UPDATE``/``INSERT … SELECT`` backfills without
SQLite's or PostgreSQL's own functions. A trigger is the one thing spelled twice: SQLite's ``BEGIN … END``
and a PL/pgSQL function, chosen by ``target.dialect``. A text column is ``TEXT COLLATE "C"`` on PostgreSQL.

SQLite runs it through sqlite-utils' migration set "heard" (after m001–m010 of ``schema``); PostgreSQL
starts from a baseline equal to SQLite's schema after m010 (``schema_pg``) and runs the same functions,
recorded in its own ``_sqlite_migrations``. Like every migration, one applied is history: never edited.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import sqlite_utils
from sqlite_utils.migrations import Migrations

from listener.store.schema import migrations


class Target(Protocol):
    """The database a migration written once runs on: its statements, and which engine it is."""

    dialect: str

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...


class Step(Protocol):
    """A migration written once for both engines."""

    __name__: str

    def __call__(self, db: Target, /) -> None: ...


class Both:
    """The migrations after m010, in order: each registered with SQLite's migration set and kept for PostgreSQL."""

    def __init__(self, sqlite_set: Migrations) -> None:
        self.sqlite_set = sqlite_set
        self.steps: list[Step] = []

    def __call__(self, step: Step) -> Step:
        """Register ``step`` as the next migration of both engines."""
        self.steps.append(step)
        self.sqlite_set(name=step.__name__)(_OnSQLite.runner(step))
        return step


class _OnSQLite:
    """A SQLite database during its migrations, as a ``Target``."""

    dialect = "sqlite"

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.db.execute(sql, list(params))

    @staticmethod
    def runner(step: Step) -> Any:
        """The sqlite-utils migration that runs ``step`` on the database it is given."""

        def run(db: sqlite_utils.Database) -> None:
            step(_OnSQLite(db))

        run.__name__ = step.__name__
        return run


# m011 on: each a function of a Target below, decorated with @both, in order.
both = Both(migrations)
