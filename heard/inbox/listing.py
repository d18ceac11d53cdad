"""Build the inbox's list: what waits for a person, in the queue file's order, filtered, each with its SLA clock."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from listener.records import priority_rank
from listener.store import Store, parse_time
from responders.approvals import pending_items
from responders.escalate import due_at
from responders.lifecycle import PENDING_FOR_PEOPLE
from responders.wording import clip, duration

# Minutes allowed per (platform, priority): ``Settings.sla_for``, the one SLA table escalation and status use.
SlaMinutes = Callable[[str, str], int]
# The list shows this many of the most urgent matches; the header counts the rest (filter to reach them).
MAX_SHOWN = 2_000
# How much of a comment a list row quotes.
EXCERPT_CHARS = 100
# The age filter: waiting at least this long (or past its SLA).
AGES: Mapping[str, timedelta | None] = {
    "1h": timedelta(hours=1),
    "4h": timedelta(hours=4),
    "1d": timedelta(days=1),
    "3d": timedelta(days=3),
    "7d": timedelta(days=7),
    "overdue": None,
}
_STATES = sorted(s.value for s in PENDING_FOR_PEOPLE)
# What the queue file's items do not carry: the version a decision names, the source, the tags apart.
_EXTRA = (
    "SELECT r.comment_id, r.state, r.updated_at, c.source, c.created_at, t.intent, t.priority FROM replies r"
    " JOIN comments c ON c.id = r.comment_id JOIN tags t ON t.comment_id = c.id"
    f" WHERE r.state IN ({','.join('?' * len(_STATES))})"
)


@dataclass(frozen=True)
class Filters:
    """What the person narrowed the list to; an empty field keeps everything."""

    platform: str = ""
    priority: str = ""
    intent: str = ""
    source: str = ""
    age: str = ""

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> Filters:
        """The filters in a query string; an age heard does not offer is ignored."""
        found = cls(**{f.name: str(query.get(f.name, "")).strip()[:100] for f in fields(cls)})
        return found if found.age in AGES or not found.age else replace(found, age="")

    def query(self) -> str:
        """The filters as a query string ("" when none is set)."""
        return urlencode({f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)})

    def keeps(self, row: Row, now: datetime) -> bool:
        """Whether a row passes every filter set."""
        for name in ("platform", "priority", "intent", "source"):
            wanted = getattr(self, name)
            if wanted and getattr(row, name) != wanted:
                return False
        if self.age == "overdue":
            return row.overdue(now)
        span = AGES.get(self.age)
        return span is None or now - row.created_at >= span


@dataclass(frozen=True)
class Row:
    """One item waiting for a person, as its list row shows it, with the version it was read at."""

    id: str
    platform: str
    source: str
    author: str
    priority: str
    intent: str
    state: str
    updated_at: str  # as stored: a decision names it, and is refused if the reply changed since
    created_at: datetime
    due_at: datetime
    excerpt: str
    draft: str | None  # where the draft came from: faq, template, ai, holding (None: no draft)

    def overdue(self, now: datetime) -> bool:
        """Whether the comment waits past its SLA."""
        return self.due_at <= now

    def clock(self, now: datetime) -> str:
        """The SLA clock as a person reads it: "due in 35m", "overdue 2h 5m"."""
        return sla_clock(self.due_at, now)


@dataclass(frozen=True)
class Listing:
    """The rows shown, how many match the filters and wait in all, and the values each filter offers."""

    rows: tuple[Row, ...]
    matched: int
    waiting: int
    options: Mapping[str, tuple[str, ...]]


def sla_clock(due: datetime, now: datetime) -> str:
    """Say a due time against ``now`` by the one rule of ``wording.duration``."""
    return f"overdue {duration(now - due)}" if due <= now else f"due in {duration(due - now)}"


def listing(
    store: Store, sla_minutes: SlaMinutes, filters: Filters, *, now: datetime, limit: int = MAX_SHOWN
) -> Listing:
    """Every reply waiting for a person, most urgent first as in the queue file, narrowed by ``filters``."""
    return narrow(waiting_rows(store, sla_minutes), filters, now=now, limit=limit)


def narrow(rows: Sequence[Row], filters: Filters, *, now: datetime, limit: int = MAX_SHOWN) -> Listing:
    """The rows ``filters`` keep (the first ``limit`` of them shown), with the counts and the filters' choices."""
    matched = [r for r in rows if filters.keeps(r, now)]
    return Listing(tuple(matched[:limit]), len(matched), len(rows), _options(rows))


def waiting_rows(store: Store, sla_minutes: SlaMinutes) -> list[Row]:
    """All rows, in the order of ``approvals.pending_items`` (the queue file's: priority, then age)."""
    extra = {r["comment_id"]: r for r in store.engine.query(_EXTRA, _STATES)}
    rows = []
    for item in pending_items(store):
        more = extra.get(item["id"])
        if more is None:  # decided between the two reads
            continue
        rows.append(_row(item, more, sla_minutes))
    return rows


def _row(item: Mapping[str, Any], more: Mapping[str, Any], sla_minutes: SlaMinutes) -> Row:
    created = parse_time(more["created_at"])
    assert created is not None  # a stored comment always has its time
    priority = more["priority"] or ""
    sla = timedelta(minutes=sla_minutes(item["platform"], priority))
    return Row(
        id=item["id"],
        platform=item["platform"],
        source=more["source"] or "",
        author=item["author"],
        priority=priority,
        intent=more["intent"] or "",
        state=more["state"],
        updated_at=more["updated_at"],
        created_at=created,
        due_at=due_at(created, sla),
        excerpt=clip(item["comment"] or "", EXCERPT_CHARS),
        draft=item["draft"],
    )


def _options(rows: Sequence[Row]) -> dict[str, tuple[str, ...]]:
    return {
        "platform": tuple(sorted({r.platform for r in rows})),
        "priority": tuple(sorted({r.priority for r in rows}, key=lambda p: (priority_rank(p), p))),
        "intent": tuple(sorted({r.intent for r in rows if r.intent})),
        "source": tuple(sorted({r.source for r in rows if r.source})),
        "age": tuple(AGES),
    }
