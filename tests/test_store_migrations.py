"""A database made by an earlier heard is upgraded in place: new columns appear and old rows still read."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import sqlite_utils

from listener.records import ReplyState
from listener.store import ErrorKind, Store, iso, migrations
from responders import alerts
from tests.conftest import NOW, make_comment

LATER = NOW + timedelta(hours=1)


def previous_schema(path: Path) -> sqlite_utils.Database:
    """A database migrated through m005 only, as the heard before error kinds left it."""
    db = sqlite_utils.Database(path)
    migrations.apply(db, stop_before="m006_error_kinds")
    assert "error_kind" not in db.table("cursors").columns_dict
    return db


def write_as_before(db: sqlite_utils.Database) -> None:
    """Rows in the shapes the previous heard wrote: error texts with prefixes, pauses without a kind."""
    c = make_comment(1)
    db.table("comments").insert(
        {"id": c.id, "platform": "x", "native_id": c.native_id, "account": "acme", "source": "mention",
         "author_id": "u-jane", "author_handle": "jane", "author_name": "Jane", "author_is_bot": 0,
         "author_bio": "", "text": c.text, "url": c.url, "created_at": iso(c.created_at), "fetched_at": iso(NOW),
         "parent_id": None, "conversation_id": None, "lang": None, "mentions_us": 1, "is_own": 0, "raw": "{}"}
    )  # fmt: skip
    db.table("replies").insert(
        {"comment_id": c.id, "state": "approved", "text": "Thanks!", "suggested_text": "Thanks!",
         "alternatives": json.dumps(["Cheers!"]), "attempts": 1, "error": "AuthFailed: 401",
         "retry_at": iso(LATER), "created_at": iso(NOW), "updated_at": iso(NOW)}
    )  # fmt: skip
    failures = {
        "x:mentions": f"rate limited until {iso(LATER)}",
        "reddit:inbox": "credentials refused: 401 Unauthorized",
        "x:quotes": "CreditsExhausted: 402 Payment Required",
        "bluesky:notifications": "Transient: 503 from the server",
        "youtube:comments": "KeyError: 'items'",
    }
    for source, error in failures.items():
        db.table("cursors").insert({"source": source, "cursor": "c1", "last_error": error, "errors": 2})
    db.table("cursors").insert({"source": "mastodon:notifications", "cursor": "c9", "errors": 0})
    db.table("meta").insert({"key": "pause:post:x", "value": json.dumps({"until": iso(LATER), "why": "402"})})
    db.table("meta").insert({"key": "pause:post:reddit", "value": json.dumps({"until": iso(LATER), "why": "401"})})
    db.table("events").insert(
        {"at": iso(NOW), "kind": "alert", "detail": json.dumps({"platform": "x", "error_type": "CreditsExhausted"})}
    )


def test_an_m005_database_gains_error_kinds_and_its_rows_still_read(tmp_path: Path) -> None:
    path = tmp_path / "heard.db"
    db = previous_schema(path)
    write_as_before(db)
    db.close()

    store = Store(path)
    assert "error_kind" in store.db.table("cursors").columns_dict
    assert [m.name for m in migrations.pending(store.db)] == []
    kinds = {row["source"]: row["error_kind"] for row in store.cursors()}
    assert kinds == {
        "x:mentions": ErrorKind.RATE_LIMITED,
        "reddit:inbox": ErrorKind.AUTH,
        "x:quotes": ErrorKind.CREDITS,
        "bluesky:notifications": ErrorKind.TRANSIENT,
        "youtube:comments": ErrorKind.OTHER,
        "mastodon:notifications": None,
    }
    assert store.cursor("x:mentions")["cursor"] == "c1"  # positions are kept

    # A pause's kind came from the alert event logged with it; without one, it was a refusal of credentials.
    x, reddit = store.posting_pause("x"), store.posting_pause("reddit")
    assert x is not None and (x.kind, x.since, x.until, x.why) == (ErrorKind.CREDITS, NOW, LATER, "402")
    assert reddit is not None and (reddit.kind, reddit.since) == (ErrorKind.AUTH, LATER - timedelta(hours=1))

    reply = store.reply(make_comment(1).id)
    assert reply is not None
    assert (reply.state, reply.alternatives, reply.retry_at, reply.platform) == (
        ReplyState.APPROVED,
        ("Cheers!",),
        LATER,
        "x",
    )
    found = alerts.conditions(store, now=NOW, poll_seconds=60)
    assert {"source:auth:reddit:inbox", "source:credits:x:quotes", "post:credits:x", "post:auth:reddit"} <= set(found)
    store.close()


def test_reopening_an_upgraded_database_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "heard.db"
    db = previous_schema(path)
    write_as_before(db)
    db.close()
    Store(path).close()
    again = Store(path)
    names = [r["name"] for r in again.db["_sqlite_migrations"].rows]
    assert names.count("m006_error_kinds") == 1
    assert again.cursor("reddit:inbox")["error_kind"] == ErrorKind.AUTH
    again.close()
