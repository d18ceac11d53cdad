"""Campaign: a 50,000-comment burst through heard, from the poll to a person's edit of the queue file.

The burst is a replay recording of ordinary X mentions (the real X normaliser reads each payload).
Measured: comments stored and decided, how many polls the burst took (a poll reads page after page
while the source says there is more, within its rate limit, instead of one page per interval), the
time of each stage, and the time one person's edit of the queue file costs to apply.

    .venv/bin/python bench/chaos.py burst [--n COMMENTS]
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.chaos import Row  # noqa: E402
from bench.chaos_hostile import ORDINARY, x_payload  # noqa: E402
from heard.app import App  # noqa: E402
from heard.demo import demo_settings  # noqa: E402
from heard.settings import build_settings  # noqa: E402
from listener.poll import source_key  # noqa: E402

ROOT = HERE.parent
DEFAULT_COMMENTS = 50_000
EDIT_TARGET_S = 5.0
TARGET = f"all decided; queue file edit <= {EDIT_TARGET_S:.0f} s; ingest bounded by rate limits"


def _recording(path: Path, n: int, created: datetime) -> None:
    lines = [json.dumps({"heard_recording": 1, "accounts": {"x": {"id": "1", "handle": "acme"}}})]
    lines += [
        json.dumps(x_payload(i, f"{ORDINARY[i % len(ORDINARY)]} (order {i})", created + timedelta(seconds=i)))
        for i in range(n)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(n: int = DEFAULT_COMMENTS) -> tuple[dict[str, float | int], bool]:
    """Run the burst once in a temporary folder; return the figures and whether the target is met."""
    folder = Path(tempfile.mkdtemp(prefix="heard-burst-"))
    now = datetime.now(UTC).replace(microsecond=0)
    _recording(folder / "recording.jsonl", n, now - timedelta(days=1))
    base = build_settings(
        {"heard": {"database": str(folder / "heard.db")}}, {}, config_path=ROOT / "config" / "heard.toml", overrides={}
    )
    settings = dataclasses.replace(
        demo_settings(base, folder, folder / "recording.jsonl"), replies_path=ROOT / "config" / "replies.toml"
    )
    app = App(settings)
    figures: dict[str, float | int] = {}
    start = time.perf_counter()
    polls = 0
    for client in {id(c): c for c in app.clients.values()}.values():
        for source in client.sources():
            app.store.reset_cursor(source_key(client, source))
            while True:
                polls += 1
                result = app.poll_source(client, source, now=now)
                if not result.more or result.error:
                    break
    figures["ingest_s"], figures["polls"] = time.perf_counter() - start, polls
    for stage in ("tag", "decide", "sync_queue"):
        start = time.perf_counter()
        getattr(app, stage)(now=now)
        figures[f"{stage}_s"] = time.perf_counter() - start
    store = app.store
    figures["stored"] = store.count_comments()
    figures["undecided"] = store.db.execute(
        "SELECT count(*) FROM comments c LEFT JOIN replies r ON r.comment_id = c.id WHERE r.comment_id IS NULL"
    ).fetchone()[0]
    queue = settings.queue_file
    text = queue.read_text(encoding="utf-8")
    # A person approves the first item with a reply of their own, in place of its draft.
    start = text.index("\n- id: ") + 1
    end = text.find("\n- id: ", start)
    end = len(text) if end < 0 else end + 1
    block = re.sub(r"\n  reply: (?:\|-?\n(?:    .*\n)*|.*\n)", "\n", text[start:end])
    block = block.replace("  action: pending\n", "  action: approve\n  reply: So sorry, that is refunded now.\n", 1)
    edited = text[:start] + block + text[end:]
    queue.write_text(edited, encoding="utf-8")
    start = time.perf_counter()
    edit = app.sync_queue(now=now)
    figures["edit_s"], figures["approved"] = time.perf_counter() - start, edit.approved
    ok = (
        figures["stored"] == n
        and figures["undecided"] == 0
        and figures["approved"] == 1
        and figures["edit_s"] <= EDIT_TARGET_S
        and polls <= n // 100  # more than one page per poll: not one page per interval
    )
    return figures, ok


def burst(n: int | None) -> Row:
    """The campaign row."""
    count = n or DEFAULT_COMMENTS
    f, ok = run(count)
    figure = (
        f"{f['stored']}/{count} stored in {f['polls']} polls ({f['ingest_s']:.0f} s), {f['undecided']} undecided; "
        f"tag {f['tag_s']:.0f} s, decide {f['decide_s']:.0f} s; an edit {f['edit_s']:.2f} s"
    )
    return Row(f"{count:,}-comment burst", figure, TARGET, ok)


CAMPAIGNS = {"burst": burst}
