"""Test the Bluesky platform: pure normalise, and real atproto over real HTTP against the fake XRPC server."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from listener.errors import AuthFailed, BadPayload, ConfigError, Transient
from listener.platforms import spec
from listener.platforms.bluesky import Walk, connect, normalise
from listener.poll import poll_once
from listener.records import Account
from listener.store import Store
from tests.fakes.bluesky import HANDLE, make_harness
from tests.harness import client, now

US = Account("bluesky", "did:plc:us", "heard.bsky.social")
WHEN = "2024-05-01T12:00:00.000Z"


def note(**fields):
    """A notification by alice, with whatever fields the case needs."""
    record = {
        "$type": "app.bsky.feed.post",
        "text": "@heard.bsky.social hi",
        "createdAt": WHEN,
        "langs": ["pt"],
        **fields.pop("record", {}),
    }
    author = {"did": "did:plc:alice", "handle": "alice.bsky.social", "displayName": "Alice", **fields.pop("author", {})}
    return {
        "uri": "at://did:plc:alice/app.bsky.feed.post/3kabc",
        "cid": "bafyreialice",
        "author": author,
        "reason": "mention",
        "record": record,
        "isRead": False,
        "indexedAt": WHEN,
        "labels": [],
        **fields,
    }


# -- normalise: pure ---------------------------------------------------------------------------


def test_mention_normalises_with_url_lang_and_cid_kept():
    c = normalise(note(), US)
    assert c.id == "bluesky:at://did:plc:alice/app.bsky.feed.post/3kabc"
    assert c.url == "https://bsky.app/profile/alice.bsky.social/post/3kabc"
    assert (c.source, c.mentions_us, c.is_own, c.lang) == ("mention", True, False, "pt")
    assert (c.author.id, c.author.handle, c.author.name) == ("did:plc:alice", "alice.bsky.social", "Alice")
    assert c.created_at == datetime(2024, 5, 1, 12, tzinfo=UTC) and c.raw["cid"] == "bafyreialice"
    assert c.parent_id is None and c.conversation_id == c.native_id


def test_reply_has_parent_and_root_conversation():
    reply = {
        "root": {"uri": "at://r/app.bsky.feed.post/1", "cid": "c1"},
        "parent": {"uri": "at://p/app.bsky.feed.post/2", "cid": "c2"},
    }
    c = normalise(note(reason="reply", record={"reply": reply}), US)
    assert (c.source, c.parent_id, c.conversation_id) == (
        "reply",
        "bluesky:at://p/app.bsky.feed.post/2",
        "at://r/app.bsky.feed.post/1",
    )


def test_quote_is_a_mention_and_own_post_is_own():
    assert normalise(note(reason="quote"), US).source == "mention"
    assert normalise(note(author={"did": "did:plc:us"}), US).is_own


def test_the_bot_flag_is_the_accounts_own_label_only():
    assert normalise(note(author={"labels": [{"val": "bot"}]}), US).author.is_bot
    # A handle proves nothing (DECISIONS.md): what an account says of itself is read by the tagger.
    assert not normalise(note(author={"handle": "pricebot.bsky.social"}), US).author.is_bot
    assert not normalise(note(author={"handle": "abbot.bsky.social"}), US).author.is_bot
    assert not normalise(note(), US).author.is_bot


@pytest.mark.parametrize(
    "broken",
    [
        {"record": None},
        {"$type": "app.bsky.feed.defs#blockedPost", "blocked": True},
        {"$type": "app.bsky.feed.defs#notFoundPost", "notFound": True},
    ],
)
def test_deleted_or_blocked_is_bad_payload(broken):
    raw = note()
    raw.update(broken)
    with pytest.raises(BadPayload):
        normalise(raw, US)


# An image post with no text, in the shape app.bsky.feed.getPostThread returns a post view (our own values).
IMAGE_POST = {
    "uri": "at://did:plc:imgposter7k2j4x5q/app.bsky.feed.post/3kimgpost0001",
    "cid": "bafyreiimagepostcid0000000000000000000000000000000000000000",
    "author": {
        "did": "did:plc:imgposter7k2j4x5q",
        "handle": "pictures.bsky.social",
        "displayName": "Pic",
        "labels": [],
    },
    "record": {
        "$type": "app.bsky.feed.post",
        "createdAt": "2024-05-01T12:00:00.000Z",
        "embed": {
            "$type": "app.bsky.embed.images",
            "images": [
                {"alt": "", "image": {"$type": "blob", "ref": {"$link": "bafkreiimg"}, "mimeType": "image/jpeg"}}
            ],
        },
        "langs": ["en"],
        "text": "",
    },
    "indexedAt": "2024-05-01T12:00:01.000Z",
    "labels": [],
}
# A post record with fields the lexicon does not know, as com.atproto.repo.getRecord returns it.
EXTENDED_RECORD = {
    "uri": "at://did:plc:imgposter7k2j4x5q/app.bsky.feed.post/3kextended001",
    "cid": "bafyreiextendedcid000000000000000000000000000000000000000000",
    "value": {"unknown": "field", "text": "still a post", "$type": "app.bsky.feed.post", "langs": ["en"],
              "createdAt": "2024-05-01T12:00:00.123456"},
}  # fmt: skip


def test_empty_text_needs_an_embed():
    with pytest.raises(BadPayload):
        normalise(note(record={"text": "  "}), US)
    # An image post: no text, but an embed, so it is a real comment.
    c = normalise({**IMAGE_POST, "reason": "mention"}, US)
    assert c.text == "" and c.author.handle == "pictures.bsky.social" and c.lang == "en"


def test_post_record_with_unknown_fields_normalises():
    raw = {
        "uri": EXTENDED_RECORD["uri"],
        "cid": EXTENDED_RECORD["cid"],
        "record": EXTENDED_RECORD["value"],
        "reason": "mention",
        "author": {"did": "did:plc:imgposter7k2j4x5q", "handle": "pictures.bsky.social"},
        "indexedAt": "2024-05-01T12:00:01.000Z",
    }
    c = normalise(raw, US)
    assert c.text == "still a post" and c.created_at.tzinfo is not None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"record": {"text": 5}}, '"text" expected a string, got number'),
        ({"record": {"langs": "en"}}, '"langs" expected a list, got string'),
        ({"record": {"langs": [["en"]]}}, r'"langs\[0\]" expected a string, got list'),
        ({"record": {"reply": {"parent": "at://x"}}}, '"parent" expected an object, got string'),
        ({"author": {"labels": [1]}}, r'"labels\[0\]" expected an object, got number'),
    ],
)
def test_a_field_of_the_wrong_type_is_bad_payload_naming_it(fields, message):
    with pytest.raises(BadPayload, match=f"bluesky at://did:plc:alice/app.bsky.feed.post/3kabc.*: {message}"):
        normalise(note(**fields), US)


def test_text_and_names_are_made_clean_and_raw_keeps_what_was_sent():
    c = normalise(note(record={"text": "hi\x00\u2028there \ud83d"}, author={"displayName": "Al\x9bice"}), US)
    assert (c.text, c.author.name) == ("hi\nthere \ufffd", "Alice")
    assert c.raw["record"]["text"] == "hi\x00\u2028there \ud83d"


def test_walk_keeps_above_the_bound_and_remembers_ties():
    walk = Walk.load(None, datetime(2024, 5, 1, 12, tzinfo=UTC))
    page = [
        {"uri": "b", "indexedAt": "2024-05-01T12:00:02Z"},
        {"uri": "a", "indexedAt": "2024-05-01T12:00:02Z"},
        {"uri": "z", "indexedAt": "2024-05-01T11:00:00Z"},
    ]
    fresh, after = walk.step(page, "next")
    assert [i["uri"] for i in fresh] == ["b", "a"] and after.token is None and set(after.seen) == {"a", "b"}
    fresh, again = after.step(page, None)
    assert fresh == [] and again == after


# -- the client against the fake -------------------------------------------------------------


@pytest.fixture
def harness():
    h = make_harness(timeout=0.3).start()
    yield h
    h.stop()


def test_registered_with_secrets_and_options():
    b = spec("bluesky")
    assert b.secrets == ("BLUESKY_HANDLE", "BLUESKY_APP_PASSWORD") and "base_url" in b.options
    assert b.connect is connect


def test_connect_makes_no_request_and_refuses_missing_secret(harness):
    options, secrets = harness.connect_args()
    with pytest.raises(ConfigError, match="BLUESKY_APP_PASSWORD"):
        connect(options, {"BLUESKY_HANDLE": "x"})
    c = client(harness)
    assert harness.requests() == 0
    assert c.account == harness.account
    assert c.check() == f"@{harness.account.handle} ({harness.account.id})"


def test_one_login_across_many_polls_and_restarts_keep_nothing_twice(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness)
    poll_once(c, "notifications", store, now=now())
    expected = set()
    for _ in range(30):
        expected.update(harness.add_incoming(2))
        assert poll_once(c, "notifications", store, now=now()).error is None
    assert harness.fake.logins == 1 and harness.requests("createSession") == 1
    assert {r[0] for r in store.db.execute("SELECT native_id FROM comments")} == expected


def test_session_refreshes_before_expiry_without_a_new_login(tmp_path):
    h = make_harness(access_ttl=15 * 60 + 2).start()  # atproto refreshes 15 minutes before exp
    try:
        c, store = client(h), Store(tmp_path / "db")
        poll_once(c, "notifications", store, now=now())
        time.sleep(2.5)
        h.add_incoming(1)
        assert poll_once(c, "notifications", store, now=now()).stored == 1
        assert (h.fake.logins, h.fake.refreshes) == (1, 1)
    finally:
        h.stop()


def test_a_session_ended_by_the_server_is_refreshed_not_logged_in_again(harness, tmp_path):
    c, store = client(harness), Store(tmp_path / "db")
    poll_once(c, "notifications", store, now=now())
    harness.fake.expire_sessions()
    harness.add_incoming(2)
    assert poll_once(c, "notifications", store, now=now()).stored == 2
    assert (harness.fake.logins, harness.fake.refreshes) == (1, 1)


# -- the session kept across restarts ------------------------------------------------------------


def test_a_restart_reuses_the_kept_session_instead_of_logging_in(harness, tmp_path):
    kept = tmp_path / "state" / "bluesky.session"
    store = Store(tmp_path / "db")
    poll_once(client(harness, session_file=str(kept)), "notifications", store, now=now())
    assert harness.fake.logins == 1
    assert kept.stat().st_mode & 0o777 == 0o600
    assert HANDLE in kept.read_text()  # atproto's session string: handle, DID, tokens, PDS
    for _ in range(3):  # restarts: each a new process's client, reading the file
        harness.add_incoming(1)
        assert poll_once(client(harness, session_file=str(kept)), "notifications", store, now=now()).stored == 1
    assert harness.fake.logins == 1 and harness.requests("createSession") == 1


def test_a_refreshed_session_is_kept_for_the_next_start(harness, tmp_path):
    kept, store = tmp_path / "bluesky.session", Store(tmp_path / "db")
    poll_once(client(harness, session_file=str(kept)), "notifications", store, now=now())
    first = kept.read_text()
    harness.fake.expire_sessions()  # the access token ends early: the refresh token renews it
    poll_once(client(harness, session_file=str(kept)), "notifications", store, now=now())
    assert kept.read_text() != first and kept.stat().st_mode & 0o777 == 0o600
    harness.add_incoming(1)
    assert poll_once(client(harness, session_file=str(kept)), "notifications", store, now=now()).stored == 1
    assert (harness.fake.logins, harness.fake.refreshes) == (1, 1)  # the renewed session served the third start


def test_an_ended_session_falls_back_to_a_login(harness, tmp_path):
    kept, store = tmp_path / "bluesky.session", Store(tmp_path / "db")
    poll_once(client(harness, session_file=str(kept)), "notifications", store, now=now())
    harness.fake.revoke_sessions()  # a password change: the refresh token is refused too
    harness.add_incoming(2)
    assert poll_once(client(harness, session_file=str(kept)), "notifications", store, now=now()).stored == 2
    assert harness.fake.logins == 2
    harness.add_incoming(1)
    assert poll_once(client(harness, session_file=str(kept)), "notifications", store, now=now()).stored == 1
    assert harness.fake.logins == 2  # the new login's session was kept


@pytest.mark.parametrize("content", ["not a session", "someone.else.social:::did:plc:other:::a:::r:::http://x"])
def test_a_session_file_that_is_unreadable_or_someone_elses_means_a_login(harness, tmp_path, content):
    kept = tmp_path / "bluesky.session"
    kept.write_text(content)
    c = client(harness, session_file=str(kept))
    assert c.account == harness.account and harness.fake.logins == 1
    assert HANDLE in kept.read_text()


def test_wrong_password_is_auth_failed_and_not_retried_at_once(harness):
    options, secrets = harness.connect_args()
    c = connect(options, {**secrets, "BLUESKY_APP_PASSWORD": "wrong"})
    with pytest.raises(AuthFailed):
        c.fetch("notifications", None, since=now())
    with pytest.raises(AuthFailed, match="refused for"):
        c.fetch("notifications", None, since=now())
    assert harness.fake.logins == 1


def test_deleted_posts_are_skipped_not_stored_blank(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness)
    poll_once(c, "notifications", store, now=now())
    gone, kept = harness.add_incoming(2)
    harness.fake.delete_post(gone)
    harness.fake.add_post(harness.fan, "", at=None)  # not aimed at us: no notification at all
    result = poll_once(c, "notifications", store, now=now())
    assert result.stored == 1 and store.comment(f"bluesky:{kept}") and not store.comment(f"bluesky:{gone}")


def test_reply_threads_with_root_and_parent_and_mention_facet(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness)
    poll_once(c, "notifications", store, now=now())
    [reply] = harness.add_incoming(1, reply_to_us=True)  # alice answers a post of ours
    poll_once(c, "notifications", store, now=now())
    comment = store.comment(f"bluesky:{reply}")
    assert comment.source == "reply"
    text = "Olá @alice.bsky.social, obrigado! ☕ https://heard.example/help"
    uri = c.reply(comment, text)
    record = harness.fake.posted[-1]["record"]
    ours_root = harness.fake.posts[reply]["record"]["reply"]["root"]
    assert record["reply"]["parent"] == {"uri": reply, "cid": comment.raw["cid"], "$type": "com.atproto.repo.strongRef"}
    assert {k: record["reply"]["root"][k] for k in ("uri", "cid")} == ours_root  # the thread's root, not alice
    mention = next(f for f in record["facets"] if f["features"][0]["$type"].endswith("#mention"))
    raw = text.encode()
    start, end = mention["index"]["byteStart"], mention["index"]["byteEnd"]
    assert raw[start:end] == b"@alice.bsky.social" and mention["features"][0]["did"] == harness.fan
    link = next(f for f in record["facets"] if f["features"][0]["$type"].endswith("#link"))
    assert raw[link["index"]["byteStart"] : link["index"]["byteEnd"]] == b"https://heard.example/help"
    assert uri == harness.fake.posted[-1]["uri"]


def test_find_reply_falls_back_to_our_repo_when_the_post_is_gone(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness)
    poll_once(c, "notifications", store, now=now())
    [native] = harness.add_incoming(1)
    poll_once(c, "notifications", store, now=now())
    comment = store.comment(f"bluesky:{native}")
    remote = c.reply(comment, "Thanks!")
    harness.fake.delete_post(native)
    assert c.find_reply(comment) == remote


def test_held_reply_times_out_as_transient_but_is_recorded(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness)
    poll_once(c, "notifications", store, now=now())
    [native] = harness.add_incoming(1)
    poll_once(c, "notifications", store, now=now())
    comment = store.comment(f"bluesky:{native}")
    harness.hold_replies(1.0)
    with pytest.raises(Transient):
        c.reply(comment, "Thanks!")
    harness.hold_replies(0)
    assert len(harness.replies()) == 1 and client(harness).find_reply(comment)


# -- keyword search ------------------------------------------------------------------------------


def test_keyword_posts_are_heard_from_search_and_not_answered(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness, keywords=["driftwood coffee"], page_size=2)
    bob = harness._author("bob.bsky.social")
    harness.fake.add_post(bob, "driftwood coffee was fine, I guess", at=datetime.now(UTC) - timedelta(hours=2))
    assert c.sources() == ("notifications", "search:driftwood coffee", "ours")
    assert poll_once(c, "search:driftwood coffee", store, now=now()).stored == 0  # the first poll begins now
    hits = [harness.fake.add_post(bob, f"the Driftwood Coffee beans, bag {i}") for i in range(5)]
    harness.fake.add_post(bob, "nothing about them here")
    stored = 0
    for _ in range(6):
        stored += poll_once(c, "search:driftwood coffee", store, now=now()).stored
    assert stored == 5 and all(store.comment(f"bluesky:{uri}") for uri in hits)
    got = store.comment(f"bluesky:{hits[0]}")
    assert got.source == "keyword" and not got.mentions_us
    assert poll_once(c, "search:driftwood coffee", store, now=now()).stored == 0
    asked = [r for r in harness.fake.server.log if r.path.endswith("app.bsky.feed.searchPosts")]
    assert all(r.query["sort"] == "latest" and r.query.get("since") for r in asked)


def test_a_keyword_post_that_mentions_us_is_stored_once_as_a_mention(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness, keywords=["tidewater"])
    for source in c.sources():
        poll_once(c, source, store, now=now())
    [uri] = harness.add_incoming(1, text=f"@{harness.account.handle} is the tidewater back in stock?")
    for source in c.sources():
        poll_once(c, source, store, now=now())
    assert store.comment(f"bluesky:{uri}").mentions_us
    assert store.db.execute("SELECT COUNT(*) FROM comments").fetchone()[0] == 1


def test_bad_keywords_are_a_config_error(harness):
    options, secrets = harness.connect_args()
    with pytest.raises(ConfigError, match="keywords"):
        connect({**options, "keywords": "driftwood"}, secrets)


def test_the_app_keeps_the_session_beside_the_database_unless_told_where(harness, tmp_path):
    import dataclasses
    from types import MappingProxyType

    from heard.app import connect_enabled
    from heard.settings import PlatformSettings, load_settings

    options, secrets = harness.connect_args()
    base = load_settings(None, env_file=tmp_path / ".env", overrides={"database": str(tmp_path / "db" / "heard.db")})
    (tmp_path / "db").mkdir()
    bluesky = PlatformSettings("bluesky", True, MappingProxyType(dict(options)), MappingProxyType(dict(secrets)))
    settings = dataclasses.replace(base, platforms=MappingProxyType({"bluesky": bluesky}))
    store = Store(settings.database)
    for _ in range(2):  # two starts of heard: the second reads the session the first kept
        poll_once(connect_enabled(settings)["bluesky"], "notifications", store, now=now())
    kept = tmp_path / "db" / "bluesky.session"
    assert kept.stat().st_mode & 0o777 == 0o600 and harness.fake.logins == 1
    elsewhere = tmp_path / "elsewhere.session"
    told = PlatformSettings(
        "bluesky", True, MappingProxyType({**options, "session_file": str(elsewhere)}), MappingProxyType(dict(secrets))
    )
    settings = dataclasses.replace(settings, platforms=MappingProxyType({"bluesky": told}))
    poll_once(connect_enabled(settings)["bluesky"], "notifications", store, now=now())
    assert elsewhere.exists() and harness.fake.logins == 2
