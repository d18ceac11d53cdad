"""What the platform clients do alike: each real client library against its fake.

Most tests poll the client's first source (X's mentions, Bluesky's notifications, YouTube's comments).
What only one platform does stays in tests/test_<platform>.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from listener.errors import (
    AuthFailed,
    BadPayload,
    CreditsExhausted,
    CursorUnreadable,
    PlatformError,
    RateLimited,
    Transient,
)
from listener.poll import poll_once, source_key
from listener.store import Store
from tests.conftest import ROOT
from tests.harness import client, fake_names, now, start

PLATFORMS = ["bluesky", "x", "youtube"]
# The requests a poll of the first source makes, as the fake counts them.
POLL_PATH = {"bluesky": "listNotifications", "x": "/mentions", "youtube": "/youtube/v3/"}


@pytest.fixture(params=PLATFORMS)
def harness(request: pytest.FixtureRequest) -> Iterator[Any]:
    h = start(request.param, timeout=0.3)
    yield h
    h.stop()


def ids(h: Any, natives: list[str]) -> set[str]:
    return {f"{h.platform}:{n}" for n in natives}


def test_first_start_begins_now_and_backfill_reaches_back(harness: Any, tmp_path: Path) -> None:
    harness.add_incoming(3, created_at=now() - timedelta(hours=5))
    recent = harness.add_incoming(4, created_at=now() - timedelta(hours=2))
    store, c = Store(tmp_path / "db"), client(harness)
    source = c.sources()[0]
    result = poll_once(c, source, store, now=now())
    assert (result.stored, store.count_comments()) == (0, 0)
    fresh = harness.add_incoming(2)
    poll_once(client(harness), source, store, now=now())
    assert set(store.comments(ids(harness, fresh))) == ids(harness, fresh)
    assert store.count_comments() == 2

    other = Store(tmp_path / "backfill")
    poll_once(client(harness), source, other, now=now(), backfill=timedelta(hours=3))
    assert set(other.comments(ids(harness, recent + fresh))) == ids(harness, recent + fresh)
    assert other.count_comments() == 6


# Per platform: harness options, batches, comments a batch, restarts a batch, polls a restart, and how many
# requests beyond one a full page of 100 the whole walk may take. The client's timeout is generous: a page of
# 100 threads from a fake on a loaded two-core CI machine once took over the fakes' 0.5 s, and a poll that
# fails leaves the walk a cycle behind, which this test would misread as comments lost.
SCALE = {
    "bluesky": ({"timeout": 10.0}, 3, 700, 10, 4, 30),
    "x": ({"limits": {"mentions": 100_000}, "timeout": 10.0}, 4, 2_500, 20, 5, 12),
    "youtube": ({"timeout": 10.0}, 3, 700, 10, 4, 30),
}


@pytest.mark.parametrize("name", PLATFORMS)
def test_thousands_across_restarts_each_stored_once(name: str, tmp_path: Path) -> None:
    options, batches, size, restarts, polls, extra_requests = SCALE[name]
    h = start(name, **options)
    try:
        store_path, expected = tmp_path / "db", set()
        source = client(h).sources()[0]
        poll_once(client(h), source, Store(store_path), now=now())  # first start: marks the present
        for _ in range(batches):
            expected.update(h.add_incoming(size))
            for _ in range(restarts):  # restart every few ticks, some of them mid-cycle
                store, c = Store(store_path), client(h)
                for _ in range(polls):
                    result = poll_once(c, source, store, now=now())
                    assert result.error is None, f"a poll failed, so the walk fell a cycle behind: {result.error}"
                    if not result.more:
                        break
                    expected.update(h.add_incoming(1))  # arrivals while a cycle is paging
                store.close()
                if not result.more:
                    break
        store = Store(store_path)
        for _ in range(3):  # drain what arrived during the last cycle
            assert poll_once(client(h), source, store, now=now()).error is None
        stored = {r[0] for r in store.db.execute("SELECT native_id FROM comments")}
        assert stored == expected and len(expected) > batches * size
        # Full pages all the way: the cycle bound never falls back and nothing is fetched twice.
        assert h.requests(POLL_PATH[name]) <= len(expected) // 100 + extra_requests
        assert store.db.execute("SELECT count(*) FROM events WHERE kind = 'stored'").fetchone()[0] == len(stored)
        before = h.requests(POLL_PATH[name])
        for _ in range(5):
            assert poll_once(client(h), source, store, now=now()).stored == 0
        assert h.requests(POLL_PATH[name]) - before == 5  # an idle poll costs one request
    finally:
        h.stop()


@pytest.mark.parametrize("name", ["bluesky", "x"])
def test_429_pauses_the_source_until_reset_and_the_client_refuses_meanwhile(name: str, tmp_path: Path) -> None:
    h = start(name, timeout=0.3)
    try:
        store, c = Store(tmp_path / "db"), client(h)
        source = c.sources()[0]
        key, path = source_key(c, source), POLL_PATH[name]
        poll_once(c, source, store, now=now())
        h.fail_next("429")
        result = poll_once(c, source, store, now=now())
        assert result.paused_until
        assert now() - timedelta(seconds=1) < result.paused_until <= now() + timedelta(seconds=3)
        assert store.cursor(key)["paused_until"]
        sent = h.requests(path)
        with pytest.raises(RateLimited) as refused:  # the client itself refuses before calling
            c.fetch(source, store.cursor(key)["cursor"], since=now())
        assert refused.value.retry_at == result.paused_until
        assert poll_once(c, source, store, now=now()).paused_until == result.paused_until
        assert h.requests(path) == sent
        time.sleep(max(0.0, result.paused_until.timestamp() - time.time()) + 0.05)
        assert poll_once(c, source, store, now=now()).error is None
        assert h.requests(path) == sent + 1
    finally:
        h.stop()


SHARED_FAILURES = [("500", Transient), ("timeout", Transient), ("401", AuthFailed), ("garbage", BadPayload)]
FAILURES = [(name, kind, error) for name in PLATFORMS for kind, error in SHARED_FAILURES] + [
    ("bluesky", "402", PlatformError),
    ("x", "402", CreditsExhausted),
    ("youtube", "429", RateLimited),
]
# How many failures make one call fail: google-auth refreshes and retries twice on a 401.
ATTEMPTS = {("youtube", "401"): 3}


@pytest.mark.parametrize("name, kind, error", FAILURES)
def test_failures_are_translated_and_leave_the_cursor(
    name: str, kind: str, error: type[Exception], tmp_path: Path
) -> None:
    h = start(name, timeout=0.3)
    try:
        store, c = Store(tmp_path / "db"), client(h)
        source = c.sources()[0]
        key = source_key(c, source)
        poll_once(c, source, store, now=now())
        h.add_incoming(3)
        cursor = store.cursor(key)["cursor"]
        h.fail_next(kind, ATTEMPTS.get((name, kind), 1))
        with pytest.raises(error):
            c.fetch(source, cursor, since=now())
        h.fail_next(kind, ATTEMPTS.get((name, kind), 1))
        result = poll_once(c, source, store, now=now())
        assert result.error and result.stored == 0
        row = store.cursor(key)
        assert row["cursor"] == cursor and row["errors"] == 1
        assert store.count_comments() == 0
        assert len(c.fetch(source, cursor, since=now()).items) == 3  # the client recovers
    finally:
        h.stop()


# The option that points each client at its API, set to an address where nothing listens.
NOWHERE = {
    "bluesky": {"base_url": "http://127.0.0.1:9"},
    "x": {"api_base": "http://127.0.0.1:9"},
    "youtube": {"api_endpoint": "http://127.0.0.1:9/"},
}


def test_connection_refused_is_transient(harness: Any) -> None:
    c = client(harness, **NOWHERE[harness.platform])
    with pytest.raises(Transient):
        c.fetch(c.sources()[0], None, since=now())


def test_reply_and_find_reply_round_trip(harness: Any, tmp_path: Path) -> None:
    store, c = Store(tmp_path / "db"), client(harness)
    source = c.sources()[0]
    poll_once(c, source, store, now=now())
    [native] = harness.add_incoming(1)
    harness.add_incoming(1, reply_to_us=True)  # another thread of ours must not confuse find_reply
    poll_once(c, source, store, now=now())
    comment = store.comment(f"{harness.platform}:{native}")
    assert c.find_reply(comment) is None
    remote = c.reply(comment, "Thanks, Alice!")
    assert harness.replies() == [{"in_reply_to": native, "text": "Thanks, Alice!"}]
    assert client(harness).find_reply(comment) == remote


# -- the boundary every platform shares ----------------------------------------------------------

CLIENT_LIBRARIES = ("tweepy", "praw", "prawcore", "mastodon", "atproto", "googleapiclient", "twitter_text")


def test_listing_the_platforms_loads_no_client_library() -> None:
    code = (
        "import sys, json, listener.platforms as p; p.registry(); p.spec('x').count_reply; "
        f"print(json.dumps(sorted(m for m in {CLIENT_LIBRARIES!r} if m in sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


# Options that give each client every kind of source it has.
EVERY_SOURCE = {
    "x": {"keywords": ["acme"]},
    "bluesky": {"keywords": ["acme"]},
    "mastodon": {"hashtags": ["acme"]},
    "reddit": {"subreddits": ["acme"], "keywords": ["acme"]},
    "youtube": {},
}
# Not JSON, cut short, JSON of the wrong kind, and an object none of them wrote.
GARBAGE = [
    "not json",
    '{"bound": "2024-05-01T',
    "[1, 2]",
    "null",
    '{"floor": "soon", "min_id": 5, "anchor": 5, "seen": 5}',
]


@pytest.mark.parametrize("name", fake_names())
def test_a_cursor_heard_did_not_write_stops_its_source_and_says_how_to_reset_it(name: str, tmp_path: Path) -> None:
    h = start(name)
    try:
        c = client(h, **EVERY_SOURCE[name])
        assert len(c.sources()) >= (1 if name == "youtube" else 3)  # YouTube has one source
        for source in c.sources():
            for cursor in GARBAGE:
                with pytest.raises(CursorUnreadable) as refused:
                    c.fetch(source, cursor, since=now())
                message = str(refused.value)
                assert message.startswith(f"{name} cursor unreadable: the stored {source} cursor")
                assert message.endswith(f"run `heard reset-cursor {name}:{source}`")
        sent = h.requests()
        store = Store(tmp_path / "db")
        key = source_key(c, c.sources()[0])
        store.save_page(key, [], "not json", now=now())
        result = poll_once(c, c.sources()[0], store, now=now())  # never a silent restart: the cursor stays
        assert "heard reset-cursor" in (result.error or "") and store.cursor(key)["cursor"] == "not json"
        assert h.requests() == sent  # an unreadable cursor costs no request
    finally:
        h.stop()
