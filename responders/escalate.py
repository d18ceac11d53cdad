"""Find comments still unanswered past their SLA and deliver each notice once per escalation step."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from listener.store import Store

# Steps: 1 at the due time, 2 at twice the SLA, 3 at four times, then one more each day.
REMINDER_MULTIPLES = (1, 2, 4)


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


class Notifier(Protocol):
    """Somewhere to deliver a digest: the terminal, Slack."""

    channel: str

    def deliver(self, items: Sequence[Overdue], *, now: datetime) -> None:
        """Deliver the digest or raise; only delivered notices are remembered."""
        ...


def step_reached(created: datetime, sla: timedelta, now: datetime) -> int:
    """The escalation step a comment has reached (0 while it is not yet due)."""
    waited = now - created
    if waited < sla:
        return 0
    if waited < sla * REMINDER_MULTIPLES[-1]:
        return 1 + sum(1 for m in REMINDER_MULTIPLES[1:] if waited >= sla * m)
    extra_days = math.floor((waited - sla * REMINDER_MULTIPLES[-1]) / timedelta(days=1))
    return len(REMINDER_MULTIPLES) + extra_days


def overdue(store: Store, sla_minutes: Callable[[str, str], int], *, now: datetime) -> list[Overdue]:
    """Every unacknowledged comment past its SLA, with its current step, most urgent first."""
    out = []
    for row in store.awaiting():
        created = datetime.fromisoformat(row["created_at"])
        sla = timedelta(minutes=sla_minutes(row["platform"], row["priority"]))
        step = step_reached(created, sla, now)
        if step:
            out.append(Overdue(row["id"], row["platform"], row["author_handle"], row["text"], row["url"],
                               row["priority"], row["intent"], created, created + sla, step,
                               row["reply_text"] or ""))
    out.sort(key=lambda o: ({"high": 0, "normal": 1}.get(o.priority, 2), o.created_at))
    return out


def in_quiet_hours(now: datetime, quiet: tuple[int, int] | None) -> bool:
    """Whether ``now`` falls in the [start, end) hour window (which may wrap past midnight)."""
    if not quiet:
        return False
    start, end = quiet
    hour = now.hour
    return start <= hour < end if start <= end else hour >= start or hour < end


def escalate(store: Store, notifier: Notifier, sla_minutes: Callable[[str, str], int], *, now: datetime,
             quiet: tuple[int, int] | None = None) -> list[Overdue]:
    """Deliver one digest of the notices not yet sent at their current step; return what was sent."""
    if in_quiet_hours(now, quiet):
        return []
    due = [o for o in overdue(store, sla_minutes, now=now) if not store.notice_sent(o.comment_id, o.step)]
    if not due:
        return []
    notifier.deliver(due, now=now)
    store.record_notices([(o.comment_id, o.step) for o in due], notifier.channel, now=now)
    return due


def waited(since: datetime, now: datetime) -> str:
    """A short human duration: 45m, 3h 10m, 2d 4h."""
    minutes = int((now - since).total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {mins}m" if hours else f"{mins}m"


class TerminalNotifier:
    """Print the digest: the first form of escalation, and the demo's."""

    channel = "terminal"

    def __init__(self, write: Callable[[str], None] = print) -> None:
        self.write = write

    def deliver(self, items: Sequence[Overdue], *, now: datetime) -> None:
        """Print one line per waiting comment, grouped by platform."""
        self.write(f"{len(items)} comment{'s' * (len(items) != 1)} waiting past the SLA:")
        for platform in sorted({o.platform for o in items}):
            self.write(f"  {platform}:")
            for o in (i for i in items if i.platform == platform):
                text = " ".join(o.text.split())
                text = text if len(text) <= 80 else text[:79] + "\u2026"
                step = "first notice" if o.step == 1 else f"reminder {o.step - 1}"
                self.write(f"    [{o.priority}] {o.author} waited {waited(o.created_at, now)} ({step}): "
                           f"\u201c{text}\u201d {o.url}")
