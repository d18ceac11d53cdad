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


# The counters every writer moves (the queue's serial, the comments count, needing_counts, reply_counts) are a
# few hot rows. On PostgreSQL a row updated in a transaction stays locked until it commits, so writers on other
# machines queued behind each other's tags and replies for the whole of their transactions (a 3-worker run spent
# most of its waits on them). Their triggers fire at commit instead (deferred constraint triggers): the rows are
# then locked only while a transaction commits, and move by the same amounts. SQLite has one writer at a time.
def _differs(*columns: str) -> str:
    return " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in columns)


# Each as the baseline made it (schema_pg, m010): when it fires, on what condition, the function it runs.
_HOT = {
    "queue_reply_inserted": ("AFTER INSERT ON replies", "", "queue_changed"),
    "queue_reply_updated": ("AFTER UPDATE ON replies", "", "queue_changed"),
    "queue_reply_deleted": ("AFTER DELETE ON replies", "", "queue_changed"),
    "queue_tags_inserted": ("AFTER INSERT ON tags", "", "queue_changed"),
    "queue_tags_updated": ("AFTER UPDATE ON tags", "", "queue_changed"),
    "queue_comment_edited": (
        "AFTER UPDATE OF text, url, author_name, author_handle ON comments",
        _differs("text", "url", "author_name", "author_handle"),
        "queue_changed",
    ),
    "needing_inserted": ("AFTER INSERT ON comments", "NEW.needs_reply = 1 AND NEW.is_own = 0", "needing_inserted"),
    "needing_updated": (
        "AFTER UPDATE OF needs_reply, is_own, reply_state, priority, platform ON comments",
        _differs("needs_reply", "is_own", "reply_state", "priority", "platform"),
        "needing_updated",
    ),
    "needing_deleted": ("AFTER DELETE ON comments", "OLD.needs_reply = 1 AND OLD.is_own = 0", "needing_deleted"),
    "comments_counted": ("AFTER INSERT ON comments", "", "comments_counted"),
    "comments_uncounted": ("AFTER DELETE ON comments", "", "comments_uncounted"),
}
# reply_counts moved in the replies triggers, which also keep each comment's own row (at once, as before).
_REPLY_COUNTED = {
    "reply_counted_in": (
        "AFTER INSERT ON replies",
        "",
        "INSERT INTO reply_counts (state, replies) VALUES (NEW.state, 1)"
        " ON CONFLICT (state) DO UPDATE SET replies = reply_counts.replies + 1;",
    ),
    "reply_counted_moved": (
        "AFTER UPDATE OF state ON replies",
        "NEW.state IS DISTINCT FROM OLD.state",
        "UPDATE reply_counts SET replies = replies - 1 WHERE state = OLD.state;"
        " INSERT INTO reply_counts (state, replies) VALUES (NEW.state, 1)"
        " ON CONFLICT (state) DO UPDATE SET replies = reply_counts.replies + 1;",
    ),
    "reply_counted_out": (
        "AFTER DELETE ON replies",
        "",
        "UPDATE reply_counts SET replies = replies - 1 WHERE state = OLD.state;",
    ),
}
_REPLIES_KEPT = {
    "replies_inserted": """UPDATE replies SET (platform, author_id) =
      (SELECT platform, author_id FROM comments WHERE id = NEW.comment_id) WHERE comment_id = NEW.comment_id;
    UPDATE comments SET reply_state = NEW.state, stage = CASE stage WHEN 'tagged' THEN 'decided' ELSE stage END
      WHERE id = NEW.comment_id;
    UPDATE authors SET replied = replied + 1 WHERE NEW.state = 'posted'
      AND id = (SELECT platform || ':' || author_id FROM comments WHERE id = NEW.comment_id);""",
    "replies_moved": """UPDATE comments SET reply_state = NEW.state WHERE id = NEW.comment_id;
    UPDATE authors SET replied = replied + (NEW.state = 'posted')::int - (OLD.state = 'posted')::int
      WHERE 'posted' IN (NEW.state, OLD.state)
      AND id = (SELECT platform || ':' || author_id FROM comments WHERE id = NEW.comment_id);""",
    "replies_deleted": """UPDATE comments SET reply_state = NULL,
      stage = CASE stage WHEN 'decided' THEN 'tagged' ELSE stage END WHERE id = OLD.comment_id;
    UPDATE authors SET replied = replied - 1 WHERE OLD.state = 'posted'
      AND id = (SELECT platform || ':' || author_id FROM comments WHERE id = OLD.comment_id);""",
}


def _deferred(name: str, event: str, when: str, function: str) -> str:
    condition = f" WHEN ({when})" if when else ""
    return (
        f"CREATE CONSTRAINT TRIGGER {name} {event} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW{condition}"
        f" EXECUTE FUNCTION heard_{function}()"
    )


def _function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION heard_{name}() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT"
        f" AS $$ BEGIN {body} RETURN NULL; END $$"
    )


@both
def m011_counters_move_at_commit(db: Target) -> None:
    """PostgreSQL: the shared counters' triggers fire at commit, so concurrent writers do not queue on them."""
    if db.dialect != "postgresql":
        return
    for name, (event, when, function) in _HOT.items():
        table = event.rsplit(" ON ", 1)[1]
        db.execute(f"DROP TRIGGER {name} ON {table}")
        db.execute(_deferred(name, event, when, function))
    for name, body in _REPLIES_KEPT.items():
        db.execute(_function(name, body))
    for name, (event, when, body) in _REPLY_COUNTED.items():
        db.execute(_function(name, body))
        db.execute(_deferred(name, event, when, name))
