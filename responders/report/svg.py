"""Draw the report's charts as inline SVG markup: bars, stacked bars and lines, with no library and no script."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

# A narrow default: on a phone the chart shrinks to the screen and its 12-unit text stays legible.
W, H = 420, 220
LEFT, RIGHT, TOP, BOTTOM = 46, 10, 20, 38
Fmt = Callable[[float], str]


def _nice_max(value: float) -> float:
    # Round the axis up so that each of the four gridlines lands on a round number.
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 4, 6, 8, 10) if m * power >= value)


def _frame(
    width: int,
    title: str,
    top: float,
    fmt: Fmt,
    labels: Sequence[str],
    body: list[str],
    legend: Sequence[tuple[str, str]] = (),
) -> Markup:
    plot_w, plot_h = width - LEFT - RIGHT, H - TOP - BOTTOM
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {H}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for i in range(5):
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{width - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(fmt(top * i / 4))}'
            f"</text>"
        )
    step = max(1, math.ceil(len(labels) / 7))
    slot = plot_w / max(len(labels), 1)
    for i, label in enumerate(labels):
        if i % step == 0:
            x = LEFT + slot * (i + 0.5)
            parts.append(
                f'<text class="tick" x="{x:.1f}" y="{H - BOTTOM + 16}" text-anchor="middle">{escape(label)}</text>'
            )
    x = LEFT
    for name, color in legend:
        parts.append(
            f'<rect x="{x}" y="{H - 13}" width="10" height="10" fill="{color}"/>'
            f'<text class="tick" x="{x + 14}" y="{H - 4}">{escape(name)}</text>'
        )
        x += 22 + 7 * len(name)
    return Markup("".join(parts + body + ["</svg>"]))


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    fmt: Fmt = str,
    color: str = "#2f6fdf",
    top: float | None = None,
    width: int = W,
) -> Markup:
    """Vertical bars, one per label; a missing value draws no bar."""
    top = top or _nice_max(max((v or 0 for v in values), default=0))
    plot_w, plot_h = width - LEFT - RIGHT, H - TOP - BOTTOM
    slot = plot_w / max(len(values), 1)
    body = []
    for i, value in enumerate(values):
        if value is None:
            continue
        h = plot_h * min(value, top) / top
        body.append(
            f'<rect class="bar" x="{LEFT + slot * i + slot * 0.15:.1f}" y="{TOP + plot_h - h:.1f}" '
            f'width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{color}">'
            f"<title>{escape(labels[i])}: {escape(fmt(value))}</title></rect>"
        )
        if len(values) <= 8:
            # Few bars: print each value, so a tiny bar beside a tall one still reads.
            body.append(
                f'<text class="value" x="{LEFT + slot * (i + 0.5):.1f}" y="{TOP + plot_h - h - 4:.1f}" '
                f'text-anchor="middle">{escape(fmt(value))}</text>'
            )
    return _frame(width, title, top, fmt, labels, body)


def stacked_bars(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float]]],
    *,
    fmt: Fmt = lambda v: f"{v:.0f}",
    width: int = W,
) -> Markup:
    """Bars made of one segment per series (name, colour, values), stacked bottom up."""
    totals = [sum(s[2][i] for s in series) for i in range(len(labels))]
    top = _nice_max(max(totals, default=0))
    plot_w, plot_h = width - LEFT - RIGHT, H - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    body = []
    for i, label in enumerate(labels):
        base: float = TOP + plot_h
        for name, color, values in series:
            h = plot_h * values[i] / top
            base -= h
            if h > 0:
                body.append(
                    f'<rect class="bar" x="{LEFT + slot * i + slot * 0.1:.1f}" y="{base:.1f}" '
                    f'width="{max(slot * 0.8, 1):.1f}" height="{h:.1f}" fill="{color}">'
                    f"<title>{escape(label)} {escape(name)}: {escape(fmt(values[i]))}</title></rect>"
                )
    return _frame(width, title, top, fmt, labels, body, [(n, c) for n, c, _ in series])


def line_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    fmt: Fmt = str,
    color: str = "#2f6fdf",
    band: Sequence[tuple[float, float] | None] = (),
    reference: tuple[float, float, str] | None = None,
    width: int = W,
) -> Markup:
    """Draw a line through the values (gaps where None), with optional shaded bands.

    ``band`` shades a (low, high) range per point; ``reference`` a horizontal (low, high, name) range.
    """
    highs = [v for v in values if v is not None] + [b[1] for b in band if b]
    top = _nice_max(max(highs + ([reference[1]] if reference else []), default=0))
    plot_w, plot_h = width - LEFT - RIGHT, H - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)

    def xy(i: int, v: float) -> str:
        return f"{LEFT + slot * (i + 0.5):.1f},{TOP + plot_h - plot_h * min(v, top) / top:.1f}"

    body: list[str] = []
    legend: list[tuple[str, str]] = []
    if reference:
        lo, hi, name = reference
        y_hi, y_lo = TOP + plot_h - plot_h * hi / top, TOP + plot_h - plot_h * lo / top
        body.append(f'<rect class="ref" x="{LEFT}" y="{y_hi:.1f}" width="{plot_w}" height="{y_lo - y_hi:.1f}"/>')
        legend += [(title.split(" (")[0], color), (name, "#c9e7c9")]
    points = [(i, b) for i, b in enumerate(band) if b]
    if points:
        ring = [xy(i, b[1]) for i, b in points] + [xy(i, b[0]) for i, b in reversed(points)]
        body.append(f'<path class="band" d="M{" L".join(ring)} Z" fill="{color}"/>')
    runs: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append(xy(i, v))
    for run in filter(None, runs):
        body.append(f'<path class="line" d="M{" L".join(run)}" stroke="{color}"/>')
        body += [f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="2.5" fill="{color}"/>' for p in run]
    return _frame(width, title, top, fmt, labels, body, legend)


def hbars(
    title: str,
    rows: Sequence[tuple[str, float, str]],
    *,
    color: str = "#2f6fdf",
    top: float = 1.0,
    width: int = W,
) -> Markup:
    """Horizontal bars (label, value, shown text) against a fixed top, e.g. rates out of 1."""
    row_h, label_w = 26, 110
    height = TOP + row_h * len(rows) + 8
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    span = width - label_w - 70
    for i, (label, value, shown) in enumerate(rows):
        y = TOP + row_h * i
        length = span * max(0.0, min(value, top)) / top
        parts.append(
            f'<text class="tick" x="{label_w - 8}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="track" x="{label_w}" y="{y + 3}" width="{span}" height="16"/>'
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{length:.1f}" height="16" fill="{color}">'
            f"<title>{escape(label)}: {escape(shown)}</title></rect>"
            f'<text class="tick" x="{label_w + span + 6}" y="{y + 15}">{escape(shown)}</text>'
        )
    return Markup("".join(parts + ["</svg>"]))
