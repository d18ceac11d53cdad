"""Benchmark poll -> store through each platform's real client library and its fake server.

Usage: ``PYTHONPATH=. python bench/poll_bench.py [--count 10000] [harness ...]`` (default: every
harness in HARNESSES). A platform joins the benchmark by adding its name here and a
``tests/fakes/<name>.py`` that meets the harness contract in ``tests/fakes/__init__.py``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from listener.platforms import spec
from listener.poll import poll_once
from listener.store import Store

# Harness name -> keyword arguments for its make_harness(); limits are lifted so the fake's
# rate-limit window does not end the run early.
HARNESSES: dict[str, dict[str, Any]] = {
    "x": {"limits": {"mentions": 10**9}},
    "reddit": {"window_limit": 10**9},
}


def drain(platform: Any, source: str, store: Store, max_polls: int = 100_000) -> tuple[int, int]:
    """Poll until the source reports no more pages; return (polls, comments stored)."""
    polls = stored = 0
    while polls < max_polls:
        result = poll_once(platform, source, store, now=datetime.now(UTC))
        polls, stored = polls + 1, stored + result.stored
        if result.error:
            raise SystemExit(f"poll failed: {result.error}")
        if not result.more:
            return polls, stored
    return polls, stored


def bench_burst(name: str, count: int, workdir: Path) -> dict[str, float]:
    """``count`` comments arrive at once; time the polls that bring them all in."""
    harness = importlib.import_module(f"tests.fakes.{name}").make_harness(**HARNESSES[name]).start()
    try:
        platform = spec(harness.platform).connect(*harness.connect_args())
        source = platform.sources()[0]
        store = Store(workdir / f"{name}-burst.db")
        drain(platform, source, store)  # first start: marks the present
        harness.add_incoming(count)
        sent = harness.requests()
        started = time.perf_counter()
        polls, stored = drain(platform, source, store)
        elapsed = time.perf_counter() - started
        requests = harness.requests() - sent
        return {
            "comments": stored,
            "seconds": elapsed,
            "per_second": stored / elapsed,
            "polls": polls,
            "requests_per_comment": requests / max(stored, 1),
        }
    finally:
        harness.stop()


def bench_trickle(name: str, ticks: int, per_tick: int, workdir: Path) -> dict[str, float]:
    """A few comments arrive between polls, as in steady running; count requests per new comment."""
    harness = importlib.import_module(f"tests.fakes.{name}").make_harness(**HARNESSES[name]).start()
    try:
        platform = spec(harness.platform).connect(*harness.connect_args())
        source = platform.sources()[0]
        store = Store(workdir / f"{name}-trickle.db")
        drain(platform, source, store)
        sent, stored = harness.requests(), 0
        for tick in range(ticks):
            harness.add_incoming(per_tick if tick % 4 else 0)  # every fourth tick is idle
            stored += drain(platform, source, store)[1]
        return {"comments": stored, "requests_per_comment": (harness.requests() - sent) / max(stored, 1)}
    finally:
        harness.stop()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one line per harness and scenario."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("harness", nargs="*", default=list(HARNESSES))
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.harness:
            burst = bench_burst(name, args.count, Path(tmp))
            print(
                f"{name} burst:   {burst['comments']:.0f} comments in {burst['seconds']:.2f}s = "
                f"{burst['per_second']:.0f} comments/s, {burst['polls']:.0f} polls, "
                f"{burst['requests_per_comment']:.4f} requests per new comment"
            )
            trickle = bench_trickle(name, ticks=200, per_tick=5, workdir=Path(tmp))
            print(
                f"{name} trickle: {trickle['comments']:.0f} comments, "
                f"{trickle['requests_per_comment']:.3f} requests per new comment "
                f"(5 per tick, every fourth tick idle)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
