"""Tests for bench/gen_history.py's bulk history and bench/scale_bench.py's pass runner (shapes, not speed)."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from bench import scale_bench
from bench.gen_history import fresh_comments, generate
from listener.store import Store
from responders.lifecycle import ALLOWED, PENDING_FOR_PEOPLE, ReplyState
from tests.conftest import NOW

COMMENTS = 2_000


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("history") / "h.db"
    generate(path, comments=COMMENTS, days=30, seed=3, now=NOW).close()
    return path


@pytest.fixture
def history(built: Path) -> Store:
    store = Store(built)
    yield store
    store.close()


def rows(store: Store, sql: str, params: tuple = ()) -> list[tuple]:
    return store.db.execute(sql, params).fetchall()


def test_schema_is_the_stores_own(history: Store, tmp_path: Path) -> None:
    fresh = Store(tmp_path / "fresh.db")
    schema = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    expected = rows(fresh, schema)
    fresh.close()
    assert rows(history, schema) == expected
    assert {n for _, n, _, _ in expected} >= {"comments", "tags", "replies", "events", "notices", "authors"}


def test_every_comment_is_tagged_and_decided_with_a_realistic_mix(history: Store) -> None:
    assert history.count_comments() == COMMENTS
    assert history.untagged() == [] and history.undecided() == []
    states = history.state_counts()
    assert sum(states.values()) == COMMENTS
    assert set(states) == {"dismissed", "posted", "rejected", "suggested"}
    needing = history.tag_counts("needs_reply")["1"]
    assert 0.5 < needing / COMMENTS < 0.7
    assert 0.6 < states["posted"] / needing < 0.85  # ~74% of those decided are posted
    assert 0.02 < states["rejected"] / needing < 0.07
    assert 0.1 < states["suggested"] / needing < 0.25  # never touched, or decided after "now"
    ledger = history.ledger_counts()
    assert ledger["open"] + ledger["acknowledged"] == needing
    assert len(history.awaiting()) == ledger["open"]
    assert history.tag_counts("priority").keys() == {"high", "normal", "low"}
    skipped = rows(history, "SELECT count(*) FROM replies WHERE decided_by = 'policy' AND state = 'dismissed'")
    assert skipped[0][0] == COMMENTS - needing


def test_replies_and_the_queue_read_back_through_the_store(history: Store) -> None:
    posted = history.replies([ReplyState.POSTED.value], limit=20)
    assert posted and all(r.posted_at and r.acknowledged_at and r.remote_id for r in posted)
    assert all(r.edit_ratio is not None and r.attempts == 1 for r in posted)
    queue = history.queue_rows([s.value for s in PENDING_FOR_PEOPLE])
    states = history.state_counts()
    assert len(queue) == sum(states.get(s.value, 0) for s in PENDING_FOR_PEOPLE) > 0
    assert any(q["alternatives"] for q in queue) and all(q["author_comments"] >= 1 for q in queue)
    first = posted[0]
    assert [e["to_state"] for e in history.events(first.comment_id)] == [
        None,
        "suggested",
        "approved",
        "posting",
        "posted",
    ]


def test_the_trail_holds_every_move_in_time_order_and_each_is_legal(history: Store) -> None:
    events = rows(history, "SELECT comment_id, kind, from_state, to_state, at FROM events ORDER BY id")
    assert [e[4] for e in events] == sorted(e[4] for e in events)
    assert Counter(e[1] for e in events)["stored"] == COMMENTS
    last: dict[str, str | None] = {}
    for comment_id, kind, before, after, _ in events:
        if kind != "transition":
            continue
        assert before == last.get(comment_id)
        if before is not None:
            assert ReplyState(after) in ALLOWED[ReplyState(before)]
        last[comment_id] = after
    assert last == dict(rows(history, "SELECT comment_id, state FROM replies"))


def test_authors_notices_and_cursors_are_what_the_service_would_have_left(history: Store) -> None:
    assert rows(history, "SELECT sum(comments) FROM authors")[0][0] == COMMENTS
    per_author = rows(history, "SELECT platform || ':' || author_id, count(*) FROM comments GROUP BY 1")
    assert dict(per_author) == dict(rows(history, "SELECT id, comments FROM authors"))
    # Notices only for comments needing a reply; an item still open gets one per escalation step reached.
    stray = rows(
        history, "SELECT count(*) FROM notices n JOIN tags t ON t.comment_id = n.comment_id WHERE NOT t.needs_reply"
    )
    assert stray[0][0] == 0
    open_old = rows(
        history,
        "SELECT r.comment_id, max(n.step) FROM replies r JOIN notices n ON n.comment_id = r.comment_id"
        " WHERE r.state = 'rejected' GROUP BY 1",
    )
    assert open_old and max(step for _, step in open_old) > 3  # daily reminders after the first three
    assert [c["source"] for c in history.cursors()] == [
        "bluesky:notifications",
        "mastodon:mentions",
        "reddit:inbox",
        "x:mentions",
    ]
    assert history.own_handles() == ["driftwood"]


def test_fresh_comments_are_new_and_recent(history: Store) -> None:
    at = NOW + timedelta(hours=2)
    new = fresh_comments(50, history=COMMENTS, seed=3, at=at, first=90_000_000)
    assert len({c.id for c in new}) == 50 and not history.comments([c.id for c in new])
    assert all(at - timedelta(minutes=1) <= c.created_at <= at for c in new)
    assert any(history.author(c.platform, c.author.id) for c in new)  # the history's regulars write again


def test_the_pass_runner_returns_figures(built: Path, tmp_path: Path) -> None:
    db = tmp_path / "heard.db"
    shutil.copyfile(built, db)
    run = scale_bench.Run(db, COMMENTS, 3)
    run.warm_up()
    run.idle_passes()
    run.queue_file()
    run.app.store.close()
    idle = [k for k in scale_bench.MEASURES if k.endswith("_idle")]
    assert set(idle) | {"queue_render", "queue_resync"} <= set(run.out)
    assert all(run.out[k] > 0 for k in run.out)
    assert run.notes["queue_items"] == run.notes["pending_in_queue"] > 0
    text = scale_bench.table({"2k": {"measures": run.out}})
    assert "queue sync, nothing changed" in text and "1 M <= 2x 10 k" in text


def test_sizes_read_as_people_write_them() -> None:
    assert [scale_bench.parse_size(s) for s in ("10k", "100K", "1M", "2500")] == [10_000, 100_000, 1_000_000, 2_500]
    assert [scale_bench.size_name(n) for n in (10_000, 1_000_000, 2_500)] == ["10k", "1M", "2500"]
