"""Test the X platform: pure normalise, and real tweepy over real HTTP against the fake X API."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from listener.errors import (
    BadPayload,
    ConfigError,
    CreditsExhausted,
    PermanentFailure,
    RateLimited,
)
from listener.platforms import spec
from listener.platforms.x import connect, normalise
from listener.platforms.x_paging import items, tweets
from listener.poll import poll_once
from listener.records import Account
from listener.store import Store
from tests.fakes.x import make_harness, old
from tests.harness import client, now

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


def test_the_bot_flag_is_xs_automated_label_only():
    # A handle or a bio is not X's label: what an account says of itself is read by the tagger.
    assert not normalise(tweet(_handle="price_bot"), US).author.is_bot
    assert not normalise(tweet(_bio="I am a bot"), US).author.is_bot
    assert not normalise(tweet(), US).author.is_bot


def test_retweet_of_our_post_is_a_keyword_hit_not_a_mention():
    """A retweet's text starts "RT @us:" and X lists us in its mentions, but it says nothing to us."""
    raw = tweet(
        text="RT @heardbot: Our spring range is out today, come and see \u2026",
        referenced_tweets=[{"type": "retweeted", "id": "4"}],
        entities={"mentions": [{"start": 3, "end": 12, "id": "1000", "username": "heardbot"}]},
    )
    raw["includes"]["tweets"] = [{"id": "4", "author_id": "1000", "text": "Our spring range is out today"}]
    c = normalise(raw, US)
    assert (c.source, c.mentions_us, c.parent_id, c.is_own) == ("keyword", False, None, False)


def test_retweet_of_someone_naming_us_is_still_not_said_to_us():
    raw = tweet(
        text="RT @bob: @heardbot why is my parcel stuck?",
        referenced_tweets=[{"type": "retweeted", "id": "7"}],
        entities={"mentions": [{"id": "3003", "username": "bob"}, {"id": "1000", "username": "heardbot"}]},
    )
    assert (normalise(raw, US).source, normalise(raw, US).mentions_us) == ("keyword", False)


def test_x_automated_label_flags_the_author_as_a_bot():
    """X's "Automated by @owner" label arrives in the user's affiliation; a plain handle and bio say nothing."""
    raw = tweet(text="@heardbot new listings tonight", _handle="city_listings", _bio="Events in town.")
    assert not normalise(raw, US).author.is_bot
    raw["includes"]["users"][0]["affiliation"] = {"description": "Automated by @cityhall", "user_id": ["77"]}
    assert normalise(raw, US).author.is_bot
    raw["includes"]["users"][0]["affiliation"] = {"description": "Works at Acme Corp", "user_id": ["78"]}
    assert not normalise(raw, US).author.is_bot


def test_missing_created_at_is_bad_payload():
    raw = tweet()
    del raw["data"]["created_at"]
    with pytest.raises(BadPayload):
        normalise(raw, US)


def test_a_field_of_the_wrong_type_is_bad_payload_naming_it():
    with pytest.raises(BadPayload, match='x tweet 5: "text" expected a string, got list'):
        normalise(tweet(text=["hello"]), US)
    raw = tweet()
    raw["includes"]["users"] = [7]
    with pytest.raises(BadPayload, match=r'"users\[0\]" expected an object, got number'):
        normalise(raw, US)
    with pytest.raises(BadPayload, match='"referenced_tweets" expected a list, got object'):
        normalise(tweet(referenced_tweets={"type": "quoted"}), US)


def test_text_and_names_are_made_clean_and_raw_keeps_what_x_sent():
    raw = tweet(text="hi\x00 there \ud83d\r\nbye &amp; \ufffe", _handle="ali\x1bce", _bio="\x7fbio")
    c = normalise(raw, US)
    assert (c.text, c.author.handle, c.author.bio) == ("hi there \ufffd\nbye & ", "alice", "bio")
    assert c.url == "https://x.com/alice/status/5"
    assert c.raw["data"]["text"] == "hi\x00 there \ud83d\r\nbye &amp; \ufffe"


# A page of mentions in X's API v2 shape (``includes`` shared by the page), with every case normalise tells
# apart; PAGE_RECORDS is what each of its tweets became before normalise was made quicker, field for field.
PAGE = {
    "data": [
        {"id": "21", "text": "@heardbot is the app down?", "author_id": "2001", "created_at": WHEN,
         "conversation_id": "21", "lang": "en", "edit_history_tweet_ids": ["21"],
         "entities": {"mentions": [{"start": 0, "end": 9, "id": "1000", "username": "heardbot"}]}},
        {"id": "22", "text": "@HeardBot thanks &amp; cheers", "author_id": "2002",
         "created_at": "2024-05-01T12:01:00.000Z", "conversation_id": "3", "in_reply_to_user_id": "1000", "lang": "en",
         "referenced_tweets": [{"type": "replied_to", "id": "4"}]},
        {"id": "23", "text": "look at this https://t.co/x", "author_id": "2001",
         "created_at": "2024-05-01T12:02:00+00:00", "referenced_tweets": [{"type": "quoted", "id": "4"}],
         "entities": {"urls": [{"expanded_url": "https://twitter.com/HeardBot/status/4"}]}},
        {"id": "24", "text": "RT @heardbot: our launch", "author_id": "2003", "created_at": "2024-05-01T12:03:00.000Z",
         "referenced_tweets": [{"type": "retweeted", "id": "4"}],
         "entities": {"mentions": [{"id": "1000", "username": "heardbot"}]}},
        {"id": "25", "text": "acme\r\nbroke\x00 my build \ud83d", "author_id": "2004",
         "created_at": "2024-05-01T12:04:00.000Z", "lang": "und"},
        {"id": "26", "text": "We shipped, @heardbot.", "author_id": "1000", "created_at": "2024-05-01T12:05:00.000Z"},
        {"id": "27", "text": "quoting bob", "author_id": "2002", "created_at": "2024-05-01T12:06:00.000Z",
         "referenced_tweets": [{"type": "quoted", "id": "8"}, "odd"]},
        {"id": "28", "text": "no author listed", "author_id": 2009, "created_at": "2024-05-01T12:07:00.000Z",
         "conversation_id": 28},
    ],
    "includes": {
        "users": [
            {"id": "2001", "username": "alice", "name": "Alice", "description": "Coffee \x1band code"},
            {"id": "2002", "username": "bob", "name": "Bob \u202eB", "description": ""},
            {"id": "2003", "username": "carol", "name": "Carol"},
            {"id": "2004", "username": "city_listings", "name": "City",
             "affiliation": {"description": "Automated by @cityhall", "user_id": ["77"]}},
            {"id": "1000", "username": "heardbot", "name": "Heard"},
            {"id": "3003", "username": "dave", "name": "Dave"},
        ],
        "tweets": [
            {"id": "4", "author_id": "1000", "text": "our launch"},
            {"id": "8", "author_id": "3003", "text": "bob's"},
        ],
    },
    "meta": {"result_count": 8, "newest_id": "28", "oldest_id": "21"},
}  # fmt: skip
# (native_id, source, author id, handle, name, bio, is_bot, text, url, created_at, parent_id, conversation_id,
#  lang, mentions_us, is_own, the item's user ids, its tweet ids), or the BadPayload's message.
PAGE_RECORDS = [
    ("21", "mention", "2001", "alice", "Alice", "Coffee and code", False, "@heardbot is the app down?",
     "https://x.com/alice/status/21", "2024-05-01T12:00:00+00:00", None, "21", "en", True, False, ["2001"], []),
    ("22", "reply", "2002", "bob", "Bob \u202eB", "", False, "@HeardBot thanks & cheers", "https://x.com/bob/status/22",
     "2024-05-01T12:01:00+00:00", "x:4", "3", "en", True, False, ["2002", "1000"], ["4"]),
    ("23", "mention", "2001", "alice", "Alice", "Coffee and code", False, "look at this https://t.co/x",
     "https://x.com/alice/status/23", "2024-05-01T12:02:00+00:00", None, "23", None, True, False,
     ["2001", "1000"], ["4"]),
    ("24", "keyword", "2003", "carol", "Carol", "", False, "RT @heardbot: our launch", "https://x.com/carol/status/24",
     "2024-05-01T12:03:00+00:00", None, "24", None, False, False, ["2003", "1000"], ["4"]),
    ("25", "keyword", "2004", "city_listings", "City", "", True, "acme\nbroke my build \ufffd",
     "https://x.com/city_listings/status/25", "2024-05-01T12:04:00+00:00", None, "25", "und", False, False,
     ["2004"], []),
    ("26", "mention", "1000", "heardbot", "Heard", "", False, "We shipped, @heardbot.",
     "https://x.com/heardbot/status/26", "2024-05-01T12:05:00+00:00", None, "26", None, True, True, ["1000"], []),
    'x tweet 27: "referenced_tweets[1]" expected an object, got string',
    ("28", "keyword", "2009", "2009", "", "", False, "no author listed", "https://x.com/2009/status/28",
     "2024-05-01T12:07:00+00:00", None, "28", None, False, False, [], []),
]  # fmt: skip


def _record(item):
    """One cut item normalised, as a PAGE_RECORDS entry; its raw must be the item itself."""
    try:
        c = normalise(item, US)
    except BadPayload as exc:
        return str(exc)
    assert c.raw == item
    a, inc = c.author, item["includes"]
    return (
        *(c.native_id, c.source, a.id, a.handle, a.name, a.bio, a.is_bot, c.text, c.url, c.created_at.isoformat()),
        *(c.parent_id, c.conversation_id, c.lang, c.mentions_us, c.is_own),
        [u["id"] for u in inc["users"]],
        [t["id"] for t in inc.get("tweets", [])],
    )


def test_a_recorded_page_is_cut_and_normalised_field_for_field_as_before():
    assert [_record(item) for item in items(tweets(PAGE), PAGE["includes"])] == PAGE_RECORDS


# -- the client against the fake -------------------------------------------------------------


@pytest.fixture
def harness():
    # No test here waits out a timeout on purpose: a generous one keeps a loaded machine (CI under coverage)
    # from failing a request to the local fake that merely came late (0.3 s once did).
    h = make_harness(timeout=5.0).start()
    yield h
    h.stop()


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
    assert c.sources() == ("mentions", "search:acme", "quotes", "ours")
    assert client(harness, quotes_days=0).sources() == ("mentions", "search:acme", "ours")


def test_429_pauses_mentions_while_search_goes_on(harness, tmp_path):
    # The pause itself, the refusal and the resume: tests/test_platform_clients.py.
    store, c = Store(tmp_path / "db"), client(harness)
    poll_once(c, "mentions", store, now=now())
    harness.fail_next("429")
    assert poll_once(c, "mentions", store, now=now()).paused_until
    assert poll_once(c, "search:acme", store, now=now()).error is None
    assert harness.requests("/search") == 1


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


# -- quotes of our recent tweets -----------------------------------------------------------------


def test_a_quote_that_does_not_name_us_is_heard_from_the_quotes_source(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness, quotes_minutes=0)
    ours = harness.add_own_post()
    for source in c.sources():
        poll_once(c, source, store, now=now())  # the first poll marks the present
    bob = harness._author("bob")
    quote = harness.fake.add_tweet(bob, "this launch is a mess, three bugs in ten minutes", quote_of=ours)
    assert poll_once(c, "mentions", store, now=now()).stored == 0  # the mentions timeline never lists it
    assert poll_once(c, "quotes", store, now=now()).stored == 1
    got = store.comment(f"x:{quote}")
    assert got.source == "mention" and got.mentions_us and got.author.handle == "bob"
    assert poll_once(c, "quotes", store, now=now()).stored == 0  # read again: nothing twice


def test_quotes_from_before_the_first_start_are_not_backfilled(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness, quotes_minutes=0)
    ours = harness.add_own_post(created_at=old(30))
    harness.fake.add_tweet(harness._author("bob"), "old take", quote_of=ours, created_at=old(20))
    assert poll_once(c, "quotes", store, now=now()).stored == 0
    late = harness.fake.add_tweet(harness._author("carol"), "new take", quote_of=ours)
    assert poll_once(c, "quotes", store, now=now()).stored == 1 and store.comment(f"x:{late}")


def test_quotes_are_read_only_when_due_and_only_for_recent_tweets(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness)  # every 15 minutes by default
    harness.add_own_post(created_at=old(24 * 4))  # older than quotes_days (3): never read
    recent = harness.add_own_post()
    poll_once(c, "quotes", store, now=now())
    assert harness.requests("/quote_tweets") == 1 and harness.requests(f"/2/tweets/{recent}/quote_tweets") == 1
    for _ in range(3):
        poll_once(c, "quotes", store, now=now())
    assert harness.requests("/quote_tweets") == 1 and harness.requests("/users/1000/tweets") == 1  # not due


def test_a_rate_limited_quotes_read_pauses_the_source_and_moves_nothing(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness, quotes_minutes=0)
    ours = harness.add_own_post()
    poll_once(c, "quotes", store, now=now())
    before = store.cursor("x:quotes")["cursor"]
    harness.fake.add_tweet(harness._author("bob"), "hm", quote_of=ours)
    harness.fail_next("429")
    result = poll_once(c, "quotes", store, now=now())
    assert result.paused_until is not None and result.stored == 0
    assert store.cursor("x:quotes")["cursor"] == before
    with pytest.raises(BadPayload, match="quotes cursor"):
        c.fetch("quotes", '{"floor": "2026-01-01T00:00:00+00:00"}', since=now())


def test_a_tweet_deleted_between_the_timeline_and_its_quotes_does_not_block_the_others(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness, quotes_minutes=0)
    kept = harness.add_own_post()
    gone = harness.add_own_post()  # the newest, so read first
    poll_once(c, "quotes", store, now=now())
    quote = harness.fake.add_tweet(harness._author("bob"), "nice", quote_of=kept)
    harness.fake.add_tweet(harness._author("bob"), "lost with it", quote_of=gone)
    harness.fail_next("pass")  # the timeline still lists it...
    harness.fail_next("404")  # ...but it is deleted before its quotes are read
    assert poll_once(c, "quotes", store, now=now()).error is None
    assert store.comment(f"x:{quote}")
