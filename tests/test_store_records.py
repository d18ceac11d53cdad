"""The store returns typed records: Reply (times as aware datetimes, states as ReplyState) and Awaiting."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest

from listener.records import ReplyState
from listener.store import Awaiting, ErrorKind, PostingPause, Reply, Store
from responders import lifecycle
from tests.conftest import NOW, make_comment, make_tags, on_both

# Every test here runs on both engines.
pytestmark = on_both

S = ReplyState


def suggested(store: Store, n: int = 1, **fields: object) -> str:
    c = make_comment(n)
    store.save_page("x:mentions", [c], None, now=NOW)
    store.save_tags([make_tags(c)], now=NOW)
    lifecycle.create(store, c.id, S.SUGGESTED, now=NOW, text="Thanks!", suggested_text="Thanks!", **fields)
    return c.id


def test_a_reply_is_a_frozen_record_with_typed_fields(store: Store) -> None:
    cid = suggested(store, alternatives=["Thank you!", "Cheers!"], template="praise")
    reply = store.reply(cid)
    assert isinstance(reply, Reply)
    assert reply.comment_id == cid and reply.platform == "x"
    assert reply.state is S.SUGGESTED
    assert reply.alternatives == ("Thank you!", "Cheers!") and reply.template == "praise"
    assert reply.created_at == NOW and reply.updated_at == NOW and reply.created_at.tzinfo is not None
    assert reply.attempts == 0 and reply.retry_at is None and reply.posted_at is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        reply.text = "changed"  # type: ignore[misc]
    assert store.reply("x:nothing") is None


def test_times_written_come_back_as_datetimes(store: Store) -> None:
    cid = suggested(store)
    later, retry = NOW + timedelta(minutes=5), NOW + timedelta(hours=1)
    lifecycle.transition(store, cid, S.APPROVED, now=later, retry_at=retry, decided_by="person")
    approved = store.reply(cid)
    assert approved is not None
    assert (approved.state, approved.updated_at, approved.retry_at) == (S.APPROVED, later, retry)
    lifecycle.transition(store, cid, S.POSTING, now=later, attempts=1)
    lifecycle.transition(store, cid, S.POSTED, now=later, posted_at=later, remote_id="r1", edit_ratio=0.25)
    posted = store.reply(cid)
    assert posted is not None
    assert isinstance(posted.posted_at, datetime) and posted.posted_at == later
    assert (posted.remote_id, posted.attempts, posted.edit_ratio) == ("r1", 1, 0.25)


def test_every_query_of_the_replies_table_returns_replies(store: Store) -> None:
    first, second = suggested(store, 1), suggested(store, 2)
    lifecycle.transition(store, second, S.APPROVED, now=NOW)
    assert [r.comment_id for r in store.replies([S.SUGGESTED.value])] == [first]
    assert all(isinstance(r, Reply) for r in store.replies([s.value for s in S]))
    assert [r.comment_id for r in store.recent_replies_to("x", "u-jane", 1)] == [first]
    stuck = store.stuck_replies(before=NOW + timedelta(minutes=31), now=NOW + timedelta(minutes=31))
    assert [(r.comment_id, r.state, r.updated_at) for r in stuck] == [(second, S.APPROVED, NOW)]


def test_the_latest_reply_to_many_authors_is_each_ones_latest_reply(store: Store) -> None:
    texts = {}
    for n, (author, minutes) in enumerate([("ann", 0), ("ann", 5), ("bo", 5), ("bo", 5), ("cy", 1)], start=1):
        c = make_comment(n, author=author)
        store.save_page("x:mentions", [c], None, now=NOW)
        store.save_tags([make_tags(c)], now=NOW)
        texts[c.id] = f"reply {n}"
        at = NOW + timedelta(minutes=minutes)  # bo's two replies tie: the store's order decides, the same in both
        lifecycle.create(store, c.id, S.SUGGESTED, now=at, text=texts[c.id], suggested_text=texts[c.id])
    dismissed = make_comment(9, author="cy")
    store.save_page("x:mentions", [dismissed], None, now=NOW)
    lifecycle.create(store, dismissed.id, S.DISMISSED, now=NOW + timedelta(hours=1))  # no text: not a reply sent
    authors = [("x", "u-ann"), ("x", "u-bo"), ("x", "u-cy"), ("x", "u-nobody"), ("mastodon", "u-ann")]
    latest = store.latest_reply_texts(authors + [("x", "u-ann")])
    assert latest == {a: [r.text or "" for r in store.recent_replies_to(*a, 1)] for a in authors}
    assert latest[("x", "u-ann")] == ["reply 2"] and latest[("x", "u-nobody")] == []


def test_awaiting_is_a_typed_record_too(store: Store) -> None:
    c = make_comment(1)
    store.save_page("x:mentions", [c], None, now=NOW)
    store.save_tags([make_tags(c)], now=NOW)
    [waiting] = store.awaiting()
    assert isinstance(waiting, Awaiting)
    assert (waiting.id, waiting.state, waiting.reply_text) == (c.id, None, None)
    assert waiting.created_at == c.created_at
    suggested_id = suggested(store, 2)
    assert {w.id: w.state for w in store.awaiting()}[suggested_id] is S.SUGGESTED


def test_poll_failures_keep_their_kind_until_a_poll_succeeds(store: Store) -> None:
    store.source_failed("x:mentions", "CreditsExhausted: 402", kind=ErrorKind.CREDITS, now=NOW)
    row = store.cursor("x:mentions")
    assert row is not None and (row["error_kind"], row["errors"]) == (ErrorKind.CREDITS, 1)
    assert [e for e in store.events() if e["kind"] == "poll_failed"][0]["detail"].count('"credits"') == 1
    store.save_page("x:mentions", [], "c1", now=NOW)
    row = store.cursor("x:mentions")
    assert row is not None and (row["error_kind"], row["last_error"], row["errors"]) == (None, None, 0)


def test_a_posting_pause_keeps_its_kind_and_start(store: Store) -> None:
    pause = PostingPause("x", ErrorKind.CREDITS, NOW, NOW + timedelta(hours=1), "402 credits depleted")
    store.pause_posting(pause)
    assert store.posting_pause("x") == pause
    assert store.posting_pause("reddit") is None
    assert store.posting_pauses() == [pause]
    assert store.resume("x", now=NOW)["posting"] == 1 and store.posting_pauses() == []
