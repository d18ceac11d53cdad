"""Real `heard run` workers sharing one PostgreSQL database: each comment stored once, each reply posted once."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from heard.cluster.place import cron
from listener.platforms.replay import read_outbox
from listener.store import Store
from tests.conftest import ROOT
from tests.fakes.slack import FakeSlack
from tests.heard_toml import replay_table, write_toml
from tests.test_service import x_payload

TEXTS = [
    "love the new espresso blend, thank you!",
    "my order never arrived, where is it??",
    "do you ship to Canada?",
    "best coffee in town, seriously amazing",
]


def write_config(tmp: Path, url: str, n: int) -> Path:
    """A heard.toml on the PostgreSQL ``url``, the replay platform holding ``n`` comments, praise posted by rule."""
    now = datetime.now(UTC)
    lines = ['{"heard_recording": 1, "accounts": {"x": {"id": "1", "handle": "acme"}}}']
    lines += [json.dumps(x_payload(i, TEXTS[i % 4], now - timedelta(hours=2))) for i in range(n)]
    (tmp / "recording.jsonl").write_text("\n".join(lines) + "\n")
    tables = {
        "heard": {"database": url, "replies": str(ROOT / "config" / "replies.toml"), "queue_file": str(tmp / "q.yaml")},
        "schedule": {"poll_seconds": 10, "work_seconds": 1, "escalate_seconds": 10},
        "sla": {"high": 1, "normal": 1, "low": 1},
        "posting": {"cooldown_minutes": 0},
        "posting.auto": {"x": ["praise"]},
        "platforms.replay": replay_table(tmp),
    }
    return write_toml(tmp / "heard.toml", tables)


def worker(cfg: Path, slack: FakeSlack, log: Path) -> subprocess.Popen:
    env = {**os.environ, "SLACK_WEBHOOK_URL": slack.webhook_url, "HEARD_LOG_LEVEL": "INFO"}
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "heard", "--config", str(cfg), "run"], cwd=ROOT, stdout=out, stderr=out, env=env
        )


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def settled(url: str, n: int) -> bool:
    store = Store(url)
    try:
        counts = store.state_counts()
        return (
            store.count_comments() == n
            and counts.get("posted", 0) > 0
            and not counts.get("approved")
            and not counts.get("posting")
            and len(store.notices_sent()) >= store.ledger_counts()["open"]
        )
    finally:
        store.close()


def stop(*procs: subprocess.Popen) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        proc.wait(timeout=30)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


def posted_once(tmp: Path, url: str) -> Counter[str]:
    """Each reply the replay platform's own outbox holds, counted; every posted row is there exactly once."""
    outbox = Counter(e["comment_id"] for e in read_outbox(tmp / "outbox.jsonl"))
    store = Store(url)
    try:
        posted = {r.comment_id for r in store.replies(["posted"])}
    finally:
        store.close()
    assert set(outbox.values()) == {1}, outbox.most_common(3)
    assert set(outbox) == posted
    return outbox


def test_two_workers_share_the_work_each_comment_stored_once_each_reply_posted_once(
    tmp_path: Path, pg_url: str, slack: FakeSlack
) -> None:
    pytest.importorskip("listener.nlp")
    n = 40
    cfg = write_config(tmp_path, pg_url, n)
    log = tmp_path / "workers.log"
    started = time.monotonic()
    procs = [worker(cfg, slack, log), worker(cfg, slack, log)]
    try:
        assert wait_for(lambda: settled(pg_url, n), 120), log.read_text()[-3000:]
        status = subprocess.run(
            [sys.executable, "-m", "heard", "--config", str(cfg), "status"], cwd=ROOT, capture_output=True, text=True
        )
        assert re.search(r"cluster: 2 worker\(s\) alive; tasks waiting \d+", status.stdout), status.stdout
        report = json.loads(
            subprocess.run(
                [sys.executable, "-m", "heard", "--config", str(cfg), "status", "--json"],
                cwd=ROOT,
                capture_output=True,
                text=True,
            ).stdout
        )
        assert len(report["cluster"]["workers"]) == 2 and report["cluster"]["failed"] == 0
    finally:
        stop(*procs)
    took = time.monotonic() - started
    text = log.read_text()
    assert [p.returncode for p in procs] == [0, 0], text[-3000:]
    posted_once(tmp_path, pg_url)
    # One poll per tick across both workers (the periodic deferrer's dedupe): not one per worker per tick.
    polls = len(re.findall(r"poll source=replay:", text))
    assert 1 <= polls <= took / 10 + 2, (polls, took)
    notices = Counter(m for m in re.findall(r"escalate notices=\d+ channel=\S+ ids=(\S+)", text))
    ids = Counter(i for line in notices for i in line.split(","))
    assert ids and set(ids.values()) == {1}, ids.most_common(3)
    # Both workers ran tasks: the work is shared, not one worker's.
    pids = set(re.findall(r"started pid=(\d+)", text))
    assert len(pids) == 2


def test_a_worker_killed_mid_work_loses_nothing_and_posts_nothing_twice(
    tmp_path: Path, pg_url: str, slack: FakeSlack
) -> None:
    pytest.importorskip("listener.nlp")
    n = 60
    cfg = write_config(tmp_path, pg_url, n)
    log = tmp_path / "workers.log"
    first, second = worker(cfg, slack, log), worker(cfg, slack, log)
    try:
        # Killed as soon as comments are stored, with tagging, deciding and posting under way.
        assert wait_for(lambda: _count(pg_url) > 0, 60), log.read_text()[-3000:]
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        restarted = worker(cfg, slack, log)
        assert wait_for(lambda: settled(pg_url, n), 150), log.read_text()[-3000:]
    finally:
        stop(second, restarted)
    assert first.returncode == -signal.SIGKILL
    outbox = posted_once(tmp_path, pg_url)
    assert len(outbox) > 0 and _count(pg_url) == n


def _count(url: str) -> int:
    store = Store(url)
    try:
        return store.count_comments()
    finally:
        store.close()


def test_a_period_becomes_a_cron_line_that_ticks_about_as_often() -> None:
    assert [cron(s) for s in (1, 10, 25, 45, 120, 300, 6 * 3600)] == [
        "* * * * * */1",
        "* * * * * */10",
        "* * * * * */30",
        "*/1 * * * *",
        "*/2 * * * *",
        "*/5 * * * *",
        "0 */6 * * *",
    ]


def test_a_task_of_a_killed_worker_runs_again_on_another_and_its_lock_is_freed(
    tmp_path: Path, pg_url: str, slack: FakeSlack
) -> None:
    pytest.importorskip("listener.nlp")
    n = 12
    cfg = write_config(tmp_path, pg_url, n)
    log = tmp_path / "workers.log"
    slack.delay = 30.0  # the first digest is held: the worker is killed with its escalation task in flight
    first, others = worker(cfg, slack, log), list[subprocess.Popen]()
    try:
        assert wait_for(lambda: len(slack.server.log) > 0 or first.poll() is not None, 90), log.read_text()[-3000:]
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        slack.delay = 0.0
        others = [worker(cfg, slack, log), worker(cfg, slack, log)]
        # The task stays "doing", its lock held, until the dead worker's heartbeat is 30 s old; then it runs again.
        assert wait_for(lambda: settled(pg_url, n), 150), log.read_text()[-3000:]
    finally:
        stop(*others)
    text = log.read_text()
    assert re.search(r"(retrying|dropped) task=heard.escalate id=\d+ of a dead worker", text), text[-3000:]
    posted_once(tmp_path, pg_url)
