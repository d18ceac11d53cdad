"""Render the report's figures for a terminal as rich tables."""

from __future__ import annotations

import io
import shutil
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from responders.report_figures import AGE_BUCKETS, fmt_duration, fmt_pct


def render_terminal(figures: dict[str, Any]) -> str:
    """Render the whole report as text (with colour when stdout is a terminal)."""
    width = min(shutil.get_terminal_size((100, 24)).columns, 120)
    out = io.StringIO()
    console = Console(
        file=out,
        width=width,
        force_terminal=sys.stdout.isatty(),
        color_system="auto" if sys.stdout.isatty() else None,
    )
    for part in (
        _summary(figures),
        *_responsiveness(figures["responsiveness"]),
        _sentiment(figures["sentiment"]),
        _questions(figures["questions"]),
        _complaints(figures["complaints"]),
        *_people(figures["people"]),
        _audience(figures["audience"]),
        _authenticity(figures["authenticity"]),
    ):
        console.print(part)
        console.print()
    return out.getvalue().rstrip()


def _table(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, caption: str = "") -> Table:
    table = Table(title=title, caption=caption or None, title_justify="left", caption_justify="left")
    for i, header in enumerate(headers):
        table.add_column(header, justify="left" if i == 0 else "right", overflow="fold")
    for row in rows:
        table.add_row(*(str(cell) for cell in row))
    return table


def _summary(f: dict[str, Any]) -> Table:
    r = f["responsiveness"]
    rows = [
        ("Window", f"{(f['window']['start'] or '')[:10]} to {f['window']['end'][:10]}"),
        ("Comments heard", f["comments"]["total"]),
        ("Needing a reply", r["needing_reply"]),
        ("Response rate", f"{fmt_pct(r['response_rate'], 1)} ({r['acknowledged']} acknowledged)"),
        (
            "Time to first reply",
            f"median {fmt_duration(r['median_reply_seconds'])}, 90% within {fmt_duration(r['p90_reply_seconds'])}",
        ),
        ("Waiting now", r["waiting"]),
    ]
    return _table("heard report", ("Figure", "Value"), rows)


def _ledger_rows(groups: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            name,
            g["needing_reply"],
            g["acknowledged"],
            fmt_pct(g["response_rate"], 1),
            fmt_duration(g["median_reply_seconds"]),
            fmt_duration(g["p90_reply_seconds"]),
            g["waiting"],
        )
        for name, g in groups.items()
    ]


def _responsiveness(r: dict[str, Any]) -> list[Table]:
    headers = ("", "Needing", "Acknowledged", "Rate", "Median reply", "90th pct", "Waiting")
    ages = _table(
        "Waiting for a reply now, by age",
        [b for b, _ in AGE_BUCKETS],
        [[r["waiting_by_age"][b] for b, _ in AGE_BUCKETS]],
    )
    weekly = _table(
        "Week by week",
        ("Week from", "Needing", "Acknowledged", "Rate", "Median reply"),
        [
            (
                w["week_start"],
                w["needing_reply"],
                w["acknowledged"],
                fmt_pct(w["response_rate"], 1),
                fmt_duration(w["median_reply_seconds"]),
            )
            for w in r["weekly"]
        ],
    )
    return [
        ages,
        _table("By platform", ("Platform", *headers[1:]), _ledger_rows(r["by_platform"])),
        _table("By intent", ("Intent", *headers[1:]), _ledger_rows(r["by_intent"])),
        weekly,
    ]


def _sentiment(s: dict[str, Any]) -> Table:
    totals = s["totals"]
    rows = [(p["period"], p["negative"], p["neutral"], p["positive"], f"{p['net']:+.2f}") for p in s["series"][-14:]]
    return _table(
        f"Sentiment per {s['period']} (latest 14)",
        ("From", "Negative", "Neutral", "Positive", "Net"),
        rows,
        caption=f"Whole window: {totals['negative']} negative, {totals['neutral']} neutral, "
        f"{totals['positive']} positive",
    )


def _questions(clusters: list[dict[str, Any]]) -> Table:
    rows = [(c["count"], _clip(c["example"]["text"]), c["example"]["url"]) for c in clusters]
    return _table("Most frequent questions: the FAQ to write", ("Asked", "Example", "Link"), rows)


def _complaints(topics: list[dict[str, Any]]) -> Table:
    rows = [(t["phrase"], t["count"], _clip(t["examples"][0]["text"]), t["examples"][0]["url"]) for t in topics]
    return _table("Most frequent complaint topics", ("Topic", "Complaints", "Example", "Link"), rows)


def _people(p: dict[str, Any]) -> list[Table]:
    adv = _table(
        "Advocates (repeat, positive, recent)",
        ("Who", "Comments", "Positive", "Negative", "We replied", "Last seen", "Score"),
        [
            (
                f"{a['handle']} ({a['platform']})",
                a["comments"],
                a["positive"],
                a["negative"],
                a["replied"],
                a["last_seen"][:10],
                a["score"],
            )
            for a in p["advocates"]
        ],
    )
    first = p["unanswered_first_timers"]
    new = _table(
        f"First-time commenters who got no reply: {first['count']}",
        ("Who", "Waited", "Said", "Link"),
        [
            (
                f"{f['handle']} ({f['platform']})",
                fmt_duration(f["waited_hours"] * 3600),
                _clip(f["text"]),
                f["url"],
            )
            for f in first["recent"]
        ],
    )
    return [adv, new]


def _audience(a: dict[str, Any]) -> Table:
    if not a["has_data"]:
        return _table("Audience health", ("",), [(a["message"],)])
    rows = [
        (
            name,
            g["posts"],
            f"{g['median_followers']:,.0f}",
            fmt_pct(g["median_rate"], 2),
            f"{g['tier']}: {fmt_pct(g['typical_low'], 1)} to {fmt_pct(g['typical_high'], 1)}",
            "FAR BELOW" if g["far_below"] else "ok",
        )
        for name, g in a["by_platform"].items()
    ]
    return _table(
        "Audience health: engagement rate of your own posts",
        ("Platform", "Posts", "Followers", "Median rate", "Typical (rule of thumb)", ""),
        rows,
        caption="\n".join(a["flags"]),
    )


def _authenticity(a: dict[str, Any]) -> Table:
    dup = a["near_duplicates"]
    rows = [
        ("Posted replies", a["posted"]),
        ("Posted as suggested", f"{a['as_is']} ({fmt_pct(a['as_is_share'])})"),
        ("Edited before posting", f"{a['edited']} (median {fmt_pct(a['median_edit_ratio'])} changed)"),
        ("Written by a person", a["written"]),
        (
            "Near-duplicate pairs",
            f"{dup['pairs']} pairs, {dup['replies_in_pairs']} replies ({fmt_pct(dup['share_in_pairs'], 1)})",
        ),
    ]
    return _table(
        "Authenticity",
        ("Figure", "Value"),
        rows,
        caption=f"Near-duplicate: >{dup['threshold']:.0%} shared words with one of the previous "
        f"{dup['window']} replies on the same platform.",
    )


def _clip(text: str, length: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "\u2026"
