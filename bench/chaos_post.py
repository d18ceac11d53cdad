"""Campaign: kill -9 a real ``heard post`` between X's answer and the commit, with X's search lagging 30 s.

Each kill lands after the fake X has stored the reply but before heard commits ``posted`` (the
database is held locked while the answer arrives, then the process is killed), so the reply is live
at X and ``posting`` in heard. The next ``heard post`` must find it (reading our own timeline, not
the lagging search) instead of posting a second copy; on every other kill the fake refuses duplicate
text as X does, where trusting the search used to mark a live reply failed. A last unkilled run
posts the rest.

    .venv/bin/python bench/chaos.py post-lag --n 20
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.chaos import Row  # noqa: E402
from listener.platforms import spec  # noqa: E402
from listener.poll import poll_once  # noqa: E402
from listener.store import Store  # noqa: E402
from responders import lifecycle  # noqa: E402
from responders.lifecycle import ReplyState  # noqa: E402
from tests.conftest import make_tags  # noqa: E402
from tests.fakes.x import XHarness, make_harness  # noqa: E402
from tests.heard_toml import fake_platform_table, heard_table, write_toml  # noqa: E402

SEARCH_LAG = 30.0  # seconds before X's recent search shows a new tweet
HOLD = 0.5  # seconds the fake X answers a reply late: the kill lands while heard waits to commit it


@dataclass(frozen=True)
class Outcome:
    """What a campaign of kills left behind."""

    kills: int  # kills that left a reply live at X and ``posting`` in heard
    copies: int  # second (or later) copies of a reply at X
    live_failed: int  # replies heard marked failed although X has them
    missing: int  # approved replies that never reached X
    reconciled: int  # replies heard found at X after a kill instead of posting again
    unsettled: int  # replies left in ``posting`` after the last run (not yet confirmed either way)


def seed(h: XHarness, db: Path, n: int) -> list[str]:
    """``n`` comments from the fake X, each with an approved reply of its own text."""
    store = Store(db)
    options, secrets = h.connect_args()
    client = spec("x").connect(options, secrets)
    now = datetime.now(UTC)
    h.add_incoming(n, created_at=now - timedelta(minutes=30))
    poll_once(client, "mentions", store, now=now, backfill=timedelta(hours=2))
    ids = []
    for i, comment in enumerate(store.untagged()):
        store.save_tags([make_tags(comment)], now=now)
        lifecycle.create(store, comment.id, ReplyState.SUGGESTED, now=now, text=f"Thanks, friend {i}!")
        lifecycle.transition(store, comment.id, ReplyState.APPROVED, now=now, decided_by="person")
        ids.append(comment.id)
    store.close()
    return ids


def _heard_post(cfg: Path, tmp: Path, secrets: dict[str, str]) -> subprocess.Popen[bytes]:
    env = {**os.environ, **secrets, "HOME": str(tmp), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "heard", "--config", str(cfg), "--env-file", str(tmp / ".env"), "post"],
        cwd=tmp,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )


def _posting(db: Path) -> set[str]:
    with sqlite3.connect(db, timeout=30) as conn:
        return {row[0] for row in conn.execute("SELECT comment_id FROM replies WHERE state = 'posting'")}


def _kill_after_the_answer(h: XHarness, cfg: Path, tmp: Path, secrets: dict[str, str]) -> bool:
    """Start a poster, let X store one reply, hold the database while X answers, kill -9; True if it landed."""
    db, before = tmp / "heard.db", len(h.replies())
    proc = _heard_post(cfg, tmp, secrets)
    deadline = time.monotonic() + 60
    while len(h.replies()) == before:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            return False
        time.sleep(0.002)
    lock = sqlite3.connect(db, timeout=30)
    lock.execute("BEGIN EXCLUSIVE")
    time.sleep(HOLD + 0.3)  # X answers; the poster now waits on the lock to commit "posted"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    lock.rollback()
    lock.close()
    target = h.replies()[-1]["in_reply_to"]
    return f"x:{target}" in _posting(db)


def run(kills: int, tmp: Path) -> Outcome:
    """Kill ``kills`` posters inside the window, then post the rest; count what went wrong."""
    h = make_harness().start()
    try:
        h.fake.search_lag = SEARCH_LAG
        db = tmp / "heard.db"
        ids = seed(h, db, kills + 2)
        h.hold_replies(HOLD)
        tables = {
            "heard": heard_table(tmp),
            "posting": {"cooldown_minutes": 0},
            "platforms.x": fake_platform_table(h, max_replies_per_hour=1000),
        }
        cfg, secrets = write_toml(tmp / "heard.toml", tables), h.connect_args()[1]
        landed = 0
        for i in range(kills):
            h.fake.refuse_duplicates = bool(i % 2)
            landed += _kill_after_the_answer(h, cfg, tmp, secrets)
        h.hold_replies(0)
        h.fake.refuse_duplicates = False
        final = _heard_post(cfg, tmp, secrets)
        _, err = final.communicate(timeout=300)
        if final.returncode:
            raise RuntimeError(f"the last heard post failed: {err.decode()[-2000:]}")
        sent = Counter(f"x:{r['in_reply_to']}" for r in h.replies())
        store = Store(db)
        try:
            states = {i: store.reply(i).state for i in ids}
            reconciled = sum(
                1 for e in store.events() if e["to_state"] == "posted" and "reconciled" in (e["detail"] or "")
            )
        finally:
            store.close()
        return Outcome(
            kills=landed,
            copies=sum(c - 1 for c in sent.values() if c > 1),
            live_failed=sum(1 for i, s in states.items() if s == "failed" and sent[i]),
            missing=sum(1 for i in ids if not sent[i]),
            reconciled=reconciled,
            unsettled=sum(1 for s in states.values() if s == "posting"),
        )
    finally:
        h.stop()


def campaign(n: int | None) -> Row:
    """The issue-15 row: kills between the call and the commit, search lagging 30 s."""
    with tempfile.TemporaryDirectory(prefix="heard-chaos-post-") as tmp:
        out = run(n or 20, Path(tmp))
    figure = (
        f"{out.kills} kills: {out.copies} second copies, {out.live_failed} live marked failed, "
        f"{out.missing} missing, {out.reconciled} reconciled, {out.unsettled} unsettled"
    )
    ok = out.kills > 0 and out.copies == out.live_failed == out.missing == out.unsettled == 0
    return Row(
        "kill -9 between the platform call and the commit, search lagging 30 s",
        figure,
        "0 second copies, 0 live replies marked failed",
        ok,
    )


CAMPAIGNS = {"post-lag": campaign}
