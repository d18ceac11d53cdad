"""Benchmark poll -> store through each platform's real client library and its fake server.

Usage: ``python bench/poll_bench.py [--count 10000] [harness ...]`` (default: every
harness in HARNESSES). A platform joins the benchmark by adding its name here and a
``tests/fakes/<name>.py`` that meets the harness contract in ``tests/fakes/__init__.py``.

For a harness in BARE, each lap's pages are also read from the same fake by the client library alone
(heard's own configured client, called directly, each page decoded and nothing else): heard's
poll -> store wall and CPU time over that is what heard adds (the target is <= 1.5x). heard polls as
its service does (``poll_burst``: up to 10 pages a poll, the next page read on a helper thread while one
is stored).

The fake serves from a process of its own, as a platform's API does from its own machines: in this
process its threads would take the interpreter's lock from heard's reading ahead, which no real server
does. So CPU is simply this process's: the client side's. ``--in-process`` serves it from threads here,
as the tests do, and takes the fake's threads' CPU off instead.
"""

from __future__ import annotations

import argparse
import copy
import functools
import importlib
import multiprocessing
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
import tweepy

# The fakes live in tests/, which is not installed: the checkout is put on the path (a spawned fake inherits it).
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from listener.platforms import spec  # noqa: E402
from listener.poll import poll_burst  # noqa: E402
from listener.store import Store  # noqa: E402

# Laps of a burst with a bare read: heard and the bare reads each keep their best, so a cold lap favours neither.
# Five, not three: heard reads ahead on a second thread beside the fake's, and its best of three swung 1.5x-2.1x.
LAPS = 5
# Harness name -> keyword arguments for its make_harness(); limits are lifted so the fake's
# rate-limit window does not end the run early.
HARNESSES: dict[str, dict[str, Any]] = {
    "x": {"limits": {"mentions": 10**9}},
    "reddit": {"window_limit": 10**9},
}


def bare_x(platform: Any, since_id: str, *, objects: bool) -> int:
    """tweepy alone: read every mentions page after ``since_id`` as heard asks for them; return the tweets read.

    With ``objects``, tweepy builds its own Tweet and User objects (its default); else each page is
    decoded JSON, as heard's client asks tweepy for it.
    """
    from listener.platforms.x_client import EXPANSIONS, TWEET_FIELDS, USER_FIELDS

    api = copy.copy(platform.api)  # heard's client: its session, its base URL, its credentials
    api.return_type = tweepy.Response if objects else requests.Response
    read, token = 0, None
    while True:
        answer = api.get_users_mentions(
            platform.account.id,
            since_id=since_id,
            max_results=100,
            pagination_token=token,
            tweet_fields=TWEET_FIELDS,
            expansions=EXPANSIONS,
            user_fields=USER_FIELDS,
            user_auth=True,
        )
        if objects:
            read, token = read + len(answer.data or []), answer.meta.get("next_token")
        else:
            body = answer.json()
            read, token = read + len(body.get("data") or []), (body.get("meta") or {}).get("next_token")
        if not token:
            return read


# Harness name -> how its client library alone reads the pages of a burst: (platform, oldest new id, objects?).
BARE: dict[str, Callable[..., int]] = {"x": bare_x}


class Served:
    """A fake's harness (``tests/fakes/__init__.py``) serving from a process of its own; the calls the bench makes."""

    def __init__(self, name: str, options: dict[str, Any]) -> None:
        # spawn, not fork: a forked copy of this process would carry its open stores and threads along.
        context = multiprocessing.get_context("spawn")
        self._pipe, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(name, options, theirs), daemon=True)
        self._process.start()
        theirs.close()  # the fake's end, closed here: should its process die, a read here ends, not waits for ever
        self.platform: str = self._call("platform")

    def _call(self, what: str, *args: Any) -> Any:
        try:
            self._pipe.send((what, args))
            ok, value = self._pipe.recv()
        except (EOFError, OSError):
            self._process.join(timeout=5)
            raise SystemExit(f"the fake's process ended (exit code {self._process.exitcode}) during {what}") from None
        if not ok:
            raise SystemExit(f"the fake's {what} failed: {value}")
        return value

    def connect_args(self) -> tuple[dict[str, Any], dict[str, str]]:
        return self._call("connect_args")

    def add_incoming(self, count: int) -> list[str]:
        return self._call("add_incoming", count)

    def requests(self) -> int:
        return self._call("requests")

    def stop(self) -> None:
        self._call("stop")
        self._process.join(timeout=10)


def _serve(name: str, options: dict[str, Any], pipe: Any) -> None:
    """The fake's process: start its harness, then answer the bench's calls until told to stop."""
    harness = _harness(name, options)
    while True:
        what, args = pipe.recv()
        try:
            value = harness.platform if what == "platform" else getattr(harness, what)(*args)
        except Exception as exc:  # reported to the bench, which stops with it
            pipe.send((False, repr(exc)))
            continue
        pipe.send((True, value))
        if what == "stop":
            return


def _harness(name: str, options: dict[str, Any]) -> Any:
    return importlib.import_module(f"tests.fakes.{name}").make_harness(**options).start()


def drain(platform: Any, source: str, store: Store, max_polls: int = 100_000) -> tuple[int, int]:
    """Poll as the service does until the source reports no more pages; return (polls, comments stored)."""
    polls = stored = 0
    while polls < max_polls:
        result = poll_burst(platform, source, store, now=datetime.now(UTC))
        polls, stored = polls + 1, stored + result.stored
        if result.error:
            raise SystemExit(f"poll failed: {result.error}")
        if not result.more:
            return polls, stored
    return polls, stored


def bench_burst(name: str, count: int, workdir: Path, *, in_process: bool = False) -> dict[str, float]:
    """``count`` comments arrive at once; time the polls that bring them all in.

    For a harness in BARE, LAPS times: each lap drains a store of its own, marked at the same present
    before the comments arrive, so heard reads the very pages the bare client reads; the laps interleave
    heard and the bare reads, and each side keeps its best. Elsewhere once: reading may consume the
    items (Reddit marks its inbox read).
    """
    harness = _harness(name, HARNESSES[name]) if in_process else Served(name, HARNESSES[name])
    try:
        platform = spec(harness.platform).connect(*harness.connect_args())
        source = platform.sources()[0]
        stores = [Store(workdir / f"{name}-burst-{lap}.db") for lap in range(LAPS if name in BARE else 1)]
        for store in stores:
            drain(platform, source, store)  # first start: marks the present
        ids = harness.add_incoming(count)
        best: dict[str, tuple[float, float]] = {}
        out: dict[str, float] = {}
        for store in stores:
            sent = harness.requests()
            started, cpu = time.perf_counter(), client_cpu()
            polls, stored = drain(platform, source, store)
            lap = (time.perf_counter() - started, client_cpu() - cpu)
            out["polls"], out["requests_per_comment"] = polls, (harness.requests() - sent) / max(stored, 1)
            if out.setdefault("comments", stored) != stored:
                raise SystemExit(f"a lap stored {stored} comments, the first {out['comments']:.0f}: not the same pages")
            _keep_best(best, "heard", lap)
            if name in BARE:
                since = str(min(int(i) for i in ids) - 1)  # X ids are numbers that grow with time
                for objects, label in ((True, "bare"), (False, "bare_json")):
                    read = functools.partial(BARE[name], platform, since, objects=objects)
                    _keep_best(best, label, _timed(read, stored))
        for label, (wall, cpu) in best.items():
            out[f"{label}_seconds"], out[f"{label}_cpu_seconds"] = wall, cpu
        out["seconds"], out["cpu_seconds"] = out.pop("heard_seconds"), out.pop("heard_cpu_seconds")
        out["per_second"] = out["comments"] / out["seconds"]
        return out
    finally:
        harness.stop()


def client_cpu() -> float:
    """CPU seconds of this process so far, less those of an in-process fake server's threads running now.

    The fake (``tests/fakes/http.py``) is a ThreadingHTTPServer: a thread that accepts, and one per
    connection. A thread's time is read from Linux's schedstat (nanoseconds); elsewhere, or for a thread
    gone meanwhile, nothing is taken off, which counts against the client side, never for it.
    """
    total = time.process_time()
    for thread in threading.enumerate():
        if thread.name.endswith(("(serve_forever)", "(process_request_thread)")) and thread.native_id:
            try:
                stat = Path(f"/proc/self/task/{thread.native_id}/schedstat").read_text()
            except OSError:
                continue
            total -= int(stat.split()[0]) / 1e9
    return total


def _keep_best(best: dict[str, tuple[float, float]], label: str, lap: tuple[float, float]) -> None:
    """Keep the least wall and the least CPU seen for ``label``."""
    wall, cpu = best.get(label, lap)
    best[label] = (min(wall, lap[0]), min(cpu, lap[1]))


def _timed(read: Callable[[], int], expected: int) -> tuple[float, float]:
    """Wall and CPU seconds of one bare read, which must see every comment heard stored."""
    started, cpu = time.perf_counter(), client_cpu()
    got = read()
    if got != expected:
        raise SystemExit(f"the bare client read {got} items, heard stored {expected}: not the same pages")
    return time.perf_counter() - started, client_cpu() - cpu


def bench_trickle(name: str, ticks: int, per_tick: int, workdir: Path) -> dict[str, float]:
    """A few comments arrive between polls, as in steady running; count requests per new comment."""
    harness = _harness(name, HARNESSES[name])
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
    parser.add_argument(
        "--in-process", action="store_true", help="serve the burst's fake from threads of this process, as tests do"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.harness:
            burst = bench_burst(name, args.count, Path(tmp), in_process=args.in_process)
            print(
                f"{name} burst:   {burst['comments']:.0f} comments in {burst['seconds']:.2f}s = "
                f"{burst['per_second']:.0f} comments/s, {burst['polls']:.0f} polls, "
                f"{burst['requests_per_comment']:.4f} requests per new comment"
            )
            for label, what in (("bare", "its own objects"), ("bare_json", "decoded JSON only")):
                if f"{label}_seconds" in burst:
                    wall = burst["seconds"] / burst[f"{label}_seconds"]
                    cpu = burst["cpu_seconds"] / burst[f"{label}_cpu_seconds"]
                    print(
                        f"{name} vs its client library alone ({what}), same pages: wall"
                        f" {burst[f'{label}_seconds']:.2f}s -> heard {wall:.2f}x (target <= 1.5x), CPU"
                        f" {burst[f'{label}_cpu_seconds']:.2f}s -> heard {cpu:.2f}x (client side)"
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
