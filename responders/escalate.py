"""Find comments still unanswered past their SLA and deliver each notice once per escalation step."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from listener.records import ReplyState, priority_rank
from listener.store import Store
from responders.wording import clip, waited

# Steps: 1 at the due time, 2 at twice the SLA, 3 at four times, then one more each day.
REMINDER_MULTIPLES = (1, 2, 4)
# A flood of overdue items goes out as several digests, but never more than this many per pass:
# the rest wait for the next pass rather than trip Slack's one-message-a-second limit.
MAX_DIGESTS_PER_PASS = 10
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
        out.append(
            Overdue(
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
        )
    out.sort(key=lambda o: (priority_rank(o.priority), o.created_at))
    return out


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
    pending = overdue(store, sla_minutes, now=now, unnotified=True)
    sent: list[Overdue] = []
    for _ in range(MAX_DIGESTS_PER_PASS):
        if not pending:
            break
        shown = notifier.deliver(pending, now=now)
        shown = list(pending) if shown is None else list(shown)
        if not shown:  # the notifier could show nothing: stop rather than spin
            break
        store.record_notices([(o.comment_id, o.step) for o in shown], notifier.channel, now=now)
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
