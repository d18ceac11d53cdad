"""Posting through the real tweepy client against the fake X API: states, retries and failures."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from listener.platforms import spec
from listener.poll import poll_once
from listener.store import Store
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


def post(store: Store, client, *, now: datetime | None = None, dry_run: bool = False):
    return post_approved(
        store,
        {"x": client},
        now=now or datetime.now(UTC),
        hourly_caps={"x": 1000},
        cooldown=timedelta(minutes=10),
        dry_run=dry_run,
    )


def test_posts_once_and_records_how_much_a_person_edited(store: Store, x) -> None:
    client, ids = approve_all(store, x, 3, text="Thanks so much, really!")
    assert post(store, client).posted == 3
    assert post(store, client).posted == 0
    assert sorted(r["in_reply_to"] for r in x.replies()) == sorted(i.split(":")[1] for i in ids)
    reply = store.reply(ids[0])
    assert reply["state"] == "posted" and reply["remote_id"]
    assert 0 < reply["edit_ratio"] < 1


def test_a_refused_post_waits_for_the_reset_then_goes_out(store: Store, x) -> None:
    client, ids = approve_all(store, x, 1)
    x.fail_next("429")
    now = datetime.now(UTC)
    assert post(store, client, now=now).posted == 0
    reply = store.reply(ids[0])
    assert reply["state"] == "approved" and reply["retry_at"]
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
    assert {store.reply(i)["state"] for i in ids} == {"approved"}
    assert store.meta("pause:post:x")
    assert any(e["kind"] == "alert" and "CreditsExhausted" in e["detail"] for e in store.events())
    assert x.replies() == []
    assert post(store, client, now=now + timedelta(hours=2)).posted == 2


def test_an_ambiguous_timeout_is_reconciled_before_any_retry(store: Store, x) -> None:
    client, ids = approve_all(store, x, 1)
    x.fail_next("timeout")
    now = datetime.now(UTC)
    post(store, client, now=now)
    assert store.reply(ids[0])["state"] == "posting"
    result = post(store, client, now=now + timedelta(hours=1))
    assert store.reply(ids[0])["state"] == "posted"
    assert len(x.replies()) == 1
    assert result.posted + result.reconciled == 1


def test_a_deleted_target_fails_permanently_and_shows_in_the_queue(store: Store, x, tmp_path) -> None:
    client, ids = approve_all(store, x, 1)
    x.fake.tweets.pop(int(ids[0].split(":")[1]))
    post(store, client)
    reply = store.reply(ids[0])
    assert reply["state"] == "failed" and "cannot reply" in reply["error"]
    approvals.sync(store, tmp_path / "queue.yaml", now=datetime.now(UTC))
    assert "posting failed" in (tmp_path / "queue.yaml").read_text()


def test_an_author_who_opted_out_after_approval_gets_nothing(store: Store, x) -> None:
    client, ids = approve_all(store, x, 1)
    comment = store.comment(ids[0])
    store.set_opted_out("x", comment.author.id, now=datetime.now(UTC), why="replied 'stop'")
    post(store, client)
    assert store.reply(ids[0])["state"] == "failed"
    assert x.replies() == []


def test_dry_run_posts_nothing(store: Store, x) -> None:
    client, ids = approve_all(store, x, 2)
    post(store, client, dry_run=True)
    assert x.replies() == []
    assert {store.reply(i)["state"] for i in ids} == {"approved"}
