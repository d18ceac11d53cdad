"""Run `heard report`: compute the figures, print them (rich tables or one JSON object), write the page."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from listener.store import Store
from responders.report.build import build_report

Say = Callable[[str], None]


def run_report(
    store: Store, *, since: timedelta | None, now: datetime, html: Path | None, as_json: bool, say: Say
) -> dict[str, Any]:
    """Compute every figure, then print it (rich tables or one JSON object) and write the HTML page."""
    with _progress(enabled=not as_json) as step:
        figures = build_report(store, since=since, now=now, step=step)
        if html is not None:
            # Imported here: Jinja2 and rich cost import time that `--json` alone never needs.
            from responders.report.page import render_html

            step("writing the HTML page")
            html.parent.mkdir(parents=True, exist_ok=True)
            html.write_text(render_html(figures), encoding="utf-8")
    if as_json:
        say(json.dumps(figures, sort_keys=True, default=str))
    else:
        from responders.report.terminal import render_terminal

        say(render_terminal(figures))
        if html is not None:
            say(f"HTML report written to {html}")
    return figures


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
