"""Quarantine: an item a stage cannot handle is set aside with its reason and an alert, and the rest moves on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bench import chaos_hostile
from heard.app import App
from heard.cli import cli
from heard.settings import build_settings
from heard.status import collect, render
from responders import alerts
from tests.conftest import NOW, ROOT, make_comment, make_tags
from tests.harness import client as connect
from tests.harness import now, start


def make_app(tmp: Path, clients: dict[str, Any] | None = None) -> App:
    settings = build_settings(
        {"heard": {"database": str(tmp / "heard.db"), "replies": str(ROOT / "config" / "replies.toml")}},
        {},
        config_path=ROOT / "config" / "heard.toml",
        overrides={},
    )
    return App(settings, clients=clients or {})


@pytest.fixture
def x_fake() -> Iterator[Any]:
    h = start("x")
    h.page_size = 5
    yield h
    h.stop()


def test_a_poison_payload_is_set_aside_with_an_alert_and_a_burst_is_read_in_one_poll(
    x_fake: Any, tmp_path: Path
) -> None:
    app = make_app(tmp_path)
    client = connect(x_fake)
    app._clients = {"x": client}
    app.poll_source(client, "mentions", now=now())  # first start: marks the present
    good = x_fake.add_incoming(22)
    bad = x_fake.add_incoming(1, text="@heardbot this one is broken")[0]
    x_fake.fake.tweets[int(bad)]["text"] = 12345  # type-confused: the page is fine, this item is not
    result = app.poll_source(client, "mentions", now=now())
    # 23 items over 5 pages of 5: read in this one poll, not one page per interval.
    assert (result.pages, result.fetched, result.stored, result.skipped, result.error) == (5, 23, 22, 1, None)
    assert {f"x:{i}" for i in good} <= {c for c in app.store.comments(f"x:{i}" for i in good)}
    rows = app.store.quarantined()
    assert [(r["stage"], r["source"]) for r in rows] == [("normalise", "x:mentions")]
    assert "BadPayload" in rows[0]["error"] and bad in rows[0]["excerpt"]
    # The cursor moved past it: the next poll does not fetch it again, and nothing is stuck.
    again = app.poll_source(client, "mentions", now=now())
    assert (again.fetched, again.skipped, again.error) == (0, 0, None)
    found = alerts.conditions(app.store, now=now(), poll_seconds=120)
    assert "1 item set aside at the normalise stage" in found["quarantine:normalise"]
    assert "heard quarantine" in found["quarantine:normalise"]


def test_a_tweet_with_a_broken_time_does_not_fail_a_backfill_page(x_fake: Any, tmp_path: Path) -> None:
    app = make_app(tmp_path)
    client = connect(x_fake)
    app._clients = {"x": client}
    good = x_fake.add_incoming(6)
    (broken,) = x_fake.add_incoming(1, text="@heardbot broken")
    x_fake.fake.tweets[int(broken)]["created_at"] = 12345
    # A first start that backfills walks down to a time floor: the floor test reads every tweet's time.
    result = app.poll_source(client, "mentions", now=now(), backfill=timedelta(hours=1))
    assert (result.error, result.stored, result.skipped) == (None, 6, 1)
    assert set(app.store.comments(f"x:{i}" for i in good)) == {f"x:{i}" for i in good}
    assert [(r["stage"], broken in r["excerpt"]) for r in app.store.quarantined()] == [("normalise", True)]


def test_a_comment_the_database_refuses_is_set_aside_alone_and_the_cursor_moves(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    a, b = make_comment(1), make_comment(3)
    cut = make_comment(2, text="half an emoji \ud83d here")  # a lone surrogate SQLite cannot encode
    saved = app.store.store_page("x:mentions", [a, cut, b], "c9", now=NOW, raws={cut.id: {"raw": "payload"}})
    assert sorted(saved.new) == sorted([a.id, b.id]) and [r.item for r in saved.set_aside] == [cut.id]
    assert (app.store.cursor("x:mentions") or {})["cursor"] == "c9"
    row = app.store.quarantined("store")[0]
    assert row["item"] == cut.id and "surrogate" in row["error"] and row["raw"] == {"raw": "payload"}
    # Seen again (the page refetched after a reset): counted, not duplicated.
    app.store.store_page("x:mentions", [cut], "c9", now=NOW + timedelta(minutes=1))
    assert [r["count"] for r in app.store.quarantined()] == [2]


def test_tagging_reads_a_capped_text_and_sets_aside_only_the_item_that_fails(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    huge = make_comment(1, text="is this thing on? " * 70_000)  # 1.26 MB: over spaCy's limit (E088)
    app.store.save_page("s", [huge, make_comment(2), make_comment(3)], None, now=NOW)
    assert app.tag(now=NOW) == 3
    kept = app.store.comment(huge.id)
    assert kept is not None and len(kept.text) == len(huge.text)  # the store keeps the whole text
    # A tagger that refuses one text of a batch: the batch is tagged one by one around it.
    app.nlp.max_length = 5_000
    poison = make_comment(5, text="where is my order? " * 400)
    app.store.save_page("s", [make_comment(4), poison, make_comment(6)], None, now=NOW)
    assert app.tag(now=NOW) == 2
    assert [(r["stage"], r["item"]) for r in app.store.quarantined()] == [("tag", poison.id)]
    assert "E088" in app.store.quarantined()[0]["error"]
    assert app.tag(now=NOW) == 0  # set aside: never read again, so the loop ends
    app.nlp.max_length = 1_000_000
    assert app.retry_quarantined(None, now=NOW) == (1, 0)
    assert app.store.tags(poison.id) is not None and app.store.quarantined() == []


def test_decide_sets_aside_the_comment_it_cannot_decide_and_a_person_retries_or_drops_it(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    comments = [make_comment(n, text=f"Where is my order {n}? It is late.", author=f"p{n}") for n in range(1, 6)]
    app.store.save_page("s", comments, None, now=NOW)
    app.store.save_tags([make_tags(c, intent="question", sentiment="neutral") for c in comments], now=NOW)
    # A tags row written by an older version without scores: the judge cannot compare None.
    app.store.db.execute(
        "UPDATE tags SET spam_score = NULL WHERE comment_id IN (?, ?)", [comments[1].id, comments[3].id]
    )
    app.decide(now=NOW)
    assert [c.id for c in comments if app.store.reply(c.id)] == [comments[0].id, comments[2].id, comments[4].id]
    assert sorted(r["item"] for r in app.store.quarantined("decide")) == sorted([comments[1].id, comments[3].id])
    assert app.store.undecided() == [] and app.decide(now=NOW).suggested == 0  # no spinning on them
    report = collect(app, now=NOW)
    assert report["quarantine"]["counts"] == {"decide": 2}
    assert "set aside: 2 (decide 2)" in render(report)
    app.store.close()

    db = ["--db", str(tmp_path / "heard.db")]
    runner = CliRunner()
    shown = runner.invoke(cli, [*db, "quarantine"])
    assert shown.exit_code == 0 and f"decide:{comments[1].id}" in shown.output and "TypeError" in shown.output
    failed = runner.invoke(cli, [*db, "quarantine", "retry", comments[1].id])
    assert failed.exit_code == 1 and "1 set aside again" in failed.output
    fixed = make_app(tmp_path)
    fixed.store.db.execute("UPDATE tags SET spam_score = 0 WHERE comment_id = ?", [comments[1].id])
    fixed.store.db.conn.commit()
    fixed.store.close()
    retried = runner.invoke(cli, [*db, "quarantine", "retry", comments[1].id])
    assert retried.exit_code == 0 and "1 passed" in retried.output
    dropped = runner.invoke(cli, [*db, "quarantine", "drop", "--all"])
    assert dropped.exit_code == 0 and "dropped 1" in dropped.output
    after = make_app(tmp_path)
    kept = after.store.reply(comments[1].id)
    assert kept is not None and kept.state == "suggested"
    assert after.store.quarantined() == [] and after.store.reply(comments[3].id) is None
    assert after.decide(now=NOW).suggested == 0  # a dropped item stays out of its stage
    assert "quarantine:decide" not in alerts.conditions(after.store, now=NOW, poll_seconds=120)
    assert runner.invoke(cli, [*db, "quarantine", "retry"]).exit_code == 2  # an ID or --all


def test_replay_of_a_burst_leaves_nothing_undecided(tmp_path: Path) -> None:
    recording = tmp_path / "burst.jsonl"
    created = NOW - timedelta(hours=2)
    lines = [json.dumps({"heard_recording": 1, "accounts": {"x": {"id": "1", "handle": "acme"}}})]
    texts = chaos_hostile.ORDINARY
    lines += [
        json.dumps(chaos_hostile.x_payload(n, f"{texts[n % len(texts)]} #{n}", created + timedelta(seconds=n)))
        for n in range(2_600)  # more than two decide batches of 1,000
    ]
    recording.write_text("\n".join(lines) + "\n")
    out = CliRunner().invoke(cli, ["replay", str(recording), "--db", str(tmp_path / "r.db"), "--json"])
    assert out.exit_code == 0, out.output
    decisions = [json.loads(line) for line in out.output.splitlines() if line.startswith("{")]
    assert len(decisions) == 2_600 and sum(d["decision"] == "undecided" for d in decisions) == 0


def test_hostile_texts_end_to_end_bounded(tmp_path: Path) -> None:
    outcome = chaos_hostile.run(40, tmp_path)
    assert outcome.stopped == []
    assert outcome.stored + outcome.set_aside == outcome.payloads and outcome.set_aside >= 5
    assert outcome.alerted_stages == outcome.set_aside_stages >= 1
    assert outcome.undecided == 0
    assert outcome.ordinary_decided == outcome.ordinary_queued == outcome.ordinary_escalated == 40
    assert outcome.ok
