"""Benchmark language detection: heard's function-word vote against py3langid and lingua, and combinations.

Measures, for each detector: (a) the labelled day (``decisions-dev/day.jsonl``, field ``lang``): the other
languages found and named right, and English lines called foreign; (b) English tweets
(``tweeteval-sentiment`` and ``tweetact-questions`` validation) wrongly called non-English; (c) texts per
second on one core, what that leaves of the tagging pipeline's speed (budget: 2,500 comments/s), and the cold
import + load time and memory in a fresh process. "Foreign" means a code outside ``listener.nlp.lang.ENGLISH``:
what the pipeline hands to a person instead of its English models.

Data lives in ``<repo>/../shared/data`` (override with ``--data DIR``); exits 2 when it is missing.
Run from the repo root: ``.venv/bin/python bench/lang_bench.py``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from listener.nlp.lang import ENGLISH  # noqa: E402  (no spaCy, no numpy: the libraries load per detector)

DEFAULT_DATA = REPO.parent / "shared" / "data"
DAY = "decisions-dev/day.jsonl"
ENGLISH_SETS = {"TweetEval": "tweeteval-sentiment/validation.jsonl", "TweetAct": "tweetact-questions/validation.jsonl"}
# The languages the vote knows (function words, or a script of their own), for the restricted library models.
OURS = ("en", "es", "pt", "fr", "de", "it", "nl", "pl", "sv", "ja", "ko", "zh", "ru", "ar", "he", "el", "th", "hi")
# Comments in languages the vote has no words for, written for this benchmark ("my order has not come, when
# will it?" and the like): the texts the vote leaves to English models, and what a library can add.
OTHER = {
    "tr": "Siparişim hala gelmedi, ne zaman gelecek",
    "cs": "Objednávka ještě nedorazila, kdy přijde",
    "vi": "Đơn hàng của tôi chưa đến, khi nào giao",
    "fi": "Tilaukseni ei ole vielä tullut, milloin se tulee",
    "hu": "Rendelésem még nem érkezett meg, mikor jön",
    "ro": "Comanda mea nu a sosit încă, când vine",
    "id": "Pesanan saya belum datang, kapan dikirim",
    "da": "Min ordre er ikke kommet endnu, hvornår kommer den",
}

Detect = Callable[[str], str]


def _prepared(text: str) -> str:
    """Text without links and handles, which say nothing of the language; the vote skips them itself."""
    from listener.nlp.signals import HANDLE, URL

    return HANDLE.sub(" ", URL.sub(" ", text)).strip()


def _lettered(detect: Callable[[str], tuple[str, float]]) -> Callable[[str], tuple[str, float]]:
    """A library detector that says "und" for text without letters (emoji, links), as the vote does."""

    def run(text: str) -> tuple[str, float]:
        clean = _prepared(text)
        return detect(clean) if any(ch.isalpha() for ch in clean) else ("und", 0.0)

    return run


def _py3langid(restricted: bool) -> Callable[[str], tuple[str, float]]:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if restricted:
        ident.set_languages(list(OURS))
    return _lettered(lambda text: (lambda code, p: (str(code), float(p)))(*ident.classify(text)))


def _lingua(*, few: bool, low: bool) -> Callable[[str], tuple[str, float]]:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    if few:
        builder = LanguageDetectorBuilder.from_iso_codes_639_1(*(IsoCode639_1.from_str(code) for code in OURS))
    else:
        builder = LanguageDetectorBuilder.from_all_languages()
    detector = (builder.with_low_accuracy_mode() if low else builder).build()

    def detect(text: str) -> tuple[str, float]:
        found = detector.compute_language_confidence_values(text)
        if not found or found[0].value == 0:
            return "und", 0.0
        return found[0].language.iso_code_639_1.name.lower(), float(found[0].value)

    return _lettered(detect)


def _vote() -> Callable[[str], tuple[str, float]]:
    from listener.nlp.lang import vote_lang

    return vote_lang


def _shipped() -> Callable[[str], tuple[str, float]]:
    from listener.nlp.lang import detect_lang

    return detect_lang


def _vote_then(library: Callable[[str], tuple[str, float]]) -> Callable[[str], tuple[str, float]]:
    """The vote, and the library only where the vote is undecided and the library is sure (as lang.py does)."""
    from listener.nlp.lang import SURE, UNDECIDED, vote_lang

    def detect(text: str) -> tuple[str, float]:
        code, conf = vote_lang(text)
        if conf > UNDECIDED:  # the vote decided: a script, or function words
            return code, conf
        other, sure = library(text)
        return (other, sure) if sure >= SURE else (code, conf)

    return detect


FACTORIES: dict[str, Callable[[], Callable[[str], tuple[str, float]]]] = {
    "vote alone": _vote,
    "py3langid, all 142": lambda: _py3langid(restricted=False),
    "py3langid, our 18": lambda: _py3langid(restricted=True),
    "lingua, our 18, low accuracy": lambda: _lingua(few=True, low=True),
    "lingua, all 75, high accuracy": lambda: _lingua(few=False, low=False),
    "vote, then lingua 18 low if undecided": lambda: _vote_then(_lingua(few=True, low=True)),
    "vote, then lingua 75 low if undecided": lambda: _vote_then(_lingua(few=False, low=True)),
    "vote, then py3langid 142 (shipped)": _shipped,
}


def read_jsonl(path: Path) -> list[dict[str, object]]:
    """One JSON object per line."""
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def day_scores(detect: Detect, rows: Sequence[dict[str, object]]) -> dict[str, int]:
    """Other languages found and named right, English lines called foreign, no-language lines left readable."""
    out = {"foreign": 0, "found": 0, "named": 0, "english": 0, "english_foreign": 0, "none": 0, "none_ok": 0}
    for row in rows:
        gold, got = str(row["lang"]), detect(str(row["text"]))
        if gold in ("und", "zxx"):  # emoji or a link only: nothing to read, so the English models may have it
            out["none"] += 1
            out["none_ok"] += got in ENGLISH
        elif gold == "en":
            out["english"] += 1
            out["english_foreign"] += got not in ENGLISH
        else:
            out["foreign"] += 1
            out["found"] += got not in ENGLISH
            out["named"] += got == gold
    return out


def false_foreign(detect: Detect, texts: Sequence[str]) -> list[str]:
    """The English texts a detector calls something we cannot read."""
    return [t for t in texts if detect(t) not in ENGLISH]


def throughput(detect: Detect, texts: Sequence[str], *, n: int = 6000, runs: int = 3) -> float:
    """Texts per second on one core, best of `runs` (a busy neighbour only ever slows a run)."""
    timed = (list(texts) * (n // len(texts) + 1))[:n]
    pinned = hasattr(os, "sched_setaffinity")
    before = os.sched_getaffinity(0) if pinned else set()
    if pinned:
        os.sched_setaffinity(0, {min(before)})
    try:
        for t in timed[:200]:
            detect(t)  # warm-up: lazily loaded models, caches
        best = 0.0
        for _ in range(runs):
            start = time.perf_counter()
            for t in timed:
                detect(t)
            best = max(best, len(timed) / (time.perf_counter() - start))
        return best
    finally:
        if pinned:
            os.sched_setaffinity(0, before)


def pipeline_rate(texts: Sequence[str]) -> float:
    """The whole tagging pipeline's comments per second on one core, as bench/nlp_eval.py measures it."""
    from listener.nlp import build_nlp
    from listener.nlp.evaluate import throughput_runs

    return max(throughput_runs(build_nlp(), texts))


def cold_load(name: str) -> tuple[float, float]:
    """Import, build and run a detector in a fresh process: (seconds, RSS MB added by it)."""
    out = subprocess.run(
        [sys.executable, __file__, "--load", name], capture_output=True, text=True, check=True, cwd=REPO
    )
    seconds, rss = out.stdout.split()
    return float(seconds), float(rss)


def _rss_mb() -> float:
    """This process's resident memory now, in MB (ru_maxrss would carry the parent's peak across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # no /proc: the peak will do


def _load_probe(name: str) -> int:
    """Print the seconds and the RSS (MB) that importing, building and first use of one detector cost."""
    base = _rss_mb()
    start = time.perf_counter()
    detect = FACTORIES[name]()
    # A text the vote decides, then one it cannot (so a combination loads its library too).
    detect("Is the terrace heated in winter? ¿Está abierto el domingo?")
    detect("Kapan sih lo ngebuktiin")
    seconds = time.perf_counter() - start
    print(seconds, _rss_mb() - base)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Print the comparison table; exit 2 when the data is missing."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared/data directory")
    ap.add_argument("--load", choices=sorted(FACTORIES), help=argparse.SUPPRESS)  # the cold-load probe
    ap.add_argument("--examples", type=int, default=0, help="show this many English texts each detector calls foreign")
    args = ap.parse_args(argv)
    if args.load:
        return _load_probe(args.load)
    paths = [args.data / DAY, *(args.data / p for p in ENGLISH_SETS.values())]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print("lang_bench: missing data files (pass --data DIR):\n  " + "\n  ".join(missing), file=sys.stderr)
        return 2
    absent = [m for m in ("py3langid", "lingua") if importlib.util.find_spec(m) is None]
    if absent:
        print(f"lang_bench: {', '.join(absent)} not installed (pip install -e '.[test]')", file=sys.stderr)
        return 2
    day = read_jsonl(args.data / DAY)
    english = {name: [str(r["text"]) for r in read_jsonl(args.data / p)] for name, p in ENGLISH_SETS.items()}
    everything = [str(r["text"]) for r in day] + [t for ts in english.values() for t in ts]
    shipped = _shipped()
    shipped_rate = throughput(lambda t: shipped(t)[0], everything)
    tagging = pipeline_rate(everything)
    foreign_total = sum(1 for r in day if r["lang"] not in ("en", "und", "zxx"))
    print(
        f"day: {len(day)} lines, {foreign_total} in another language, 6 with no words; English tweets: "
        + ", ".join(f"{k} {len(v):,}" for k, v in english.items())
        + f"; {len(OTHER)} sentences of ours in languages the vote has no words for"
    )
    print(f"tagging pipeline as shipped: {tagging:,.0f} comments/s on one core (budget 2,500)")
    print("found: called foreign (a person reads it); named: the right language; EN→foreign: English called")
    print("foreign; none ok: emoji or link lines left to the English models; pipeline/s: the tagging pipeline")
    print("with this detector in place of the shipped one; load: import + build + first use, cold process\n")
    head = (
        f"{'detector':<38} {'day found':>9} {'named':>5} {'EN→foreign':>10} {'none ok':>7} "
        + " ".join(f"{k + ' EN→foreign':>17}" for k in english)
        + f" {'other found':>11} {'named':>5} {'texts/s':>8} {'pipeline/s':>10} {'load s':>6} {'+MB':>4}"
    )
    print(head)
    print("-" * len(head))
    for name, factory in FACTORIES.items():
        detector = factory()

        def code(text: str, run: Callable[[str], tuple[str, float]] = detector) -> str:
            return run(text)[0]

        d = day_scores(code, day)
        wrong = {k: false_foreign(code, v) for k, v in english.items()}
        other = [code(text) for text in OTHER.values()]
        rate = throughput(code, everything)
        pipeline = 1 / (1 / tagging - 1 / shipped_rate + 1 / rate)  # per-comment costs add up
        load_s, load_mb = cold_load(name)
        print(
            f"{name:<38} {d['found']:>5}/{d['foreign']:<3} {d['named']:>5} "
            f"{d['english_foreign']:>5}/{d['english']:<4} {d['none_ok']:>4}/{d['none']:<2} "
            + " ".join(f"{len(wrong[k]):>8} ({len(wrong[k]) / len(english[k]):6.2%})" for k in english)
            + f" {sum(c not in ENGLISH for c in other):>7}/{len(OTHER):<3}"
            + f" {sum(c == want for c, want in zip(other, OTHER, strict=True)):>5}"
            + f" {rate:>8,.0f} {pipeline:>10,.0f} {load_s:>6.2f} {load_mb:>4.0f}"
        )
        for k in english:
            for text in wrong[k][: args.examples]:
                print(f"    {k}: {code(text)} {text[:90]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
