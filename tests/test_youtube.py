"""Test the YouTube platform: pure normalise and quota, and google-api-python-client against the fake API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from listener.errors import AuthFailed, BadPayload, ConfigError, PermanentFailure, RateLimited
from listener.nlp.triage import needs_reply
from listener.platforms import spec
from listener.platforms.youtube import THREAD_AUTHOR, Quota, connect, normalise
from listener.poll import poll_once
from listener.records import Account
from listener.store import Store
from tests.fakes.youtube import EMBEDDED_REPLIES, make_harness
from tests.harness import client, now

US = Account("youtube", "UCus", "@heard")


def comment(**snippet):
    """A comment resource by alice on video v1."""
    base = {
        "videoId": "v1",
        "channelId": "UCus",
        "textDisplay": "nice &amp; clear",
        "textOriginal": "nice & clear",
        "authorDisplayName": "@alice",
        "authorChannelId": {"value": "UCalice"},
        "publishedAt": "2024-05-01T12:00:00Z",
        "updatedAt": "2024-05-01T12:00:00Z",
    }
    return {"kind": "youtube#comment", "id": "Ugzabc", "snippet": {**base, **snippet}}


# -- normalise and quota: pure -------------------------------------------------------------------


def test_top_level_comment_normalises():
    c = normalise(comment(), US)
    assert (c.id, c.source, c.text, c.mentions_us, c.is_own) == (
        "youtube:Ugzabc",
        "comment",
        "nice & clear",
        True,
        False,
    )
    assert c.url == "https://www.youtube.com/watch?v=v1&lc=Ugzabc"
    assert (c.author.id, c.author.handle, c.conversation_id, c.parent_id) == ("UCalice", "@alice", "Ugzabc", None)
    assert c.created_at == datetime(2024, 5, 1, 12, tzinfo=UTC)


def test_reply_has_parent_and_own_is_own():
    raw = comment(parentId="Ugztop")
    raw["id"] = "Ugztop.xyz"
    c = normalise(raw, US)
    assert (c.source, c.parent_id, c.conversation_id) == ("reply", "youtube:Ugztop", "Ugztop")
    mine = normalise(comment(authorChannelId={"value": "UCus"}), US)
    assert mine.is_own and not mine.mentions_us


def reply(text, *, by="UCbob", thread_by="UCalice"):
    """A reply by ``by`` in a thread ``thread_by`` started, as the walk hands it over."""
    raw = comment(parentId="Ugztop", textOriginal=text, authorChannelId={"value": by}, authorDisplayName="@bob")
    raw["id"] = "Ugztop.r1"
    raw[THREAD_AUTHOR] = thread_by
    return normalise(raw, US)


def test_viewers_answering_each_other_are_heard_but_not_said_to_us():
    aside = reply("same here, mine broke too")  # bob answers alice in her thread
    assert (aside.source, aside.mentions_us) == ("thread", False)
    assert not needs_reply(aside, "complaint", 0.0, 0.0)
    addressed = reply("@carol agreed", thread_by="UCus")  # in our thread, but said to carol
    assert (addressed.source, addressed.mentions_us) == ("thread", False)
    for said_to_us in (
        reply("@heard does this work on a Mac?"),  # names us in alice's thread
        reply("does this work on a Mac?", thread_by="UCus"),  # in a thread we started
        reply("thanks, that fixed it!", by="UCalice"),  # alice following up in her own thread
        normalise({**comment(parentId="Ugztop"), "id": "Ugztop.r2"}, US),  # thread unknown: hear it
    ):
        assert (said_to_us.source, said_to_us.mentions_us) == ("reply", True)
        assert needs_reply(said_to_us, "question", 0.0, 0.0)


def test_text_display_when_original_is_withheld_and_empty_is_bad():
    assert normalise(comment(textOriginal=""), US).text == "nice & clear"
    with pytest.raises(BadPayload):
        normalise(comment(textOriginal="", textDisplay=""), US)


def test_quota_rolls_over_at_pacific_midnight_and_keeps_a_reply_reserve():
    moment = [datetime(2024, 11, 30, 7, 59, tzinfo=UTC)]  # 23:59 in Los Angeles (PST, UTC-8)
    quota = Quota(100, 50, lambda: moment[0])
    assert quota.reset_at() == datetime(2024, 11, 30, 8, 0, tzinfo=UTC)
    for _ in range(50):
        quota.charge(1, writing=False)
    with pytest.raises(RateLimited) as refused:
        quota.charge(1, writing=False)  # polls may not eat the reply reserve
    assert refused.value.retry_at == quota.reset_at()
    quota.charge(50, writing=True)
    with pytest.raises(RateLimited):
        quota.charge(50, writing=True)
    moment[0] += timedelta(minutes=2)
    quota.charge(50, writing=True)
    assert quota.used == 50
    summer = Quota(100, 0, lambda: datetime(2024, 7, 1, 12, tzinfo=UTC))
    assert summer.reset_at() == datetime(2024, 7, 2, 7, 0, tzinfo=UTC)  # PDT, UTC-7


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ({"textOriginal": {"text": "hi"}}, '"textOriginal" expected a string, got object'),
        ({"authorChannelId": "UCalice"}, '"authorChannelId" expected an object, got string'),
        ({"parentId": 12.5}, '"parentId" expected an id, got number'),
        ({"publishedAt": 1714564800}, "expected an ISO-8601 time, got number"),
    ],
)
def test_a_field_of_the_wrong_type_is_bad_payload_naming_it(snippet, message):
    with pytest.raises(BadPayload, match=f"youtube comment Ugzabc: {message}"):
        normalise(comment(**snippet), US)
    raw = comment()
    raw["snippet"] = ["not", "a", "snippet"]
    with pytest.raises(BadPayload, match='"snippet" expected an object, got list'):
        normalise(raw, US)


def test_text_and_names_are_made_clean_and_raw_keeps_what_youtube_sent():
    c = normalise(comment(textOriginal="great\x00 video\r\n\ud83d\uffff", authorDisplayName="@al\x1bice"), US)
    assert (c.text, c.author.name, c.author.handle) == ("great video\n\ufffd", "@alice", "@alice")
    assert c.raw["snippet"]["textOriginal"] == "great\x00 video\r\n\ud83d\uffff"


# -- the client against the fake -------------------------------------------------------------


@pytest.fixture
def harness():
    # No test here waits out a timeout on purpose: a generous one keeps a loaded machine (CI under coverage)
    # from failing a request to the local fake that merely came late (0.3 s once did).
    h = make_harness(timeout=5.0).start()
    yield h
    h.stop()


def test_registered_and_connect_checks_secrets(harness):
    y = spec("youtube")
    assert y.secrets == ("YOUTUBE_CLIENT_ID", "YOUTUBE_CLIENT_SECRET", "YOUTUBE_REFRESH_TOKEN")
    assert {"channel_id", "api_endpoint", "token_uri", "daily_quota"} <= set(y.options)
    options, secrets = harness.connect_args()
    with pytest.raises(ConfigError, match="YOUTUBE_REFRESH_TOKEN"):
        connect(options, {k: v for k, v in secrets.items() if k != "YOUTUBE_REFRESH_TOKEN"})
    with pytest.raises(ConfigError, match="daily_quota"):
        connect({**options, "daily_quota": "lots"}, secrets)


def test_check_and_channel_from_channels_mine(harness):
    options, secrets = harness.connect_args()
    c = connect({k: v for k, v in options.items() if k not in ("channel_id", "handle")}, secrets)
    assert c.account == harness.account
    assert c.check() == f"@heard ({harness.account.id})"
    assert harness.fake.token_requests == 1  # one OAuth refresh, reused for every call


def test_bad_refresh_token_is_auth_failed(harness):
    options, secrets = harness.connect_args()
    c = connect(options, {**secrets, "YOUTUBE_REFRESH_TOKEN": "revoked"})
    with pytest.raises(AuthFailed):
        c.fetch("comments", None, since=now())


def test_replies_come_with_their_parent_and_idle_polls_store_nothing(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness)
    poll_once(c, "comments", store, now=now())
    [reply] = harness.add_incoming(1, text="@heard when is part 2?", reply_to_us=True)
    poll_once(c, "comments", store, now=now())
    got = store.comment(f"youtube:{reply}")
    assert got.source == "reply" and got.parent_id == f"youtube:{reply.split('.')[0]}"
    top = store.comment(got.parent_id)
    assert top is not None and top.is_own  # our own top comment is stored, marked own
    for _ in range(3):
        assert poll_once(c, "comments", store, now=now()).stored == 0


def test_a_burst_of_replies_larger_than_a_thread_embeds_is_stored_whole(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness)
    poll_once(c, "comments", store, now=now())
    [top] = harness.add_incoming(1, text="where do I find the template?")
    poll_once(c, "comments", store, now=now())
    bob = harness._author("bob")
    burst = [
        harness.fake.add_comment(bob, f"same question, number {i}", parent=top) for i in range(EMBEDDED_REPLIES + 7)
    ]
    poll_once(c, "comments", store, now=now())
    assert all(store.comment(f"youtube:{r}") for r in burst)  # the thread embeds only the newest few
    assert poll_once(c, "comments", store, now=now()).stored == 0
    used = c.quota_used()
    poll_once(c, "comments", store, now=now())
    assert c.quota_used() == used + 1  # an old burst costs nothing more: one list call per idle poll


def test_viewer_replies_in_a_viewers_thread_are_stored_as_asides(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness)
    poll_once(c, "comments", store, now=now())
    [top] = harness.add_incoming(1, text="anyone else's stopped working?")
    bob = harness._author("bob")
    aside = harness.fake.add_comment(bob, "yes, mine too", parent=top)
    to_us = harness.fake.add_comment(bob, "@heard is a fix coming?", parent=top)
    poll_once(c, "comments", store, now=now())
    assert store.comment(f"youtube:{aside}").source == "thread"
    assert store.comment(f"youtube:{to_us}").source == "reply"


def test_reply_to_a_reply_goes_under_the_top_comment_addressed(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness)
    poll_once(c, "comments", store, now=now())
    first, second = harness.add_incoming(2, reply_to_us=True)
    poll_once(c, "comments", store, now=now())
    target = store.comment(f"youtube:{second}")
    c.reply(target, "Glad it helped")
    assert harness.replies() == [{"in_reply_to": second, "text": "@alice Glad it helped"}]
    assert c.find_reply(target)
    other = store.comment(f"youtube:{first}")
    assert other.author.handle == "@alice"  # same author: found too, because the address matches


def test_reply_to_a_deleted_comment_is_permanent(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness)
    poll_once(c, "comments", store, now=now())
    [native] = harness.add_incoming(1)
    poll_once(c, "comments", store, now=now())
    harness.fake.delete_comment(native)
    with pytest.raises(PermanentFailure):
        c.reply(store.comment(f"youtube:{native}"), "hello?")


def test_quota_exceeded_pauses_until_pacific_midnight_without_retrying(harness, tmp_path):
    store, c = Store(tmp_path / "db"), client(harness)
    poll_once(c, "comments", store, now=now())
    [native] = harness.add_incoming(1)
    poll_once(c, "comments", store, now=now())
    harness.fail_next("quota")
    result = poll_once(c, "comments", store, now=now())
    assert result.paused_until == c.quota_reset_at()
    assert c.quota_reset_at().astimezone(ZoneInfo("America/Los_Angeles")).hour == 0
    sent = harness.requests("/youtube/v3/")
    with pytest.raises(RateLimited):
        c.fetch("comments", store.cursor("youtube:comments")["cursor"], since=now())
    with pytest.raises(RateLimited):
        c.reply(store.comment(f"youtube:{native}"), "hi")
    assert harness.requests("/youtube/v3/") == sent  # refused here: YouTube was not asked again


def test_budget_refuses_before_the_quota_runs_out(tmp_path):
    h = make_harness(daily_quota=60).start()
    try:
        c, store = client(h, reply_reserve=50), Store(tmp_path / "db")
        poll_once(c, "comments", store, now=now())
        [native] = h.add_incoming(1)
        for _ in range(9):
            poll_once(c, "comments", store, now=now())
        assert c.quota_used() == 10
        with pytest.raises(RateLimited):
            c.fetch("comments", store.cursor("youtube:comments")["cursor"], since=now())  # the reserve is for replies
        c.reply(store.comment(f"youtube:{native}"), "Thanks!")
        assert c.quota_used() == 60 and h.fake.spent == 60
        with pytest.raises(RateLimited):
            c.reply(store.comment(f"youtube:{native}"), "Again?")
        assert len(h.replies()) == 1
    finally:
        h.stop()


# -- followed threads: a reply in a thread that has sunk ----------------------------------------


def drain(c, store, when=None):
    """Poll until the cycle ends; return the comments stored."""
    stored = 0
    for _ in range(20):
        result = poll_once(c, "comments", store, now=when or now())
        assert result.error is None, result.error
        stored += result.stored
        if not result.more:
            return stored
    raise AssertionError("the cycle never ended")


def sunk_thread_with_a_late_reply(harness, *clients_and_stores):
    """A thread starts, newer threads push it off the first page, then its starter replies in it."""
    for c, store in clients_and_stores:
        drain(c, store)
    [top] = harness.add_incoming(1, text="does this work on the 2019 model?")
    for c, store in clients_and_stores:
        drain(c, store)
    harness.add_incoming(3, author="bob")
    for c, store in clients_and_stores:
        drain(c, store)
    return harness.fake.add_comment(harness.fan, "@heard still hoping for an answer on this one", parent=top)


def test_a_reply_in_a_thread_that_has_sunk_is_heard_from_the_followed_threads(harness, tmp_path):
    c, store = client(harness, page_size=2, follow_minutes=0), Store(tmp_path / "db")
    blind, blind_store = client(harness, page_size=2, follow_days=0), Store(tmp_path / "blind")
    late = sunk_thread_with_a_late_reply(harness, (c, store), (blind, blind_store))
    assert drain(blind, blind_store) == 0 and blind_store.comment(f"youtube:{late}") is None  # the walk alone
    assert drain(c, store) == 1
    got = store.comment(f"youtube:{late}")
    assert got.source == "reply" and got.mentions_us and got.parent_id.startswith("youtube:Ugz")
    assert drain(c, store) == 0  # read again: nothing twice


def test_followed_threads_are_read_in_one_request_when_due_and_dropped_when_quiet(harness, tmp_path):
    moment = [now()]
    options, secrets = harness.connect_args()
    c = connect({**options, "page_size": 2}, secrets, clock=lambda: moment[0])
    store = Store(tmp_path / "db")
    late = sunk_thread_with_a_late_reply(harness, (c, store))
    assert harness.fake.by_id_requests == [[late.split(".")[0]]]  # due at once the first time
    used = c.quota_used()
    assert drain(c, store) == 0 and c.quota_used() == used + 1  # not due again for 10 minutes
    moment[0] += timedelta(minutes=11)
    assert drain(c, store) == 1 and store.comment(f"youtube:{late}") is not None
    assert c.quota_used() == used + 3  # one page and one read of all four followed threads
    assert sorted(harness.fake.by_id_requests[1]) == sorted(harness.fake.threads)
    moment[0] += timedelta(days=8)  # a week without a word in any of them: no longer followed
    used = c.quota_used()
    drain(c, store)
    assert c.quota_used() == used + 1 and len(harness.fake.by_id_requests) == 2
    assert '"threads": {}' in store.cursor("youtube:comments")["cursor"]


def test_a_deleted_followed_thread_is_dropped_and_an_older_cursor_still_loads(harness, tmp_path):
    c, store = client(harness, follow_minutes=0), Store(tmp_path / "db")
    drain(c, store)
    gone, kept = harness.add_incoming(2)
    drain(c, store)
    harness.fake.delete_comment(gone)
    drain(c, store)
    cursor = store.cursor("youtube:comments")["cursor"]
    assert list(json.loads(cursor)["follow"]["threads"]) == [kept]
    walk_only = json.dumps({k: v for k, v in json.loads(cursor).items() if k != "follow"})  # before following
    assert c.fetch("comments", walk_only, since=now()).items == ()
    with pytest.raises(BadPayload, match="youtube cursor"):
        c.fetch("comments", json.dumps({**json.loads(cursor), "follow": {"threads": {"x": 5}}}), since=now())
