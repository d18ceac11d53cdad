"""Escalation over simulated hours: one notice per item per step, on schedule, held in quiet hours."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from listener.records import PRIORITIES
from listener.store import Store
from responders import lifecycle
from responders.escalate import (
    Overdue,
    TerminalNotifier,
    escalate,
    in_quiet_hours,
    notice_label,
    overdue,
    step_reached,
)
from responders.lifecycle import ReplyState
from responders.slack import build_digest
from tests.conftest import NOW, make_comment, make_tags, on_both

SLA = {"high": 60, "normal": 240, "low": 1440}


def sla_for(platform: str, priority: str) -> int:
    return SLA[priority] // (2 if platform == "reddit" else 1)


class Recorder:
    """A notifier that remembers every (id, step, when) it was given."""

    channel = "test"

    def __init__(self, show: int | None = None, fail: int = 0) -> None:
        self.sent: list[tuple[str, int, datetime]] = []
        self.digests = 0
        self.show, self.fail = show, fail

    def deliver(self, items: Sequence[Overdue], *, now: datetime) -> Sequence[Overdue] | None:
        if self.fail:
            self.fail -= 1
            raise RuntimeError("slack is down")
        shown = list(items[: self.show]) if self.show else list(items)
        self.digests += 1
        self.sent += [(o.comment_id, o.step, now) for o in shown]
        return shown


def seed(
    store: Store,
    n: int,
    *,
    priority: str,
    platform: str = "x",
    minutes_ago: int = 0,
    state: ReplyState | None = ReplyState.SUGGESTED,
) -> list[str]:
    ids = []
    for i in range(n):
        c = make_comment(
            hash((platform, priority, i)) % 10**6, platform=platform, author=f"a{i}", minutes_ago=minutes_ago
        )
        store.save_page("s", [c], None, now=NOW)
        store.save_tags([make_tags(c, priority=priority)], now=NOW)
        if state:
            lifecycle.create(store, c.id, state, now=NOW, text=f"Thanks a{i}!")
        ids.append(c.id)
    return ids


def run_hours(
    store: Store,
    notifier: Recorder,
    start: datetime,
    hours: float,
    *,
    every: int = 5,
    quiet: tuple[int, int] | None = None,
    timezone: str = "UTC",
    on_tick=None,
) -> None:
    now = start
    while now <= start + timedelta(hours=hours):
        if on_tick:
            on_tick(now)
        escalate(store, notifier, sla_for, now=now, quiet=quiet, timezone=timezone)
        now += timedelta(minutes=every)


@on_both
def test_reminders_follow_one_two_four_then_daily_and_each_step_is_sent_once(store: Store) -> None:
    high = seed(store, 3, priority="high", minutes_ago=60)  # created NOW-1h, SLA 1h: due NOW
    normal = seed(store, 2, priority="normal", platform="reddit", minutes_ago=60)  # SLA 2h on reddit
    rec = Recorder()
    run_hours(store, rec, NOW - timedelta(minutes=30), 24 * 3 + 12)
    counts = Counter((cid, step) for cid, step, _ in rec.sent)
    assert counts and set(counts.values()) == {1}
    created = NOW - timedelta(hours=1)
    for cid, sla in [*((c, timedelta(hours=1)) for c in high), *((c, timedelta(hours=2)) for c in normal)]:
        times = {step: at for c, step, at in rec.sent if c == cid}
        assert sorted(times) == list(range(1, len(times) + 1))
        expected = {1: sla, 2: 2 * sla, 3: 4 * sla}
        expected.update({3 + d: 4 * sla + timedelta(days=d) for d in range(1, 4)})
        for step, at in times.items():
            due = created + expected[step]
            assert due <= at < due + timedelta(minutes=5), (cid, step, at)
        assert max(times) == 3 + int((NOW + timedelta(hours=84) - created - 4 * sla) / timedelta(days=1))


@on_both
def test_acknowledged_items_stop(store: Store) -> None:
    posted, dismissed, waiting = seed(store, 3, priority="high", minutes_ago=60)
    rec = Recorder()

    def people_act(now: datetime) -> None:
        if now == NOW + timedelta(minutes=90):
            lifecycle.transition(store, posted, ReplyState.APPROVED, now=now)
            lifecycle.transition(store, posted, ReplyState.POSTING, now=now)
            lifecycle.transition(store, posted, ReplyState.POSTED, now=now, posted_at=now)
            lifecycle.transition(store, dismissed, ReplyState.DISMISSED, now=now, reason="handled by phone")

    run_hours(store, rec, NOW, 48, on_tick=people_act)
    last = {cid: max(at for c, _, at in rec.sent if c == cid) for cid in (posted, dismissed, waiting)}
    assert last[posted] < NOW + timedelta(minutes=90) and last[dismissed] < NOW + timedelta(minutes=90)
    assert last[waiting] > NOW + timedelta(hours=24)
    assert {s for c, s, _ in rec.sent if c == posted} == {1, 2}  # due NOW, 2x at NOW+1h, acted at +90m
    assert store.ledger_counts() == {"open": 1, "acknowledged": 2}


@on_both
def test_quiet_hours_hold_notices_in_the_configured_timezone_and_release_them(store: Store) -> None:
    # Berlin is UTC+1 in winter: 22:00-07:00 Berlin is 21:00-06:00 UTC.
    start = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    created = datetime(2026, 11, 30, 18, 30, tzinfo=UTC)
    ids = seed(store, 2, priority="high", minutes_ago=int((NOW - created).total_seconds() // 60))
    rec = Recorder()
    # Created 18:30 UTC, due 19:30 UTC (sent before the window), 2x at 20:30, 4x at 22:30 UTC (held).
    run_hours(store, rec, start, 12, quiet=(22, 7), timezone="Europe/Berlin")
    for cid in ids:
        times = {step: at for c, step, at in rec.sent if c == cid}
        assert times[1] == start and times[2] == datetime(2026, 11, 30, 20, 30, tzinfo=UTC)
        # The 4x reminder fell in the window: it went out when the window ended, 06:00 UTC.
        assert times[3] == datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    assert not [at for _, _, at in rec.sent if in_quiet_hours(at, (22, 7), "Europe/Berlin")]


@on_both
def test_a_failed_delivery_records_nothing_and_the_next_pass_sends_it(store: Store) -> None:
    ids = seed(store, 2, priority="high", minutes_ago=70)
    rec = Recorder(fail=1)
    with pytest.raises(RuntimeError):
        escalate(store, rec, sla_for, now=NOW)
    assert not any(store.notice_sent(c, 1) for c in ids)
    sent = escalate(store, rec, sla_for, now=NOW + timedelta(minutes=5))
    assert sorted(o.comment_id for o in sent) == sorted(ids)
    assert escalate(store, rec, sla_for, now=NOW + timedelta(minutes=10)) == []


@on_both
def test_a_notifier_showing_part_of_a_digest_gets_the_rest_in_the_next_one(store: Store) -> None:
    ids = seed(store, 7, priority="high", minutes_ago=70)
    rec = Recorder(show=3)
    sent = escalate(store, rec, sla_for, now=NOW)
    assert rec.digests == 3 and sorted(o.comment_id for o in sent) == sorted(ids)
    assert Counter(c for c, _, _ in rec.sent) == Counter(ids)


@on_both
def test_items_without_a_reply_record_escalate_too_and_most_urgent_come_first(store: Store) -> None:
    low = seed(store, 1, priority="low", minutes_ago=3000, state=None)
    high = seed(store, 1, priority="high", minutes_ago=61)
    assert [o.comment_id for o in overdue(store, sla_for, now=NOW)] == [*high, *low]


@on_both
def test_escalation_and_the_slack_digest_rank_priorities_by_one_order(store: Store) -> None:
    # Oldest first within a priority would put the unknown one first: the order must win over age.
    unknown = seed(store, 1, priority="urgent", minutes_ago=5000)  # a priority heard does not know
    low = seed(store, 1, priority="low", minutes_ago=4000)
    normal = seed(store, 1, priority="normal", minutes_ago=3000)
    high = seed(store, 1, priority="high", minutes_ago=2000)
    items = overdue(store, lambda _platform, priority: SLA.get(priority, 60), now=NOW)
    assert [o.comment_id for o in items] == [*high, *normal, *low, *unknown]
    assert [o.priority for o in items] == [*PRIORITIES, "urgent"]
    # Slack sorts what it is given again: it must come out in the same order (all on one platform).
    assert build_digest(list(reversed(items)), now=NOW).shown == items


def test_the_terminal_digest_and_slack_name_each_step_alike() -> None:
    assert [notice_label(s) for s in (1, 2, 3, 4)] == ["first notice", "reminder 1", "reminder 2", "reminder 3"]
    for step in (1, 2, 5):
        item = dataclasses.replace(_item(), step=step)
        lines: list[str] = []
        TerminalNotifier(lines.append).deliver([item], now=NOW)
        slack = " ".join(b["text"]["text"] for b in build_digest([item], now=NOW).blocks if "accessory" in b)
        assert f"({notice_label(step)})" in lines[-1] and f"\u00b7 {notice_label(step)} \u00b7" in slack


def _item() -> Overdue:
    return Overdue(
        "x:1",
        "x",
        "jane",
        "where is my order?",
        "https://e.invalid/1",
        "high",
        "question",
        NOW - timedelta(hours=2),
        NOW - timedelta(hours=1),
        2,
        "",
    )


def test_terminal_notifier_prints_each_item() -> None:
    lines: list[str] = []
    assert TerminalNotifier(lines.append).deliver([_item()], now=NOW) is None
    assert "reminder 1" in lines[-1] and "2h 0m" in lines[-1]


@pytest.mark.parametrize(
    ("hour", "quiet", "inside"),
    [
        (23, (22, 7), True),
        (6, (22, 7), True),
        (7, (22, 7), False),
        (12, (9, 17), True),
        (17, (9, 17), False),
        (3, (5, 5), False),
    ],
)
def test_quiet_hours_window(hour: int, quiet: tuple[int, int], inside: bool) -> None:
    assert in_quiet_hours(datetime(2026, 6, 1, hour, 30, tzinfo=UTC), quiet) is inside


@given(st.integers(1, 5000), st.integers(0, 60 * 24 * 30), st.integers(0, 60 * 24 * 30))
def test_steps_never_go_backwards(sla_minutes: int, a: int, b: int) -> None:
    sla = timedelta(minutes=sla_minutes)
    early, late = sorted((a, b))
    assert step_reached(NOW, sla, NOW + timedelta(minutes=early)) <= step_reached(
        NOW, sla, NOW + timedelta(minutes=late)
    )


@on_both
def test_a_rejected_draft_escalates_with_the_way_to_close_it_and_stops_once_dismissed(store: Store) -> None:
    (rejected,) = seed(store, 1, priority="high", minutes_ago=120)
    lifecycle.transition(store, rejected, ReplyState.REJECTED, now=NOW, reason="wrong tone")
    items = overdue(store, sla_for, now=NOW)
    assert [(o.comment_id, o.rejected) for o in items] == [(rejected, True)]
    lines: list[str] = []
    TerminalNotifier(lines.append).deliver(items, now=NOW)
    assert f"draft rejected: write a reply in the queue file, or heard dismiss {rejected}" in "\n".join(lines)
    assert f"heard dismiss {rejected}" in str(build_digest(items, now=NOW))
    lifecycle.transition(store, rejected, ReplyState.DISMISSED, now=NOW, reason="answered by phone")
    assert overdue(store, sla_for, now=NOW) == []


@on_both
@pytest.mark.parametrize("seed_value", [1, 2, 3])
def test_the_scheduled_notices_are_exactly_those_the_whole_history_would_give(store: Store, seed_value: int) -> None:
    # The reference reads every open comment each pass; escalate reads only what its schedule says is due.
    import random

    rnd = random.Random(seed_value)
    ids = []
    for n in range(40):
        c = make_comment(n, platform=rnd.choice(["x", "reddit", "mastodon"]), author=f"a{n}",
                         minutes_ago=rnd.randrange(0, 60 * 24 * 3))  # fmt: skip
        store.save_page("s", [c], None, now=NOW)
        store.save_tags([make_tags(c, priority=rnd.choice(PRIORITIES))], now=NOW)
        if rnd.random() < 0.8:
            lifecycle.create(store, c.id, ReplyState.SUGGESTED, now=NOW, text=f"Thanks a{n}!")
        ids.append(c.id)
    rec, now = Recorder(show=rnd.choice([None, 3])), NOW
    for _ in range(120):
        now += timedelta(minutes=rnd.choice([1, 7, 45, 180, 60 * 20]))
        waiting = {c for c in ids if (r := store.reply(c)) is None or r.state is ReplyState.SUGGESTED}
        if rnd.random() < 0.1 and waiting:  # a person closes one, or re-tags one to another priority
            cid = rnd.choice(sorted(waiting))
            if rnd.random() < 0.5 and store.reply(cid):
                lifecycle.transition(store, cid, ReplyState.DISMISSED, now=now)
            else:
                store.save_tags([make_tags(store.comment(cid), priority=rnd.choice(PRIORITIES))], now=now)
        expected = [(o.comment_id, o.step) for o in overdue(store, sla_for, now=now, unnotified=True)]
        before = len(rec.sent)
        escalate(store, rec, sla_for, now=now)
        got = [(cid, step) for cid, step, _ in rec.sent[before:]]
        assert got == expected[: len(got)] and (len(got) == len(expected) or rec.show), now
    assert len(rec.sent) > 40


@on_both
def test_a_changed_sla_reschedules_the_notices_it_governs(store: Store) -> None:
    (cid,) = seed(store, 1, priority="low", minutes_ago=30)
    rec = Recorder()
    escalate(store, rec, sla_for, now=NOW)  # low: 24 h, nothing due
    assert rec.sent == []
    escalate(store, rec, lambda _p, _priority: 20, now=NOW)  # the SLA is now 20 minutes: due at once
    assert [(c, s) for c, s, _ in rec.sent] == [(cid, 1)]
    escalate(store, rec, lambda _p, _priority: 20, now=NOW + timedelta(minutes=5))
    assert len(rec.sent) == 1
    escalate(store, rec, lambda _p, _priority: 20, now=NOW + timedelta(minutes=11))  # 2x the SLA
    assert [(c, s) for c, s, _ in rec.sent] == [(cid, 1), (cid, 2)]


def test_a_pass_with_nothing_due_reads_no_open_comment(store: Store) -> None:
    seed(store, 30, priority="low", minutes_ago=5)
    escalate(store, Recorder(), sla_for, now=NOW)  # works out every comment's first notice once
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    escalate(store, Recorder(), sla_for, now=NOW + timedelta(minutes=5))
    store.db.conn.set_trace_callback(None)
    reads = [s for s in statements if s.startswith("SELECT") and "FROM comments" in s]
    rows = [store.db.execute(s).fetchall() for s in reads]
    assert rows == [[]] * len(reads), "a pass with nothing due found rows to read"
