"""Build `heard report`: engagement figures for a terminal, as JSON, or as one self-contained HTML page.

The figures are computed in Python from one read of the window's comments (plus the user's own posts),
so the report costs one query and a few linear passes, whatever the history's size. `figures` and
`audience` compute, `text` finds patterns in what people wrote, `build` gathers it all; `rows` lays out
the tables once, and `terminal` and `page` (Jinja2 templates, SVG charts from `svg`) render them.
"""

from responders.report.build import build_report, parse_span
from responders.report.run import run_report

__all__ = ["build_report", "parse_span", "run_report"]
