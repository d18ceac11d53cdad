"""Run heard's robustness campaigns and print one row each: campaign | figure | target.

Each campaign lives in its own module ``bench/chaos_<name>.py`` that defines
``CAMPAIGNS: dict[str, Callable[[int | None], Row]]``: a name, and a function that takes the
iteration count (``None``: the campaign's own default) and returns ``Row(campaign, figure, target, ok)``.
This file finds them by that naming rule, so adding a campaign is adding a module; nothing here changes.

    .venv/bin/python bench/chaos.py              # every campaign at its default size
    .venv/bin/python bench/chaos.py queue --n 200
    .venv/bin/python bench/chaos.py --list

Every campaign talks only to 127.0.0.1 (fake platforms, fake Slack) and to files in a temporary folder.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


@dataclass(frozen=True)
class Row:
    """One campaign's result: what was measured, the target, and whether it was met."""

    campaign: str
    figure: str
    target: str
    ok: bool


Campaign = Callable[[int | None], Row]


def campaigns() -> dict[str, Campaign]:
    """Every campaign defined by a ``bench/chaos_<name>.py`` module, by name."""
    found: dict[str, Campaign] = {}
    for path in sorted(HERE.glob("chaos_*.py")):
        module = importlib.import_module(f"bench.{path.stem}")
        found.update(getattr(module, "CAMPAIGNS", {}))
    return found


def main(argv: list[str] | None = None) -> int:
    """Run the chosen campaigns (all by default) and print the table; exit 1 when a target is missed."""
    known = campaigns()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help=f"campaigns to run (default: all): {', '.join(known) or 'none yet'}")
    ap.add_argument("--n", type=int, default=None, help="iterations per campaign (default: each campaign's own)")
    ap.add_argument("--list", action="store_true", help="list the campaigns and exit")
    args = ap.parse_args(argv)
    if args.list:
        print("\n".join(known))
        return 0
    unknown = [n for n in args.names if n not in known]
    if unknown:
        ap.error(f"unknown campaign(s): {', '.join(unknown)}; known: {', '.join(known)}")
    rows = []
    for name in args.names or list(known):
        start = time.perf_counter()
        row = known[name](args.n)
        rows.append((row, time.perf_counter() - start))
        print(f"  {name}: {'met' if row.ok else 'MISSED'} in {rows[-1][1]:.1f} s", file=sys.stderr)
    print(f"{'campaign':<58} {'figure':<44} target")
    print("-" * 130)
    for row, _ in rows:
        print(f"{row.campaign:<58} {row.figure:<44} {row.target}{'' if row.ok else '   <- MISSED'}")
    return 0 if all(r.ok for r, _ in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
