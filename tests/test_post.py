"""Posting through the real tweepy client against the fake X API: states, retries and failures."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from listener.platforms import spec
from listener.poll import poll_once
from listener.store import ErrorKind, Store
from responders import approvals, lifecycle
from responders.lifecycle import ReplyState
from responders.post import post_approved
from tests.conftest import make_tags
from tests.fakes.x import make_harness, old


@pytest.fixture
def x():
    h = make_harness().start()
    yield h
    h.stop()


def approve_all(store: Store, x, n: int, *, text: str = "Thanks!") -> tuple[object, list[str]]:
    x.add_incoming(n, created_at=old(1))
    options, secrets = x.connect_args()
    client = spec("x").connect(options, secrets)
    now = datetime.now(UTC)
    poll_once(client, "mentions", store, now=now, backfill=timedelta(hours=2))
    ids = []
    for comment in store.untagged():
        store.save_tags([make_tags(comment)], now=now)
        lifecycle.create(store, comment.id, ReplyState.SUGGESTED, now=now, text="Thanks!", suggested_text="Thanks!")
        lifecycle.transition(store, comment.id, ReplyState.APPROVED, now=now, text=text, decided_by="person")
        ids.append(comment.id)
    return client, ids


def post(store: Store, client, *, now: datetime | None = None, dry_run: bool = False, **options):
    return post_approved(
        store,
        {"x": client},
        now=now or datetime.now(UTC),
        hourly_caps={"x": 1000},
        cooldown=timedelta(minutes=10),
        dry_run=dry_run,
        **options,
    )


def test_posts_once_and_records_how_much_a_person_edited(store: Store, x) -> None:
    client, ids = approve_all(store, x, 3, text="Thanks so much, really!")
    assert post(store, client).posted == 3
    assert post(store, client).posted == 0
    assert sorted(r["in_reply_to"] for r in x.replies()) == sorted(i.split(":")[1] for i in ids)
    reply = store.reply(ids[0])
    assert reply.state == "posted" and reply.remote_id
    assert 0 < reply.edit_ratio < 1


def test_a_refused_post_waits_for_the_reset_then_goes_out(store: Store, x) -> None:
    client, ids = approve_all(store, x, 1)
    x.fail_next("429")
    now = datetime.now(UTC)
    assert post(store, client, now=now).posted == 0
    reply = store.reply(ids[0])
    assert reply.state == "approved" and reply.retry_at
    requests = x.requests("/2/tweets")
    assert post(store, client, now=now).posted == 0
    assert x.requests("/2/tweets") == requests  # nothing sent before retry_at
    time.sleep(2.1)  # the fake's rate-limit window (reset within 2 s) really ends
    assert post(store, client, now=now + timedelta(minutes=16)).posted == 1
    assert len(x.replies()) == 1


def test_credits_spent_pauses_posting_and_alerts(store: Store, x) -> None:
    client, ids = approve_all(store, x, 2)
    x.fail_next("402")
    now = datetime.now(UTC)
    post(store, client, now=now)
    assert {store.reply(i).state for i in ids} == {"approved"}
    pause = store.posting_pause("x")
    assert pause is not None and pause.kind == ErrorKind.CREDITS and pause.since == now
    assert any(e["kind"] == "alert" and "CreditsExhausted" in e["detail"] for e in store.events())
    assert x.replies() == []
    assert post(store, client, now=now + timedelta(hours=2)).posted == 2


def test_an_ambiguous_timeout_is_reconciled_before_any_retry(store: Store, x) -> None:
    client, ids = approve_all(store, x, 1)
    x.fail_next("timeout")
    now = datetime.now(UTC)
    post(store, client, now=now)
    assert store.reply(ids[0]).state == "posting"
    result = post(store, client, now=now + timedelta(hours=1))
    assert store.reply(ids[0]).state == "posted"
    assert len(x.replies()) == 1
    assert result.posted + result.reconciled == 1


def test_a_deleted_target_fails_permanently_and_shows_in_the_queue(store: Store, x, tmp_path) -> None:
    client, ids = approve_all(store, x, 1)
    x.fake.tweets.pop(int(ids[0].split(":")[1]))
    post(store, client)
    reply = store.reply(ids[0])
    assert reply.state == "failed" and "cannot reply" in reply.error
    approvals.sync(store, tmp_path / "queue.yaml", now=datetime.now(UTC))
    assert "posting failed" in (tmp_path / "queue.yaml").read_text()


def test_an_author_who_opted_out_after_approval_gets_nothing(store: Store, x) -> None:
    client, ids = approve_all(store, x, 1)
    comment = store.comment(ids[0])
    store.set_opted_out("x", comment.author.id, now=datetime.now(UTC), why="replied 'stop'")
    post(store, client)
    assert store.reply(ids[0]).state == "failed"
    assert x.replies() == []


def test_dry_run_posts_nothing(store: Store, x) -> None:
    client, ids = approve_all(store, x, 2)
    post(store, client, dry_run=True)
    assert x.replies() == []
    assert {store.reply(i).state for i in ids} == {"approved"}


# -- length rules, content refusals and reconciliation (issue 15) ------------------------------

LONG = "We are so sorry about the wait, and we are looking into your order right now. " * 4  # 312 characters


def test_an_over_limit_reply_is_refused_before_any_call_and_stays_approvable(store: Store, x) -> None:
    client, ids = approve_all(store, x, 1, text=LONG)
    assert post(store, client).failed == 1
    reply = store.reply(ids[0])
    assert reply.state == "failed" and "reply is 312 weighted characters; X allows 280" in reply.error
    assert x.requests("/2/tweets") == 0  # nothing was asked of X
    assert not any(e["to_state"] == "posting" for e in store.events() if e["comment_id"] == ids[0])
    now = datetime.now(UTC)
    lifecycle.transition(store, ids[0], ReplyState.APPROVED, now=now, text="Sorry for the wait: on it!")
    assert post(store, client).posted == 1
    assert [r["text"] for r in x.replies()] == ["Sorry for the wait: on it!"]


def test_an_empty_reply_is_refused_before_any_call(store: Store, x) -> None:
    client, ids = approve_all(store, x, 1, text="  \n ")
    assert post(store, client).failed == 1
    assert store.reply(ids[0]).error.startswith("reply is empty")
    assert x.requests("/2/tweets") == 0


def test_a_too_long_refusal_fails_that_reply_only_and_never_pauses_x(store: Store, x) -> None:
    client, ids = approve_all(store, x, 3)
    store.update_reply(ids[1], now=datetime.now(UTC), text="Thanks! " + "a" * 60)
    x.fake.max_length = 40  # X counts differently from us here: it refuses with its 403 "too long"
    result = post(store, client)
    assert result.posted == 2 and result.failed == 1
    failed = store.reply(ids[1])
    assert failed.state == "failed" and "too long" in failed.error and "refused the text" in failed.error
    assert store.posting_pause("x") is None
    assert not any(e["kind"] == "alert" for e in store.events())


def test_refused_credentials_still_pause_x(store: Store, x) -> None:
    client, ids = approve_all(store, x, 2)
    x.fail_next("401")
    post(store, client)
    pause = store.posting_pause("x")
    assert pause is not None and pause.kind == ErrorKind.AUTH and x.replies() == []
    assert {store.reply(i).state for i in ids} == {"approved"}


def crash_mid_call(store: Store, client, comment_id: str, *, at: datetime, reach_platform: bool = True) -> None:
    """What a poster killed between the platform call and its commit leaves: ``posting``, and maybe the reply."""
    reply = store.reply(comment_id)
    lifecycle.transition(store, comment_id, ReplyState.POSTING, now=at, attempts=1)
    if reach_platform:
        client.reply(store.comment(comment_id), reply.text)


def test_a_crashed_post_is_found_in_our_timeline_whatever_the_search_lag(store: Store, x) -> None:
    client, ids = approve_all(store, x, 1)
    x.fake.search_lag = 30.0
    now = datetime.now(UTC)
    crash_mid_call(store, client, ids[0], at=now)
    result = post(store, client, now=now + timedelta(seconds=1))
    assert result.reconciled == 1 and len(x.replies()) == 1
    assert store.reply(ids[0]).state == "posted"


def test_a_reply_not_seen_yet_waits_out_the_settle_time_before_posting_again(store: Store, x) -> None:
    client, ids = approve_all(store, x, 2)
    x.fake.timeline_lag = 1.0  # even our own timeline lags a little here
    now = datetime.now(UTC)
    crash_mid_call(store, client, ids[0], at=now)  # the reply reached X
    crash_mid_call(store, client, ids[1], at=now, reach_platform=False)  # killed before the request left
    result = post(store, client, now=now + timedelta(seconds=5))
    assert result.posted == 0 and result.reasons  # both wait: neither is believed missing yet
    assert {store.reply(i).state for i in ids} == {"posting"} and len(x.replies()) == 1
    time.sleep(1.1)
    result = post(store, client, now=now + timedelta(seconds=61))
    assert (result.reconciled, result.posted) == (1, 1)
    assert sorted(r["in_reply_to"] for r in x.replies()) == sorted(i.split(":")[1] for i in ids)


def test_a_duplicate_refusal_of_a_live_reply_marks_it_posted_not_failed(store: Store, x) -> None:
    client, ids = approve_all(store, x, 1)
    x.fake.refuse_duplicates = True
    x.fake.freeze_timeline(1)  # one stale read, even after the settle time: "not found", so heard posts again
    now = datetime.now(UTC)
    crash_mid_call(store, client, ids[0], at=now)
    # ...X refuses the copy as a duplicate, and the next read shows the original.
    assert post(store, client, now=now + timedelta(seconds=61), settle=timedelta(seconds=60)).posted == 1
    assert len(x.replies()) == 1
    assert store.reply(ids[0]).state == "posted"
