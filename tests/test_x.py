"""Test the X platform: pure normalise, and real tweepy over real HTTP against the fake X API."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from listener.errors import (
    AuthFailed,
    BadPayload,
    ConfigError,
    CreditsExhausted,
    PermanentFailure,
    RateLimited,
    Transient,
)
from listener.platforms import spec
from listener.platforms.x import connect, normalise
from listener.poll import poll_once
from listener.records import Account
from listener.store import Store
from tests.fakes.x import make_harness

US = Account("x", "1000", "heardbot")
WHEN = "2024-05-01T12:00:00.000Z"


def tweet(**fields):
    """A single-tweet payload by alice (2001), with whatever fields the case needs."""
    handle, bio = fields.pop("_handle", "alice"), fields.pop("_bio", "")
    data = {
        "id": "5",
        "text": "hello",
        "author_id": "2001",
        "created_at": WHEN,
        "edit_history_tweet_ids": ["5"],
        **fields,
    }
    users = [{"id": data["author_id"], "username": handle, "name": "Alice", "description": bio}]
    return {"data": data, "includes": {"users": users}}


# -- normalise: pure ---------------------------------------------------------------------------


def test_mention_is_a_mention():
    raw = tweet(text="@heardbot is it down?", entities={"mentions": [{"id": "1000", "username": "heardbot"}]})
    c = normalise(raw, US)
    assert (c.source, c.mentions_us, c.is_own) == ("mention", True, False)
    assert c.id == "x:5" and c.author.handle == "alice" and c.url == "https://x.com/alice/status/5"
    assert c.created_at == datetime(2024, 5, 1, 12, tzinfo=UTC)


def test_reply_to_us_is_a_reply_with_parent():
    raw = tweet(
        text="thanks",
        in_reply_to_user_id="1000",
        conversation_id="3",
        referenced_tweets=[{"type": "replied_to", "id": "4"}],
    )
    c = normalise(raw, US)
    assert (c.source, c.parent_id, c.conversation_id, c.mentions_us) == ("reply", "x:4", "3", True)


def test_quote_of_us_is_a_mention():
    raw = tweet(text="look at this", referenced_tweets=[{"type": "quoted", "id": "4"}])
    assert normalise(raw, US).source == "keyword"
    raw["includes"]["tweets"] = [{"id": "4", "author_id": "1000", "text": "our launch"}]
    assert normalise(raw, US).source == "mention"


def test_quote_of_us_found_by_link():
    raw = tweet(
        text="look https://t.co/x",
        referenced_tweets=[{"type": "quoted", "id": "4"}],
        entities={"urls": [{"expanded_url": "https://twitter.com/HeardBot/status/4"}]},
    )
    assert normalise(raw, US).source == "mention"


def test_keyword_hit_is_never_a_mention():
    c = normalise(tweet(text="acme broke my build"), US)
    assert (c.source, c.mentions_us) == ("keyword", False)


def test_own_tweet_is_marked_own():
    raw = tweet(author_id="1000", _handle="heardbot", text="We shipped")
    assert normalise(raw, US).is_own


def test_bot_author_is_flagged():
    assert normalise(tweet(_handle="price_bot"), US).author.is_bot
    assert normalise(tweet(_bio="I am a bot"), US).author.is_bot
    assert not normalise(tweet(), US).author.is_bot


def test_missing_created_at_is_bad_payload():
    raw = tweet()
    del raw["data"]["created_at"]
    with pytest.raises(BadPayload):
        normalise(raw, US)


# -- the client against the fake -------------------------------------------------------------


@pytest.fixture
def harness():
    h = make_harness(timeout=0.3).start()
    yield h
    h.stop()


def client(h):
    """A freshly connected client, as after a restart."""
    return connect(*h.connect_args())


def now():
    return datetime.now(UTC)


def test_registered_with_secrets_and_options():
    x = spec("x")
    assert x.secrets == ("X_API_KEY", "X_API_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET")
    assert {"user_id", "username", "keywords", "api_base", "page_size", "timeout"} <= set(x.options)
    assert x.connect is connect


def test_connect_refuses_missing_secret_and_bad_keywords(harness):
    options, secrets = harness.connect_args()
    with pytest.raises(ConfigError, match="X_ACCESS_TOKEN_SECRET"):
        connect(options, {k: v for k, v in secrets.items() if k != "X_ACCESS_TOKEN_SECRET"})
    with pytest.raises(ConfigError, match="keywords"):
        connect({**options, "keywords": "acme"}, secrets)


def test_check_and_account_from_users_me(harness):
    options, secrets = harness.connect_args()
    c = connect({k: v for k, v in options.items() if k not in ("user_id", "username")}, secrets)
    assert c.account == harness.account
    assert c.check() == "@heardbot (1000)"
    assert c.sources() == ("mentions", "search:acme")


def test_first_start_begins_now_and_backfill_reaches_back(harness, tmp_path):
    harness.add_incoming(3, created_at=now() - timedelta(hours=5))
    recent = harness.add_incoming(4, created_at=now() - timedelta(hours=2))
    store = Store(tmp_path / "db")
    result = poll_once(client(harness), "mentions", store, now=now())
    assert (result.stored, store.count_comments()) == (0, 0)
    fresh = harness.add_incoming(2)
    poll_once(client(harness), "mentions", store, now=now())
    assert set(store.comments(f"x:{i}" for i in fresh)) == {f"x:{i}" for i in fresh}
    assert store.count_comments() == 2

    other = Store(tmp_path / "backfill")
    poll_once(client(harness), "mentions", other, now=now(), backfill=timedelta(hours=3))
    assert set(other.comments(f"x:{i}" for i in recent + fresh)) == {f"x:{i}" for i in recent + fresh}
    assert other.count_comments() == 6


def test_ten_thousand_mentions_across_restarts_each_stored_once(tmp_path):
    h = make_harness(limits={"mentions": 100_000}).start()
    try:
        store_path, expected = tmp_path / "db", set()
        poll_once(client(h), "mentions", Store(store_path), now=now())  # first start: marks the present
        for batch in range(4):
            expected.update(h.add_incoming(2_500, text=f"@heardbot batch {batch}"))
            for _ in range(20):  # restart every few ticks, some of them mid-cycle
                store, c = Store(store_path), client(h)
                for _ in range(5):
                    result = poll_once(c, "mentions", store, now=now())
                    if not result.more:
                        break
                    expected.update(h.add_incoming(1))  # arrivals while a cycle is paging
                store.close()
                if not result.more:
                    break
        store = Store(store_path)
        for _ in range(3):  # drain what arrived during the last cycle
            poll_once(client(h), "mentions", store, now=now())
        stored = {r[0] for r in store.db.execute("SELECT native_id FROM comments")}
        assert stored == expected and len(expected) > 10_000
        # Full pages all the way: the cycle bound never falls back and nothing is fetched twice.
        assert h.requests("/mentions") <= len(expected) // 100 + 12
        assert store.db.execute("SELECT count(*) FROM events WHERE kind = 'stored'").fetchone()[0] == len(stored)
        before = h.requests("/mentions")
        for _ in range(5):
            assert poll_once(client(h), "mentions", store, now=now()).stored == 0
        assert h.requests("/mentions") - before == 5  # an idle poll costs one request
    finally:
        h.stop()


def test_429_pauses_that_endpoint_until_reset_while_search_goes_on(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness)
    poll_once(c, "mentions", store, now=now())
    harness.fail_next("429")
    result = poll_once(c, "mentions", store, now=now())
    assert result.paused_until and result.paused_until > now() - timedelta(seconds=1)
    assert store.cursor("x:mentions")["paused_until"]
    sent = harness.requests("/mentions")
    with pytest.raises(RateLimited) as refused:  # the client itself refuses before calling
        c.fetch("mentions", store.cursor("x:mentions")["cursor"], since=now())
    assert refused.value.retry_at == result.paused_until
    assert poll_once(c, "mentions", store, now=now()).paused_until == result.paused_until
    assert harness.requests("/mentions") == sent
    assert poll_once(c, "search:acme", store, now=now()).error is None
    assert harness.requests("/search") == 1
    time.sleep(max(0.0, result.paused_until.timestamp() - time.time()) + 0.05)
    assert poll_once(c, "mentions", store, now=now()).error is None
    assert harness.requests("/mentions") == sent + 1


def test_window_spent_is_refused_before_x_says_429(tmp_path):
    h = make_harness(limits={"search": 3}).start()
    try:
        c = client(h)
        cursor = None
        for _ in range(3):
            cursor = c.fetch("search:acme", cursor, since=now()).cursor
        with pytest.raises(RateLimited):
            c.fetch("search:acme", cursor, since=now())
        assert h.requests("/search") == 3
    finally:
        h.stop()


@pytest.mark.parametrize(
    "kind, error",
    [
        ("500", Transient),
        ("timeout", Transient),
        ("401", AuthFailed),
        ("402", CreditsExhausted),
        ("garbage", BadPayload),
    ],
)
def test_failures_are_translated_and_leave_the_cursor(harness, tmp_path, kind, error):
    store, c = Store(tmp_path / "db"), client(harness)
    poll_once(c, "mentions", store, now=now())
    harness.add_incoming(3)
    cursor = store.cursor("x:mentions")["cursor"]
    harness.fail_next(kind)
    with pytest.raises(error):
        c.fetch("mentions", cursor, since=now())
    harness.fail_next(kind)
    result = poll_once(c, "mentions", store, now=now())
    assert result.error and result.stored == 0
    row = store.cursor("x:mentions")
    assert row["cursor"] == cursor and row["errors"] == 1
    assert store.count_comments() == 0


def test_connection_refused_is_transient(harness):
    options, secrets = harness.connect_args()
    c = connect({**options, "api_base": "http://127.0.0.1:9"}, secrets)
    with pytest.raises(Transient):
        c.fetch("mentions", None, since=now())


def test_stale_page_token_restarts_the_cycle(harness):
    cursor = json.dumps({"since_id": "1", "token": "not-a-token", "newest": "9"})
    page = client(harness).fetch("mentions", cursor, since=now())
    assert page.items == () and page.more
    assert json.loads(page.cursor) == {"since_id": "1"}


def test_search_source_stores_keyword_hits_and_mentions(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness)
    poll_once(c, "search:acme", store, now=now())
    hit = harness.fake.add_tweet(harness.fan, "acme is great")
    mention = harness.fake.add_tweet(harness.fan, "@heardbot acme is down")
    harness.fake.add_tweet(harness.fan, "unrelated")
    poll_once(c, "search:acme", store, now=now())
    assert store.comment(f"x:{hit}").source == "keyword"
    assert store.comment(f"x:{mention}").source == "mention"
    assert store.count_comments() == 2


def test_reply_to_us_and_quote_arrive_as_reply_and_mention(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness)
    poll_once(c, "mentions", store, now=now())
    poll_once(c, "search:acme", store, now=now())
    [reply] = harness.add_incoming(1, text="sounds good", reply_to_us=True)
    ours = harness.fake.add_tweet(harness.account.id, "acme 2.0 is out")
    quote = harness.fake.add_tweet(harness.fan, "acme finally", quote_of=ours)
    poll_once(c, "mentions", store, now=now())
    poll_once(c, "search:acme", store, now=now())
    assert store.comment(f"x:{reply}").source == "reply"
    assert store.comment(f"x:{quote}").source == "mention"
    assert store.comment(f"x:{ours}").is_own


def test_reply_and_find_reply_round_trip(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness)
    poll_once(c, "mentions", store, now=now())
    [native] = harness.add_incoming(1)
    harness.add_incoming(1, reply_to_us=True)  # another thread of ours must not confuse find_reply
    poll_once(c, "mentions", store, now=now())
    comment = store.comment(f"x:{native}")
    assert c.find_reply(comment) is None
    remote = c.reply(comment, "Thanks, Alice!")
    assert harness.replies() == [{"in_reply_to": native, "text": "Thanks, Alice!"}]
    assert client(harness).find_reply(comment) == remote


def test_reply_to_a_deleted_tweet_is_permanent(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness)
    poll_once(c, "mentions", store, now=now())
    [native] = harness.add_incoming(1)
    poll_once(c, "mentions", store, now=now())
    comment = store.comment(f"x:{native}")
    del harness.fake.tweets[int(native)]
    with pytest.raises(PermanentFailure):
        c.reply(comment, "hello?")
    harness.fail_next("402")
    with pytest.raises(CreditsExhausted):
        c.reply(comment, "hello?")
