"""Render the report's figures as one self-contained HTML page: inline CSS and SVG, no script, no fetches."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from html import escape
from typing import Any

from responders import report_svg as svg
from responders.report_audience import TIERS
from responders.report_figures import AGE_BUCKETS, fmt_duration, fmt_pct

WIDE = 900
BLUE, RED, GREY, GREEN, AMBER = "#2f6fdf", "#d9534f", "#a7adb8", "#3a9d5d", "#e0a43a"
CSS = """
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:#1d2330;background:#f4f6fa}main{max-width:980px;margin:0 auto;padding:16px}
h1{font-size:1.6em;margin:.3em 0 0}h2{font-size:1.2em;margin:0 0 .6em}h3{font-size:1em;margin:1em 0 .3em}
.sub{color:#5b6475;margin:0 0 1em}section{background:#fff;border-radius:10px;padding:14px 16px;margin:14px 0;
box-shadow:0 1px 3px rgba(0,0,0,.08)}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:10px}
.kpi{background:#fff;border-radius:10px;padding:10px 12px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.kpi b{display:block;font-size:1.5em}.kpi span{color:#5b6475;font-size:.85em}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:14px}
.chartbox{overflow-x:auto;margin:0}.chartbox figcaption{font-weight:600;font-size:.9em;margin:.4em 0}
svg.chart{width:100%;height:auto;display:block}
.wide svg.chart{min-width:600px}svg .value{font-size:12px;fill:#1d2330}
td a{white-space:nowrap}
svg .grid{stroke:#e3e7ee}svg .tick{font-size:12px;fill:#5b6475}
svg .line{fill:none;stroke-width:2.2}svg .band{opacity:.15}svg .ref{fill:#c9e7c9;opacity:.6}
svg .track{fill:#eef1f6}.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e8ebf0;vertical-align:top}
td.n,th.n{text-align:right;white-space:nowrap}.flag{background:#fff4e0;border-left:4px solid #e0a43a;
padding:8px 12px;border-radius:6px}.note{color:#5b6475;font-size:.85em}a{color:#2f6fdf;word-break:break-all}
.empty{color:#5b6475;font-style:italic}
@media (max-width:520px){main{padding:8px}section{padding:10px}body{font-size:14px}}
"""


def render_html(f: dict[str, Any]) -> str:
    """Render the whole page."""
    window = f"{(f['window']['start'] or '')[:10]} to {f['window']['end'][:10]}"
    generated = f["generated_at"][:16].replace("T", " ") + " UTC"
    body = [
        f"<h1>heard report</h1><p class='sub'>{escape(window)} \u00b7 generated {escape(generated)}</p>",
        _kpis(f),
        _responsiveness(f["responsiveness"]),
        _sentiment(f["sentiment"]),
        _faq(f["questions"]),
        _complaints(f["complaints"]),
        _people(f["people"]),
        _audience(f["audience"]),
        _authenticity(f["authenticity"]),
        _definitions(),
    ]
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>heard report {escape(window)}</title><style>{CSS}</style></head>"
        f"<body><main>{''.join(body)}</main></body></html>\n"
    )


def _kpis(f: dict[str, Any]) -> str:
    r = f["responsiveness"]
    cards = [
        (fmt_pct(r["response_rate"], 1), "response rate"),
        (fmt_duration(r["median_reply_seconds"]), "median time to reply"),
        (fmt_duration(r["p90_reply_seconds"]), "90% answered within"),
        (str(r["waiting"]), "waiting now"),
        (f"{f['comments']['total']:,}", "comments heard"),
    ]
    return (
        "<div class='kpis'>"
        + "".join(f"<div class='kpi'><b>{escape(v)}</b><span>{escape(k)}</span></div>" for v, k in cards)
        + "</div>"
    )


def _chart(draw: Callable[..., str], title: str, *args: Any, wide: bool = False, **kwargs: Any) -> str:
    # The SVG carries its title for screen readers; the caption shows it to everyone else.
    chart = draw(title, *args, width=WIDE if wide else svg.W, **kwargs)
    return f"<figure class='chartbox{' wide' * wide}'><figcaption>{escape(title)}</figcaption>{chart}</figure>"


def _section(title: str, *parts: str) -> str:
    return f"<section><h2>{escape(title)}</h2>{''.join(parts)}</section>"


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]], numeric: Sequence[int] = ()) -> str:
    head = "".join(f"<th{' class=n' if i in numeric else ''}>{escape(h)}</th>" for i, h in enumerate(headers))
    body = "".join(
        "<tr>"
        + "".join(f"<td{' class=n' if i in numeric else ''}>{_cell(c)}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    if not body:
        return "<p class='empty'>Nothing to show in this window.</p>"
    return f"<div class='scroll'><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"


class Link(str):
    """A cell that renders as a link (only http and https addresses become links)."""


def _cell(value: Any) -> str:
    if isinstance(value, Link):
        safe = value.startswith(("https://", "http://"))
        return f"<a href='{escape(value, quote=True)}'>open</a>" if safe else escape(value)
    return escape(str(value))


def _responsiveness(r: dict[str, Any]) -> str:
    weeks = [w["week_start"][5:] for w in r["weekly"]]
    charts = [
        _chart(
            svg.bar_chart,
            "Waiting for a reply now, by age",
            [b for b, _ in AGE_BUCKETS],
            [r["waiting_by_age"][b] for b, _ in AGE_BUCKETS],
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
            [(k, g["response_rate"] or 0.0, fmt_pct(g["response_rate"], 1)) for k, g in r["by_platform"].items()],
        ),
    ]
    headers = ("", "Needing", "Acknowledged", "Rate", "Median", "90th pct", "Waiting")
    return _section(
        "Responsiveness",
        "<div class='grid2'>" + "".join(charts) + "</div>",
        "<h3>By platform</h3>",
        _table(headers, _ledger_rows(r["by_platform"]), range(1, 7)),
        "<h3>By intent</h3>",
        _table(headers, _ledger_rows(r["by_intent"]), range(1, 7)),
    )


def _ledger_rows(groups: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            k,
            g["needing_reply"],
            g["acknowledged"],
            fmt_pct(g["response_rate"], 1),
            fmt_duration(g["median_reply_seconds"]),
            fmt_duration(g["p90_reply_seconds"]),
            g["waiting"],
        )
        for k, g in groups.items()
    ]


def _sentiment(s: dict[str, Any]) -> str:
    if not s["series"]:
        return _section("Sentiment over time", "<p class='empty'>No tagged comments in this window.</p>")
    labels = [p["period"][5:] for p in s["series"]]
    chart = _chart(
        svg.stacked_bars,
        f"Comments per {s['period']} by sentiment",
        labels,
        [
            ("negative", RED, [p["negative"] for p in s["series"]]),
            ("neutral", GREY, [p["neutral"] for p in s["series"]]),
            ("positive", GREEN, [p["positive"] for p in s["series"]]),
        ],
        wide=True,
    )
    t = s["totals"]
    return _section(
        "Sentiment over time",
        chart,
        f"<p class='note'>Whole window: {t['negative']:,} negative, "
        f"{t['neutral']:,} neutral, {t['positive']:,} positive.</p>",
    )


def _faq(clusters: list[dict[str, Any]]) -> str:
    rows = [(c["count"], c["example"]["text"], Link(c["example"]["url"])) for c in clusters]
    return _section(
        "The FAQ to write: most frequent questions",
        "<p class='note'>Questions grouped by shared content words; one example of each.</p>",
        _table(("Asked", "Example", "Link"), rows, (0,)),
    )


def _complaints(topics: list[dict[str, Any]]) -> str:
    rows = [
        (
            t["phrase"],
            t["count"],
            " / ".join(e["text"] for e in t["examples"][:2]),
            Link(t["examples"][0]["url"]),
        )
        for t in topics
    ]
    return _section("Most frequent complaint topics", _table(("Topic", "Complaints", "Examples", "Link"), rows, (1,)))


def _people(p: dict[str, Any]) -> str:
    adv = [
        (
            f"{a['handle']} ({a['platform']})",
            a["comments"],
            a["positive"],
            a["negative"],
            a["replied"],
            a["last_seen"][:10],
            a["score"],
            Link(a["url"]),
        )
        for a in p["advocates"]
    ]
    first = p["unanswered_first_timers"]
    new = [
        (
            f"{f['handle']} ({f['platform']})",
            fmt_duration(f["waited_hours"] * 3600),
            f["text"],
            Link(f["url"]),
        )
        for f in first["recent"]
    ]
    return _section(
        "People",
        "<h3>Advocates</h3><p class='note'>Score: +1 per positive comment, +0.2 neutral, "
        "\u22121 negative, each halved every 30 days of age; two comments or more.</p>",
        _table(
            ("Who", "Comments", "Positive", "Negative", "We replied", "Last seen", "Score", "Link"),
            adv,
            range(1, 7),
        ),
        f"<h3>First-time commenters who got no reply: {first['count']}</h3>",
        _table(("Who", "Waited", "Said", "Link"), new, (1,)),
    )


def _audience(a: dict[str, Any]) -> str:
    if not a["has_data"]:
        return _section("Audience health", f"<p class='empty'>{escape(a['message'])}</p>")
    weekly, ref = a["weekly"], a["reference"]
    chart = _chart(
        svg.line_chart,
        "Engagement rate per post, weekly median (band: middle half)",
        [w["week_start"][5:] for w in weekly],
        [w["median_rate"] for w in weekly],
        fmt=lambda v: f"{v:.1%}",
        band=[(w["p25_rate"], w["p75_rate"]) for w in weekly],
        reference=ref and (ref["typical_low"], ref["typical_high"], f"typical for {ref['tier']}"),
        wide=True,
    )
    flags = "".join(f"<p class='flag'>{escape(flag)}</p>" for flag in a["flags"])
    figures = _table(
        ("Platform", "Posts", "Followers", "Median rate", "Typical for the tier", ""),
        [
            (
                k,
                g["posts"],
                f"{g['median_followers']:,.0f}",
                fmt_pct(g["median_rate"], 2),
                f"{g['tier']}: {fmt_pct(g['typical_low'], 1)} to {fmt_pct(g['typical_high'], 1)}",
                "far below" if g["far_below"] else "ok",
            )
            for k, g in a["by_platform"].items()
        ],
        (1, 2, 3),
    )
    tiers = _table(
        ("Followers", "Typical engagement per post"),
        [(name, f"{low:.2%} to {high:.1%}") for name, _, low, high in TIERS],
    )
    return _section(
        "Audience health: your own posts",
        flags,
        chart,
        figures,
        f"<p class='note'>All posts: median {fmt_pct(a['median_rate'], 2)}, middle half "
        f"{fmt_pct(a['p25_rate'], 2)} to {fmt_pct(a['p75_rate'], 2)} over {a['rated_posts']} posts.</p>",
        "<h3>Rough rules of thumb used for the comparison</h3>",
        tiers,
        "<p class='note'>Engagement = likes + reposts + replies + quotes, divided by followers at the "
        "time of the post. \u201cFar below\u201d = under half the low end of the tier's band. The bands "
        "are rough industry rules of thumb, not measurements.</p>",
    )


def _authenticity(a: dict[str, Any]) -> str:
    dup = a["near_duplicates"]
    total = a["posted"] or 1
    chart = _chart(
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
    pairs = _table(
        ("Platform", "Reply", "Earlier reply"),
        [(e["platform"], e["second"], e["first"]) for e in dup["examples"]],
    )
    return _section(
        "Authenticity",
        chart,
        f"<p>{dup['pairs']:,} near-duplicate pairs among {dup['replies']:,} "
        f"posted replies ({fmt_pct(dup['share_in_pairs'], 1)} of replies are in one). Median edit: "
        f"{fmt_pct(a['median_edit_ratio'])} of the text changed.</p>",
        pairs,
    )


def _definitions() -> str:
    return _section(
        "How these figures are counted",
        "<p class='note'>Needing a reply: tagged as needing one "
        "and not ruled out by policy (bots, spam, opt-outs, our own posts). Acknowledged: a reply "
        "was posted or a person dismissed it. Time to first reply: from the comment to our posted "
        "reply. Near-duplicate: a posted reply sharing more than 80% of its words with one of the "
        "previous 200 replies on the same platform. See docs/report.md.</p>",
    )
