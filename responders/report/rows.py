"""Lay out the report's tables once (titles, columns, formatted cells, notes) for the terminal and the page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from responders.report.audience import FAR_BELOW, TIERS
from responders.report.figures import (
    ADVOCATE_MIN_COMMENTS,
    AGE_BUCKETS,
    HALF_LIFE_DAYS,
    SENTIMENT_WEIGHT,
    when,
)
from responders.wording import duration, waited

EMPTY = "Nothing to show in this window."
# The terminal shows the latest periods only; the page charts them all.
SENTIMENT_ROWS = 14


class Kind(StrEnum):
    """What a column holds, which decides how each renderer shows it."""

    LABEL = "label"  # names a row: left-aligned, never cut
    FIGURE = "figure"  # a number or formatted measure: right-aligned
    QUOTE = "quote"  # someone's words: cut short in the terminal, in full on the page
    LINK = "link"  # an address: a link on the page when it is http(s)


@dataclass(frozen=True)
class Column:
    """One column: its heading and what it holds."""

    title: str
    kind: Kind = Kind.FIGURE


@dataclass(frozen=True)
class Table:
    """A titled table of cells, with warnings to stand out, a note under it, and what to say when empty."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    note: str = ""
    flags: tuple[str, ...] = ()
    empty: str = EMPTY


def _label(title: str) -> Column:
    return Column(title, Kind.LABEL)


def _figures(*titles: str) -> tuple[Column, ...]:
    return tuple(Column(t) for t in titles)


LINK = Column("Link", Kind.LINK)


def fmt_duration(seconds: float | None) -> str:
    """Format seconds as `responders.wording.duration` does everywhere, or an em dash when there are none."""
    return "\u2014" if seconds is None else duration(timedelta(seconds=seconds))


def fmt_pct(share: float | None, digits: int = 0) -> str:
    """Format a share as a percentage, or an em dash when there is none."""
    return "\u2014" if share is None else f"{share:.{digits}%}"


def window(f: dict[str, Any]) -> str:
    """Name the dates the report covers."""
    return f"{(f['window']['start'] or '')[:10]} to {f['window']['end'][:10]}"


def headline(f: dict[str, Any]) -> Table:
    """Summarise the headline figures (the terminal's first table, the page's cards)."""
    r = f["responsiveness"]
    rows = (
        ("Comments heard", f"{f['comments']['total']:,}"),
        ("Needing a reply", f"{r['needing_reply']:,}"),
        ("Response rate", fmt_pct(r["response_rate"], 1)),
        ("Acknowledged", f"{r['acknowledged']:,}"),
        ("Median time to first reply", fmt_duration(r["median_reply_seconds"])),
        ("90% answered within", fmt_duration(r["p90_reply_seconds"])),
        ("Waiting now", f"{r['waiting']:,}"),
    )
    return Table("heard report", (_label("Figure"), Column("Value")), rows, note=f"Comments from {window(f)}.")


def waiting(r: dict[str, Any]) -> Table:
    """Count what waits for a reply now, by age (the page draws it as bars)."""
    names = [name for name, _ in AGE_BUCKETS]
    return Table("Waiting for a reply now, by age", _figures(*names), (tuple(r["waiting_by_age"][n] for n in names),))


def by_platform(r: dict[str, Any]) -> Table:
    """Responsiveness per platform."""
    return _ledger("By platform", "Platform", r["by_platform"])


def by_intent(r: dict[str, Any]) -> Table:
    """Responsiveness per intent."""
    return _ledger("By intent", "Intent", r["by_intent"])


def _ledger(title: str, first: str, groups: dict[str, Any]) -> Table:
    rows = tuple(
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
    )
    columns = (_label(first), *_figures("Needing", "Acknowledged", "Rate", "Median reply", "90th pct", "Waiting"))
    return Table(title, columns, rows)


def weekly(r: dict[str, Any]) -> Table:
    """Responsiveness per seven-day period ending now."""
    rows = tuple(
        (
            w["week_start"],
            w["needing_reply"],
            w["acknowledged"],
            fmt_pct(w["response_rate"], 1),
            fmt_duration(w["median_reply_seconds"]),
        )
        for w in r["weekly"]
    )
    columns = (_label("Week from"), *_figures("Needing", "Acknowledged", "Rate", "Median reply"))
    return Table("Week by week", columns, rows)


def sentiment(s: dict[str, Any]) -> Table:
    """Sentiment counts of the latest periods, with the whole window's totals as the note."""
    t = s["totals"]
    rows = tuple(
        (p["period"], p["negative"], p["neutral"], p["positive"], f"{p['net']:+.2f}")
        for p in s["series"][-SENTIMENT_ROWS:]
    )
    return Table(
        f"Sentiment per {s['period']} (latest {SENTIMENT_ROWS})",
        (_label("From"), *_figures("Negative", "Neutral", "Positive", "Net")),
        rows,
        note=f"Whole window: {t['negative']:,} negative, {t['neutral']:,} neutral, {t['positive']:,} positive.",
        empty="No tagged comments in this window.",
    )


def questions(clusters: list[dict[str, Any]]) -> Table:
    """The most frequent questions, one example of each."""
    rows = tuple((c["count"], c["example"]["text"], c["example"]["url"]) for c in clusters)
    return Table(
        "Most frequent questions: the FAQ to write",
        (Column("Asked"), Column("Example", Kind.QUOTE), LINK),
        rows,
        note="Questions grouped by shared content words; one example of each.",
    )


def complaints(topics: list[dict[str, Any]]) -> Table:
    """The topics complaints mention most, with up to two examples."""
    rows = tuple(
        (t["phrase"], t["count"], " / ".join(e["text"] for e in t["examples"][:2]), t["examples"][0]["url"])
        for t in topics
    )
    return Table(
        "Most frequent complaint topics",
        (_label("Topic"), Column("Complaints"), Column("Examples", Kind.QUOTE), LINK),
        rows,
    )


def advocates(p: dict[str, Any]) -> Table:
    """Authors who come back, positive and recent, with how the score is counted."""
    rows = tuple(
        (
            f"{a['handle']} ({a['platform']})",
            a["comments"],
            a["positive"],
            a["negative"],
            a["replied"],
            a["last_seen"][:10],
            a["score"],
            a["url"],
        )
        for a in p["advocates"]
    )
    w = {k: f"{v:+g}".replace("-", "\u2212") for k, v in SENTIMENT_WEIGHT.items()}
    return Table(
        "Advocates (repeat, positive, recent)",
        (_label("Who"), *_figures("Comments", "Positive", "Negative", "We replied", "Last seen", "Score"), LINK),
        rows,
        note=f"Score: {w['positive']} per positive comment, {w['neutral']} neutral, {w['negative']} negative, "
        f"each halved every {HALF_LIFE_DAYS:g} days of age; {ADVOCATE_MIN_COMMENTS} comments or more.",
    )


def first_timers(f: dict[str, Any]) -> Table:
    """People whose first comment needed a reply and got none, with how long they had waited when generated."""
    first = f["people"]["unanswered_first_timers"]
    now = when(f["generated_at"])
    # From the comment's time, as `heard status` and Slack say it, not from the JSON's rounded waited_hours.
    rows = tuple(
        (f"{t['handle']} ({t['platform']})", waited(when(t["created_at"]), now), t["text"], t["url"])
        for t in first["recent"]
    )
    return Table(
        f"First-time commenters who got no reply: {first['count']}",
        (_label("Who"), Column("Waited"), Column("Said", Kind.QUOTE), LINK),
        rows,
    )


def audience(a: dict[str, Any]) -> Table:
    """Engagement rate of the user's own posts per platform, against its tier's band, with flags."""
    if not a["has_data"]:
        return Table("Audience health", (), (), empty=a["message"])
    rows = tuple(
        (
            name,
            g["posts"],
            f"{g['median_followers']:,.0f}",
            fmt_pct(g["median_rate"], 2),
            f"{g['tier']}: {fmt_pct(g['typical_low'], 1)} to {fmt_pct(g['typical_high'], 1)}",
            "far below" if g["far_below"] else "ok",
        )
        for name, g in a["by_platform"].items()
    )
    return Table(
        "Audience health: engagement rate of your own posts",
        (_label("Platform"), *_figures("Posts", "Followers", "Median rate", "Typical (rule of thumb)", "")),
        rows,
        note=f"All posts: median {fmt_pct(a['median_rate'], 2)}, middle half {fmt_pct(a['p25_rate'], 2)} to "
        f"{fmt_pct(a['p75_rate'], 2)} over {a['rated_posts']:,} posts.",
        flags=tuple(a["flags"]),
    )


def tiers() -> Table:
    """The rough rule-of-thumb bands the audience figures are compared with."""
    return Table(
        "Rough rules of thumb used for the comparison",
        (_label("Followers"), Column("Typical engagement per post")),
        tuple((name, f"{low:.2%} to {high:.1%}") for name, _, low, high in TIERS),
        note="Engagement = likes + reposts + replies + quotes, divided by followers at the time of the post. "
        f"\u201cFar below\u201d = under {FAR_BELOW:.0%} of the low end of the tier's band. The bands are rough "
        "industry rules of thumb, not measurements.",
    )


def authenticity(a: dict[str, Any]) -> Table:
    """How posted replies relate to their suggestions, and how many are near-duplicates."""
    dup = a["near_duplicates"]
    rows = (
        ("Posted replies", f"{a['posted']:,}"),
        ("Posted as suggested", f"{a['as_is']:,} ({fmt_pct(a['as_is_share'])})"),
        ("Edited before posting", f"{a['edited']:,} (median {fmt_pct(a['median_edit_ratio'])} changed)"),
        ("Written by a person", f"{a['written']:,}"),
        (
            "Near-duplicate pairs",
            f"{dup['pairs']:,} pairs, {dup['replies_in_pairs']:,} replies ({fmt_pct(dup['share_in_pairs'], 1)})",
        ),
    )
    return Table("Authenticity", (_label("Figure"), Column("Value")), rows, note=near_duplicate_rule(a))


def near_duplicate_rule(a: dict[str, Any]) -> str:
    """Say what counts as a near-duplicate, from the threshold and window the figures used."""
    dup = a["near_duplicates"]
    return (
        f"Near-duplicate: a posted reply sharing more than {dup['threshold']:.0%} of its words with one of "
        f"the previous {dup['window']} replies on the same platform."
    )


def duplicate_pairs(a: dict[str, Any]) -> Table:
    """Examples of near-duplicate pairs, the later reply first."""
    rows = tuple((e["platform"], e["second"], e["first"]) for e in a["near_duplicates"]["examples"])
    return Table(
        "Near-duplicate pairs, for example",
        (_label("Platform"), Column("Reply", Kind.QUOTE), Column("Earlier reply", Kind.QUOTE)),
        rows,
    )
