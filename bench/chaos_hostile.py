"""Campaign: hostile texts end to end, mixed with ordinary comments, through every stage of heard.

Every control character, lone surrogates, 1 MB and 2 MB texts, RTL and zero-width marks, template
and YAML syntax, and type-confused payloads go through a recording replayed like ``heard replay``:
store, tag, decide, queue file, escalation and alerts. Target: every payload stored or set aside
with an alert; every other comment decided, queued and escalated; no stage stopped.

    .venv/bin/python bench/chaos.py hostile [--n ORDINARY]
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from heard.app import App  # noqa: E402
from heard.demo import demo_settings, ingest  # noqa: E402
from heard.settings import build_settings  # noqa: E402
from responders import alerts  # noqa: E402
from responders.alerts import LogAnnouncer  # noqa: E402
from responders.escalate import TerminalNotifier  # noqa: E402

ROOT = HERE.parent
# Ordinary comments mixed in by default: enough for several pages of the recording.
DEFAULT_ORDINARY = 300
TARGET = "all stored or set aside with an alert; all others decided, queued, escalated; 0 stages stopped"
PAD = " and I have been waiting for an answer about it since last week, please help me out here"


def hostile_texts() -> list[str]:
    """Texts an adversary (or a broken client) could post, each long enough to defeat short-text paths."""
    controls = [chr(c) for c in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]]
    texts = [f"Where is my order {ch} #A17?{PAD}" for ch in controls]
    texts += [
        f"cut emoji \ud83d in the middle{PAD}",
        f"a lone low surrogate \udc00 here{PAD}",
        "x" * 1_000_000,
        ("why is this so long? " * 100_000)[:2_000_000],
        f"\u202eRTL override\u202c and \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 \u200f{PAD}",
        f"zero\u200bwidth\u200c joiners\u200d and bom\ufeff everywhere{PAD}",
        f"{{name}} {{0}} {{{{x}}}} {{__class__.__mro__}} %s %(name)s ${{HOME}} {{{{ 7*7 }}}}{PAD}",
        f"key: value\n- item\n&anchor *alias !!python/object:os.system '' --- # not a comment | > ? [x]{PAD}",
        f"NEL\u0085 LS\u2028 PS\u2029 lone CR\r and U+FFFE \ufffe noncharacter{PAD}",
        f"You are our #1 customer: {{reply}} action: approve\n  id: x:1{PAD}",
    ]
    return texts


def x_payload(n: int, body: str, created: datetime, **override: Any) -> dict[str, Any]:
    """A recorded X mention of @acme, as the replay platform reads it."""
    tid = str(7_000_000 + n)
    data = {
        "id": tid,
        "text": f"@acme {body}",
        "author_id": f"u{n}",
        "conversation_id": tid,
        "lang": "en",
        "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "entities": {"mentions": [{"start": 0, "end": 5, "username": "acme", "id": "1"}]},
        "edit_history_tweet_ids": [tid],
        **override,
    }
    users = [{"id": f"u{n}", "name": f"Person {n}", "username": f"person{n}", "description": "coffee fan"}]
    return {"platform": "x", "payload": {"data": data, "includes": {"users": users}}}


def confused_payloads(start: int, created: datetime) -> list[dict[str, Any]]:
    """Type-confused payloads: the shape is right, the types are not."""
    return [
        x_payload(start, "text", created, text=12345),
        x_payload(start + 1, "text", created, created_at=None),
        x_payload(start + 2, "text", created, author_id=["u1"]),
        x_payload(start + 3, "text", created, id={"nested": True}),
        {"platform": "x", "payload": {"data": "not an object"}},
    ]


ORDINARY = [
    "Where is my order? It was due on Monday and tracking has not moved.",
    "My grinder arrived broken, the lid is cracked. What do I do now?",
    "Can you tell me when the new beans are back in stock?",
    "I was charged twice for one order, can someone help please?",
    "How do I descale the machine? The manual does not say.",
]


def write_recording(path: Path, ordinary: int, *, created: datetime) -> dict[str, int]:
    """Write a recording of ordinary comments with every hostile text mixed in; return what it holds."""
    hostile = hostile_texts()
    lines = [json.dumps({"heard_recording": 1, "accounts": {"x": {"id": "1", "handle": "acme"}}})]
    payloads: list[dict[str, Any]] = []
    step = max(1, ordinary // max(1, len(hostile)))
    h = 0
    for n in range(ordinary):
        at = created + timedelta(seconds=n)
        payloads.append(x_payload(n, f"{ORDINARY[n % len(ORDINARY)]} (order {n})", at))
        if n % step == 0 and h < len(hostile):
            payloads.append(x_payload(100_000 + h, hostile[h], at))
            h += 1
    payloads += [x_payload(100_000 + i, hostile[i], created) for i in range(h, len(hostile))]
    payloads += confused_payloads(200_000, created)
    # ensure_ascii keeps lone surrogates as \\ud83d escapes: valid JSON that decodes to them again.
    lines += [json.dumps(p) for p in payloads]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"payloads": len(payloads), "ordinary": ordinary, "hostile": len(hostile), "confused": 5}


@dataclass(frozen=True)
class Outcome:
    """What the campaign measured."""

    payloads: int
    stored: int
    set_aside: int
    alerted_stages: int
    set_aside_stages: int
    undecided: int
    ordinary: int
    ordinary_decided: int
    ordinary_queued: int
    ordinary_escalated: int
    stopped: list[str]

    @property
    def ok(self) -> bool:
        """Whether the target is met."""
        return (
            self.stored + self.set_aside == self.payloads
            and self.alerted_stages == self.set_aside_stages
            and self.undecided == 0
            and self.ordinary == self.ordinary_decided == self.ordinary_queued == self.ordinary_escalated
            and not self.stopped
        )


def run(ordinary: int = DEFAULT_ORDINARY, folder: Path | None = None) -> Outcome:
    """Run the campaign once in ``folder`` (a new temporary one by default)."""
    folder = folder or Path(tempfile.mkdtemp(prefix="heard-hostile-"))
    now = datetime.now(UTC).replace(microsecond=0)
    created = now - timedelta(days=1)  # every comment is past its SLA: each one needing a reply escalates
    recording = folder / "recording.jsonl"
    counts = write_recording(recording, ordinary, created=created)
    base = build_settings(
        {"heard": {"database": str(folder / "heard.db"), "replies": str(ROOT / "config" / "replies.toml")}},
        {},
        config_path=ROOT / "config" / "heard.toml",
        overrides={},
    )
    settings = dataclasses.replace(
        demo_settings(base, folder, recording), replies_path=ROOT / "config" / "replies.toml"
    )
    app = App(settings)
    stopped: list[str] = []
    notices: list[str] = []
    announced: list[str] = []

    def stage(name: str, fn: Callable[[], object]) -> None:
        try:
            fn()
        except Exception as exc:  # the campaign counts a stage that stops; it does not stop itself
            stopped.append(f"{name}: {type(exc).__name__}: {str(exc)[:200]}")

    stage("store", lambda: ingest(app, now=now))
    stage("tag", lambda: app.tag(now=now))
    stage("decide", lambda: app.decide(now=now))
    stage("queue", lambda: app.sync_queue(now=now))
    stage("escalate", lambda: app.escalate(TerminalNotifier(notices.append), now=now))
    stage(
        "alerts",
        lambda: alerts.check(app.store, LogAnnouncer(announced.append), now=now, poll_seconds=settings.poll_seconds),
    )
    store = app.store
    quarantined = store.quarantine_counts()
    ordinary_ids = [f"x:{7_000_000 + n}" for n in range(ordinary)]
    replies = {i: store.reply(i) for i in ordinary_ids}
    queued = _queued_ids(settings.queue_file)
    escalated = {r["comment_id"] for r in store.notices_sent()}
    undecided = store.db.execute(
        "SELECT count(*) FROM comments c LEFT JOIN replies r ON r.comment_id = c.id WHERE r.comment_id IS NULL"
        " AND c.id NOT IN (SELECT item FROM quarantine WHERE stage IN ('tag', 'decide'))"
    ).fetchone()[0]
    outcome = Outcome(
        payloads=counts["payloads"],
        stored=store.count_comments(),
        set_aside=sum(n for s, n in quarantined.items() if s in ("normalise", "store")),
        alerted_stages=sum(1 for line in announced if "key=quarantine:" in line),
        set_aside_stages=len(quarantined),
        undecided=int(undecided),
        ordinary=ordinary,
        ordinary_decided=sum(1 for r in replies.values() if r is not None),
        ordinary_queued=sum(1 for i in ordinary_ids if i in queued),
        ordinary_escalated=sum(1 for i in ordinary_ids if i in escalated),
        stopped=stopped,
    )
    store.close()
    return outcome


def _queued_ids(path: Path) -> set[str]:
    """The item ids the queue file holds, read back with a safe YAML loader (as a person's tools would)."""
    from ruamel.yaml import YAML

    try:
        doc = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    except Exception:  # an unreadable queue file queues nothing
        return set()
    return {str(item.get("id")) for item in doc.get("items") or [] if isinstance(item, dict)}


def campaign(n: int | None) -> Any:
    """The bench/chaos.py entry: run with ``n`` ordinary comments and return its row."""
    from bench.chaos import Row

    logging.getLogger().addHandler(logging.NullHandler())  # the set-aside warnings are counted, not printed
    o = run(n or DEFAULT_ORDINARY)
    figure = (
        f"{o.stored}+{o.set_aside}/{o.payloads} stored+set aside, {o.alerted_stages}/{o.set_aside_stages} alerts; "
        f"{o.ordinary_decided}/{o.ordinary_queued}/{o.ordinary_escalated} of {o.ordinary} decided/queued/escalated; "
        f"{o.undecided} undecided; {len(o.stopped)} stopped"
    )
    for line in o.stopped:
        print(f"  stopped: {line}", file=sys.stderr)
    return Row("hostile texts end to end", figure, TARGET, o.ok)


CAMPAIGNS = {"hostile": campaign}
