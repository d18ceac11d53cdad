from __future__ import annotations

import json
import sqlite3
import threading

import pytest

from listener.store import ErrorKind, PostingPause, Store
from tests.conftest import NOW, make_comment, make_tags, on_both


@on_both
def test_inserting_a_comment_twice_is_a_no_op(store: Store) -> None:
    c = make_comment(1)
    assert store.save_page("x:mentions", [c], "10", now=NOW) == ["x:1001"]
    assert store.save_page("x:mentions", [c, c], "11", now=NOW) == []
    assert store.count_comments() == 1
    assert store.author("x", "u-jane")["comments"] == 1
    assert store.cursor("x:mentions")["cursor"] == "11"


@on_both
def test_comment_round_trips_with_raw_payload(store: Store) -> None:
    c = make_comment(2, text="ünïcode ☕ question?")
    store.save_page("x:mentions", [c], None, now=NOW)
    loaded = store.comment(c.id)
    assert loaded == c
    assert loaded.raw == {"n": 2}


@on_both
def test_cursor_and_comments_commit_together(store: Store, tmp_path) -> None:
    # A failure inside the transaction leaves neither the comments nor the cursor behind.
    with pytest.raises(RuntimeError), store.transaction():
        store.save_page("x:mentions", [make_comment(3)], "99", now=NOW)
        raise RuntimeError("crash")
    assert store.count_comments() == 0
    assert store.cursor("x:mentions") is None


@on_both
def test_events_are_append_only(store: Store) -> None:
    store.log_event("hello", now=NOW)
    with pytest.raises((sqlite3.DatabaseError, ValueError), match="append-only"):
        store.engine.execute("UPDATE events SET kind = 'x'")
    with pytest.raises((sqlite3.DatabaseError, ValueError), match="append-only"):
        store.engine.execute("DELETE FROM events")
    assert [e["kind"] for e in store.events()] == ["hello"]


def test_migrations_are_recorded_and_reopen_cleanly(tmp_path) -> None:
    Store(tmp_path / "a.db").close()
    again = Store(tmp_path / "a.db")
    names = [r["name"] for r in again.db["_sqlite_migrations"].rows]
    assert names[:2] == ["m001_initial", "m002_own_posts"]


@on_both
def test_untagged_then_undecided(store: Store) -> None:
    a, b = make_comment(1), make_comment(2)
    store.save_page("s", [a, b], None, now=NOW)
    assert {c.id for c in store.untagged()} == {a.id, b.id}
    store.save_tags([make_tags(a)], now=NOW)
    assert [c.id for c in store.untagged()] == [b.id]
    assert [c.id for c, _ in store.undecided()] == [a.id]


@on_both
def test_the_author_row_records_only_explicit_opt_outs(store: Store) -> None:
    # A bio marker is read by the judge each time (listener.nlp.signals.opts_out), so it is never stale.
    store.save_page("s", [make_comment(1, bio="coffee nerd #nobot")], None, now=NOW)
    assert store.author("x", "u-jane")["opted_out"] == 0
    store.set_opted_out("x", "u-jane", now=NOW, why="asked by email")
    assert store.author("x", "u-jane")["opted_out"] == 1


@on_both
def test_resume_lifts_every_pause_on_one_platform_only(store: Store) -> None:
    from datetime import timedelta

    from responders import lifecycle
    from responders.lifecycle import ReplyState

    later = NOW + timedelta(hours=1)
    store.source_failed("x:mentions", "credentials refused", kind=ErrorKind.AUTH, now=NOW, paused_until=later)
    store.source_failed("reddit:inbox", "credentials refused", kind=ErrorKind.AUTH, now=NOW, paused_until=later)
    store.pause_posting(PostingPause("x", ErrorKind.AUTH, NOW, later, "401"))
    c = make_comment(1)
    store.save_page("x:mentions", [c], None, now=NOW)
    lifecycle.create(store, c.id, ReplyState.SUGGESTED, now=NOW, text="hi")
    lifecycle.transition(store, c.id, ReplyState.APPROVED, now=NOW, retry_at=later)
    assert store.resume("x", now=NOW) == {"sources": 1, "posting": 1, "replies": 1}
    assert store.cursor("x:mentions")["paused_until"] is None
    assert store.cursor("reddit:inbox")["paused_until"]
    assert store.posting_pause("x") is None and store.reply(c.id).retry_at is None


def test_a_write_waits_for_another_process_commit_instead_of_failing(tmp_path) -> None:
    db = tmp_path / "heard.db"
    store = Store(db)
    holding, release = threading.Event(), threading.Event()

    def other_process() -> None:
        # Another writer (the service, a CLI command) holds the write lock, then commits.
        conn = sqlite3.connect(db, timeout=10)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO meta (key, value) VALUES ('other', '1')")
        holding.set()
        release.wait(5)
        conn.commit()
        conn.close()

    thread = threading.Thread(target=other_process)
    thread.start()
    holding.wait(5)
    # save_page reads which ids are known, then writes: begun deferred, its snapshot would be stale
    # once the other writer commits, and SQLite would refuse it at once ("database is locked").
    threading.Timer(0.3, release.set).start()
    assert store.save_page("s", [make_comment(1)], "c1", now=NOW) == [make_comment(1).id]
    thread.join()
    assert store.cursor("s")["cursor"] == "c1"
    store.close()


@on_both
def test_the_audit_trail_keeps_the_text_of_each_edit_and_approval(store: Store) -> None:
    from responders import lifecycle
    from responders.lifecycle import ReplyState

    c = make_comment(1)
    store.save_page("s", [c], None, now=NOW)
    lifecycle.create(store, c.id, ReplyState.SUGGESTED, now=NOW, text="Thanks!", suggested_text="Thanks!")
    store.update_reply(c.id, now=NOW, text="Thanks, Jane!")
    lifecycle.transition(store, c.id, ReplyState.APPROVED, now=NOW, text="Thanks so much, Jane!", decided_by="person")
    texts = [json.loads(e["detail"]).get("text") for e in store.events(c.id) if e["kind"] in ("transition", "edited")]
    assert texts == ["Thanks!", "Thanks, Jane!", "Thanks so much, Jane!"]
