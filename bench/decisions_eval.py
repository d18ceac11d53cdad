"""Benchmark heard's decisions on a labelled day: replay it through `heard replay` and compare with `expect`.

Run from the repo root: ``.venv/bin/python bench/decisions_eval.py`` (``--json`` for the figures as one
object, ``--keep DIR`` to keep the database and queue file, ``--day PATH`` for another labelled day).
Every line becomes a payload in its platform's real API shape (bench/day_payloads.py), all of them one
replay recording, run through the real CLI with bench/decisions/heard.toml. See docs/decisions.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ruamel.yaml import YAML  # noqa: E402

from bench.day_payloads import Day, native, payload, read_day, write_recording  # noqa: E402
from listener.platforms import spec  # noqa: E402
from listener.records import Account, Comment  # noqa: E402

DEFAULT_DAY = REPO.parent / "shared" / "data" / "decisions-dev" / "day.jsonl"
CONFIG = REPO / "bench" / "decisions" / "heard.toml"
# Our accounts, from the day's README ("Our accounts").
ACCOUNTS = {
    "x": {"id": "2841736459", "handle": "emberandoak"},
    "reddit": {"id": "t2_5m2e9kq1", "handle": "EmberAndOak_MCR"},
    "mastodon": {"id": "109402851772093416", "handle": "emberandoak@mastodonapp.uk"},
    "bluesky": {"id": "did:plc:e5kqz3o7wmbtn2rycxa4hvdj", "handle": "emberandoak.co.uk"},
    "youtube": {"id": "UCq7Xe0bRtM4nWk2PzL9sEaA", "handle": "@EmberAndOakMCR"},
}
INTENTS = ("question", "complaint", "request", "praise", "other")
SENTIMENTS = ("positive", "neutral", "negative")
NOT_QUEUED = {"skipped", "dismissed", "undecided", "", None}
# Intent confusions a person would forgive more easily (DECISIONS.md §3): half right.
SOFT_INTENT = {frozenset({"complaint", "request"}), frozenset({"question", "request"})}
FIDELITY_EXAMPLES = 5  # mismatches listed per field
FIDELITY_FIELDS = (
    "id",
    "author.id",
    "author.handle",
    "author.name",
    "author.bio",
    "author.bot_flag",
    "text",
    "created_at",
    "parent_id",
    "conversation_id",
    "source",
)


# -- heard's answer for one line -------------------------------------------------------------------


@dataclass(frozen=True)
class Got:
    """What heard decided about one day line, read from `heard replay --json` and the queue file."""

    stored: bool
    needs_reply: bool
    code: str | None  # skip reason code; "?" when heard's output gives only a sentence
    reason: str
    queued: bool
    auto: bool
    priority: str
    is_question: bool | None
    sentiment: str | None
    intent: str | None
    decision: str


def read_got(row: Mapping[str, Any]) -> Got:
    """One `heard replay --json` object, in the documented schema or the older one (reason as a string)."""
    tags = row.get("tags") or {}
    decision = str(row.get("decision") or "")
    reason = row.get("reason")
    queued = decision not in NOT_QUEUED
    if isinstance(reason, Mapping):
        code = reason.get("code")
        needs, text = code is None, str(reason.get("text") or "")
    else:
        # The older output: a dismissed record carries the policy's sentence; no machine code yet.
        needs = bool(tags.get("needs_reply")) and decision not in ("dismissed", "skipped")
        code, text = (None if needs else "?"), str(reason or "")
    auto = bool(row["auto"]) if "auto" in row else decision == "approved"
    return Got(
        stored=True,
        needs_reply=needs,
        code=code,
        reason=text,
        queued=queued,
        auto=auto,
        priority=str(row.get("priority") or tags.get("priority") or ""),
        is_question=tags.get("is_question"),
        sentiment=tags.get("sentiment"),
        intent=tags.get("intent"),
        decision=decision,
    )


REDELIVERED = Got(False, False, "duplicate", "same id already stored", False, False, "low", None, None, None, "")


# -- conversion fidelity -------------------------------------------------------------------------


def with_prefix(platform: str, value: str | None) -> str | None:
    """An id in the day's ``platform:native`` form, whether or not heard kept the prefix."""
    if not value:
        return None
    return value if value.startswith(f"{platform}:") else f"{platform}:{value}"


def expected_fields(line: Mapping[str, Any]) -> dict[str, Any]:
    """The fields normalise must reproduce, in the shape heard gives them where the platform differs."""
    platform, author = line["platform"], line["author"]
    text = str(line["text"])
    handle = str(author["handle"])
    name, bio = author["name"], author["bio"]
    parent, conversation = line.get("parent_id"), line.get("conversation_id")
    if platform == "reddit":
        name, bio = handle, ""  # Reddit things carry the username only: no display name, no profile text
        if native(line["id"]).startswith("t3_"):
            title, _, body = text.partition("\n\n")
            text = f"{title.strip('*')}\n\n{body}"  # markdown bold is the day's rendering of the title
    if platform == "youtube":
        name, bio = handle, ""  # YouTube gives the @handle as authorDisplayName, and no channel description
        # A top-level comment has no parentId (the day names the video); heard's conversation is the thread.
        parent = parent if parent and native(parent).startswith("Ug") else None
        conversation = with_prefix("youtube", native(parent) if parent else native(line["id"]))
    if platform == "mastodon":
        domain = ACCOUNTS["mastodon"]["handle"].partition("@")[2]
        handle = handle.removesuffix(f"@{domain}")  # acct: local accounts have no domain
    return {
        "id": line["id"],
        "author.id": str(author["id"]),
        "author.handle": handle,
        "author.name": name,
        "author.bio": bio,
        "author.bot_flag": bool(author["is_bot_account"]),
        "text": text,
        "created_at": line["created_at"],
        "parent_id": parent,
        "conversation_id": conversation,
        "source": line["source"],
    }


def actual_fields(comment: Comment) -> dict[str, Any]:
    """The same fields read from heard's Comment."""
    source = {"thread": "comment"}.get(comment.source, comment.source)
    return {
        "id": comment.id,
        "author.id": comment.author.id,
        "author.handle": comment.author.handle,
        "author.name": comment.author.name,
        "author.bio": comment.author.bio,
        "author.bot_flag": comment.author.is_bot,
        "text": comment.text,
        "created_at": comment.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "parent_id": comment.parent_id,
        "conversation_id": with_prefix(comment.platform, comment.conversation_id),
        "source": source,
    }


def fidelity(day: Day) -> tuple[Counter[str], list[tuple[Mapping[str, Any], str, Any, Any]], Counter[str]]:
    """Normalise every line's payload as replay does; count mismatches per field (and bot-heuristic extras)."""
    counts: Counter[str] = Counter()
    heuristic: Counter[str] = Counter()
    misses: list[tuple[Mapping[str, Any], str, Any, Any]] = []
    seen: set[str] = set()
    for line in day.lines:
        acc = ACCOUNTS[line["platform"]]
        account = Account(line["platform"], acc["id"], acc["handle"])
        comment = spec(line["platform"]).normalise(payload(line, day), account)
        want, got = expected_fields(line), actual_fields(comment)
        again = line["id"] in seen
        seen.add(line["id"])
        for key in FIDELITY_FIELDS:
            if key == "source" and (again or line["author"]["id"] == acc["id"]):
                # Our own lines are own whatever their source; a re-delivered tweet or post is read
                # from its content, so its second copy (from a search) is what its first copy was.
                continue
            if key == "author.bot_flag" and got[key] and not want[key]:
                heuristic[line["platform"]] += 1  # heard's handle/bio guess on top of the platform flag
                continue
            if want[key] != got[key]:
                counts[key] += 1
                misses.append((line, key, want[key], got[key]))
    return counts, misses, heuristic


# -- running heard -------------------------------------------------------------------------------


def run_replay(recording: Path, folder: Path, config: Path = CONFIG) -> list[dict[str, Any]]:
    """`heard --config bench/decisions/heard.toml replay REC --db DIR/heard.db --json`, as a user runs it."""
    command = [
        sys.executable,
        "-m",
        "heard",
        "--config",
        str(config),
        "replay",
        str(recording),
        "--db",
        str(folder / "heard.db"),
        "--json",
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"heard replay failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def queue_order(path: Path) -> list[str]:
    """Item ids in the queue file, in queue order."""
    if not path.exists():
        return []
    doc = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    return [str(item["id"]) for item in doc.get("items") or []]


def answers(day: Day, rows: Sequence[Mapping[str, Any]]) -> list[Got]:
    """heard's answer for each day line, in file order; a re-delivered id counts as heard's duplicate."""
    by_id = {str(r["id"]): read_got(r) for r in rows}
    seen: set[str] = set()
    out = []
    for line in day.lines:
        if line["id"] in seen:
            out.append(REDELIVERED)
            continue
        seen.add(line["id"])
        out.append(by_id.get(line["id"], Got(False, False, None, "not stored", False, False, "", None, None, None, "")))
    return out


# -- the figures ---------------------------------------------------------------------------------


@dataclass
class Report:
    """Every figure the benchmark prints."""

    figures: dict[str, Any] = field(default_factory=dict)
    sections: list[str] = field(default_factory=list)

    def add(self, title: str, lines: Iterable[str]) -> None:
        """Add one printed section."""
        self.sections.append("\n".join([f"## {title}", *lines]))


def pct(part: float, whole: float) -> str:
    """``12/40 (30.0 %)``."""
    return f"{part:g}/{whole:g} ({100 * part / whole:.1f} %)" if whole else f"{part:g}/0 (n/a)"


def ratio(part: float, whole: float) -> float | None:
    """A share rounded for JSON, or None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


def short(text: str, width: int = 70) -> str:
    """One line of text, cut to ``width``."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def where(line: Mapping[str, Any]) -> str:
    """``14:21 bluesky …id-tail`` for tables."""
    return f"{line['created_at'][11:16]} {line['platform']:<8} {line['id'][-14:]}"


def needs_reply_section(report: Report, lines: Sequence[Mapping[str, Any]], got: Sequence[Got]) -> None:
    """needs-reply accuracy, recall, false alarms, by expected skip reason, and misses by heard's reason."""
    pairs = list(zip(lines, got, strict=True))
    right = sum(line["expect"]["needs_reply"] == g.needs_reply for line, g in pairs)
    positives = [(line, g) for line, g in pairs if line["expect"]["needs_reply"]]
    found = sum(g.needs_reply for _, g in positives)
    alarms = [(line, g) for line, g in pairs if g.needs_reply and not line["expect"]["needs_reply"]]
    by_reason: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line, g in pairs:
        key = line["expect"]["skip_reason"] or "(needs reply)"
        by_reason[key][0] += line["expect"]["needs_reply"] == g.needs_reply
        by_reason[key][1] += 1
    missed = Counter(f"{g.code or '-'}: {short(g.reason, 50)}" for _, g in positives if not g.needs_reply)
    report.figures["needs_reply"] = {
        "accuracy": ratio(right, len(pairs)),
        "recall": ratio(found, len(positives)),
        "false_alarms": len(alarms),
        "by_expected_skip_reason": {k: {"right": v[0], "of": v[1]} for k, v in sorted(by_reason.items())},
        "misses_by_heard_reason": dict(missed),
    }
    rows = [
        f"accuracy {pct(right, len(pairs))}   recall {pct(found, len(positives))}   false alarms {len(alarms)}",
        "by expected skip_reason (right/of):",
        *(f"  {k:<22} {pct(v[0], v[1])}" for k, v in sorted(by_reason.items(), key=lambda kv: -kv[1][1])),
        "needed a reply, heard skipped it, by heard's reason:",
        *(f"  {n:>3}  {k}" for k, n in missed.most_common()),
    ]
    report.add("needs_reply", rows)


def queued_wrongly_section(report: Report, lines: Sequence[Mapping[str, Any]], got: Sequence[Got]) -> None:
    """Replies queued for lines that must get none, and auto-approvals that were not allowed."""
    wrong = [(line, g) for line, g in zip(lines, got, strict=True) if line["expect"]["skip_reason"] and g.queued]
    autos = [(line, g) for line, g in zip(lines, got, strict=True) if g.auto and not line["expect"]["may_auto_reply"]]
    allowed = [(line, g) for line, g in zip(lines, got, strict=True) if line["expect"]["may_auto_reply"]]
    hit = sum(g.auto for _, g in allowed)
    report.figures["queued_for_skip"] = len(wrong)
    report.figures["auto_not_allowed"] = len(autos)
    report.figures["auto_recall"] = ratio(hit, len(allowed))
    rows = [f"replies queued where skip_reason is set: {len(wrong)} (target 0)"]
    rows += [
        f"  {where(li)} {li['expect']['skip_reason']:<20} {g.decision:<9} {short(li['text'], 60)}" for li, g in wrong
    ]
    rows.append(f"auto-approved where may_auto_reply is false: {len(autos)} (target 0)")
    rows += [
        f"  {where(li)} {li['expect']['intent']:<9}/{li['expect']['sentiment']:<8} {short(li['text'], 60)}"
        for li, _ in autos
    ]
    rows.append(f"auto-reply recall: {pct(hit, len(allowed))} (target ≥ 60 %)")
    report.add("replies that must not go out", rows)


def priority_section(report: Report, lines: Sequence[Mapping[str, Any]], got: Sequence[Got], queue: list[str]) -> None:
    """High-priority recall and where each expected-high line sits in the queue file."""
    position = {item: i + 1 for i, item in enumerate(queue)}
    expected_high = [(line, g) for line, g in zip(lines, got, strict=True) if line["expect"]["priority"] == "high"]
    tagged = sum(g.priority == "high" for _, g in expected_high)
    others = [position[li["id"]] for li in lines if li["expect"]["priority"] != "high" and li["id"] in position]
    first_other = min(others) if others else len(queue) + 1
    rows, ahead = [], 0
    for line, g in expected_high:
        at = position.get(line["id"])
        before = at is not None and at < first_other
        ahead += before
        rows.append(
            f"  {where(line)} heard {g.priority or '-':<6} queue {str(at or '-'):>4} "
            f"{'ahead' if before else 'BEHIND':<6} {short(line['text'], 50)}"
        )
    report.figures["high"] = {
        "tagged_high": tagged,
        "of": len(expected_high),
        "ahead_of_every_other": ahead,
        "queue_positions": {li["id"]: position.get(li["id"]) for li, _ in expected_high},
    }
    head = f"high tagged high {pct(tagged, len(expected_high))}; ahead of every other item {ahead}/{len(expected_high)}"
    report.add("high priority", [head, f"  (first non-high item in the queue: position {first_other})", *rows])


def same_words(a: str, b: str) -> float:
    """Word overlap (Jaccard) of two texts with their @mentions removed."""
    wa = set(re.sub(r"@[\w.\-@]+", " ", a.lower()).split())
    wb = set(re.sub(r"@[\w.\-@]+", " ", b.lower()).split())
    return len(wa & wb) / len(wa | wb) if wa | wb else 0.0


def first_copy(line: Mapping[str, Any], earlier: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The earlier line a double-submit or cross-post repeats: same author or same person, near-same text."""
    who = line["author"]
    best, score = None, 0.6
    for other in earlier:
        same = other["author"]["id"] == who["id"] or (
            other["author"]["name"] == who["name"] and other["author"]["bio"] == who["bio"]
        )
        if same and other["id"] != line["id"] and (s := same_words(other["text"], line["text"])) >= score:
            best, score = other, s
    return best


def repeats_section(report: Report, lines: Sequence[Mapping[str, Any]], got: Sequence[Got]) -> None:
    """One person's double-submit or cross-post: count groups where more than one reply was queued."""
    queued = {line["id"]: g.queued for line, g in zip(lines, got, strict=True) if g.stored}
    groups = []
    for i, line in enumerate(lines):
        traits = set(line["expect"].get("traits") or ())
        if traits & {"double_submit", "cross_post"}:
            first = first_copy(line, lines[:i])
            groups.append((line, first))
    twice = [(li, f) for li, f in groups if f is not None and queued.get(li["id"]) and queued.get(f["id"])]
    report.figures["answered_twice"] = len(twice)
    rows = [f"groups {len(groups)}, with more than one queued reply: {len(twice)} (target 0)"]
    for line, first in groups:
        flag = "TWICE" if (line, first) in twice else "once" if first else "no first copy found"
        rows.append(f"  {where(line)} {flag:<6} first {first['id'][-14:] if first else '-'} {short(line['text'], 50)}")
    report.add("double-submits and cross-posts", rows)


def tag_sections(report: Report, lines: Sequence[Mapping[str, Any]], got: Sequence[Got]) -> None:
    """is_question F1, sentiment macro-recall and intent accuracy over the lines heard stored."""
    pairs = [(line, g) for line, g in zip(lines, got, strict=True) if g.stored and g.intent is not None]
    tp = sum(li["expect"]["is_question"] and bool(g.is_question) for li, g in pairs)
    fp = sum(not li["expect"]["is_question"] and bool(g.is_question) for li, g in pairs)
    fn = sum(li["expect"]["is_question"] and not g.is_question for li, g in pairs)
    precision, recall = (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    recalls = {}
    for label in SENTIMENTS:
        of = [g for li, g in pairs if li["expect"]["sentiment"] == label]
        recalls[label] = sum(g.sentiment == label for g in of) / len(of) if of else 0.0
    macro = sum(recalls.values()) / len(recalls)
    confusion: Counter[tuple[str, str]] = Counter((li["expect"]["intent"], str(g.intent)) for li, g in pairs)
    exact = sum(n for (e, a), n in confusion.items() if e == a)
    soft = exact + 0.5 * sum(n for (e, a), n in confusion.items() if frozenset({e, a}) in SOFT_INTENT)
    report.figures["is_question"] = {"f1": round(f1, 4), "precision": round(precision, 4), "recall": round(recall, 4)}
    report.figures["sentiment_macro_recall"] = round(macro, 4)
    report.figures["sentiment_recall"] = {k: round(v, 4) for k, v in recalls.items()}
    report.figures["intent"] = {
        "accuracy": ratio(exact, len(pairs)),
        "soft_accuracy": ratio(soft, len(pairs)),
        "confusion": {f"{e}->{a}": n for (e, a), n in sorted(confusion.items())},
    }
    report.add(
        "tags (over the lines heard stored)",
        [
            f"is_question F1 {f1:.3f} (P {precision:.3f}, R {recall:.3f}) over {len(pairs)} lines",
            "sentiment macro-recall {:.3f} ({})".format(macro, ", ".join(f"{k} {v:.2f}" for k, v in recalls.items())),
            f"intent accuracy {pct(exact, len(pairs))}, soft {pct(soft, len(pairs))}",
            "  expected \\ heard " + "".join(f"{a[:9]:>10}" for a in INTENTS),
            *(f"  {e:<17}" + "".join(f"{confusion[(e, a)]:>10}" for a in INTENTS) for e in INTENTS),
        ],
    )


def skip_confusion_section(report: Report, lines: Sequence[Mapping[str, Any]], got: Sequence[Got]) -> None:
    """Expected skip_reason against heard's code (or heard's sentence while it gives no code)."""
    confusion: Counter[tuple[str, str]] = Counter()
    for line, g in zip(lines, got, strict=True):
        theirs = g.code if g.code not in (None, "?") else ("(reply)" if g.code is None else short(g.reason, 40))
        confusion[(line["expect"]["skip_reason"] or "(reply)", theirs or "(reply)")] += 1
    report.figures["skip_confusion"] = {f"{e} -> {a}": n for (e, a), n in sorted(confusion.items())}
    rows = [f"  {n:>4}  {e:<20} -> {a}" for (e, a), n in sorted(confusion.items(), key=lambda kv: (kv[0][0], -kv[1]))]
    report.add("skip_reason: expected -> heard", rows)


def miss_rows(lines: Sequence[Mapping[str, Any]], got: Sequence[Got]) -> list[tuple[Mapping[str, Any], str, Any, Any]]:
    """Every (line, field, expected, got) where heard disagrees with the label."""
    out: list[tuple[Mapping[str, Any], str, Any, Any]] = []
    checks: list[tuple[str, Callable[[Mapping[str, Any]], Any], Callable[[Got], Any]]] = [
        ("needs_reply", lambda e: e["needs_reply"], lambda g: g.needs_reply),
        ("skip_reason", lambda e: e["skip_reason"], lambda g: g.code),
        ("may_auto_reply", lambda e: e["may_auto_reply"], lambda g: g.auto),
        ("priority", lambda e: e["priority"], lambda g: g.priority),
        ("is_question", lambda e: e["is_question"], lambda g: g.is_question),
        ("sentiment", lambda e: e["sentiment"], lambda g: g.sentiment),
        ("intent", lambda e: e["intent"], lambda g: g.intent),
    ]
    for line, g in zip(lines, got, strict=True):
        for name, want, have in checks:
            value = have(g)
            if name == "skip_reason" and value == "?":
                continue  # heard gave no code: counted under needs_reply
            if name in ("is_question", "sentiment", "intent", "priority") and not g.stored:
                continue  # a re-delivered copy has no tags of its own
            if name == "priority" and not g.needs_reply and not line["expect"]["needs_reply"]:
                continue  # nothing to queue: priority only orders the queue
            if want(line["expect"]) != value:
                out.append((line, name, want(line["expect"]), value))
    return out


def misses_section(report: Report, lines: Sequence[Mapping[str, Any]], got: Sequence[Got]) -> None:
    """The table of every miss, field by field."""
    rows = miss_rows(lines, got)
    report.figures["misses"] = dict(Counter(name for _, name, _, _ in rows))
    table = [f"  {where(li)} {name:<14} {str(e):<10} {str(a):<10} {short(li['text'], 60)}" for li, name, e, a in rows]
    report.add(f"every miss ({len(rows)})", ["  time  platform id-tail        field          expected   got", *table])


def fidelity_section(report: Report, day: Day) -> None:
    """Conversion mismatches per field: each is a bug in the converter or a normaliser."""
    counts, misses, heuristic = fidelity(day)
    report.figures["conversion_mismatches"] = dict(counts)
    report.figures["bot_by_heuristic_only"] = dict(heuristic)
    rows = [
        "mismatches per field: " + (", ".join(f"{k} {counts[k]}" for k in FIDELITY_FIELDS if counts[k]) or "none"),
        "bot guessed by heard from handle/bio without a platform flag: "
        + (", ".join(f"{k} {v}" for k, v in sorted(heuristic.items())) or "none"),
    ]
    shown: Counter[str] = Counter()
    for line, key, want, got in misses:
        shown[key] += 1
        if shown[key] <= FIDELITY_EXAMPLES:
            rows.append(f"  {where(line)} {key:<16} want {short(str(want), 40)!r} got {short(str(got), 40)!r}")
    report.add("conversion fidelity (normalise of each payload vs the line)", rows)


def evaluate(day: Day, rows: Sequence[Mapping[str, Any]], queue: list[str]) -> Report:
    """Every figure and table for one replayed day."""
    report = Report()
    got = answers(day, rows)
    lines = day.lines
    report.figures["lines"] = len(lines)
    report.figures["stored"] = len(rows)
    report.figures["queue_items"] = len(queue)
    report.add("stored", [f"lines {len(lines)}, items stored {len(rows)} (target {len({li['id'] for li in lines})})"])
    fidelity_section(report, day)
    needs_reply_section(report, lines, got)
    queued_wrongly_section(report, lines, got)
    priority_section(report, lines, got, queue)
    repeats_section(report, lines, got)
    tag_sections(report, lines, got)
    skip_confusion_section(report, lines, got)
    misses_section(report, lines, got)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Replay the day through heard and print the table (or ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--day", type=Path, default=DEFAULT_DAY, help=f"labelled day (default {DEFAULT_DAY})")
    parser.add_argument("--keep", type=Path, help="keep the recording, database and queue file in this folder")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)
    if not args.day.exists():
        print(
            f"{args.day}: no labelled day here. The benchmark needs the shared data set "
            "(../shared/data/decisions-dev/day.jsonl beside the repo); pass --day PATH.",
            file=sys.stderr,
        )
        return 2
    day = Day(read_day(args.day), ACCOUNTS)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="heard-decisions-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        recording = folder / "day.recording.jsonl"
        write_recording(day, recording)
        rows = run_replay(recording, folder)
        report = evaluate(day, rows, queue_order(folder / "queue.yaml"))
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    if args.json:
        print(json.dumps(report.figures, ensure_ascii=False, sort_keys=True))
    else:
        print("\n\n".join(report.sections))
        if args.keep:
            print(f"\n(recording, database and queue file in {folder})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
