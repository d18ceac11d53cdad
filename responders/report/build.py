"""Gather every figure of the report, as one JSON-ready dict, from one read of the window."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from listener.store import Store, iso
from responders.report import audience, figures, text

Row = dict[str, Any]
_SPAN = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.IGNORECASE)
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def parse_span(value: str) -> timedelta:
    """Parse a span such as ``12h``, ``30d`` or ``8w``.

    :raises ValueError: when the text is not a whole number followed by h, d or w.
    """
    match = _SPAN.match(value or "")
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"expected a span like 12h, 30d or 8w, got {value!r}")
    return timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})


def build_report(
    store: Store, *, since: timedelta | None, now: datetime, step: Callable[[str], None] = lambda _: None
) -> dict[str, Any]:
    """Every figure of the report, as one JSON-ready dict."""
    start = now - since if since else None
    step("reading comments")
    rows = store.report_rows(start, now)
    # Topics, questions and counts are what people say: not us, not bots.
    heard = [r for r in rows if figures.is_heard(r)]
    step("responsiveness")
    report: dict[str, Any] = {
        "generated_at": iso(now),
        "window": {
            "start": iso(start) if start else (rows[0]["created_at"] if rows else None),
            "end": iso(now),
            "since_seconds": since.total_seconds() if since else None,
        },
        "comments": _comment_counts(heard),
        "responsiveness": figures.responsiveness(rows, now=now),
    }
    step("sentiment and topics")
    report["sentiment"] = figures.sentiment_over_time(rows, now=now)
    report["questions"] = text.cluster_questions([r for r in heard if r["intent"] == "question" or r["is_question"]])
    report["complaints"] = text.complaint_topics([r for r in heard if r["intent"] == "complaint"])
    step("people")
    report["people"] = figures.people(rows, start=start, now=now)
    step("audience health")
    report["audience"] = audience.audience(store.own_posts(start, now), now=now)
    step("authenticity")
    report["authenticity"] = _authenticity(rows)
    return report


def _comment_counts(heard: list[Row]) -> dict[str, Any]:
    return {
        "total": len(heard),
        "tagged": sum(r["sentiment"] is not None for r in heard),
        "by_platform": dict(sorted(Counter(r["platform"] for r in heard).items())),
        "by_intent": dict(sorted(Counter(r["intent"] or "untagged" for r in heard).items())),
    }


def _authenticity(rows: list[Row]) -> dict[str, Any]:
    posted = sorted(
        (r for r in rows if r["state"] == "posted" and r["posted_at"]),
        key=lambda r: (r["posted_at"], r["id"]),
    )
    replies = [{"id": r["id"], "platform": r["platform"], "text": r["reply_text"] or ""} for r in posted]
    return {
        **figures.authenticity_counts(rows),
        "near_duplicates": text.near_duplicate_replies(replies),
    }
