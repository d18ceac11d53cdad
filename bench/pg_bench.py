"""Time heard's recurring reads on PostgreSQL with a 1 M-comment history: the issue's target is <= 50 ms each.

    .venv/bin/python bench/pg_bench.py [--size 1M|100k] [--seed 7] [--json]

The history is scale_bench's cached SQLite one (~/.cache/heard-bench, built by bench/gen_history.py if
missing: about five minutes at 1 M). It is copied by `heard db copy`'s own code (listener/store/copy.py)
into a throwaway PostgreSQL server (tests/pg.py's: a cluster in a temporary folder on 127.0.0.1, with
fsync and synchronous commit off, so the copy's writes are quicker than on a durable server; reads are
not affected), then timed there through the real App: the escalation pass with nothing due and a
minute on (the backlog's daily reminders then fall due), `heard status`'s figures (``status.collect``),
the overdue count alone, and the queue file rendered anew (the file removed first) at 500 and 1,000
items; the first three again after a VACUUM (what autovacuum leaves once it has run); then all of it on
SQLite (a copy of the history), for comparison. Each is the best of five runs (the machine is shared).
The server is stopped and deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import gen_history  # noqa: E402
from bench.scale_bench import Clock, history, parse_size, schema_hash, size_name  # noqa: E402
from heard import status  # noqa: E402
from heard.app import App  # noqa: E402
from heard.settings import load_settings  # noqa: E402
from listener.platforms.replay import ReplayPlatform  # noqa: E402
from listener.records import Account  # noqa: E402
from listener.store import Store  # noqa: E402
from listener.store import copy as copying  # noqa: E402
from responders import approvals  # noqa: E402
from responders.escalate import TerminalNotifier  # noqa: E402
from tests import pg  # noqa: E402

RUNS = 5
TARGET_MS = 50.0
QUEUE_SIZES = (500, 1_000)
# Each measure: its label, and whether the 50 ms target applies to it.
MEASURES = {
    "escalate_idle": ("escalation pass, nothing due", False),
    "escalate_minute": ("escalation pass, a minute on", False),
    "status": ("heard status (status.collect)", False),
    "overdue": ("overdue count", True),
    "queue_500": ("queue file anew, 500 items", True),
    "queue_1000": ("queue file anew, 1,000 items", True),
    "escalate_idle_vacuumed": ("after VACUUM: escalation, nothing due", False),
    "status_vacuumed": ("after VACUUM: heard status", False),
    "overdue_vacuumed": ("after VACUUM: overdue count", True),
}


def best(fn: Callable[[], Any], runs: int = RUNS) -> float:
    """Wall milliseconds of ``fn``: the best of ``runs``."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def overdue(app: App, clock: Clock) -> int:
    """The overdue count as `heard status` works it out: each open group's comments past its SLA."""
    store, now = app.store, clock.at
    return sum(
        store.count_open(group, written_by=now - timedelta(minutes=app.settings.sla_for(*group)))
        for group in store.open_groups()
    )


def copy_history(source: Path, url: str) -> dict[str, Any]:
    """Copy the history into PostgreSQL with `heard db copy`'s code; its seconds, rows and rows per table."""
    src, dst = Store(source), Store(url)
    started = time.perf_counter()

    def say(done: copying.Copied) -> None:
        if done.read >= done.total:
            print(f"  copied {done.table}: {done.added:,} rows in {done.seconds:.1f} s", file=sys.stderr, flush=True)

    outcome = copying.copy(src, dst, progress=say)
    seconds = time.perf_counter() - started
    src.close()
    dst.close()
    if outcome.kept_differences:
        raise AssertionError(f"kept counts differ after the copy: {outcome.kept_differences}")
    rows = sum(c.added for c in outcome.tables)
    return {"seconds": seconds, "rows": rows, "tables": {c.table: c.added for c in outcome.tables}}


def measure(where: str, folder: Path) -> tuple[dict[str, float], dict[str, Any]]:
    """The timings on one database through the real App, and a few figures that say what they covered."""
    settings = load_settings(ROOT / "config/heard.toml", env_file=folder / "none.env", overrides={"database": where})
    recording = folder / "recording.jsonl"
    recording.write_text("")
    accounts = {p: Account(p, gen_history.ACCOUNT, gen_history.ACCOUNT) for p in gen_history.PLATFORMS}
    replay = ReplayPlatform(recording, settings.outbox, accounts)
    app = App(settings, clients={"replay": replay, **dict.fromkeys(accounts, replay)})
    notifier, clock = TerminalNotifier(lambda _: None), Clock()
    out: dict[str, float] = {}
    notes: dict[str, Any] = {}
    # What escalation owes the backlog goes out first, pass after pass at the same minute (each sends at most
    # MAX_DUE): then a pass at that minute has nothing due, and one a minute on only what fell due in it.
    started, owed, passes, now = time.perf_counter(), 0, 0, clock.tick()
    while sent_now := app.escalate(notifier, now=now):
        owed, passes = owed + len(sent_now), passes + 1
    notes["backlog_notices"], notes["backlog_passes"] = owed, passes
    notes["backlog_seconds"] = round(time.perf_counter() - started, 1)
    out["escalate_idle"] = best(lambda: app.escalate(notifier, now=clock.at))
    sent: list[int] = []
    out["escalate_minute"] = best(lambda: sent.append(len(app.escalate(notifier, now=clock.tick()))))
    notes["notices_a_minute"] = max(sent)
    out["status"] = best(lambda: status.collect(app, now=clock.tick()))
    counted: list[int] = []
    out["overdue"] = best(lambda: counted.append(overdue(app, clock)))
    notes["overdue"], notes["open"] = counted[-1], app.store.ledger_counts()["open"]
    for n in QUEUE_SIZES:
        path = folder / f"queue-{n}.yaml"

        def anew(path: Path = path, n: int = n) -> None:
            path.unlink(missing_ok=True)
            approvals.sync(app.store, path, now=clock.tick(), max_items=n)

        out[f"queue_{n}"] = best(anew)
        notes[f"queue_{n}_pending"] = approvals.sync(app.store, path, now=clock.tick(), max_items=n).pending
    # Scheduling the backlog's notices updated ~10% of the comments: on PostgreSQL their old versions stay in
    # the partial indexes until a VACUUM (autovacuum waits for 20% by default). Measured again after one.
    if app.store.engine.dialect == "postgresql":
        app.store.engine.execute("VACUUM ANALYZE")
    out["escalate_idle_vacuumed"] = best(lambda: app.escalate(notifier, now=clock.at))
    out["status_vacuumed"] = best(lambda: status.collect(app, now=clock.at))
    out["overdue_vacuumed"] = best(lambda: overdue(app, clock))
    app.store.close()
    return out, notes


def table(size: int, copied: dict[str, Any], figures: dict[str, dict[str, float]]) -> str:
    lines = [
        f"{size_name(size)} comments, best of {RUNS}: {'PostgreSQL':>10} {'SQLite':>10}   target",
        f"  {'copy SQLite -> PostgreSQL (db copy)':<36} {copied['seconds']:>9.1f} s"
        f"  {copied['rows']:,} rows, {copied['rows'] / copied['seconds']:,.0f} rows/s",
    ]
    pg_ms, sqlite_ms = figures["postgresql"], figures["sqlite"]
    for key, (label, targeted) in MEASURES.items():
        verdict = ("ok" if pg_ms[key] <= TARGET_MS else "OVER") if targeted else ""
        target = f"<= {TARGET_MS:.0f} ms {verdict}" if targeted else ""
        lines.append(f"  {label:<36} {pg_ms[key]:>7.1f} ms {sqlite_ms[key]:>7.1f} ms   {target}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size", default="1M", help="comments in the history: 1M (the target), 100k for a quick run")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "heard-bench")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    size = parse_size(args.size)
    bindir = pg.find_bindir()
    if bindir is None:
        sys.exit("no PostgreSQL server binaries: set HEARD_PG_BINDIR, or `make postgres`")
    source, built = history(size, args.seed, args.cache, schema_hash())
    if built is not None:
        print(f"built the {size_name(size)} history in {built:.0f} s", file=sys.stderr)
    server = pg.Server(bindir)
    folder = Path(tempfile.mkdtemp(prefix="heard-pg-bench-"))
    figures: dict[str, dict[str, float]] = {}
    notes: dict[str, dict[str, Any]] = {}
    try:
        url = server.create_database()
        print(f"copying {source} into PostgreSQL", file=sys.stderr, flush=True)
        copied = copy_history(source, url)
        figures["postgresql"], notes["postgresql"] = measure(url, folder)
        # The same passes on SQLite, for comparison: on a copy, as escalation writes its notices.
        shutil.copyfile(source, folder / "history.db")
        figures["sqlite"], notes["sqlite"] = measure(str(folder / "history.db"), folder)
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print(table(size, copied, figures))
    for engine, said in notes.items():
        print(f"  {engine}: {json.dumps(said, sort_keys=True)}")
    if args.json:
        print(json.dumps({"size": size, "copy": copied, "ms": figures, "notes": notes}, sort_keys=True))


if __name__ == "__main__":
    main()
