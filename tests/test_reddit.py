"""Test the Reddit platform: real praw over real HTTP against the fake, with a real Store."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from listener.errors import AuthFailed, BadPayload, ConfigError, PermanentFailure, RateLimited, Transient
from listener.platforms import registry, spec
from listener.platforms.reddit import normalise
from listener.platforms.reddit_client import RedditClient
from listener.poll import poll_once
from listener.records import Account
from listener.store import Store
from tests.fakes.reddit import RedditFake, make_harness

US = Account(platform="reddit", id="heard_bot", handle="heard_bot")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # praw reads praw.ini from the working directory and the user's config, and praw_* variables.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    for key in [k for k in os.environ if k.lower().startswith("praw")]:
        monkeypatch.delenv(key)


@pytest.fixture
def fake() -> Iterator[RedditFake]:
    server = make_harness().start()
    yield server
    server.stop()


def connect(fake: RedditFake, **options: object) -> RedditClient:
    opts, secrets = fake.connect_args(**options)
    return spec("reddit").connect(opts, secrets)  # type: ignore[return-value]


def now() -> datetime:
    return datetime.now(UTC)


def stored_ids(store: Store) -> list[str]:
    return [r[0] for r in store.db.execute("SELECT native_id FROM comments")]


def thing(**data: object) -> dict:
    base = {
        "id": "mynkj7r",
        "name": "t1_mynkj7r",
        "author": "Lil_SpazBot",
        "author_fullname": "t2_3ebyblla",
        "body": "submission reply 61",
        "created_utc": 1750349759.0,
        "parent_id": "t3_1j7g9uj",
        "subreddit": "Lil_SpazJoekp",
        "new": True,
        "was_comment": True,
        "dest": "heard_bot",
        "context": "/r/Lil_SpazJoekp/comments/1j7g9uj/test_post_pls_ignore/mynkj7r/?context=3",
    }
    return {"kind": "t1", "data": {**base, **data}}


# -- normalise -------------------------------------------------------------------------------------


def test_normalise_username_mention_from_the_inbox() -> None:
    raw = thing(
        type="username_mention", body="what do you think u/heard_bot?", author="alice", subject="username mention"
    )
    c = normalise(raw, US)
    assert (c.id, c.source, c.mentions_us, c.is_own) == ("reddit:t1_mynkj7r", "mention", True, False)
    assert c.author.handle == "alice" and c.author.id == "t2_3ebyblla" and not c.author.is_bot
    assert c.url == "https://www.reddit.com/r/Lil_SpazJoekp/comments/1j7g9uj/test_post_pls_ignore/mynkj7r/"
    assert c.conversation_id == "t3_1j7g9uj"  # inbox items carry the post only inside "context"
    assert c.created_at == datetime(2025, 6, 19, 16, 15, 59, tzinfo=UTC)


def test_normalise_comment_reply_and_post_reply() -> None:
    reply = normalise(thing(type="comment_reply", parent_id="t1_abc", body="thanks!"), US)
    post = normalise(thing(type="post_reply"), US)
    assert (reply.source, reply.parent_id, reply.mentions_us) == ("reply", "reddit:t1_abc", True)
    # A top-level comment on our post is on our content, as a top-level comment on our video is.
    assert (post.source, post.parent_id, post.mentions_us) == ("comment", "reddit:t3_1j7g9uj", True)


def test_normalise_listing_comments_under_our_own_post() -> None:
    """Under our post, top-level comments are on our content and answers to other people are their thread."""
    data = {"link_id": "t3_9zzzzz", "link_author": "Heard_Bot", "context": None, "body": "do you open on mondays?"}
    top = normalise(thing(**data, parent_id="t3_9zzzzz"), US)
    answer = normalise(thing(**{**data, "body": "they do, went last week"}, parent_id="t1_other1"), US)
    elsewhere = normalise(thing(**{**data, "link_author": "someone_else"}, parent_id="t3_9zzzzz"), US)
    assert (top.source, top.mentions_us) == ("comment", True)
    assert (answer.source, answer.mentions_us) == ("thread", False)
    assert (elsewhere.source, elsewhere.mentions_us) == ("keyword", False)


def test_normalise_subreddit_keyword_hit_and_mention() -> None:
    data = {
        "link_id": "t3_62gzev",
        "body": "acme keeps crashing",
        "context": None,
        "permalink": "/r/kakapo/comments/62gzev/x/dgd9bcm/",
    }
    hit = normalise(thing(**data), US)
    named = normalise(thing(**{**data, "body": "ask /u/Heard_Bot about it"}), US)
    assert (hit.source, hit.mentions_us, hit.conversation_id) == ("keyword", False, "t3_62gzev")
    assert hit.url == "https://www.reddit.com/r/kakapo/comments/62gzev/x/dgd9bcm/"
    assert (named.source, named.mentions_us) == ("mention", True)


def test_normalise_marks_our_own_comments_and_bots() -> None:
    assert normalise(thing(author="Heard_Bot"), US).is_own
    # Reddit has no bot flag: AutoModerator and RemindMeBot are known by what their texts say (the tagger).
    assert not normalise(thing(author="RemindMeBot"), US).author.is_bot
    assert normalise(thing(author="[deleted]", author_fullname=None), US).author.id == "[deleted]"


def test_normalise_refuses_a_thing_without_a_time() -> None:
    with pytest.raises(BadPayload, match="created_utc"):
        normalise(thing(created_utc=None), US)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("body", {"md": "hi"}, '"body" expected a string, got object'),
        ("author", 7, '"author" expected a string, got number'),
        ("parent_id", ["t3_x"], '"parent_id" expected an id, got list'),
        ("created_utc", [1], "expected epoch seconds, got list"),
        ("created_utc", float("nan"), "expected epoch seconds, got nan"),
    ],
)
def test_normalise_names_a_field_of_the_wrong_type(field: str, value: object, message: str) -> None:
    with pytest.raises(BadPayload, match=f"reddit t1_mynkj7r: {message}"):
        normalise(thing(**{field: value}), US)


def test_normalise_makes_text_clean_and_keeps_the_original_in_raw() -> None:
    c = normalise(thing(body="one\rtwo\x00 \x85three \ude00", author="bad\x1bname"), US)
    assert (c.text, c.author.handle) == ("one\ntwo \nthree \ufffd", "badname")
    assert c.raw["data"]["body"] == "one\rtwo\x00 \x85three \ude00"


# -- configuration ---------------------------------------------------------------------------------


def test_spec_is_registered_with_its_secrets_and_options() -> None:
    reddit = registry()["reddit"]
    assert reddit.secrets == ("REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET", "REDDIT_USERNAME", "REDDIT_PASSWORD")
    assert {"subreddits", "keywords", "oauth_url", "reddit_url", "page_size", "timeout"} <= set(reddit.options)


def test_connect_refuses_missing_secrets_and_bad_options(fake: RedditFake) -> None:
    options, secrets = fake.connect_args()
    with pytest.raises(ConfigError, match="REDDIT_PASSWORD"):
        spec("reddit").connect(options, {k: v for k, v in secrets.items() if k != "REDDIT_PASSWORD"})
    with pytest.raises(ConfigError, match="page_size"):
        spec("reddit").connect({**options, "page_size": 500}, secrets)
    with pytest.raises(ConfigError, match="subreddits"):
        spec("reddit").connect({**options, "subreddits": "acme"}, secrets)


def test_check_and_sources(fake: RedditFake) -> None:
    client = connect(fake, subreddits=["r/acme", "widgets"])
    assert client.check() == "u/heard_bot"
    assert list(client.sources()) == [
        "inbox",
        "subreddit:acme",
        "subreddit:widgets",
        "posts:acme",
        "posts:widgets",
        "ours",
    ]


def test_wrong_password_is_auth_failed(fake: RedditFake) -> None:
    options, secrets = fake.connect_args()
    client = spec("reddit").connect(options, {**secrets, "REDDIT_PASSWORD": "nope"})
    with pytest.raises(AuthFailed):
        client.check()


# -- the inbox -------------------------------------------------------------------------------------


def test_ten_thousand_inbox_items_survive_restarts_and_a_crash(fake: RedditFake, tmp_path: Path) -> None:
    """Every item is stored exactly once and marked read only once it is stored."""
    db = tmp_path / "heard.db"
    early: list[str] = []

    fake.read_hook = lambda names: early.extend(_missing(db, names))  # checked at the moment of marking
    store, client = Store(db), connect(fake)
    poll_once(client, "inbox", store, now=now())  # first start: nothing yet, the start time is remembered
    rng, added, polls, crashed = random.Random(7), [], 0, False
    while len(added) < 10_000 or fake.unread:
        if len(added) < 10_000:
            added += fake.add_incoming(min(rng.randint(0, 700), 10_000 - len(added)))
        result = poll_once(client, "inbox", store, now=now())
        assert result.error is None
        polls += 1
        if polls % 7 == 0:  # a restart: new process state, same database
            store.close()
            store, client = Store(db), connect(fake)
        if polls == 20 and not crashed:
            # Crash between storing a page and marking it read: the items come back, are stored once.
            key = "reddit:inbox"
            page = client.fetch("inbox", store.cursor(key)["cursor"], since=now())
            store.save_page(key, [client.normalise(i) for i in page.items], page.cursor, now=now())
            store.close()
            store, client, crashed = Store(db), connect(fake), True
        assert polls < 400
    assert sorted(stored_ids(store)) == sorted(added)
    assert len([e for e in store.events() if e["kind"] == "stored"]) == 10_000
    assert early == [], "an item was marked read before it was stored"
    assert {n for batch in fake.read_log for n in batch} == set(added)
    assert max(len(b) for b in fake.read_log) == 25


def test_inbox_leaves_private_messages_unread_and_still_reaches_mentions(fake: RedditFake, tmp_path: Path) -> None:
    store, client = Store(tmp_path / "h.db"), connect(fake, page_size=10)
    poll_once(client, "inbox", store, now=now())
    mentions = fake.add_incoming(3)
    messages = fake.add_incoming(25, text="a private note")
    for name in messages:  # turn them into t4 messages, newer than the mentions
        data = fake.things.pop(name)
        fake.things[name.replace("t1_", "t4_")] = {**data, "name": name.replace("t1_", "t4_"), "type": "unknown"}
    fake.inbox = [n.replace("t1_", "t4_") if n in messages else n for n in fake.inbox]
    fake.unread = {n.replace("t1_", "t4_") if n in messages else n for n in fake.unread}
    for _ in range(5):
        poll_once(client, "inbox", store, now=now())
    assert sorted(stored_ids(store)) == sorted(mentions)
    assert {n for n in fake.unread} == {n.replace("t1_", "t4_") for n in messages}


def test_first_start_begins_now_unless_backfilling(fake: RedditFake, tmp_path: Path) -> None:
    an_hour_ago = time.time() - 3600
    old_inbox = fake.add_incoming(5, created=an_hour_ago)
    old_sub = fake.add_subreddit_comments(5, text=lambda i: "acme rocks", created=an_hour_ago)
    store, client = Store(tmp_path / "a.db"), connect(fake)
    for source in client.sources():
        assert poll_once(client, source, store, now=now()).stored == 0
    assert set(old_inbox) <= fake.unread, "items we did not store must stay unread"
    fresh = fake.add_incoming(2) + fake.add_subreddit_comments(2, text=lambda i: "acme again")
    for source in client.sources():
        poll_once(client, source, store, now=now())
    assert sorted(stored_ids(store)) == sorted(fresh)

    backfill = Store(tmp_path / "b.db")
    for source in client.sources():
        poll_once(client, source, backfill, now=now(), backfill=timedelta(hours=2))
    assert set(old_inbox + old_sub) <= set(stored_ids(backfill))


# -- subreddits ------------------------------------------------------------------------------------


def drain(client: RedditClient, source: str, store: Store, polls: int = 20) -> int:
    """Poll until a poll fetches nothing and says there is no more; return how many polls it took."""
    for n in range(1, polls + 1):
        result = poll_once(client, source, store, now=now())
        assert result.error is None
        if not result.more and result.fetched == 0:
            return n
    raise AssertionError("the walk did not settle")


def text_for(i: int) -> str:
    if i % 7 == 0:
        return f"paging u/heard_bot about item {i}"
    return f"acme broke again ({i})" if i % 3 == 0 else f"unrelated chatter about acmecorp {i}"


def test_subreddit_before_walk_misses_nothing_between_polls(fake: RedditFake, tmp_path: Path) -> None:
    store, client = Store(tmp_path / "h.db"), connect(fake)
    fake.add_subreddit_comments(40, text=text_for)  # history before the first start: not ours
    drain(client, "subreddit:acme", store)
    expected: list[str] = []
    for batch in (5, 250, 1, 130):
        names = fake.add_subreddit_comments(batch, text=text_for)
        expected += [n for i, n in enumerate(names) if i % 7 == 0 or i % 3 == 0]
        poll_once(client, "subreddit:acme", store, now=now())
        # More arrive while the walk is still paging forward.
        names = fake.add_subreddit_comments(3, text=lambda i: "acme!")
        expected += names
        drain(client, "subreddit:acme", store)
    assert sorted(stored_ids(store)) == sorted(expected)
    assert all(c.source in ("keyword", "mention") for c in store.comments(f"reddit:{n}" for n in expected).values())


def test_subreddit_walk_recovers_when_the_before_anchor_is_deleted(fake: RedditFake, tmp_path: Path) -> None:
    store, client = Store(tmp_path / "h.db"), connect(fake)
    drain(client, "subreddit:acme", store)
    first = fake.add_subreddit_comments(3, text=lambda i: "acme one")
    drain(client, "subreddit:acme", store)
    fake.delete(first[-1])  # the anchor: before=<it> now answers empty, as Reddit does
    later = fake.add_subreddit_comments(4, text=lambda i: "acme two")
    drain(client, "subreddit:acme", store)
    fake.delete(later[-1])
    many = fake.add_subreddit_comments(230, text=lambda i: "acme three")  # more than a page
    drain(client, "subreddit:acme", store)
    assert set(stored_ids(store)) == set(first + later + many)


def test_idle_polls_cost_one_request_each(fake: RedditFake, tmp_path: Path) -> None:
    store, client = Store(tmp_path / "h.db"), connect(fake)
    fake.add_subreddit_comments(3, text=lambda i: "acme")
    for source in client.sources():
        drain(client, source, store)
    before = fake.requests()
    for _ in range(6):
        for source in client.sources():
            assert poll_once(client, source, store, now=now()).fetched == 0
    assert fake.requests() - before == 6 * len(client.sources())


def test_new_posts_with_a_keyword_in_title_or_text_are_heard_and_answerable(fake: RedditFake, tmp_path: Path) -> None:
    store, client = Store(tmp_path / "h.db"), connect(fake)
    fake.add_subreddit_post("acme before we started")  # history: not ours
    drain(client, "posts:acme", store)
    in_title = fake.add_subreddit_post("Acme grinder broke after a week", "Anyone else? The burr is loose.")
    in_text = fake.add_subreddit_post("Which grinder?", "Torn between acme and a hand grinder")
    to_us = fake.add_subreddit_post("Question for u/heard_bot", "do you ship to Canada")
    fake.add_subreddit_post("Best pour over kettle?", "looking for one under $50")
    drain(client, "posts:acme", store)
    assert sorted(stored_ids(store)) == sorted([in_title, in_text, to_us])
    post = store.comment(f"reddit:{in_title}")
    assert post.text == "Acme grinder broke after a week\n\nAnyone else? The burr is loose."
    assert post.source == "keyword" and post.conversation_id == in_title
    assert store.comment(f"reddit:{to_us}").source == "mention"
    reply = client.reply(store.comment(f"reddit:{to_us}"), "Yes, we do!")
    assert reply.startswith("t1_") and client.find_reply(store.comment(f"reddit:{to_us}")) == reply


# -- rate limits -----------------------------------------------------------------------------------


def test_429_pauses_only_that_source_until_the_reset(fake: RedditFake, tmp_path: Path) -> None:
    store, client = Store(tmp_path / "h.db"), connect(fake)
    for source in client.sources():
        poll_once(client, source, store, now=now())
    fake.add_incoming(3)
    fake.add_subreddit_comments(2, text=lambda i: "acme")
    cursor = store.cursor("reddit:inbox")["cursor"]
    fake.fail_next("429")
    t0 = now()
    limited = poll_once(client, "inbox", store, now=t0)
    assert limited.paused_until is not None and timedelta(seconds=1) < limited.paused_until - t0 < timedelta(seconds=4)
    assert store.cursor("reddit:inbox")["paused_until"] and store.cursor("reddit:inbox")["cursor"] == cursor
    assert poll_once(client, "subreddit:acme", store, now=t0).stored == 2  # the other source keeps going
    count = fake.requests()
    assert poll_once(client, "inbox", store, now=t0 + timedelta(seconds=1)).paused_until == limited.paused_until
    assert fake.requests() == count, "a request went out before the reset"
    assert poll_once(client, "inbox", store, now=limited.paused_until + timedelta(seconds=1)).stored == 3


def test_a_spent_window_raises_before_calling(tmp_path: Path) -> None:
    fake = RedditFake(window_seconds=1.0, window_limit=3).start()
    try:
        store, client = Store(tmp_path / "h.db"), connect(fake)
        for _ in range(3):
            assert poll_once(client, "inbox", store, now=now()).error is None
        count = fake.requests()
        with pytest.raises(RateLimited) as caught:
            client.fetch("inbox", None, since=now())
        assert fake.requests() == count
        result = poll_once(client, "subreddit:acme", store, now=now())
        assert result.paused_until == caught.value.retry_at and fake.requests() == count
        time.sleep(max(0.0, (caught.value.retry_at - now()).total_seconds()) + 0.05)
        assert poll_once(client, "inbox", store, now=now()).error is None
    finally:
        fake.stop()


# -- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "count", "error", "recorded"),
    [
        ("500", 3, Transient, "Transient"),  # prawcore retries a 5xx twice itself (sleeping 0-2 s, then 2-4 s)
        ("timeout", 3, Transient, "Transient"),
        ("401", 1, AuthFailed, "credentials refused"),  # praw refreshes the token once; that is refused too
        ("402", 1, AuthFailed, "credentials refused"),
        ("garbage", 1, BadPayload, "BadPayload"),
    ],
)
def test_failures_are_translated_and_the_cursor_stays(
    fake: RedditFake, tmp_path: Path, kind: str, count: int, error: type, recorded: str
) -> None:
    store, client = Store(tmp_path / "h.db"), connect(fake, timeout=0.3)
    poll_once(client, "inbox", store, now=now())
    client.check()
    names = fake.add_incoming(4)
    cursor = store.cursor("reddit:inbox")["cursor"]
    if kind in ("401", "402", "garbage"):  # the slow kinds are checked through poll_once only
        fake.fail_next(kind, count)
        with pytest.raises(error):
            client.fetch("inbox", cursor, since=now())
    fake.fail_next(kind, count)
    result = poll_once(client, "inbox", store, now=now())
    assert result.error and result.stored == 0
    assert recorded in store.cursor("reddit:inbox")["last_error"]
    assert store.cursor("reddit:inbox")["cursor"] == cursor and stored_ids(store) == []
    later = (result.paused_until or now()) + timedelta(seconds=1)
    assert poll_once(client, "inbox", store, now=later).stored == 4
    assert sorted(stored_ids(store)) == sorted(names)


# -- replies ---------------------------------------------------------------------------------------


def test_reply_and_find_reply_round_trip(fake: RedditFake, tmp_path: Path) -> None:
    store, client = Store(tmp_path / "h.db"), connect(fake)
    for source in client.sources():
        poll_once(client, source, store, now=now())
    mention = fake.add_incoming(1)[0]
    hit = fake.add_subreddit_comments(1, text=lambda i: "is acme down?")[0]
    for source in client.sources():
        poll_once(client, source, store, now=now())
    for name in (mention, hit):
        comment = store.comment(f"reddit:{name}")
        assert client.find_reply(comment) is None
        remote = client.reply(comment, "Sorry about that, looking now.")
        assert remote.startswith("t1_") and client.find_reply(comment) == remote
    assert [r["in_reply_to"] for r in fake.replies()] == [mention, hit]
    # Our own reply shows up in the subreddit listing; it mentions no keyword, and if it did it is ours.
    drain(client, "subreddit:acme", store)
    assert all(c.is_own for c in store.comments(f"reddit:{r['name']}" for r in fake.replies()).values())


def test_find_reply_sees_our_reply_however_busy_the_thread(fake: RedditFake, tmp_path: Path) -> None:
    store, client = Store(tmp_path / "h.db"), connect(fake)
    poll_once(client, "inbox", store, now=now())
    first, busy = fake.add_incoming(2)
    poll_once(client, "inbox", store, now=now())
    fake.tree_limit = 3  # the thread lists 3 replies, then a "more" stub, as Reddit does past its limit
    target = store.comment(f"reddit:{busy}")
    ours = client.reply(target, "Sorry about that, looking now.")
    for i in range(5):
        fake.comment(busy, f"same here {i}", author=f"user{i}")
    assert client.find_reply(target) == ours  # from our own newest comments, not the truncated thread
    # A reply older than our newest 100 comments is looked for in the thread (newest first) instead.
    old_target = store.comment(f"reddit:{first}")
    old_reply = client.reply(old_target, "On it.")
    for _ in range(100):
        client.reply(target, "Following up.")
    assert client.find_reply(old_target) == old_reply
    assert [r["in_reply_to"] for r in fake.replies()].count(first) == 1


def test_reply_refusals(fake: RedditFake, tmp_path: Path) -> None:
    store, client = Store(tmp_path / "h.db"), connect(fake)
    poll_once(client, "inbox", store, now=now())
    a, b, c = fake.add_incoming(3)
    poll_once(client, "inbox", store, now=now())
    fake.lock_thread(a)
    fake.delete(b)
    with pytest.raises(PermanentFailure, match="THREAD_LOCKED"):
        client.reply(store.comment(f"reddit:{a}"), "hi")
    with pytest.raises(PermanentFailure, match="DELETED_COMMENT"):
        client.reply(store.comment(f"reddit:{b}"), "hi")
    fake.fail_next("RATELIMIT")
    with pytest.raises(RateLimited) as caught:
        client.reply(store.comment(f"reddit:{c}"), "hi")
    assert timedelta(minutes=2) < caught.value.retry_at - now() <= timedelta(minutes=3, seconds=1)
    assert fake.replies() == []


_CHILD = """
import sys
from datetime import UTC, datetime
from listener.platforms import spec
from listener.poll import poll_once
from listener.store import Store
options, secrets, db = eval(sys.argv[1]), eval(sys.argv[2]), sys.argv[3]
store, client = Store(db), spec("reddit").connect(options, secrets)
print("ready", flush=True)
while True:
    poll_once(client, "inbox", store, now=datetime.now(UTC))
"""


def test_a_killed_poller_loses_nothing_and_stores_nothing_twice(fake: RedditFake, tmp_path: Path) -> None:
    db = tmp_path / "heard.db"
    early: list[str] = []
    fake.read_hook = lambda names: early.extend(_missing(db, names))
    store, client = Store(db), connect(fake)
    poll_once(client, "inbox", store, now=now())
    options, secrets = fake.connect_args()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    added: list[str] = []
    for delay in (0.0, 0.01, 0.05):
        added += fake.add_incoming(1500)
        stored = store.count_comments()
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, repr(options), repr(secrets), str(db)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        # Kill once the child has stored something, however slow the machine: mid-way, not before or after.
        deadline = time.monotonic() + 60
        while store.count_comments() == stored and time.monotonic() < deadline:
            time.sleep(0.001)
        time.sleep(delay)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert 0 < store.count_comments() < len(added), "the kills should land mid-way"
    while fake.unread:
        assert poll_once(client, "inbox", store, now=now()).error is None
    assert sorted(stored_ids(store)) == sorted(added)
    assert len([e for e in store.events() if e["kind"] == "stored"]) == len(added)
    assert early == []


def _missing(db: Path, names: list[str]) -> set[str]:
    """Which of these fullnames the database does not hold (read from the fake's thread)."""
    with sqlite3.connect(db) as conn:
        marks = ",".join("?" * len(names))
        rows = conn.execute(f"SELECT native_id FROM comments WHERE native_id IN ({marks})", names)
        return set(names) - {r[0] for r in rows}


def test_a_broken_time_in_a_listing_is_set_aside_by_normalise_not_a_stuck_source(
    fake: RedditFake, tmp_path: Path
) -> None:
    store, client = Store(tmp_path / "a.db"), connect(fake)
    for source in ("inbox", "subreddit:acme"):
        poll_once(client, source, store, now=now())  # first start: marks the present
    inbox = fake.add_incoming(3)
    sub = fake.add_subreddit_comments(3, text=lambda i: f"acme is great ({i})")
    # The newest of each listing (what the walks anchor on) has no readable time.
    fake.things[inbox[-1]]["created_utc"] = None
    fake.things[sub[-1]]["created_utc"] = "soon"
    for source in ("inbox", "subreddit:acme"):
        result = poll_once(client, source, store, now=now())
        assert (result.error, result.stored, result.skipped) == (None, 2, 1), source
    assert set(stored_ids(store)) == set(inbox[:-1] + sub[:-1])
    # The walk moved on: the next poll is not stuck on the broken comment.
    assert poll_once(client, "subreddit:acme", store, now=now()).error is None
