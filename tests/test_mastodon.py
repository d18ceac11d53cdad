"""Test the Mastodon platform: normalise on recorded payloads, and Mastodon.py against the fake instance."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path

import pytest

from heard.settings import build_settings
from listener.errors import AuthFailed, BadPayload, ConfigError, PermanentFailure, RateLimited
from listener.platforms import spec
from listener.platforms.mastodon import connect, html_to_text, normalise
from listener.poll import poll_once
from listener.records import Account
from listener.store import Store
from responders import policy
from tests.fakes.mastodon import make_harness, old
from tests.harness import client, now

US = Account("mastodon", "117020565966271181", "mastodonpy_test")
_ADMIN = {
    "id": "117020565693913441",
    "username": "admin",
    "acct": "admin",
    "display_name": "",
    "locked": False,
    "bot": False,
    "group": False,
    "created_at": "2026-08-01T00:00:00.000Z",
    "note": "",
    "url": "http://localhost:3000/@admin",
    "uri": "http://localhost:3000/ap/users/117020565693913441",
    "fields": [],
}
# Trimmed from Mastodon.py's recording test_notifications_mentions_only.yaml (MIT; see the recordings'
# LICENSES.md): the first item of GET /api/v1/notifications?types[]=mention, as the server sent it.
_RECORDED = {
    "id": "21",
    "type": "mention",
    "created_at": "2026-08-01T13:51:43.458Z",
    "group_key": "ungrouped-21",
    "account": _ADMIN,
    "status": {
        "id": "117020577157693549",
        "created_at": "2026-08-01T13:51:42.823Z",
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": "en",
        "uri": "http://localhost:3000/ap/users/117020565693913441/statuses/117020577157693549",
        "url": "http://localhost:3000/@admin/117020577157693549",
        "content": '<p><span class="h-card" translate="no"><a href="http://localhost:3000/@mastodonpy_test" '
        'class="u-url mention">@<span>mastodonpy_test</span></a></span> hello!</p>',
        "account": _ADMIN,
        "mentions": [
            {
                "id": "117020565966271181",
                "username": "mastodonpy_test",
                "url": "http://localhost:3000/@mastodonpy_test",
                "acct": "mastodonpy_test",
            }
        ],
        "tags": [],
    },
}


def recorded_mention() -> dict:
    """A fresh deep copy of the recorded mention notification."""
    return json.loads(json.dumps(_RECORDED))


# -- normalise: pure ---------------------------------------------------------------------------


def test_recorded_mention_normalises_to_readable_text():
    c = normalise(recorded_mention(), US)
    assert (c.id, c.source, c.mentions_us, c.is_own) == ("mastodon:117020577157693549", "mention", True, False)
    assert c.text == "@mastodonpy_test hello!"
    assert (c.author.handle, c.author.id, c.author.is_bot) == ("admin", "117020565693913441", False)
    assert c.url == "http://localhost:3000/@admin/117020577157693549"
    assert c.created_at == datetime(2026, 8, 1, 13, 51, 42, 823000, tzinfo=UTC)
    assert c.raw["status"]["visibility"] == "public" and c.lang == "en"


def test_reply_to_us_is_a_reply_with_parent():
    raw = recorded_mention()
    raw["status"].update(in_reply_to_id="117020577157693000", in_reply_to_account_id=US.id)
    c = normalise(raw, US)
    assert (c.source, c.parent_id, c.conversation_id) == ("reply", "mastodon:117020577157693000", "117020577157693000")


def test_own_status_and_bot_flag():
    raw = recorded_mention()
    raw["status"]["account"].update(id=US.id, acct=US.handle)
    assert normalise(raw, US).is_own
    raw = recorded_mention()
    raw["status"]["account"]["bot"] = True
    assert normalise(raw, US).author.is_bot


def test_nobot_in_an_html_bio_is_honoured_by_the_policy():
    raw = recorded_mention()
    raw["status"]["account"]["note"] = (
        '<p>Cyclist. <a href="https://x/tags/nobot" class="mention hashtag">#<span>nobot</span></a></p>'
    )
    c = normalise(raw, US)
    assert c.author.bio == "Cyclist. #nobot"
    assert policy.opted_out(c, None)


def test_html_to_text_keeps_paragraphs_breaks_and_entities():
    markup = '<p>Hi <span class="h-card"><a href="u">@<span>bob</span></a></span> &amp; co</p><p>line<br />two</p>'
    assert html_to_text(markup) == "Hi @bob & co\nline\ntwo"


def test_a_notification_whose_status_is_gone_is_a_bad_payload():
    raw = recorded_mention()
    raw["status"] = None
    with pytest.raises(BadPayload, match="status"):
        normalise(raw, US)


def test_a_field_of_the_wrong_type_is_bad_payload_naming_it():
    raw = recorded_mention()
    raw["status"]["content"] = ["<p>hi</p>"]
    with pytest.raises(BadPayload, match='mastodon status 117020577157693549: "content" expected a string, got list'):
        normalise(raw, US)
    raw = recorded_mention()
    raw["type"], raw["status"]["mentions"] = "tag", "mastodonpy_test"  # a hashtag hit is read for its mentions
    with pytest.raises(BadPayload, match='"mentions" expected a list, got string'):
        normalise(raw, US)


def test_text_and_names_are_made_clean_and_raw_keeps_what_the_server_sent():
    raw = recorded_mention()
    raw["status"]["content"] = "<p>a\x00b\x1b[0m \ud83d\ufffe end</p>"
    raw["status"]["account"]["display_name"] = "Ad\x07min"
    c = normalise(raw, US)
    assert (c.text, c.author.name) == ("ab[0m \ufffd end", "Admin")
    assert c.raw["status"]["content"] == "<p>a\x00b\x1b[0m \ud83d\ufffe end</p>"


# -- configuration through the generic settings ------------------------------------------------


def test_spec_and_generic_settings():
    mastodon = spec("mastodon")
    assert mastodon.secrets == ("MASTODON_ACCESS_TOKEN",)
    assert {"api_base_url", "bot_account"} <= set(mastodon.options)
    doc = {"platforms": {"mastodon": {"enabled": True, "api_base_url": "http://127.0.0.1:9", "bot_account": True}}}
    settings = build_settings(doc, {"MASTODON_ACCESS_TOKEN": "t"}, config_path=Path("heard.toml"), overrides={})
    ps = settings.platforms["mastodon"]
    assert ps.enabled and not ps.missing and ps.options["api_base_url"] == "http://127.0.0.1:9"
    assert mastodon.connect(ps.options, ps.secrets).bot_account


def test_connect_refuses_bad_configuration():
    with pytest.raises(ConfigError, match="MASTODON_ACCESS_TOKEN"):
        connect({"api_base_url": "http://127.0.0.1:9"}, {})
    with pytest.raises(ConfigError, match="api_base_url"):
        connect({}, {"MASTODON_ACCESS_TOKEN": "t"})
    with pytest.raises(ConfigError, match="bot_account"):
        connect({"api_base_url": "http://127.0.0.1:9", "bot_account": "yes"}, {"MASTODON_ACCESS_TOKEN": "t"})
    with pytest.raises(ConfigError, match="page_size"):
        connect({"api_base_url": "http://127.0.0.1:9", "page_size": 200}, {"MASTODON_ACCESS_TOKEN": "t"})


# -- the client against the fake ---------------------------------------------------------------


@pytest.fixture
def harness():
    h = make_harness().start()
    yield h
    h.stop()


def test_check_marks_the_account_a_bot_only_when_allowed_and_only_once(harness):
    assert client(harness).check() == f"@heardbot ({harness.me})"
    assert harness.requests("update_credentials") == 0
    c = client(harness, bot_account=True)
    c.check()
    c.check()
    assert harness.requests("update_credentials") == 1
    assert harness.fake.accounts[harness.me]["bot"] is True


def test_polls_walk_forward_with_min_id_and_skip_other_notifications(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness, page_size=20)
    poll_once(c, "mentions", store, now=now())
    ids = harness.add_incoming(50)  # with a favourite among every ten
    for _ in range(5):
        poll_once(c, "mentions", store, now=now())
    assert {r[0] for r in store.db.execute("SELECT native_id FROM comments")} == set(ids)
    polls = [r for r in harness.fake.server.log if r.path == "/api/v1/notifications"]
    assert all(r.query_all.get("types[]") == ["mention", "quote"] for r in polls)
    assert all("since_id" not in r.query for r in polls) and all("min_id" in r.query for r in polls[1:])


def test_a_quote_of_our_status_that_does_not_mention_us_is_heard(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness)
    poll_once(c, "mentions", store, now=now())
    ours = harness.fake.add_status(harness.me, "Our winter blend is out.")
    bob = harness._author("bob")
    quote = harness.fake.add_status(bob, "tried it, tastes like burnt toast", quote_of=ours)
    assert poll_once(c, "mentions", store, now=now()).stored == 1
    got = store.comment(f"mastodon:{quote}")
    assert got.source == "mention" and got.mentions_us and got.author.handle.startswith("bob")
    assert "burnt toast" in got.text


def test_a_server_that_ignores_types_still_yields_only_mentions(harness, tmp_path):
    harness.fake.filters_types = False
    store, c = Store(tmp_path / "db"), client(harness, page_size=20)
    poll_once(c, "mentions", store, now=now())
    ids = harness.add_incoming(30)  # favourites of our own status come back too
    for _ in range(4):
        poll_once(c, "mentions", store, now=now())
    assert {r[0] for r in store.db.execute("SELECT native_id FROM comments")} == set(ids)
    assert store.db.execute("SELECT COUNT(*) FROM comments WHERE is_own").fetchone()[0] == 0


def test_first_start_begins_now_and_backfill_walks_down_to_the_floor(harness, tmp_path):
    harness.add_incoming(30, created_at=old(5))
    recent = harness.add_incoming(45, created_at=old(2))
    store = Store(tmp_path / "db")
    assert poll_once(client(harness), "mentions", store, now=now()).stored == 0
    fresh = harness.add_incoming(2)
    poll_once(client(harness), "mentions", store, now=now())
    assert store.count_comments() == 2

    other, c = Store(tmp_path / "backfill"), client(harness, page_size=20)
    for _ in range(8):
        poll_once(c, "mentions", other, now=now(), backfill=timedelta(hours=3))
    assert {r[0] for r in other.db.execute("SELECT native_id FROM comments")} == set(recent + fresh)


@pytest.mark.parametrize(
    "original, ours",
    [
        ("public", "unlisted"),
        ("unlisted", "unlisted"),
        ("private", "private"),
        ("direct", "direct"),
    ],
)
def test_reply_is_never_more_visible_than_the_original(harness, tmp_path, original, ours):
    store, c = Store(tmp_path / "db"), client(harness)
    poll_once(c, "mentions", store, now=now())
    [native] = harness.add_incoming(1, visibility=original, author="bob@other.social")
    poll_once(c, "mentions", store, now=now())
    comment = store.comment(f"mastodon:{native}")
    assert comment.author.handle == "bob@other.social"
    remote = c.reply(comment, "Thanks, Bob!")
    [posted] = harness.fake.posted
    assert (posted["visibility"], posted["text"], posted["in_reply_to"]) == (
        ours,
        "@bob@other.social Thanks, Bob!",
        native,
    )
    assert client(harness).find_reply(comment) == remote


def test_a_reply_opens_with_the_authors_full_address_unless_it_already_does(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness)
    poll_once(c, "mentions", store, now=now())
    [native] = harness.add_incoming(1, author="bob@other.social")
    poll_once(c, "mentions", store, now=now())
    comment = store.comment(f"mastodon:{native}")
    c.reply(comment, "@Bob@other.social thanks!")
    c.reply(comment, "Thanks!")
    assert [p["text"] for p in harness.fake.posted] == ["@Bob@other.social thanks!", "@bob@other.social Thanks!"]
    assert spec("mastodon").address("Thanks!", comment) == harness.fake.posted[-1]["text"]


def test_the_user_agent_names_heard_its_version_the_instance_and_the_account(harness, tmp_path):
    c = client(harness)
    poll_once(c, "mentions", Store(tmp_path / "db"), now=now())
    version, url = metadata.version("heard"), harness.fake.server.url
    agents = [r.headers.get("User-Agent") for r in harness.fake.server.log]
    # The first request asks who we are; every later one says it.
    assert agents[0] == f"heard/{version} (+{url})"
    assert agents[1:] and set(agents[1:]) == {f"heard/{version} (+{url}/@heardbot)"}


def test_find_reply_ignores_other_peoples_answers(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness)
    poll_once(c, "mentions", store, now=now())
    [native] = harness.add_incoming(1)
    poll_once(c, "mentions", store, now=now())
    harness.fake.add_status(harness.fake.fan, "me too", reply_to=native)
    assert c.find_reply(store.comment(f"mastodon:{native}")) is None


def test_spent_window_is_refused_before_the_instance_says_429(tmp_path):
    h = make_harness(window_limit=3).start()
    try:
        c = client(h)
        cursor = None
        for _ in range(2):
            cursor = c.fetch("mentions", cursor, since=now()).cursor
        with pytest.raises(RateLimited) as refused:
            c.fetch("mentions", cursor, since=now())
        assert h.requests() == 3  # verify_credentials plus two polls spent the window; no fourth request
        assert refused.value.retry_at > now() + timedelta(minutes=4)
    finally:
        h.stop()


def test_errors_are_translated(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness)
    poll_once(c, "mentions", store, now=now())
    [native] = harness.add_incoming(1)
    poll_once(c, "mentions", store, now=now())
    comment = store.comment(f"mastodon:{native}")
    del harness.fake.statuses[native]
    with pytest.raises(PermanentFailure):
        c.reply(comment, "hello?")
    harness.fail_next("401")
    with pytest.raises(AuthFailed):
        c.fetch("mentions", None, since=now())


# -- hashtags ------------------------------------------------------------------------------------


def test_hashtag_posts_are_heard_and_only_those_that_address_us_are_mentions(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness, hashtags=["#DriftwoodCoffee"], page_size=2)
    bob = harness._author("bob")
    harness.fake.add_status(bob, "an old one #driftwoodcoffee")
    assert c.sources() == ("mentions", "tag:driftwoodcoffee", "ours")
    assert poll_once(c, "tag:driftwoodcoffee", store, now=now()).stored == 0  # the first poll begins now
    hits = [harness.fake.add_status(bob, f"cup number {i} #DriftwoodCoffee") for i in range(3)]
    harness.fake.add_status(bob, "a private one #driftwoodcoffee", visibility="private")
    to_us = harness.fake.add_status(bob, "@heardbot when do you restock? #driftwoodcoffee")
    stored = 0
    for _ in range(4):
        stored += poll_once(c, "tag:driftwoodcoffee", store, now=now()).stored
    assert stored == 4
    keyword = store.comment(f"mastodon:{hits[0]}")
    assert keyword.source == "keyword" and not keyword.mentions_us
    addressed = store.comment(f"mastodon:{to_us}")
    assert addressed.source == "mention" and addressed.mentions_us
    poll_once(c, "mentions", store, now=now())  # the same status as a mention notification: stored once
    assert store.db.execute("SELECT COUNT(*) FROM comments").fetchone()[0] == 4
    asked = [r for r in harness.fake.server.log if r.path.startswith("/api/v1/timelines/tag/")]
    assert all(r.query.get("limit") == "2" for r in asked) and all("min_id" in r.query for r in asked[1:])


def test_bad_hashtags_are_a_config_error(harness):
    options, secrets = harness.connect_args()
    with pytest.raises(ConfigError, match="hashtags"):
        connect({**options, "hashtags": "driftwood"}, secrets)
