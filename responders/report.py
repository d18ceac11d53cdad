"""Build `heard report`: engagement figures for a terminal, as JSON, or as one self-contained HTML page.

The figures are computed in Python from one read of the window's comments (plus the user's own posts),
so the report costs one query and a few linear passes, whatever the history's size.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from listener.store import Store, iso
from responders import report_audience, report_figures, report_text

Say = Callable[[str], None]
_SPAN = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.IGNORECASE)
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def parse_span(text: str) -> timedelta:
    """Parse a span such as ``12h``, ``30d`` or ``8w``.

    :raises ValueError: when the text is not a whole number followed by h, d or w.
    """
    match = _SPAN.match(text or "")
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"expected a span like 12h, 30d or 8w, got {text!r}")
    return timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})


def run_report(
    store: Store, *, since: timedelta | None, now: datetime, html: Path | None, as_json: bool, say: Say
) -> dict[str, Any]:
    """Compute every figure, then print it (rich tables or one JSON object) and write the HTML page."""
    with _progress(enabled=not as_json) as step:
        figures = build_report(store, since=since, now=now, step=step)
        if html is not None:
            from responders.report_html import render_html

            step("writing the HTML page")
            html.parent.mkdir(parents=True, exist_ok=True)
            html.write_text(render_html(figures), encoding="utf-8")
    if as_json:
        say(json.dumps(figures, sort_keys=True, default=str))
    else:
        from responders.report_terminal import render_terminal

        say(render_terminal(figures))
        if html is not None:
            say(f"HTML report written to {html}")
    return figures


def build_report(
    store: Store, *, since: timedelta | None, now: datetime, step: Callable[[str], None] = lambda _: None
) -> dict[str, Any]:
    """Every figure of the report, as one JSON-ready dict."""
    start = now - since if since else None
    step("reading comments")
    rows = store.report_rows(start, now)
    step("responsiveness")
    figures: dict[str, Any] = {
        "generated_at": iso(now),
        "window": {
            "start": iso(start) if start else (rows[0]["created_at"] if rows else None),
            "end": iso(now),
            "since_seconds": since.total_seconds() if since else None,
        },
        "comments": _comment_counts(rows),
        "responsiveness": report_figures.responsiveness(rows, now=now),
    }
    step("sentiment and topics")
    figures["sentiment"] = report_figures.sentiment_over_time(rows, now=now)
    # Topics and questions are what people say: not us, not bots.
    heard_rows = [r for r in rows if not r["is_own"] and not r["author_is_bot"]]
    figures["questions"] = report_text.cluster_questions(
        [r for r in heard_rows if r["intent"] == "question" or r["is_question"]]
    )
    figures["complaints"] = report_text.complaint_topics([r for r in heard_rows if r["intent"] == "complaint"])
    step("people")
    figures["people"] = report_figures.people(rows, start=start, now=now)
    step("audience health")
    figures["audience"] = report_audience.audience(store.own_posts(start, now), now=now)
    step("authenticity")
    figures["authenticity"] = _authenticity(rows)
    return figures


def _comment_counts(rows: list[dict[str, Any]]) -> dict[str, Any]:
    # Topics and questions are what people say: not us, not bots.
    heard_rows = [r for r in rows if not r["is_own"] and not r["author_is_bot"]]
    return {
        "total": len(heard_rows),
        "tagged": sum(r["sentiment"] is not None for r in heard_rows),
        "by_platform": dict(sorted(Counter(r["platform"] for r in heard_rows).items())),
        "by_intent": dict(sorted(Counter(r["intent"] or "untagged" for r in heard_rows).items())),
    }


def _authenticity(rows: list[dict[str, Any]]) -> dict[str, Any]:
    posted = sorted(
        (r for r in rows if r["state"] == "posted" and r["posted_at"]),
        key=lambda r: (r["posted_at"], r["id"]),
    )
    replies = [{"id": r["id"], "platform": r["platform"], "text": r["reply_text"] or ""} for r in posted]
    return {
        **report_figures.authenticity_counts(rows),
        "near_duplicates": report_text.near_duplicate_replies(replies),
    }


@contextmanager
def _progress(*, enabled: bool) -> Iterator[Callable[[str], None]]:
    # Progress goes to stderr so that stdout stays clean for pipes; --json turns it off entirely.
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True, disable=not enabled) as bar:
        task = bar.add_task("report", total=None)

        def step(what: str) -> None:
            bar.update(task, description=f"report: {what}")

        yield step
