"""What the recurring passes read from markers and counts equals what the rows say, however they were written."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from listener.quarantine import Reject
from listener.records import ACKNOWLEDGED, ReplyState, priority_rank
from listener.store import Store, iso, migrations
from responders.lifecycle import PENDING_FOR_PEOPLE
from tests.conftest import NOW, make_comment, make_tags, on_both

S = ReplyState
ACKED = ", ".join(f"'{s.value}'" for s in ACKNOWLEDGED)
PENDING = ", ".join(f"'{s.value}'" for s in PENDING_FOR_PEOPLE)


def from_the_rows(store: Store) -> dict[str, Any]:
    """The answers worked out afresh from comments, tags and replies, as heard did before the markers."""
    q = store.engine.execute
    untagged = q(
        "SELECT c.id FROM comments c LEFT JOIN tags t ON t.comment_id = c.id WHERE t.comment_id IS NULL"
        " AND c.id NOT IN (SELECT item FROM quarantine WHERE stage = 'tag') ORDER BY c.created_at, c.id"
    ).fetchall()
    undecided = q(
        "SELECT c.id FROM comments c JOIN tags t ON t.comment_id = c.id LEFT JOIN replies r ON r.comment_id = c.id"
        " WHERE r.comment_id IS NULL AND c.id NOT IN (SELECT item FROM quarantine WHERE stage = 'decide')"
        " ORDER BY c.created_at, c.id"
    ).fetchall()
    needing = (
        "FROM comments c JOIN tags t ON t.comment_id = c.id LEFT JOIN replies r ON r.comment_id = c.id"
        " WHERE t.needs_reply = 1 AND c.is_own = 0"
    )
    awaiting = q(f"SELECT c.id {needing} AND (r.state IS NULL OR r.state NOT IN ({ACKED})) ORDER BY c.created_at")
    ledger = q(
        f"SELECT CASE WHEN r.state IN ({ACKED}) THEN 'acknowledged' ELSE 'open' END, count(*) {needing} GROUP BY 1"
    )
    replied = q(
        "SELECT c.platform, c.author_id, count(*) FROM replies r JOIN comments c ON c.id = r.comment_id"
        " WHERE r.state = 'posted' GROUP BY 1, 2"
    )
    queue = q(
        "SELECT r.comment_id, (SELECT count(*) FROM replies r2 JOIN comments c2 ON c2.id = r2.comment_id"
        " WHERE c2.platform = c.platform AND c2.author_id = c.author_id AND r2.state = 'posted')"
        f" FROM replies r JOIN comments c ON c.id = r.comment_id WHERE r.state IN ({PENDING})"
    )
    groups = q(
        f"SELECT c.platform, t.priority, count(*) {needing} AND (r.state IS NULL OR r.state NOT IN ({ACKED}))"
        " GROUP BY 1, 2"
    ).fetchall()
    cutoff = iso(NOW - timedelta(minutes=100))
    overdue = q(
        f"SELECT c.platform, t.priority, count(*) {needing} AND (r.state IS NULL OR r.state NOT IN ({ACKED}))"
        " AND c.created_at <= ? GROUP BY 1, 2",
        [cutoff],
    ).fetchall()
    return {
        "open_groups": {(p, pr): n for p, pr, n in groups},
        "overdue": {(p, pr): n for p, pr, n in overdue if n},
        "comments": q("SELECT count(*) FROM comments").fetchone()[0],
        "untagged": [r[0] for r in untagged],
        "undecided": [r[0] for r in undecided],
        "awaiting": [r[0] for r in awaiting.fetchall()],
        "ledger": {"open": 0, "acknowledged": 0, **dict(ledger.fetchall())},
        "states": dict(q("SELECT state, count(*) FROM replies GROUP BY state").fetchall()),
        "author_replied": dict(queue.fetchall()),
        "replied": {f"{p}:{a}": n for p, a, n in replied.fetchall()},
        "copies": q(
            "SELECT r.comment_id, c.platform, c.author_id FROM replies r JOIN comments c ON c.id = r.comment_id"
            " ORDER BY 1"
        ).fetchall(),
        "tag_copies": q(
            "SELECT c.id, t.needs_reply, t.priority FROM comments c LEFT JOIN tags t ON t.comment_id = c.id ORDER BY 1"
        ).fetchall(),
    }


def from_the_store(store: Store) -> dict[str, Any]:
    """The same answers as the passes read them."""
    written_by = NOW - timedelta(minutes=100)
    overdue = {g: store.count_open(g, written_by=written_by) for g in store.open_groups()}
    return {
        "open_groups": store.open_groups(),
        "overdue": {g: n for g, n in overdue.items() if n},
        "comments": store.count_comments(),
        "untagged": [c.id for c in store.untagged(10_000)],
        "undecided": [c.id for c, _ in store.undecided(10_000)],
        "awaiting": [a.id for a in store.awaiting()],
        "ledger": store.ledger_counts(),
        "states": store.state_counts(),
        "author_replied": {r["comment_id"]: r["author_replied"] for r in store.queue_rows(list(PENDING_FOR_PEOPLE))},
        "replied": {
            r["id"]: r["replied"] for r in store.engine.query("SELECT id, replied FROM authors WHERE replied != 0")
        },
        "copies": store.engine.execute("SELECT comment_id, platform, author_id FROM replies ORDER BY 1").fetchall(),
        "tag_copies": store.engine.execute("SELECT id, needs_reply, priority FROM comments ORDER BY 1").fetchall(),
    }


def busy_day(store: Store) -> list[str]:
    """Comments through every stage by the store's own writes, including the roundabout ways; their ids."""
    comments = [make_comment(n, platform=("x", "mastodon")[n % 2], author=f"a{n % 7}", minutes_ago=200 - n)
                for n in range(60)]  # fmt: skip
    comments.append(make_comment(99, author="us", is_own=True))
    store.save_page("x:mention", comments, None, now=NOW)
    ids = [c.id for c in comments]
    store.save_tags([make_tags(c, needs_reply=n % 3 != 0) for n, c in enumerate(comments[:50])], now=NOW)
    store.save_tags([make_tags(comments[-1], needs_reply=True)], now=NOW)  # our own: never "needs a reply"
    # The judge's final word changes needs_reply after tagging.
    store.save_tags([make_tags(c, needs_reply=False) for c in comments[1:5]], now=NOW)
    moves = {0: (), 1: (S.APPROVED,), 2: (S.APPROVED, S.POSTING, S.POSTED), 3: (S.REJECTED,),
             4: (S.REJECTED, S.DISMISSED), 5: (S.APPROVED, S.POSTING, S.FAILED)}  # fmt: skip
    for n, c in enumerate(comments[:40]):
        store.create_reply(c.id, S.SUGGESTED.value, now=NOW, text=f"Thanks {n}")
        was = S.SUGGESTED
        for state in moves[n % 6]:
            assert store.move_reply(c.id, [was.value], state.value, now=NOW, posted_at=NOW)
            was = state
    # A person dismissed a comment before it was tagged: it still waits for the tagger, then is decided.
    store.create_reply(ids[55], S.DISMISSED.value, now=NOW, decided_by="person")
    store.set_aside([Reject("tag", ids[56], "boom"), Reject("decide", ids[45], "boom")], now=NOW)
    return ids


@on_both
def test_markers_and_counts_follow_the_stores_writes(store: Store) -> None:
    busy_day(store)
    assert from_the_store(store) == from_the_rows(store)
    assert store.ledger_counts()["open"] > 0 and store.ledger_counts()["acknowledged"] > 0
    assert store.undecided(100) and store.untagged(100)
    assert any(from_the_rows(store)["author_replied"].values())


@on_both
def test_markers_and_counts_follow_rows_written_in_any_order(store: Store) -> None:
    ids = busy_day(store)
    db = store.engine
    # An import that writes a comment's tags and reply before the comment itself, and authors last.
    late = make_comment(500, author="late", minutes_ago=5)
    db.execute("INSERT INTO tags (comment_id, needs_reply, tagged_at) VALUES (?, 1, ?)", [late.id, iso(NOW)])
    db.execute(
        "INSERT INTO replies (comment_id, state, text, attempts, created_at, updated_at, posted_at)"
        " VALUES (?, 'posted', 'hi', 1, ?, ?, ?)",
        [late.id, iso(NOW), iso(NOW), iso(NOW)],
    )
    store.save_page("x:mention", [late], None, now=NOW)
    db.execute("DELETE FROM authors WHERE id = ?", ["x:u-a2"])
    db.execute(
        "INSERT INTO authors (id, platform, native_id, handle, comments, opted_out)"
        " VALUES ('x:u-a2', 'x', 'u-a2', 'a2', 1, 0)"
    )
    # A person at the sqlite3 prompt: a reply deleted to decide again, tags deleted to tag again.
    db.execute("DELETE FROM replies WHERE comment_id = ?", [ids[2]])
    db.execute("DELETE FROM tags WHERE comment_id = ?", [ids[7]])
    assert from_the_store(store) == from_the_rows(store)
    assert ids[2] in [c.id for c, _ in store.undecided(100)] and ids[7] in [c.id for c in store.untagged(100)]


def test_an_m008_database_gains_markers_and_counts_that_match_its_rows(tmp_path: Path) -> None:
    today = Store(tmp_path / "today.db")
    busy_day(today)
    expected = from_the_rows(today)
    # The same rows in a database the heard before m009 wrote: no markers, no copies, no counts.
    older = sqlite_utils.Database(tmp_path / "older.db")
    migrations.apply(older, stop_before="m009_pending")
    for table in ("comments", "tags", "replies", "authors", "quarantine"):
        columns = older.table(table).columns_dict
        older.table(table).insert_all({k: v for k, v in r.items() if k in columns} for r in today.db.table(table).rows)
    today.close()
    older.close()

    upgraded = Store(tmp_path / "older.db")
    assert from_the_store(upgraded) == from_the_rows(upgraded) == expected
    assert (
        upgraded.db.execute("SELECT count(*) FROM replies WHERE platform IS NULL OR author_id IS NULL").fetchone()[0]
        == 0
    )
    upgraded.close()


@on_both
def test_rows_a_page_brings_later_are_pending_at_once(store: Store) -> None:
    busy_day(store)
    fresh = make_comment(700, minutes_ago=0)
    store.save_page("x:mention", [fresh], None, now=NOW + timedelta(minutes=1))
    assert store.untagged(1000)[-1].id == fresh.id


@on_both
def test_the_queue_serial_moves_exactly_when_something_the_queue_file_shows_may_have_changed(store: Store) -> None:
    ids = busy_day(store)
    before = store.queue_serial()
    later = NOW + timedelta(minutes=1)
    store.save_page("x:mention", [], "999", now=later)  # a poll that found nothing moves its cursor
    store.record_notices([(ids[0], 1)], "terminal", now=later)
    store.set_aside([Reject("tag", ids[1], "boom")], now=later)
    store.set_meta("anything", 1)
    assert store.queue_serial() == before, "writes the queue file never shows moved the serial"
    changes = [
        lambda at: store.update_reply(ids[0], now=at, text="edited"),
        lambda at: store.move_reply(ids[6], [S.SUGGESTED.value], S.APPROVED.value, now=at),
        lambda at: store.create_reply(ids[58], S.SUGGESTED.value, now=at, text="new"),
        lambda at: store.save_tags(
            [make_tags(make_comment(3, platform="mastodon", author="a3"), priority="high")], now=at
        ),
        lambda at: store.engine.execute("UPDATE comments SET text = 'edited on the platform' WHERE id = ?", [ids[3]]),
    ]
    for n, change in enumerate(changes, start=2):
        change(NOW + timedelta(minutes=n))
        after = store.queue_serial()
        assert after > before, f"change {n - 2} did not move the serial"
        before = after
    # A comment stored again as it was (a poll seeing it twice) changes nothing shown.
    store.engine.execute("UPDATE comments SET text = text WHERE id = ?", [ids[3]])
    assert store.queue_serial() == before


@on_both
def test_the_waiting_rows_are_the_most_urgent_first_as_the_whole_list_sorts_them(store: Store) -> None:
    busy_day(store)
    again = [
        make_comment(n, platform=("x", "mastodon")[n % 2], author=f"a{n % 7}", minutes_ago=200 - n) for n in (12, 15)
    ]
    store.save_tags([make_tags(c, priority="high") for c in again], now=NOW)
    everything = store.queue_rows([s.value for s in PENDING_FOR_PEOPLE])
    everything.sort(key=lambda r: priority_rank(r["priority"]))
    assert len(everything) == store.waiting_count() > 6
    assert everything[0]["priority"] == "high"
    for limit in (1, 2, 3, 5, len(everything), len(everything) + 10):
        assert store.waiting_rows(limit) == everything[:limit]
