"""Render the report's tables for a terminal with rich."""

from __future__ import annotations

import io
import shutil
import sys
from typing import Any

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from responders.report import rows
from responders.report.rows import Kind, Table
from responders.wording import clip

# How much of someone's words a terminal cell shows.
QUOTE_CHARS = 70


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
    for table in tables(figures):
        console.print(_rich(table))
        console.print()
    return out.getvalue().rstrip()


def tables(f: dict[str, Any]) -> list[Table]:
    """The tables the terminal shows, in order."""
    r, p, a = f["responsiveness"], f["people"], f["authenticity"]
    return [
        rows.headline(f),
        rows.waiting(r),
        rows.by_platform(r),
        rows.by_intent(r),
        rows.weekly(r),
        rows.sentiment(f["sentiment"]),
        rows.questions(f["questions"]),
        rows.complaints(f["complaints"]),
        rows.advocates(p),
        rows.first_timers(f),
        rows.audience(f["audience"]),
        rows.authenticity(a),
    ]


def _rich(table: Table) -> RichTable:
    # Every string goes in as Text: a comment saying "[/b]" is words to print, not rich markup to parse.
    caption = "\n".join(filter(None, [*table.flags, table.note, "" if table.rows else table.empty]))
    out = RichTable(
        title=Text(table.title),
        caption=Text(caption) if caption else None,
        title_justify="left",
        caption_justify="left",
    )
    for column in table.columns:
        out.add_column(Text(column.title), justify="right" if column.kind is Kind.FIGURE else "left", overflow="fold")
    for row in table.rows:
        out.add_row(*(_cell(value, column.kind) for value, column in zip(row, table.columns, strict=True)))
    return out


def _cell(value: Any, kind: Kind) -> Text:
    return Text(clip(str(value), QUOTE_CHARS) if kind is Kind.QUOTE else str(value))
