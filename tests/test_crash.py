"""Kill a real posting process at the worst moments; every approved reply must reach the outbox once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from listener.platforms.replay import read_outbox
from listener.store import Store
from responders import lifecycle
from responders.lifecycle import ReplyState
from tests.conftest import NOW, ROOT, make_comment, make_tags
from tests.heard_toml import heard_table, replay_table, write_toml


def write_config(tmp: Path) -> Path:
    (tmp / "recording.jsonl").write_text('{"heard_recording": 1, "accounts": {"x": {"id": "1", "handle": "acme"}}}\n')
    # The replay outbox shows a reply the moment it is written, so "not found" after a crash is believed at once:
    # a kill between committing `posting` and writing the reply must end in one post by the restart, not a wait
    # of the default 60 s (kept for real platforms, which may show a reply late).
    return write_toml(
        tmp / "heard.toml",
        {"heard": heard_table(tmp), "posting": {"settle_seconds": 0}, "platforms.replay": replay_table(tmp)},
    )


def seed_approved(db: Path, n: int) -> list[str]:
    store = Store(db)
    ids = []
    for i in range(n):
        c = make_comment(i, author=f"p{i}")
        store.save_page("s", [c], None, now=NOW)
        store.save_tags([make_tags(c)], now=NOW)
        lifecycle.create(store, c.id, ReplyState.SUGGESTED, now=NOW, text=f"Thanks p{i}!")
        lifecycle.transition(store, c.id, ReplyState.APPROVED, now=NOW, decided_by="person")
        ids.append(c.id)
    store.close()
    return ids


def heard(cfg: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "heard", "--config", str(cfg), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ},
    )


def outbox_lines(tmp: Path) -> int:
    path = tmp / "outbox.jsonl"
    return len(path.read_text().splitlines()) if path.exists() else 0


def in_flight(db: Path) -> set[str]:
    """Comments whose reply is marked ``posting`` (committed just before the platform call)."""
    with sqlite3.connect(db, timeout=30) as conn:
        return {row[0] for row in conn.execute("SELECT comment_id FROM replies WHERE state = 'posting'")}


def test_kill_9_between_the_post_and_its_commit_never_duplicates(tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    db = tmp_path / "heard.db"
    ids = seed_approved(db, 120)
    inside = 0
    for _attempt in range(10):
        left = in_flight(db)  # what the last kill left in posting: the new poster reconciles it first
        proc = heard(cfg, "post")
        deadline = time.monotonic() + 60
        while not in_flight(db) - left and proc.poll() is None and time.monotonic() < deadline:
            pass
        # The poster has committed "posting" and is writing the reply (with an fsync). Freeze the
        # database now: it finishes the write, then blocks on committing "posted". Kill it there.
        lock = sqlite3.connect(db, timeout=30)
        lock.execute("BEGIN EXCLUSIVE")
        time.sleep(0.2)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        lock.rollback()
        lock.close()
        written = {entry["comment_id"] for entry in read_outbox(tmp_path / "outbox.jsonl")}
        inside += bool(in_flight(db) & written)
        if inside >= 2:
            break
    assert inside, "no kill landed between a reply's write and its commit"
    final = heard(cfg, "post")
    out, err = final.communicate(timeout=120)
    assert final.returncode == 0, err.decode()
    sent = Counter(entry["comment_id"] for entry in read_outbox(tmp_path / "outbox.jsonl"))
    assert set(sent) == set(ids)
    assert max(sent.values()) == 1
    store = Store(db)
    assert {store.reply(i).state for i in ids} == {"posted"}
    reconciled = [e for e in store.events() if e["to_state"] == "posted" and "reconciled" in e["detail"]]
    store.close()
    assert len(reconciled) >= inside, "every kill inside the window must be reconciled through find_reply"


def test_kill_9_at_random_moments_then_restart(tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    ids = seed_approved(tmp_path / "heard.db", 120)
    for delay in (0.35, 0.5, 0.65, 0.8):
        proc = heard(cfg, "post")
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    final = heard(cfg, "post")
    final.communicate(timeout=120)
    sent = Counter(entry["comment_id"] for entry in read_outbox(tmp_path / "outbox.jsonl"))
    assert set(sent) == set(ids) and max(sent.values()) == 1


def test_kill_9_of_the_service_while_it_posts_then_restart(tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    cfg.write_text(cfg.read_text() + "\n[schedule]\nwork_seconds = 1\npoll_seconds = 60\n")
    ids = seed_approved(tmp_path / "heard.db", 300)
    proc = heard(cfg, "run")
    deadline = time.monotonic() + 90
    while outbox_lines(tmp_path) < 20 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < outbox_lines(tmp_path) < len(ids), "the kill must land while the service is posting"
    proc = heard(cfg, "run")
    deadline = time.monotonic() + 120
    while outbox_lines(tmp_path) < len(ids) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)
    assert proc.returncode == 0
    sent = Counter(entry["comment_id"] for entry in read_outbox(tmp_path / "outbox.jsonl"))
    assert set(sent) == set(ids) and max(sent.values()) == 1


def test_kill_9_between_the_call_and_the_commit_with_a_lagging_search_never_posts_twice(tmp_path: Path) -> None:
    # The bounded run of `bench/chaos.py post-lag`: a real `heard post` against the fake X, whose
    # recent search shows a tweet only 30 s after it is written; every other kill, X refuses copies.
    from bench.chaos_post import run

    out = run(3, tmp_path)
    assert out.kills >= 2, "the kills must land between X's answer and the commit"
    assert (out.copies, out.live_failed, out.missing, out.unsettled) == (0, 0, 0, 0), out
    assert out.reconciled >= out.kills
