"""Find comments still unanswered past their SLA and deliver each notice once per escalation step."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from listener.records import ReplyState, priority_rank
from listener.store import Awaiting, Store, keys
from listener.store.ledger import OpenComment
from responders.wording import clip, waited

# Steps: 1 at the due time, 2 at twice the SLA, 3 at four times, then one more each day.
REMINDER_MULTIPLES = (1, 2, 4)
# A flood of overdue items goes out as several digests, but never more than this many per pass:
# the rest wait for the next pass rather than trip Slack's one-message-a-second limit.
MAX_DIGESTS_PER_PASS = 10
# Open comments given their next notice time per transaction, and the most notices one pass reads.
SCHEDULE_BATCH = 5_000
MAX_DUE = 5_000
# How much of a comment the terminal digest quotes.
QUOTE_CHARS = 80


@dataclass(frozen=True)
class Overdue:
    """One comment waiting past its SLA, and the escalation step it has reached."""

    comment_id: str
    platform: str
    author: str
    text: str
    url: str
    priority: str
    intent: str
    created_at: datetime
    due_at: datetime
    step: int
    suggested_reply: str
    rejected: bool = False  # a person rejected heard's draft: it waits for their own reply, or a dismissal


class Notifier(Protocol):
    """Somewhere to deliver a digest: the terminal, Slack."""

    channel: str

    def deliver(self, items: Sequence[Overdue], *, now: datetime) -> Sequence[Overdue] | None:
        """Deliver a digest or raise; return the items shown in full (None: all of them).

        Only the items returned are remembered as notified; the rest go out in the next digest.
        """
        ...


def step_reached(created: datetime, sla: timedelta, now: datetime) -> int:
    """Return the escalation step a comment has reached (0 while it is not yet due)."""
    waited = now - created
    if waited < sla:
        return 0
    if waited < sla * REMINDER_MULTIPLES[-1]:
        return 1 + sum(1 for m in REMINDER_MULTIPLES[1:] if waited >= sla * m)
    extra_days = math.floor((waited - sla * REMINDER_MULTIPLES[-1]) / timedelta(days=1))
    return len(REMINDER_MULTIPLES) + extra_days


def overdue(
    store: Store, sla_minutes: Callable[[str, str], int], *, now: datetime, unnotified: bool = False
) -> list[Overdue]:
    """Every unacknowledged comment past its SLA, with its current step, most urgent first.

    With ``unnotified``, only those whose notice at that step is not delivered yet. Due times come from
    the open comments' platform, priority and age; only the comments that are due are read in full.
    """
    reached: dict[str, tuple[int, timedelta]] = {}
    for o in store.open_comments():
        sla = timedelta(minutes=sla_minutes(o.platform, o.priority))
        step = step_reached(o.created_at, sla, now)
        if step:
            reached[o.id] = (step, sla)
    if unnotified:
        sent = store.delivered((cid, step) for cid, (step, _) in reached.items())
        reached = {cid: due for cid, due in reached.items() if (cid, due[0]) not in sent}
    out = []
    for row in store.awaiting(list(reached)):
        step, sla = reached[row.id]
        out.append(_overdue(row, step, sla))
    out.sort(key=lambda o: (priority_rank(o.priority), o.created_at))
    return out


def step_starts(step: int, sla: timedelta) -> timedelta:
    """How long after a comment was written it reaches ``step`` (the inverse of ``step_reached``)."""
    if step <= len(REMINDER_MULTIPLES):
        return sla * REMINDER_MULTIPLES[max(step, 1) - 1]
    return sla * REMINDER_MULTIPLES[-1] + timedelta(days=step - len(REMINDER_MULTIPLES))


def due_notices(store: Store, sla_minutes: Callable[[str, str], int], *, now: datetime) -> list[Overdue]:
    """The notices to send now, most urgent first: ``overdue(unnotified=True)``, reading only what is due.

    Each open comment keeps when its next notice falls due (``next_notice_at``); comments without one
    (new, or their SLA changed since) get it first, then only the comments due are read.
    """
    slas = _Slas(store, sla_minutes)
    while batch := store.unscheduled(SCHEDULE_BATCH):
        store.schedule_notices(_first_due(store, batch, slas, now))
        slas.save()
    due, later = {}, []
    for o in store.notices_due(now, MAX_DUE):
        step = step_reached(o.created_at, slas.of(o), now)
        due[o.id] = (step, o)
    sent = store.delivered((cid, step) for cid, (step, _) in due.items())
    for cid, (step, o) in due.items():
        if not step or (cid, step) in sent:
            # Sent already (a pass stopped between sending and scheduling the next), or not yet due: move on.
            later.append((cid, _next_notice(o, step + 1, slas.of(o))))
    store.schedule_notices(later)
    waiting = [cid for cid, (step, _) in due.items() if step and (cid, step) not in sent]
    out = [_overdue(row, due[row.id][0], slas.of(due[row.id][1])) for row in store.awaiting(waiting)]
    out.sort(key=lambda o: (priority_rank(o.priority), o.created_at))
    return out


def _first_due(store: Store, batch: Sequence[OpenComment], slas: _Slas, now: datetime) -> list[tuple[str, datetime]]:
    """When each comment's next notice is due: at its current step unless that went out already, else the next."""
    steps = {o.id: step_reached(o.created_at, slas.of(o), now) for o in batch}
    sent = store.delivered((cid, step) for cid, step in steps.items() if step)
    return [
        (o.id, _next_notice(o, steps[o.id] + (not steps[o.id] or (o.id, steps[o.id]) in sent), slas.of(o)))
        for o in batch
    ]


def _next_notice(o: OpenComment, step: int, sla: timedelta) -> datetime:
    return _aware(o.created_at) + step_starts(step, sla)


class _Slas:
    """The SLA of each platform and priority, as the settings give it and as the stored notice times used it.

    A group whose SLA changed has its notice times forgotten, to be worked out again.
    """

    def __init__(self, store: Store, sla_minutes: Callable[[str, str], int]) -> None:
        self.store, self.sla_minutes = store, sla_minutes
        self.used: dict[str, int] = store.meta(keys.NOTICE_SLAS, {})
        changed = [g for g, minutes in self.used.items() if sla_minutes(*_group(g)) != minutes]
        if changed:
            with store.transaction():
                for group in changed:
                    store.unschedule(*_group(group))
                    del self.used[group]
                store.set_meta(keys.NOTICE_SLAS, self.used)
        self.seen = dict(self.used)

    def of(self, o: OpenComment) -> timedelta:
        """The SLA of one open comment's platform and priority."""
        minutes = self.sla_minutes(o.platform, o.priority)
        self.seen[f"{o.platform}|{o.priority}"] = minutes
        return timedelta(minutes=minutes)

    def save(self) -> None:
        """Remember the SLAs the notice times were worked out with."""
        if self.seen != self.used:
            self.store.set_meta(keys.NOTICE_SLAS, self.seen)
            self.used = dict(self.seen)


def _group(key: str) -> tuple[str, str]:
    platform, _, priority = key.partition("|")
    return platform, priority


def _overdue(row: Awaiting, step: int, sla: timedelta) -> Overdue:
    return Overdue(
        row.id,
        row.platform,
        row.author_handle,
        row.text,
        row.url,
        row.priority,
        row.intent,
        row.created_at,
        row.created_at + sla,
        step,
        row.reply_text or "",
        row.state is ReplyState.REJECTED,
    )


def notice_label(step: int) -> str:
    """Name an escalation step as a person reads it: the first notice, then reminder 1, 2..."""
    return "first notice" if step == 1 else f"reminder {step - 1}"


def in_quiet_hours(now: datetime, quiet: tuple[int, int] | None, timezone: str = "UTC") -> bool:
    """Whether ``now`` falls in the [start, end) hour window of ``timezone`` (it may wrap past midnight)."""
    if not quiet or quiet[0] == quiet[1]:
        return False
    start, end = quiet
    hour = _aware(now).astimezone(ZoneInfo(timezone)).hour
    return start <= hour < end if start <= end else hour >= start or hour < end


def escalate(
    store: Store,
    notifier: Notifier,
    sla_minutes: Callable[[str, str], int],
    *,
    now: datetime,
    quiet: tuple[int, int] | None = None,
    timezone: str = "UTC",
) -> list[Overdue]:
    """Deliver the notices not yet sent at their current step; return what was delivered.

    Each digest's notices are recorded as soon as it is delivered, so a failure part-way through
    a pass loses nothing and repeats nothing: it raises, and the next pass sends the rest.
    """
    if in_quiet_hours(now, quiet, timezone):
        return []
    pending = due_notices(store, sla_minutes, now=now)
    sent: list[Overdue] = []
    for _ in range(MAX_DIGESTS_PER_PASS):
        if not pending:
            break
        shown = notifier.deliver(pending, now=now)
        shown = list(pending) if shown is None else list(shown)
        if not shown:  # the notifier could show nothing: stop rather than spin
            break
        with store.transaction():
            store.record_notices([(o.comment_id, o.step) for o in shown], notifier.channel, now=now)
            store.schedule_notices((o.comment_id, o.created_at + step_starts(o.step + 1, o.due_at - o.created_at))
                                   for o in shown)  # fmt: skip
        sent += shown
        done = {o.comment_id for o in shown}
        pending = [o for o in pending if o.comment_id not in done]
    return sent


def due_at(created: datetime, sla: timedelta) -> datetime:
    """When a comment becomes overdue."""
    return _aware(created) + sla


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class TerminalNotifier:
    """Print the digest: the first form of escalation, and the demo's."""

    channel = "terminal"

    def __init__(self, write: Callable[[str], None] = print) -> None:
        self.write = write

    def deliver(self, items: Sequence[Overdue], *, now: datetime) -> None:
        """Print one line per waiting comment, grouped by platform (all of them: returns None)."""
        self.write(f"{len(items)} comment{'s' * (len(items) != 1)} waiting past the SLA:")
        for platform in sorted({o.platform for o in items}):
            self.write(f"  {platform}:")
            for o in (i for i in items if i.platform == platform):
                self.write(
                    f"    [{o.priority}] {o.author} waited {waited(o.created_at, now)} ({notice_label(o.step)}): "
                    f"\u201c{clip(o.text, QUOTE_CHARS)}\u201d {o.url}"
                    + (
                        f" (draft rejected: write a reply in the queue file, or heard dismiss {o.comment_id})"
                        if o.rejected
                        else ""
                    )
                )
