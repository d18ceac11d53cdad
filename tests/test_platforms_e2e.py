"""End to end, per platform: the real client library against its fake, the real store, a real ``heard`` process.

Parametrised over every ``tests/fakes/<platform>.py`` that defines ``make_harness()`` (the contract
is in ``tests/fakes/__init__.py``), so a new platform's fake joins the suite by existing.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from listener.platforms import Platform
from listener.poll import PollResult, poll_once, source_key
from listener.store import Store
from responders import lifecycle
from responders.lifecycle import ReplyState
from tests.conftest import ROOT, make_tags
from tests.harness import client as connect
from tests.harness import fake_names, now, start
from tests.heard_toml import fake_platform_table, heard_table, write_toml

FAKES = fake_names()
N = 300  # several pages on every platform (page sizes are 80-100)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Client libraries read config from the working directory and home (praw.ini, .netrc).
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))


@pytest.fixture(params=FAKES)
def harness(request: pytest.FixtureRequest) -> Iterator[Any]:
    h = start(request.param)
    yield h
    h.stop()


def tick(client: Platform, store: Store) -> list[PollResult]:
    """One scheduler tick: one poll of every source."""
    return [poll_once(client, source, store, now=now()) for source in client.sources()]


def drain(client: Platform, store: Store, limit: int = 30) -> None:
    """Tick until no source says there is more."""
    for _ in range(limit):
        if not any(r.more for r in tick(client, store)):
            return
    raise AssertionError("sources still had more after {limit} ticks")


def stored(store: Store, platform: str) -> Counter[str]:
    rows = store.db.execute("SELECT native_id FROM comments WHERE platform = ?", [platform])
    return Counter(r[0] for r in rows)


# -- (a) polling across restarts ---------------------------------------------------------------


def test_every_comment_is_stored_once_across_restarts(harness: Any, tmp_path: Path) -> None:
    db = tmp_path / "heard.db"
    store = Store(db)
    tick(connect(harness), store)  # first start: marks the present, stores nothing
    store.close()
    expected = set(harness.add_incoming(N))
    for ticks in range(1, 40):
        store, client = Store(db), connect(harness)  # a restart before every tick
        results = tick(client, store)
        assert not [r.error for r in results if r.error]
        if ticks == 1:
            expected.update(harness.add_incoming(7))  # arrivals while the walk is under way
        store.close()
        if ticks > 2 and not any(r.more for r in results):
            break
    store, client = Store(db), connect(harness)
    drain(client, store)
    counts = stored(store, harness.platform)
    assert set(counts) == expected and max(counts.values()) == 1
    assert ticks >= 3, "N should span several pages"
    events = store.db.execute("SELECT count(*) FROM events WHERE kind = 'stored'").fetchone()[0]
    assert events == len(expected)
    source = client.sources()[0]
    before = harness.requests()
    for _ in range(3):
        assert poll_once(client, source, store, now=now()).stored == 0
    assert harness.requests() - before == 3  # an idle poll costs one request


# -- (b) a 429 pauses one source; the other platform keeps polling -----------------------------


@pytest.mark.parametrize("name", FAKES)
def test_429_pauses_its_source_while_another_platform_polls(name: str, tmp_path: Path) -> None:
    partner = FAKES[(FAKES.index(name) + 1) % len(FAKES)]
    limited, other = start(name), start(partner)
    try:
        store = Store(tmp_path / "heard.db")
        a, b = connect(limited), connect(other)
        src_a, src_b = a.sources()[0], b.sources()[0]
        poll_once(a, src_a, store, now=now())
        poll_once(b, src_b, store, now=now())
        waiting = set(limited.add_incoming(3))
        limited.fail_next("429")
        result = poll_once(a, src_a, store, now=now())
        assert result.error and result.paused_until and result.paused_until > now()
        assert store.cursor(source_key(a, src_a))["paused_until"]
        sent = limited.requests()
        for _ in range(3):
            fresh = other.add_incoming(2)
            assert poll_once(a, src_a, store, now=now()).paused_until
            assert poll_once(connect(limited), src_a, store, now=now()).paused_until  # after a restart too
            assert poll_once(b, src_b, store, now=now()).error is None
            assert set(fresh) <= set(stored(store, other.platform))
        assert limited.requests() == sent, "no request to a paused platform before its reset"
        time.sleep(max(0.0, (result.paused_until - now()).total_seconds()) + 0.05)
        drain(a, store)
        assert waiting <= set(stored(store, limited.platform))
        assert limited.requests() > sent
    finally:
        limited.stop()
        other.stop()


# -- (c) 500, timeout and garbage leave the cursor; the next poll recovers ---------------------


@pytest.mark.parametrize("kind", ["500", "timeout", "garbage"])
def test_failure_leaves_the_cursor_and_the_next_poll_recovers(harness: Any, tmp_path: Path, kind: str) -> None:
    store, client = Store(tmp_path / "heard.db"), connect(harness)
    source = client.sources()[0]
    key = source_key(client, source)
    poll_once(client, source, store, now=now())
    expected = set(harness.add_incoming(5))
    cursor = store.cursor(key)["cursor"]
    harness.fail_next(kind, 3)  # three: clients that retry by themselves must still see one fail
    failed = 0
    for _ in range(5):
        result = poll_once(client, source, store, now=now())
        if result.error is None:
            break
        failed += 1
        assert store.cursor(key)["cursor"] == cursor and store.cursor(key)["errors"] == failed
        assert not stored(store, harness.platform)
    assert failed >= 1
    drain(client, store)
    counts = stored(store, harness.platform)
    assert set(counts) == expected and max(counts.values()) == 1
    assert store.cursor(key)["errors"] == 0


# -- (d) replying exactly once through SIGKILL -------------------------------------------------


def seed_approved(h: Any, db: Path, n: int) -> list[str]:
    """Poll ``n`` new comments from the fake into the store and approve a reply to each."""
    store, client = Store(db), connect(h)
    tick(client, store)
    h.add_incoming(n)
    drain(client, store)
    ids = [f"{h.platform}:{native}" for native in stored(store, h.platform)]
    assert len(ids) == n
    for i, comment in enumerate(store.comments(ids).values()):
        store.save_tags([make_tags(comment)], now=now())
        lifecycle.create(store, comment.id, ReplyState.SUGGESTED, now=now(), text=f"Thanks, friend {i}!")
        lifecycle.transition(store, comment.id, ReplyState.APPROVED, now=now(), decided_by="person")
    store.close()
    return ids


def write_config(h: Any, tmp: Path) -> tuple[Path, dict[str, str]]:
    """A heard.toml that enables only this platform, pointed at the fake; secrets go in the env."""
    tables = {
        "heard": heard_table(tmp),
        "posting": {"cooldown_minutes": 0},
        f"platforms.{h.platform}": fake_platform_table(h, max_replies_per_hour=1000),
    }
    return write_toml(tmp / "heard.toml", tables), h.connect_args()[1]


def heard_post(cfg: Path, secrets: dict[str, str], tmp: Path) -> subprocess.Popen:
    env = {**os.environ, **secrets, "HOME": str(tmp), "PRAW_ALLOW_ENDPOINT_OVERRIDE": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "heard", "--config", str(cfg), "--env-file", str(tmp / ".env"), "post"],
        cwd=tmp,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def wait_for_replies(h: Any, count: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while len(h.replies()) < count:
        assert proc.poll() is None, proc.communicate()[1].decode()[-2000:]
        assert time.monotonic() < deadline, "the fake never received the reply"
        time.sleep(0.001)


def reply_state(db: Path, comment_id: str) -> str:
    store = Store(db)
    try:
        return store.reply(comment_id).state
    finally:
        store.close()


def test_each_reply_is_posted_once_through_sigkill(harness: Any, tmp_path: Path) -> None:
    db = tmp_path / "heard.db"
    ids = seed_approved(harness, db, 4)
    hold = 0.6
    harness.hold_replies(hold)
    cfg, secrets = write_config(harness, tmp_path)  # while holding: the client's timeout outlasts the hold
    by_native = {i.split(":", 1)[1]: i for i in ids}

    # 1. Killed while the platform holds its answer: the reply exists there, the client never heard.
    proc = heard_post(cfg, secrets, tmp_path)
    wait_for_replies(harness, 1, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert reply_state(db, by_native[harness.replies()[0]["in_reply_to"]]) == "posting"

    # 2. Killed after the answer came back but before "posted" is committed: the database is frozen.
    proc = heard_post(cfg, secrets, tmp_path)
    wait_for_replies(harness, 2, proc)
    lock = sqlite3.connect(db, timeout=30)
    lock.execute("BEGIN EXCLUSIVE")
    time.sleep(hold + 0.4)  # the answer arrives; the poster now waits on the lock to commit it
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    lock.rollback()
    lock.close()
    assert reply_state(db, by_native[harness.replies()[1]["in_reply_to"]]) == "posting"

    harness.hold_replies(0)
    final = heard_post(cfg, secrets, tmp_path)
    out, err = final.communicate(timeout=60)
    assert final.returncode == 0, err.decode()[-2000:]
    sent = Counter(r["in_reply_to"] for r in harness.replies())
    assert set(sent) == set(by_native) and max(sent.values()) == 1, sent
    store = Store(db)
    assert {store.reply(i).state for i in ids} == {"posted"}
    reconciled = {e["comment_id"] for e in store.events() if e["to_state"] == "posted" and "reconciled" in e["detail"]}
    store.close()
    assert len(reconciled) == 2, "both killed replies must be found at the platform, not posted again"
