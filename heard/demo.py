"""Run the whole loop over the bundled recording, printing what each stage did."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import MappingProxyType

from ruamel.yaml import YAML

from heard.app import App
from heard.settings import PlatformSettings, Settings
from listener.platforms.replay import read_outbox
from listener.poll import source_key

# The demo brand's own templates and FAQ answers, used when replaying the bundled recording.
DEMO_REPLIES = Path("config/demo/replies.toml")
# How many items the demo approves "as a person would" on its first run.
DEMO_APPROVALS = 4


def demo_settings(settings: Settings, folder: Path, recording: Path | None = None) -> Settings:
    """Settings for a demo run: a database, queue and outbox in ``folder``, and only the replay platform."""
    outbox = folder / "outbox.jsonl"
    replay = PlatformSettings(
        "replay",
        True,
        MappingProxyType({"recording": str(recording or settings.recording), "outbox": str(outbox)}),
        MappingProxyType({}),
    )
    platforms = {name: dataclasses.replace(ps, enabled=False) for name, ps in settings.platforms.items()}
    platforms["replay"] = replay
    replies = DEMO_REPLIES if recording is None and DEMO_REPLIES.exists() else settings.replies_path
    return dataclasses.replace(
        settings,
        database=folder / "heard.db",
        queue_file=folder / "queue.yaml",
        outbox=outbox,
        platforms=MappingProxyType(platforms),
        dry_run=False,
        replies_path=replies,
    )


def ingest(app: App, *, now: datetime) -> tuple[int, int]:
    """Replay every page of the recording; return (new, already known)."""
    new = fetched = 0
    for client in {id(c): c for c in app.clients.values()}.values():
        for source in client.sources():
            # A recording is replayed whole every time; what was stored before is recognised.
            app.store.reset_cursor(source_key(client, source))
            while True:
                result = app.poll_source(client, source, now=now)
                new, fetched = new + result.stored, fetched + result.fetched
                if not result.more or result.error:
                    break
    return new, fetched - new


def approve_like_a_person(queue: Path, count: int) -> list[str]:
    """Edit the queue file as a person would: approve a few items, editing the first reply."""
    yaml = YAML(typ="rt")
    doc = yaml.load(queue.read_text(encoding="utf-8"))
    approved: list[str] = []
    for item in doc.get("items") or []:
        if len(approved) >= count:
            break
        if item.get("reply"):
            item["action"] = "approve"
            if not approved:
                item["reply"] = str(item["reply"]) + " \u2615"
            approved.append(str(item["id"]))
    with open(queue, "w", encoding="utf-8") as handle:
        yaml.dump(doc, handle)
    return approved


def run_demo(app: App, *, now: datetime, say: Callable[[str], None]) -> dict[str, int]:
    """Run every stage once over the recording and narrate it; return the key figures."""
    from responders.escalate import TerminalNotifier

    s = app.settings
    say(f"heard demo: database {s.database}, queue file {s.queue_file}, outbox {s.outbox}")
    new, known = ingest(app, now=now)
    say(f"1. listen   stored {new} new comments" + (f", {known} already known" if known else ""))
    own = app.fetch_own_posts(now=now)
    say(
        "           our own posts with their metrics, for the report's audience health: "
        + (", ".join(f"{k} {v}" for k, v in sorted(own.stored.items())) or "none in the recording")
    )
    work = app.work(now=now, through="queue", keep_going=False)
    tagged, decided, synced = work.tagged or 0, work.decided, work.synced
    assert decided is not None and synced is not None  # keep_going=False: each ran, or an error was raised
    say(f"2. tag      tagged {tagged} comments" + (" (nothing new)" if not tagged else ""))
    if tagged:
        for column in ("intent", "sentiment", "priority"):
            counts = app.store.tag_counts(column)
            say(f"           {column}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    say(
        f"3. suggest  {decided.suggested} replies suggested ({decided.needs_human} need a human answer), "
        f"{decided.auto_approved} approved by rule"
    )
    for reason, count in sorted(Counter(decided.skipped).items(), key=lambda kv: -kv[1]):
        say(f"           skipped {count}: {reason}")
    say(f"4. queue    {synced.pending} items waiting in {s.queue_file}")
    approved: list[str] = []
    if new:
        approved = approve_like_a_person(s.queue_file, DEMO_APPROVALS)
        say(
            f"5. approve  (as a person would) approved {len(approved)} items in the queue file, editing the first reply"
        )
    else:
        say("5. approve  nothing new to approve")
    # The person's edits are read by the queue stage, then posted: the same two stages as `heard post`.
    posted = app.work(now=now, stages=("queue", "post"), keep_going=False).posted
    assert posted is not None
    outbox = read_outbox(s.outbox)
    say(f"6. post     posted {posted.posted} replies ({posted.reconciled} reconciled); outbox holds {len(outbox)}")
    say("7. escalate")
    sent = app.escalate(TerminalNotifier(lambda line: say("           " + line)), now=now)
    if not sent:
        say("           no new notices (each overdue comment is announced once per step)")
    return {
        "new": new,
        "known": known,
        "tagged": tagged,
        "suggested": decided.suggested,
        "approved": len(approved),
        "posted": posted.posted,
        "outbox": len(outbox),
        "pending": synced.pending,
        "notices": len(sent),
        "own_posts": sum(own.stored.values()),
    }
