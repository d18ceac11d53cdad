"""Render the report as one self-contained HTML page from Jinja2 templates: inline CSS and SVG, no script."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

from responders.report import rows, svg

WIDE = 900
BLUE, RED, GREY, GREEN, AMBER = "#2f6fdf", "#d9534f", "#a7adb8", "#3a9d5d", "#e0a43a"


@dataclass(frozen=True)
class Chart:
    """One drawn chart and its caption; wide charts scroll sideways on a phone rather than shrink."""

    title: str
    svg: Markup
    wide: bool = False


def render_html(f: dict[str, Any]) -> str:
    """Render the whole page."""
    r, p, a, au = f["responsiveness"], f["people"], f["authenticity"], f["audience"]
    page = _environment().get_template("report.html")
    return page.render(
        window=rows.window(f),
        generated=f["generated_at"][:16].replace("T", " ") + " UTC",
        headline=rows.headline(f),
        responsiveness=_responsiveness_charts(r),
        ledgers=[rows.by_platform(r), rows.by_intent(r), rows.weekly(r)],
        sentiment=rows.sentiment(f["sentiment"]),
        sentiment_chart=_sentiment_chart(f["sentiment"]) if f["sentiment"]["series"] else None,
        questions=rows.questions(f["questions"]),
        complaints=rows.complaints(f["complaints"]),
        people=[rows.advocates(p), rows.first_timers(f)],
        audience=rows.audience(au),
        audience_chart=_audience_chart(au) if au["has_data"] else None,
        tiers=rows.tiers(),
        authenticity=rows.authenticity(a),
        authenticity_chart=_authenticity_chart(a),
        pairs=rows.duplicate_pairs(a),
        near_duplicate_rule=rows.near_duplicate_rule(a),
    )


@cache
def _environment() -> jinja2.Environment:
    # Autoescape everywhere: comments, handles and links are other people's text.
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("responders.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Only web addresses become links: a javascript: or data: URL in a comment stays text.
    env.tests["web_link"] = lambda value: str(value).startswith(("https://", "http://"))
    return env


def _responsiveness_charts(r: dict[str, Any]) -> list[Chart]:
    ages = rows.waiting(r)
    weeks = [w["week_start"][5:] for w in r["weekly"]]
    return [
        _chart(
            svg.bar_chart,
            ages.title,
            [c.title for c in ages.columns],
            list(ages.rows[0]),
            fmt=lambda v: f"{v:.0f}",
            color=AMBER,
        ),
        _chart(
            svg.bar_chart,
            "Response rate, week by week",
            weeks,
            [w["response_rate"] for w in r["weekly"]],
            fmt=lambda v: f"{v:.0%}",
            top=1.0,
        ),
        _chart(
            svg.line_chart,
            "Median time to first reply (hours), week by week",
            weeks,
            [None if w["median_reply_seconds"] is None else w["median_reply_seconds"] / 3600 for w in r["weekly"]],
            fmt=lambda v: f"{v:.1f}h",
        ),
        _chart(
            svg.hbars,
            "Response rate by platform",
            [(k, g["response_rate"] or 0.0, rows.fmt_pct(g["response_rate"], 1)) for k, g in r["by_platform"].items()],
        ),
    ]


def _chart(draw: Callable[..., Markup], title: str, *args: Any, wide: bool = False, **kwargs: Any) -> Chart:
    # The SVG carries its title for screen readers; the caption shows it to everyone else.
    return Chart(title, draw(title, *args, width=WIDE if wide else svg.W, **kwargs), wide)


def _sentiment_chart(s: dict[str, Any]) -> Chart:
    series = s["series"]
    return _chart(
        svg.stacked_bars,
        f"Comments per {s['period']} by sentiment",
        [p["period"][5:] for p in series],
        [
            (name, color, [p[name] for p in series])
            for name, color in (("negative", RED), ("neutral", GREY), ("positive", GREEN))
        ],
        wide=True,
    )


def _audience_chart(a: dict[str, Any]) -> Chart:
    weekly, ref = a["weekly"], a["reference"]
    return _chart(
        svg.line_chart,
        "Engagement rate per post, weekly median (band: middle half)",
        [w["week_start"][5:] for w in weekly],
        [w["median_rate"] for w in weekly],
        fmt=lambda v: f"{v:.1%}",
        band=[(w["p25_rate"], w["p75_rate"]) for w in weekly],
        reference=ref and (ref["typical_low"], ref["typical_high"], f"typical for {ref['tier']}"),
        wide=True,
    )


def _authenticity_chart(a: dict[str, Any]) -> Chart:
    total = a["posted"] or 1
    return _chart(
        svg.hbars,
        "How posted replies relate to the suggestion",
        [
            ("as suggested", a["as_is"] / total, f"{a['as_is']:,}"),
            ("edited", a["edited"] / total, f"{a['edited']:,}"),
            ("by a person", a["written"] / total, f"{a['written']:,}"),
        ],
        color=BLUE,
        wide=True,
    )
