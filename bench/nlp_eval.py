"""Benchmark the NLP pipeline: accuracy on the shared validation files, load time, memory and speed.

Data lives in ``<repo>/../shared/data`` (override with ``--data DIR``). Run from the repo root:
``PYTHONPATH=. python bench/nlp_eval.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

# One core for BLAS and friends, set before numpy is imported anywhere.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FILES = {
    "sentiment": "tweeteval-sentiment/validation.jsonl",
    "dailydialog": "dailydialog-questions/validation.jsonl",
    "tweetact": "tweetact-questions/validation.jsonl",
}
LOAD_PROBE = (
    "import time, resource; t = time.perf_counter(); from listener.nlp import build_nlp; nlp = build_nlp(); "
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
)


def cold_load() -> tuple[float, float]:
    """Import and build the pipeline in a fresh process: (seconds, RSS MB after loading)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", LOAD_PROBE], env=env, capture_output=True, text=True, check=True)
    seconds, rss = out.stdout.split()
    return float(seconds), float(rss)


def _prf(m: dict) -> str:
    """F1 with precision and recall, as the table prints them."""
    return f"{m['f1']:.4f}  (P {m['precision']:.3f} R {m['recall']:.3f})"


def main(argv: list[str] | None = None) -> int:
    """Print the benchmark table; exit 2 when the data is missing."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared/data directory")
    ap.add_argument("--json", action="store_true", help="print the raw result as JSON too")
    args = ap.parse_args(argv)
    paths = {k: args.data / v for k, v in FILES.items()}
    missing = [str(p) for p in paths.values() if not p.exists()]
    if missing:
        print("nlp_eval: missing data files (pass --data DIR):\n  " + "\n  ".join(missing), file=sys.stderr)
        return 2
    sys.path.insert(0, str(REPO))
    from listener.nlp import evaluate_files

    load_s, load_rss = cold_load()
    r = evaluate_files(paths["sentiment"], [paths["dailydialog"], paths["tweetact"]])
    dd, ta = (r["questions"][str(paths[k])] for k in ("dailydialog", "tweetact"))
    rows = [
        ("model version", r["model_version"], ""),
        ("sentiment macro-recall (TweetEval val)", f"{r['sentiment']['macro_recall']:.4f}", ">= 0.72"),
        (
            "question F1 (DailyDialog val)",
            _prf(dd),
            ">= 0.93",
        ),
        (
            "  not in train (text_in_train false)",
            _prf(dd["not_in_train"]) if "not_in_train" in dd else "-",
            "",
        ),
        ("  information-seeking reading", _prf(dd["information_seeking"]), "(DailyDialog's own definition)"),
        (
            "question F1 (TweetAct val)",
            _prf(ta),
            ">= 0.78",
        ),
        ("  information-seeking reading", _prf(ta["information_seeking"]), "(TweetAct's own definition)"),
        (
            "tagging throughput, 1 core",
            f"{r['throughput_per_s']:,.0f} comments/s (best of {' / '.join(map(str, r['throughput_runs_per_s']))})",
            ">= 2,500",
        ),
        ("pipeline load time (cold process)", f"{load_s:.2f} s", "< 2 s"),
        ("RSS after loading", f"{load_rss:.0f} MB", "<= 300 MB"),
        ("peak RSS during eval", f"{r['peak_rss_mb']:.0f} MB", ""),
    ]
    print(f"{'metric':<40} {'value':<38} target")
    print("-" * 90)
    for name, value, target in rows:
        print(f"{name:<40} {value:<38} {target}")
    if args.json:
        print(json.dumps(r, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
