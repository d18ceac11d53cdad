"""Time `run_report` (figures + HTML page) on a demo-size and a 50,000-comment history.

    python bench/report_bench.py [--keep DIR] [--runs 3]

Generates each database with bench/gen_history.py (timed separately), then times the report.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.gen_history import NOW, generate  # noqa: E402
from listener.store import Store  # noqa: E402
from responders.report import run_report  # noqa: E402

SIZES = {"demo": (300, 14), "50k": (50_000, 90)}
OUTPUT = Path(__file__).resolve().parent / "output"


def bench(name: str, folder: Path, runs: int) -> None:
    comments, days = SIZES[name]
    path = folder / f"history-{name}.db"
    started = time.perf_counter()
    if path.exists():
        generated = "reused"
    else:
        generate(path, comments=comments, days=days, now=NOW).close()
        generated = f"{time.perf_counter() - started:.1f}s"
    timings = []
    for _ in range(runs):
        store = Store(path)  # a fresh connection each run: no warm caches from the last one
        started = time.perf_counter()
        run_report(store, since=None, now=NOW, html=OUTPUT / f"report-{name}.html", as_json=True, say=lambda _: None)
        timings.append(time.perf_counter() - started)
        store.close()
    print(
        f"{name:>5}: {comments:>6} comments over {days} days (generated {generated}); report with HTML "
        f"median {statistics.median(timings):.2f}s, worst {max(timings):.2f}s over {runs} runs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="Folder to keep (and reuse) the generated databases in.")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for name in SIZES:
            bench(name, folder, args.runs)


if __name__ == "__main__":
    main()
