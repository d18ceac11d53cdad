"""How long `heard` takes to start, and how much memory, per command: min of N runs, optionally beside an older commit.

    .venv/bin/python bench/startup_bench.py                 # this checkout
    .venv/bin/python bench/startup_bench.py --ref c165e46   # and that commit, side by side

The older commit is checked out into a temporary worktree and run with this checkout's virtualenv, its own
code first on the path, so both sides use the same interpreter and libraries.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {
    "heard --help": ["--help"],
    "heard status": ["--db", "{db}", "status"],
    "heard queue": ["--db", "{db}", "queue"],
}


def run_once(code: Path, args: list[str], db: Path) -> tuple[float, int]:
    """Run `heard ARGS` from CODE once; return wall seconds and peak RSS in MB."""
    env = dict(os.environ, PYTHONPATH=str(code), PYTHONDONTWRITEBYTECODE="")
    argv = [sys.executable, "-c", "import sys; from heard.cli import main; sys.exit(main())"]
    argv += [a.format(db=db) for a in args]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed in {code}")
    return elapsed, usage.ru_maxrss // 1024


def measure(code: Path, runs: int, db: Path) -> dict[str, tuple[float, int]]:
    """Min wall time and min peak RSS of each command over RUNS runs (one warm-up run first)."""
    # A real database made by CODE itself, so `status` measures reading, not creating.
    subprocess.run(
        [sys.executable, "-c", f"from listener.store import Store; Store({str(db)!r}).close()"],
        cwd=code,
        env=dict(os.environ, PYTHONPATH=str(code)),
        check=True,
    )
    out = {}
    for name, args in COMMANDS.items():
        run_once(code, args, db)
        samples = [run_once(code, args, db) for _ in range(runs)]
        out[name] = (min(s[0] for s in samples), min(s[1] for s in samples))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", help="an older commit to measure beside this checkout")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="heard-startup-") as tmp:
        now = measure(ROOT, args.runs, Path(tmp) / "now.db")
        before = None
        if args.ref:
            tree = Path(tmp) / "ref"
            subprocess.run(
                ["git", "worktree", "add", "--detach", str(tree), args.ref], cwd=ROOT, check=True, capture_output=True
            )
            try:
                before = measure(tree, args.runs, Path(tmp) / "ref.db")
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False)
    print(f"start-up, min of {args.runs} runs ({sys.executable})")
    if before is None:
        print(f"{'command':<16} {'seconds':>8} {'peak MB':>8}")
        for name, (secs, mb) in now.items():
            print(f"{name:<16} {secs:>8.3f} {mb:>8}")
        return 0
    print(f"{'command':<16} {args.ref[:9] + ' s':>11} {'now s':>7} {'ratio':>6} {'MB then':>8} {'MB now':>7}")
    for name, (secs, mb) in now.items():
        then_s, then_mb = before[name]
        print(f"{name:<16} {then_s:>11.3f} {secs:>7.3f} {secs / then_s:>6.0%} {then_mb:>8} {mb:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
