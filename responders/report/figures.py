"""Compute the report's figures from plain rows: responsiveness, sentiment, people and authenticity."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from listener.records import ACKNOWLEDGED

Row = dict[str, Any]
AGE_BUCKETS: tuple[tuple[str, float], ...] = (
    ("<1h", 1),
    ("1-4h", 4),
    ("4-24h", 24),
    ("1-3d", 72),
    (">3d", math.inf),
)
SENTIMENTS = ("negative", "neutral", "positive")
# Advocate score: each comment adds its sentiment weight, halved for every HALF_LIFE of age.
SENTIMENT_WEIGHT = {"positive": 1.0, "neutral": 0.2, "negative": -1.0}
HALF_LIFE_DAYS = 30.0
# An advocate is someone who came back: one comment, however warm, is not a pattern.
ADVOCATE_MIN_COMMENTS = 2


def when(text: str) -> datetime:
    """Parse a stored timestamp."""
    return datetime.fromisoformat(text)


def is_heard(row: Row) -> bool:
    """Whether a comment is what people say: not one of our own posts, and not a bot's."""
    return not row["is_own"] and not row["author_is_bot"]


def needs_reply(row: Row) -> bool:
    """Whether a comment needed a reply from us, by the store's one definition (`report_rows` reads it)."""
    return bool(row["needs_reply"])


def acknowledged(row: Row) -> bool:
    """Whether it was acknowledged, by the one definition in listener.records (posted or dismissed)."""
    return row["state"] in ACKNOWLEDGED


def reply_seconds(row: Row) -> float | None:
    """Seconds from the comment to our posted reply, if one was posted."""
    if row["state"] != "posted" or not row["posted_at"]:
        return None
    return max(0.0, (when(row["posted_at"]) - when(row["created_at"])).total_seconds())


def quantile(values: Sequence[float], q: float) -> float | None:
    """Compute the q-quantile, interpolating between closest ranks (as numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def age_bucket(age: timedelta) -> str:
    """Which age bucket a wait falls in."""
    hours = age.total_seconds() / 3600
    return next(name for name, limit in AGE_BUCKETS if hours < limit)


def responsiveness(rows: Sequence[Row], *, now: datetime) -> dict[str, Any]:
    """Response rate, time to first reply and what is waiting now: overall, per platform, per intent."""
    needing = [r for r in rows if needs_reply(r)]
    return {
        **_ledger(needing, now),
        "by_platform": _grouped(needing, lambda r: r["platform"], now),
        "by_intent": _grouped(needing, lambda r: r["intent"] or "untagged", now),
        "weekly": weekly(needing, now),
    }


def _ledger(needing: Sequence[Row], now: datetime) -> dict[str, Any]:
    acked = sum(acknowledged(r) for r in needing)
    delays = [s for s in map(reply_seconds, needing) if s is not None]
    waiting = Counter({name: 0 for name, _ in AGE_BUCKETS})
    for r in needing:
        if not acknowledged(r):
            waiting[age_bucket(now - when(r["created_at"]))] += 1
    return {
        "needing_reply": len(needing),
        "acknowledged": acked,
        "posted": sum(r["state"] == "posted" for r in needing),
        # Dismissed by a person, or answered on the platform by one of our accounts.
        "dismissed": acked - sum(r["state"] == "posted" for r in needing),
        "response_rate": acked / len(needing) if needing else None,
        "median_reply_seconds": quantile(delays, 0.5),
        "p90_reply_seconds": quantile(delays, 0.9),
        "waiting": sum(waiting.values()),
        "waiting_by_age": dict(waiting),
    }


def _grouped(rows: Sequence[Row], key: Callable[[Row], str], now: datetime) -> dict[str, Any]:
    groups: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        groups[key(r)].append(r)
    return {name: _ledger(members, now) for name, members in sorted(groups.items())}


def week_of(moment: datetime, now: datetime) -> int:
    """How many whole weeks before ``now`` a moment lies (0 = the last seven days)."""
    return max(0, int((now - moment).total_seconds() // (7 * 86400)))


def weekly(needing: Sequence[Row], now: datetime) -> list[dict[str, Any]]:
    """Response rate and median time to reply per seven-day period ending at ``now``, oldest first."""
    weeks: dict[int, list[Row]] = defaultdict(list)
    for r in needing:
        weeks[week_of(when(r["created_at"]), now)].append(r)
    out = []
    for back in sorted(weeks, reverse=True):
        members = weeks[back]
        acked = sum(acknowledged(r) for r in members)
        delays = [s for s in map(reply_seconds, members) if s is not None]
        start = now - timedelta(days=7 * (back + 1))
        out.append(
            {
                "week_start": start.date().isoformat(),
                "needing_reply": len(members),
                "acknowledged": acked,
                "response_rate": acked / len(members),
                "median_reply_seconds": quantile(delays, 0.5),
            }
        )
    return out


def sentiment_over_time(rows: Sequence[Row], *, now: datetime) -> dict[str, Any]:
    """Count each sentiment per day (or per week, for spans over 92 days), with a net score."""
    tagged = [r for r in rows if r["sentiment"] and not r["is_own"]]
    if not tagged:
        return {"period": "day", "series": [], "totals": {s: 0 for s in SENTIMENTS}}
    span = now - when(tagged[0]["created_at"])
    period = "day" if span <= timedelta(days=92) else "week"
    buckets: dict[str, Counter[str]] = defaultdict(Counter)
    for r in tagged:
        moment = when(r["created_at"])
        label = (
            moment.date() if period == "day" else (now - timedelta(days=7 * (week_of(moment, now) + 1))).date()
        ).isoformat()
        buckets[label][r["sentiment"]] += 1
    series = [
        {
            "period": k,
            **{s: c[s] for s in SENTIMENTS},
            "net": (c["positive"] - c["negative"]) / sum(c.values()),
        }
        for k, c in sorted(buckets.items())
    ]
    totals = Counter(r["sentiment"] for r in tagged)
    return {"period": period, "series": series, "totals": {s: totals[s] for s in SENTIMENTS}}


def people(rows: Sequence[Row], *, start: datetime | None, now: datetime, limit: int = 10) -> dict[str, Any]:
    """Advocates (repeat, positive, recent) and first-time commenters who got no reply."""
    authors: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for r in rows:
        if is_heard(r):
            authors[(r["platform"], r["author_id"])].append(r)
    return {
        "authors": len(authors),
        "advocates": advocates(authors.values(), now=now, limit=limit),
        "unanswered_first_timers": _first_timers(authors.values(), start, now, limit),
    }


def advocate_score(comments: Iterable[Row], *, now: datetime) -> float:
    """Sum of sentiment weights, each halved per HALF_LIFE_DAYS of age: repeat, positive and recent."""
    total = 0.0
    for r in comments:
        age_days = (now - when(r["created_at"])).total_seconds() / 86400
        total += SENTIMENT_WEIGHT.get(r["sentiment"] or "", 0.0) * 0.5 ** (age_days / HALF_LIFE_DAYS)
    return total


def advocates(groups: Iterable[list[Row]], *, now: datetime, limit: int) -> list[dict[str, Any]]:
    """Rank authors with ADVOCATE_MIN_COMMENTS comments or more by advocate score."""
    ranked = []
    for comments in groups:
        if len(comments) < ADVOCATE_MIN_COMMENTS:
            continue
        score = advocate_score(comments, now=now)
        if score > 0:
            ranked.append((score, comments))
    ranked.sort(key=lambda sc: (-sc[0], sc[1][0]["author_handle"]))
    return [_interactions(comments, score) for score, comments in ranked[:limit]]


def _interactions(comments: list[Row], score: float) -> dict[str, Any]:
    # Interaction counts only: heard keeps no profile of a person beyond this.
    last = comments[-1]
    return {
        "platform": last["platform"],
        "handle": last["author_handle"],
        "comments": len(comments),
        "positive": sum(r["sentiment"] == "positive" for r in comments),
        "negative": sum(r["sentiment"] == "negative" for r in comments),
        "replied": sum(r["state"] == "posted" for r in comments),
        "last_seen": last["created_at"],
        "url": last["url"],
        "score": round(score, 2),
    }


def _first_timers(groups: Iterable[list[Row]], start: datetime | None, now: datetime, limit: int) -> dict[str, Any]:
    found = []
    for comments in groups:
        first = comments[0]
        is_new = first["first_seen"] == first["created_at"] and (start is None or when(first["created_at"]) >= start)
        if is_new and any(needs_reply(r) for r in comments) and not any(r["state"] == "posted" for r in comments):
            found.append(first)
    found.sort(key=lambda r: r["created_at"], reverse=True)
    return {
        "count": len(found),
        "recent": [
            {
                "platform": r["platform"],
                "handle": r["author_handle"],
                "text": r["text"],
                "url": r["url"],
                "created_at": r["created_at"],
                "waited_hours": round((now - when(r["created_at"])).total_seconds() / 3600, 1),
            }
            for r in found[:limit]
        ],
    }


def authenticity_counts(rows: Sequence[Row]) -> dict[str, Any]:
    """How posted replies relate to their suggestion: as-is (edit ratio 0), edited, or written by hand."""
    posted = [r for r in rows if r["state"] == "posted"]
    as_is = [r for r in posted if r["had_suggestion"] and (r["edit_ratio"] or 0.0) == 0.0]
    edited = [r for r in posted if r["had_suggestion"] and (r["edit_ratio"] or 0.0) > 0.0]
    return {
        "posted": len(posted),
        "as_is": len(as_is),
        "edited": len(edited),
        "written": len(posted) - len(as_is) - len(edited),
        "as_is_share": len(as_is) / len(posted) if posted else None,
        "median_edit_ratio": quantile([r["edit_ratio"] for r in edited], 0.5),
    }
