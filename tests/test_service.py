"""Operational alerts, `heard status`, and a real `heard run` process stopped with SIGTERM mid-job."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from listener.platforms.replay import read_outbox
from listener.store import ErrorKind, PostingPause, Store, iso, keys
from responders import alerts, lifecycle
from responders.alerts import AlertChange
from responders.lifecycle import ReplyState
from responders.slack import SlackNotifier
from tests.conftest import NOW, ROOT, make_comment, make_tags
from tests.fakes.slack import FakeSlack
from tests.heard_toml import write_service_config

POLL = 120


class Announcements:
    """An announcer that remembers what it announced, and can be told to fail."""

    channel = "test"

    def __init__(self) -> None:
        self.seen: list[tuple[str, bool]] = []
        self.fail = 0

    def announce(self, changes: Sequence[AlertChange], *, now: datetime) -> None:
        if self.fail:
            self.fail -= 1
            raise RuntimeError("down")
        self.seen += [(c.key, c.recovered) for c in changes]


def check(store: Store, ann: Announcements, minutes: float, **kw) -> list[tuple[str, bool]]:
    changes = alerts.check(store, ann, now=NOW + timedelta(minutes=minutes), poll_seconds=POLL, **kw)
    return [(c.key, c.recovered) for c in changes]


def test_silent_source_is_announced_once_and_again_on_recovery(store: Store) -> None:
    ann = Announcements()
    store.save_page("x:mentions", [], "c1", now=NOW)
    assert check(store, ann, 5) == []
    assert check(store, ann, 7) == [("source:silent:x:mentions", False)]
    assert check(store, ann, 8) == [] and check(store, ann, 30) == []
    store.save_page("x:mentions", [], "c2", now=NOW + timedelta(minutes=31))
    assert check(store, ann, 31) == [("source:silent:x:mentions", True)]
    assert check(store, ann, 32) == []
    assert ann.seen == [("source:silent:x:mentions", False), ("source:silent:x:mentions", True)]
    assert store.alerts() == []


def test_revoked_credentials_alert_instead_of_silence(store: Store) -> None:
    ann = Announcements()
    store.save_page("reddit:inbox", [], "c", now=NOW)
    for minute in (2, 4, 6, 8):
        t = NOW + timedelta(minutes=minute)
        until = t + timedelta(hours=1)
        store.source_failed("reddit:inbox", "401", kind=ErrorKind.AUTH, now=t, paused_until=until)
    assert check(store, ann, 9) == [("source:auth:reddit:inbox", False)]
    assert check(store, ann, 60) == []
    store.save_page("reddit:inbox", [], "c", now=NOW + timedelta(minutes=70))
    assert check(store, ann, 70) == [("source:auth:reddit:inbox", True)]


def approved_reply(store: Store, n: int, *, platform: str = "x", at: datetime = NOW) -> str:
    c = make_comment(n, platform=platform, author=f"p{n}")
    store.save_page("s", [c], None, now=at)
    store.save_tags([make_tags(c)], now=at)
    lifecycle.create(store, c.id, ReplyState.SUGGESTED, now=at, text="Thanks!")
    lifecycle.transition(store, c.id, ReplyState.APPROVED, now=at, decided_by="person")
    return c.id


def post(store: Store, cid: str, at: datetime) -> None:
    lifecycle.transition(store, cid, ReplyState.POSTING, now=at)
    lifecycle.transition(store, cid, ReplyState.POSTED, now=at, posted_at=at, remote_id="r")


def test_spent_credits_pause_posting_until_a_reply_goes_out(store: Store) -> None:
    ann = Announcements()
    first = approved_reply(store, 1)
    store.pause_posting(PostingPause("x", ErrorKind.CREDITS, NOW, NOW + timedelta(hours=1), "402 credits depleted"))
    assert check(store, ann, 1, sources=()) == [("post:credits:x", False)]
    # The pause expired, but nothing has proved the account works yet.
    assert check(store, ann, 90, sources=()) == []
    post(store, first, NOW + timedelta(minutes=95))
    assert check(store, ann, 96, sources=()) == [("post:credits:x", True)]


def test_a_stuck_poster_is_announced_once(store: Store) -> None:
    ann = Announcements()
    cid = approved_reply(store, 1)
    assert check(store, ann, 10, sources=()) == []
    assert check(store, ann, 31, sources=()) == [("poster:stuck", False)]
    assert check(store, ann, 45, sources=()) == []
    post(store, cid, NOW + timedelta(minutes=50))
    assert check(store, ann, 51, sources=()) == [("poster:stuck", True)]


def test_a_failed_announcement_is_repeated_and_a_flap_in_quiet_hours_is_not_announced(store: Store) -> None:
    ann = Announcements()
    ann.fail = 1
    store.save_page("x:mentions", [], "c", now=NOW)
    with pytest.raises(RuntimeError):
        check(store, ann, 7)
    assert check(store, ann, 8) == [("source:silent:x:mentions", False)]
    store.save_page("bsky:notifications", [], "c", now=NOW)
    quiet = {"quiet": (NOW.hour, NOW.hour + 2)}
    assert check(store, ann, 7, **quiet) == []  # raised while quiet: held
    store.save_page("bsky:notifications", [], "c", now=NOW + timedelta(minutes=9))
    assert check(store, ann, 9, **quiet) == []
    assert check(store, ann, 10) == []  # it came and went while quiet: nothing to announce or take back
    assert ("source:silent:bsky:notifications", False) not in ann.seen


def test_alerts_reach_slack_once(store: Store) -> None:
    fake = FakeSlack().start()
    try:
        notifier = SlackNotifier(webhook_url=fake.webhook_url)
        store.save_page("x:mentions", [], "c", now=NOW)
        for minute in (7, 8, 9):
            alerts.check(store, notifier, now=NOW + timedelta(minutes=minute), poll_seconds=POLL)
        assert len(fake.messages) == 1 and "no successful poll" in " ".join(fake.texts())
    finally:
        fake.stop()


def _app(tmp_path: Path):
    from heard.app import App
    from heard.settings import build_settings

    settings = build_settings(
        {"heard": {"database": str(tmp_path / "h.db")}}, {}, config_path=ROOT / "config" / "heard.toml", overrides={}
    )
    return App(settings, clients={})


def _post(store: Store, cid: str, *, at: datetime) -> None:
    lifecycle.create(store, cid, ReplyState.SUGGESTED, now=NOW, text="hi", suggested_text="hi")
    for state in (ReplyState.APPROVED, ReplyState.POSTING):
        lifecycle.transition(store, cid, state, now=NOW)
    lifecycle.transition(store, cid, ReplyState.POSTED, now=NOW, posted_at=at, edit_ratio=0.0)


def test_status_shows_ledger_due_times_alerts_and_heartbeat(tmp_path: Path) -> None:
    from heard.status import collect, render

    app = _app(tmp_path)
    settings = app.settings
    for n, (priority, minutes) in enumerate([("high", 90), ("normal", 30), ("low", 10)]):
        c = make_comment(n, author=f"a{n}", minutes_ago=minutes)
        app.store.save_page("s", [c], None, now=NOW)
        app.store.save_tags([make_tags(c, priority=priority)], now=NOW)
    app.store.save_page("x:mentions", [], "c", now=NOW - timedelta(hours=1))
    alerts.check(app.store, Announcements(), now=NOW, poll_seconds=settings.poll_seconds)
    app.store.set_meta(keys.SERVICE, {"pid": 1, "state": "running", "at": iso(NOW), "started_at": iso(NOW)})
    report = collect(app, now=NOW)
    assert report["ledger"] == {"open": 3, "acknowledged": 0, "overdue": 1}
    assert report["oldest_waiting"]["due_at"] == iso(NOW - timedelta(minutes=30))
    assert [w["overdue"] for w in report["waiting"]] == [True, False, False]
    assert "source:silent:x:mentions" in report["alerts"] and report["service"]["alive"]
    text = render(report)
    assert "OVERDUE" in text and "ALERT source:silent:x:mentions" in text and "service: running" in text
    app.store.close()


def test_one_wait_reads_the_same_in_status_slack_the_terminal_digest_and_the_report(tmp_path: Path) -> None:
    from heard.status import collect, render
    from responders.escalate import TerminalNotifier, overdue
    from responders.report import build_report, rows
    from responders.slack import build_digest

    app = _app(tmp_path)
    wait = timedelta(hours=1, minutes=29, seconds=40)  # to the nearest minute it would read 1h 30m
    waiting = dataclasses.replace(make_comment(1, author="jane"), created_at=NOW - wait)
    answered = dataclasses.replace(make_comment(2, author="joe"), created_at=NOW - timedelta(hours=5))
    app.store.save_page("s", [waiting, answered], None, now=NOW)
    app.store.save_tags([make_tags(c, priority="high") for c in (waiting, answered)], now=NOW)
    _post(app.store, answered.id, at=answered.created_at + wait)
    shown = "1h 29m"

    status = collect(app, now=NOW)
    assert status["oldest_waiting"]["waited"] == shown and f"waited {shown})" in render(status)
    (item,) = overdue(app.store, app.settings.sla_for, now=NOW)
    slack = json.dumps(build_digest([item], now=NOW).blocks, ensure_ascii=False)
    assert f"waited {shown} \u00b7" in slack and f"Oldest waited {shown}." in slack
    lines: list[str] = []
    TerminalNotifier(lines.append).deliver([item], now=NOW)
    assert f"waited {shown} (" in lines[-1]
    figures = build_report(app.store, since=None, now=NOW)
    assert rows.first_timers(figures).rows[0][1] == shown  # jane: a first comment still unanswered
    assert dict(rows.headline(figures).rows)["Median time to first reply"] == shown  # joe's, answered after the wait
    app.store.close()


def test_a_wait_shown_as_an_hour_has_passed_the_hour(tmp_path: Path) -> None:
    from heard.status import collect
    from responders.report import build_report

    app = _app(tmp_path)
    c = dataclasses.replace(make_comment(1), created_at=NOW - timedelta(minutes=59, seconds=40))
    app.store.save_page("s", [c], None, now=NOW)
    app.store.save_tags([make_tags(c, priority="high")], now=NOW)  # a one-hour SLA
    (item,) = collect(app, now=NOW)["waiting"]
    assert (item["waited"], item["overdue"]) == ("59m", False)  # not "1h 0m" beside a "due" mark
    assert build_report(app.store, since=None, now=NOW)["responsiveness"]["waiting_by_age"]["<1h"] == 1
    app.store.close()


def test_status_and_the_report_count_the_same_comments_as_needing_a_reply(tmp_path: Path) -> None:
    from heard.status import collect
    from responders.report import build_report

    app = _app(tmp_path)
    own = make_comment(1, author="acme", is_own=True, minutes_ago=50)
    dismissed, posted, waiting = (make_comment(n, author=f"a{n}", minutes_ago=40) for n in (2, 3, 4))
    app.store.save_page("s", [own, dismissed, posted, waiting], None, now=NOW)
    # Tagged by hand as needing a reply, our own comment too: neither the tagger nor the judge would say
    # so, and the one definition of "needs a reply" leaves it out whoever wrote the database.
    app.store.save_tags([make_tags(c) for c in (own, dismissed, posted, waiting)], now=NOW)
    lifecycle.create(app.store, dismissed.id, ReplyState.SUGGESTED, now=NOW, text="hi", suggested_text="hi")
    lifecycle.transition(app.store, dismissed.id, ReplyState.DISMISSED, now=NOW, decided_by="person")
    _post(app.store, posted.id, at=NOW)

    ledger = collect(app, now=NOW)["ledger"]
    r = build_report(app.store, since=None, now=NOW)["responsiveness"]
    assert (ledger["open"] + ledger["acknowledged"], ledger["acknowledged"], ledger["open"]) == (3, 2, 1)
    assert (r["needing_reply"], r["acknowledged"], r["waiting"]) == (3, 2, 1)
    assert [w["id"] for w in collect(app, now=NOW)["waiting"]] == [waiting.id]
    app.store.close()


# -- a real `heard run` ----------------------------------------------------------------------------


def x_payload(n: int, text: str, created: datetime) -> dict:
    tid = str(9_000_000 + n)
    return {
        "platform": "x",
        "payload": {
            "data": {
                "id": tid,
                "text": f"@acme {text}",
                "author_id": f"u{n}",
                "conversation_id": tid,
                "lang": "en",
                "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "entities": {"mentions": [{"start": 0, "end": 5, "username": "acme", "id": "1"}]},
                "edit_history_tweet_ids": [tid],
            },
            "includes": {
                "users": [{"id": f"u{n}", "name": f"Person {n}", "username": f"person{n}", "description": "coffee fan"}]
            },
        },
    }


def write_config(tmp: Path, payloads: Sequence[dict] = ()) -> Path:
    recording = tmp / "recording.jsonl"
    lines = ['{"heard_recording": 1, "accounts": {"x": {"id": "1", "handle": "acme"}}}']
    recording.write_text("\n".join([*lines, *(json.dumps(p) for p in payloads)]) + "\n")
    return write_service_config(tmp, work_seconds=1, auto_praise="x")


def heard_run(cfg: Path, slack: FakeSlack) -> subprocess.Popen:
    env = {**os.environ, "SLACK_WEBHOOK_URL": slack.webhook_url, "HEARD_LOG_LEVEL": "INFO"}
    return subprocess.Popen(
        [sys.executable, "-m", "heard", "--config", str(cfg), "run"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def wait_started(proc: subprocess.Popen, db: Path) -> None:
    """Wait for the service's heartbeat row: from then on its signal handlers are installed."""

    def running() -> bool:
        if not db.exists():
            return False
        store = Store(db)
        try:
            beat = store.meta(keys.SERVICE) or {}
            return beat.get("pid") == proc.pid and beat.get("state") == "running"
        finally:
            store.close()

    assert wait_for(lambda: running() or proc.poll() is not None, 40) and proc.poll() is None


def term_mid_job(proc: subprocess.Popen, slack: FakeSlack) -> tuple[int, float, str]:
    """Hold Slack's answer, send SIGTERM while the escalate job waits for it, and time the exit."""
    calls = len(slack.server.log)
    assert wait_for(lambda: len(slack.server.log) > calls or proc.poll() is not None, 40), "no Slack call"
    proc.send_signal(signal.SIGTERM)
    started = time.monotonic()
    _, err = proc.communicate(timeout=30)
    return proc.returncode, time.monotonic() - started, err.decode()


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


def seed_overdue(db: Path, n: int, *, first: int = 0) -> list[str]:
    store = Store(db)
    now = datetime.now(UTC)
    ids = []
    for i in range(first, first + n):
        c = dataclasses.replace(make_comment(i, author=f"w{i}"), created_at=now - timedelta(hours=2))
        store.save_page("seed", [c], None, now=now)
        # A complaint: never approved by rule, so it waits for a person and escalates.
        store.save_tags([make_tags(c, priority="high", intent="complaint", sentiment="negative")], now=now)
        ids.append(c.id)
    store.close()
    return ids


def notices(db: Path) -> list[tuple[str, int]]:
    store = Store(db)
    try:
        return [(r["comment_id"], r["step"]) for r in store.notices_sent()]
    finally:
        store.close()


def test_sigterm_during_a_slack_delivery_finishes_it_exits_0_and_a_restart_carries_on(
    tmp_path: Path, slack: FakeSlack
) -> None:
    cfg = write_config(tmp_path)
    first = seed_overdue(tmp_path / "heard.db", 3)
    slack.delay = 3.0
    code, took, err = term_mid_job(heard_run(cfg, slack), slack)
    assert code == 0, err[-2000:]
    assert took < 10, took
    assert "stopping signal=SIGTERM" in err and "xoxb" not in err and "/services/T/B/X" not in err
    # The digest in flight was finished and recorded: nothing lost, nothing to send twice.
    assert len(slack.messages) == 1 and sorted(c for c, _ in notices(tmp_path / "heard.db")) == sorted(first)
    later = seed_overdue(tmp_path / "heard.db", 2, first=10)
    slack.delay = 0.0
    proc = heard_run(cfg, slack)
    wait_started(proc, tmp_path / "heard.db")
    assert wait_for(lambda: len(slack.messages) >= 2, 40)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err.decode()[-2000:]
    sent = Counter(notices(tmp_path / "heard.db"))
    assert {c for c, _ in sent} == set(first + later) and set(sent.values()) == {1}
    approvals = Counter(
        s for s in slack.texts() if s.startswith("Approve: heard approve") or s.startswith("No suggested reply")
    )
    assert set(approvals.values()) == {1} and len(approvals) == 5


def test_sigterm_with_the_replay_platform_loses_nothing_and_restarts(tmp_path: Path, slack: FakeSlack) -> None:
    pytest.importorskip("listener.nlp")
    now = datetime.now(UTC)
    texts = [
        "love the new espresso blend, thank you!",
        "my order never arrived, where is it??",
        "do you ship to Canada?",
        "best coffee in town, seriously amazing",
    ]
    payloads = [x_payload(i, texts[i % 4], now - timedelta(hours=2)) for i in range(40)]
    cfg = write_config(tmp_path, payloads)
    slack.delay = 3.0
    code, took, err = term_mid_job(heard_run(cfg, slack), slack)
    assert code == 0 and took < 10, err[-2000:]
    slack.delay = 0.0
    proc = heard_run(cfg, slack)
    store_path = tmp_path / "heard.db"

    def settled() -> bool:
        store = Store(store_path)
        try:
            counts = store.state_counts()
            return (
                store.count_comments() == 40
                and not counts.get("approved")
                and not counts.get("posting")
                and len(store.notices_sent()) >= store.ledger_counts()["open"]
            )
        finally:
            store.close()

    wait_started(proc, store_path)
    assert wait_for(settled, 60)
    proc.send_signal(signal.SIGTERM)
    _, err2 = proc.communicate(timeout=15)
    assert proc.returncode == 0, err2.decode()[-2000:]
    store = Store(store_path)
    outbox = Counter(e["comment_id"] for e in read_outbox(tmp_path / "outbox.jsonl"))
    assert store.count_comments() == 40 and set(outbox.values()) <= {1}
    assert len(outbox) == store.state_counts().get("posted", 0) > 0
    sent = Counter((r["comment_id"], r["step"]) for r in store.notices_sent())
    assert set(sent.values()) == {1}
    hints = ("Approve: heard approve", "No suggested reply")
    shown = Counter(s for s in slack.texts() if s.startswith(hints))
    assert sum(shown.values()) == len(sent)
    store.close()
