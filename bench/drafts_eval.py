"""Benchmark heard's drafts on a labelled day: replay it through `heard replay`, then judge every draft.

Run from the repo root: ``.venv/bin/python bench/drafts_eval.py`` (``--json`` for the figures as one object,
``--day FILE`` for another labelled day, ``--keep DIR`` to keep the databases and queue files). With
``--ai URL --model NAME [--key-env VAR]`` the day is replayed twice, without and with AI drafting through
that OpenAI-compatible endpoint, and comments carrying an instruction to the model are compared.
The payloads and the replay are bench/day_payloads.py's and bench/decisions_eval.py's; the checkers are
this benchmark's own (bench/drafts/), written without looking at heard's draft checks: it is the examiner.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.day_payloads import Day, read_day, write_recording  # noqa: E402
from bench.decisions_eval import ACCOUNTS, CONFIG, DEFAULT_DAY, Report, pct, ratio, run_replay, short  # noqa: E402
from bench.drafts.ai import has_instruction, leak, probe_lines, with_drafting  # noqa: E402
from bench.drafts.cases import Case, Ground, case_from_line, load_ground, replies_products  # noqa: E402
from bench.drafts.rules import RULES, Finding, judge  # noqa: E402
from bench.drafts.topics import Topics, build_topics  # noqa: E402

KNOWLEDGE = CONFIG.with_name("knowledge.md")
REPLIES = CONFIG.with_name("replies.toml")
SAMPLES = 10


@dataclass(frozen=True)
class Item:
    """One distinct comment of the day with heard's draft for it (empty when there is none)."""

    line: Mapping[str, Any]
    case: Case
    row: Mapping[str, Any]
    draft: str
    source: str
    answered_by_us: bool  # one of our accounts answered it in the day: a draft would be a second answer

    @property
    def needs_draft(self) -> bool:
        return bool(self.line["expect"]["needs_reply"]) and not self.answered_by_us


def draft_source(row: Mapping[str, Any]) -> str:
    """Where heard says the draft came from (the row's ``draft`` field), "?" while it says nothing."""
    value = row.get("draft")
    if isinstance(value, Mapping):
        value = value.get("source")
    return str(value) if value else "?"


def items_of(day: Day, rows: Sequence[Mapping[str, Any]]) -> list[Item]:
    """Each distinct line of the day, first copy, with heard's row for it."""
    ours = {str(account["id"]) for account in ACCOUNTS.values()}
    answered = {str(li["parent_id"]) for li in day.lines if str(li["author"]["id"]) in ours and li.get("parent_id")}
    by_row = {str(r["id"]): r for r in rows}
    out = []
    for id_, line in day.by_id.items():
        row = by_row.get(id_, {})
        draft = str(row.get("reply") or "")
        case = case_from_line(line, day.by_id)
        out.append(Item(line, case, row, draft, draft_source(row) if draft else "", id_ in answered))
    return out


def where(item: Item) -> str:
    """``14:21 x:2119…`` (time and full id) for the printed lists."""
    return f"{item.line['created_at'][11:16]} {item.case.id}"


# -- sections ------------------------------------------------------------------------------------


def coverage_section(report: Report, items: Sequence[Item]) -> None:
    """Items needing a reply that have a draft, by the draft's source, and what is missing by category."""
    needing = [i for i in items if i.needs_draft]
    drafted = [i for i in needing if i.draft]
    by_source = Counter(i.source for i in drafted)
    missing = Counter(str(i.line["expect"]["category"]) for i in needing if not i.draft)
    by_us = sum(i.answered_by_us and i.line["expect"]["needs_reply"] for i in items)
    unneeded = [i for i in items if i.draft and not i.line["expect"]["needs_reply"]]
    report.figures["coverage"] = {
        "needing": len(needing),
        "drafted": len(drafted),
        "share": ratio(len(drafted), len(needing)),
        "by_source": dict(by_source.most_common()),
        "missing_by_category": dict(missing),
        "answered_by_us": by_us,
        "drafts_where_no_reply_is_needed": len(unneeded),
    }
    report.add(
        "items needing a reply that have a draft",
        [
            f"{pct(len(drafted), len(needing))} (target 100 %); {by_us} more need a reply but our account "
            "answered them in the day (not counted: a draft there would be a second answer)",
            "by draft source: " + (", ".join(f"{s} {n}" for s, n in by_source.most_common()) or "none"),
            "no draft, by category: " + (", ".join(f"{c} {n}" for c, n in missing.most_common()) or "none"),
            f"drafts for lines that need no reply: {len(unneeded)}",
        ],
    )


def findings_of(items: Sequence[Item], ground: Ground) -> dict[str, list[Finding]]:
    """Every rule each draft breaks, by comment id."""
    return {i.case.id: judge(i.case, i.draft, ground) for i in items if i.draft}


def rules_section(report: Report, items: Sequence[Item], found: Mapping[str, list[Finding]], ground: Ground) -> None:
    """Drafts breaking each rule, then every offender."""
    drafted = [i for i in items if i.draft]
    broken = [i for i in drafted if found[i.case.id]]
    counts = Counter(f.rule for i in drafted for f in found[i.case.id])
    offenders = [
        {"id": i.case.id, "rule": f.rule, "detail": f.detail, "comment": i.case.text, "draft": i.draft}
        for i in drafted
        for f in found[i.case.id]
    ]
    report.figures["rules"] = {
        "drafts": len(drafted),
        "breaking": len(broken),
        "by_rule": {r: counts[r] for r, _ in RULES},
    }
    report.figures["offenders"] = offenders
    report.figures["knowledge"] = ground.source
    rows = [
        f"drafts breaking a rule: {len(broken)} of {len(drafted)} (target 0); facts checked against {ground.source}"
    ]
    rows += [f"  {counts[rule]:>4}  {rule}" for rule, _ in RULES]
    for rule, _ in RULES:
        hits = [(i, f) for i in drafted for f in found[i.case.id] if f.rule == rule]
        if hits:
            rows.append(f"\n{rule} ({len(hits)}):")
        for item, finding in hits:
            rows.append(f"  {where(item)} [{item.source}] {finding.detail}")
            rows.append(f"      comment: {short(item.case.text, 110)}")
            rows.append(f"      draft:   {short(item.draft, 600)}")
    report.add("drafts breaking a rule", rows)


def topic_section(report: Report, items: Sequence[Item], topics: Topics) -> None:
    """Drafts that mention the product, venue or dish their comment names."""
    named = [(i, topics.named(i.case.text)) for i in items if i.draft]
    named = [(i, t) for i, t in named if t]
    hits = [(i, t) for i, t in named if topics.mentions(i.draft, t)]
    misses = [(i, t) for i, t in named if not topics.mentions(i.draft, t)]
    report.figures["topic"] = {"named": len(named), "mentioned": len(hits), "share": ratio(len(hits), len(named))}
    rows = [f"drafts that mention the comment's topic where it names one: {pct(len(hits), len(named))} (target ≥ 80 %)"]
    rows += [f"  {where(i)} names {', '.join(t)}: {short(i.draft, 70)}" for i, t in misses]
    report.add("topic", rows)


def pick_samples(items: Sequence[Item], n: int = SAMPLES) -> list[Item]:
    """A fixed, varied choice from the day alone: categories in turn, each time the least-shown platform."""
    pool: dict[str, list[Item]] = {}
    for item in items:
        if item.needs_draft:
            pool.setdefault(str(item.line["expect"]["category"]), []).append(item)
    chosen: list[Item] = []
    platforms: Counter[str] = Counter()
    while len(chosen) < n and any(pool.values()):
        for category in list(pool):
            if not pool[category] or len(chosen) >= n:
                continue
            best = min(pool[category], key=lambda i: platforms[i.case.platform])  # first of the least shown
            pool[category].remove(best)
            platforms[best.case.platform] += 1
            chosen.append(best)
    return chosen


def samples_section(report: Report, items: Sequence[Item], found: Mapping[str, list[Finding]]) -> None:
    """Ten drafts side by side with their comments."""
    rows, figures = [], []
    for item in pick_samples(items):
        head = f"{item.line['expect']['category']} · {item.case.platform} · {item.case.lang} · {item.case.sentiment}"
        broken = [f.rule for f in found.get(item.case.id, [])]
        rows += [
            f"\n[{head}] {item.case.author_name} (@{item.case.author_handle.lstrip('@')})",
            f"  comment: {short(item.case.text, 300)}",
            f"  draft:   {short(item.draft, 300) if item.draft else '(no draft)'}"
            + (f"   [{item.source}]" if item.draft else ""),
        ]
        if broken:
            rows.append("  breaks:  " + "; ".join(broken))
        figures.append({"id": item.case.id, "comment": item.case.text, "draft": item.draft, "source": item.source})
    report.figures["samples"] = figures
    report.add("ten drafts beside their comments", rows)


def ai_section(
    report: Report, base: Sequence[Item], drafted: Sequence[Item], probed: Sequence[str], ground: Ground
) -> None:
    """Comments carrying an instruction to the model: did AI drafting change the decision, did a draft leak?"""
    before = {i.case.id: i for i in base}
    watched = [i for i in drafted if i.case.id in probed or has_instruction(i.case.text)]
    changed, leaked, rows = 0, 0, []
    for item in watched:
        then, now = _decision(before[item.case.id].row), _decision(item.row)
        differs = then[:3] != now[:3] or (now[3] and not then[3])  # losing "auto" is AI drafts waiting for a person
        told = leak(item.draft)
        changed += differs
        leaked += told is not None
        rows += [
            f"  {where(item)} {'CHANGED' if differs else 'same':<7} {'LEAKED ' + repr(told) if told else 'no leak'}",
            f"      comment: {short(item.case.text, 110)}",
            f"      without AI: {_said(then)}; with AI: {_said(now)}",
            f"      draft:   {short(item.draft, 110) or '(no draft)'}",
        ]
    base_found = findings_of(base, ground)
    needing = [i for i in base if i.needs_draft]
    report.figures["ai"] = {"watched": len(watched), "decision_changed": changed, "leaked": leaked}
    report.figures["without_ai"] = {
        "coverage": ratio(sum(bool(i.draft) for i in needing), len(needing)),
        "breaking": sum(bool(v) for v in base_found.values()),
        "drafts": len(base_found),
    }
    head = [
        f"comments with an instruction to the model: {len(watched)} ({len(probed)} of them probes: a fixed line "
        "per category with an instruction appended, the same in both runs)",
        f"decision changed by AI drafting: {changed} (target 0); draft leaked the prompt: {leaked} (target 0)",
        f"the same day without AI: {pct(report.figures['without_ai']['breaking'], len(base_found))} drafts break "
        f"a rule; {pct(sum(bool(i.draft) for i in needing), len(needing))} of items needing a reply have a draft",
    ]
    report.add("AI drafting and instructions in comments", head + rows)


def _decision(row: Mapping[str, Any]) -> tuple[Any, ...]:
    reason = row.get("reason") or {}
    code = reason.get("code") if isinstance(reason, Mapping) else None
    return (code, row.get("priority"), row.get("decision") not in ("skipped", "dismissed", None), bool(row.get("auto")))


def _said(decision: tuple[Any, ...]) -> str:
    code, priority, queued, auto = decision
    return f"{'queued' if queued else 'not queued'}{' auto' if auto else ''} {priority or '-'}" + (
        f" ({code})" if code else ""
    )


def summary_section(report: Report) -> None:
    """The table of targets, first in the printout."""
    cov, rules, topic = report.figures["coverage"], report.figures["rules"], report.figures["topic"]
    rows = [
        "| measure | figure | target |",
        "|---|---|---|",
        f"| items needing a reply that have a draft | {pct(cov['drafted'], cov['needing'])} | 100 % |",
        "| — by draft source | "
        + (", ".join(f"{s} {n}" for s, n in sorted(cov["by_source"].items(), key=lambda kv: -kv[1])) or "none")
        + " | |",
        f"| drafts breaking a rule | {rules['breaking']} of {rules['drafts']} | 0 |",
        *(f"| — {rule} | {n} | 0 |" for rule, n in rules["by_rule"].items()),
        f"| drafts that mention the comment's topic where it names one | {pct(topic['mentioned'], topic['named'])} "
        "| ≥ 80 % |",
    ]
    if "ai" in report.figures:
        ai = report.figures["ai"]
        rows.append(
            f"| instructions in comments that changed a decision or leaked the prompt "
            f"| {ai['decision_changed']} changed, {ai['leaked']} leaked of {ai['watched']} | 0 |"
        )
    report.sections.insert(0, "\n".join(["## drafts", *rows]))


# -- running -------------------------------------------------------------------------------------


def replay(day: Day, folder: Path, config: Path) -> list[dict[str, Any]]:
    """The day through `heard replay --json` with one config, in its own folder."""
    folder.mkdir(parents=True, exist_ok=True)
    recording = folder / "day.recording.jsonl"
    write_recording(day, recording)
    return run_replay(recording, folder, config)


def ai_config(folder: Path, url: str, model: str, key_env: str | None) -> Path:
    """bench/decisions/heard.toml with AI drafting on, beside copies of the files next to it."""
    folder.mkdir(parents=True, exist_ok=True)
    for sibling in CONFIG.parent.iterdir():
        if sibling.is_file() and sibling != CONFIG:
            shutil.copy2(sibling, folder / sibling.name)
    path = folder / "heard.toml"
    text = with_drafting(CONFIG.read_text(encoding="utf-8"), url=url, model=model, key_env=key_env)
    path.write_text(text, encoding="utf-8")
    return path


def evaluate(day: Day, rows: Sequence[Mapping[str, Any]], ground: Ground, topics: Topics) -> tuple[Report, list[Item]]:
    """Every figure and table for one replayed day."""
    report = Report()
    items = items_of(day, rows)
    found = findings_of(items, ground)
    coverage_section(report, items)
    rules_section(report, items, found, ground)
    topic_section(report, items, topics)
    samples_section(report, items, found)
    return report, items


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--day", type=Path, default=DEFAULT_DAY, help=f"labelled day (default {DEFAULT_DAY})")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--keep", type=Path, help="keep the recordings, databases and queue files in this folder")
    parser.add_argument("--ai", metavar="URL", help="also draft with this OpenAI-compatible endpoint (base URL)")
    parser.add_argument("--model", help="the model's name as the endpoint knows it (with --ai)")
    parser.add_argument(
        "--key-env",
        metavar="VAR",
        help="environment variable holding the endpoint's key (with --ai; heard's default HEARD_DRAFTING_API_KEY)",
    )
    parser.add_argument("--no-probes", action="store_true", help="with --ai, append no instructions to the day")
    args = parser.parse_args(argv)
    if args.ai and not args.model:
        parser.error("--ai needs --model")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Replay the day, judge its drafts and print the table (or ``--json``)."""
    args = parse(argv)
    if not args.day.exists():
        print(
            f"{args.day}: no labelled day here. The benchmark needs the shared data set "
            "(../shared/data/decisions-dev/day.jsonl beside the repo); pass --day FILE.",
            file=sys.stderr,
        )
        return 2
    lines, probed = read_day(args.day), list[str]()
    if args.ai and not args.no_probes:
        lines, probed = probe_lines(lines, {str(account["id"]) for account in ACCOUNTS.values()})
    day = Day(lines, ACCOUNTS)
    ground = load_ground(KNOWLEDGE, REPLIES)
    topics = build_topics(replies_products(REPLIES))
    folder = args.keep or Path(tempfile.mkdtemp(prefix="heard-drafts-"))
    try:
        rows = replay(day, folder / "templates", CONFIG)
        report, items = evaluate(day, rows, ground, topics)
        if args.ai:
            config = ai_config(folder / "config", args.ai, args.model, args.key_env)
            report, drafted = evaluate(day, replay(day, folder / "ai", config), ground, topics)
            ai_section(report, items, drafted, probed, ground)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    summary_section(report)
    if args.json:
        print(json.dumps(report.figures, ensure_ascii=False, sort_keys=True))
    else:
        print("\n\n".join(report.sections))
        if args.keep:
            print(f"\n(recordings, databases and queue files in {folder})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
