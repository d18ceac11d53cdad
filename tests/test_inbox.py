"""The web inbox over HTTP (Starlette's TestClient): views, filters, decisions, conflicts, undo, live, security."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from heard.app import App
from heard.cli import cli
from heard.inbox import live
from heard.inbox.listing import Filters
from heard.inbox.security import REPORT_POLICY, Access, access_for
from heard.inbox.server import Inbox
from heard.settings import load_settings
from listener.errors import ConfigError
from listener.records import Author, Comment
from listener.store import Store
from responders import approvals, lifecycle
from responders.escalate import due_at
from responders.lifecycle import ReplyState
from tests.conftest import NOW, make_comment, make_tags

PORT = 8410
BASE = f"http://127.0.0.1:{PORT}"
ROW = re.compile(r'<li class="row[^"]*" data-id="([^"]+)" data-state="([^"]+)" data-updated="([^"]+)"')
HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"><a href="javascript:alert(1)">x</a>'


@dataclass
class Clock:
    """The inbox's time, moved by the test."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def wait(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


# The address a public inbox is reached at, as its Host and Origin headers say (TEST-NET-1, RFC 5737). TestClient
# calls the ASGI app in this process: no socket is opened and no request leaves the machine.
PUBLIC_URL = "http://192.0.2.10:8410"


def add(
    store: Store,
    n: int,
    *,
    platform: str = "x",
    priority: str = "low",
    intent: str = "praise",
    source: str = "mention",
    minutes_ago: int = 60,
    text: str = "love the new grinder!",
    author: str | None = None,
    reply: str | None = None,
    **fields: Any,
) -> str:
    """One comment waiting for a person, with its tags and a suggested reply; return its id."""
    c = make_comment(n, platform=platform, source=source, minutes_ago=minutes_ago, text=text, author=author or f"p{n}")
    store.save_page("s", [c], None, now=NOW)
    store.save_tags([make_tags(c, priority=priority, intent=intent)], now=NOW)
    draft = reply if reply is not None else f"Thanks p{n}!"
    lifecycle.create(store, c.id, ReplyState.SUGGESTED, now=NOW, text=draft, suggested_text=draft, **fields)
    return c.id


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "heard.db"


@pytest.fixture
def store(db: Path) -> Iterator[Store]:
    s = Store(db)
    yield s
    s.close()


def make_inbox(db: Path, clock: Clock, *, public: str | None = None, **options: Any) -> Inbox:
    settings = load_settings(None, env_file=db.parent / ".env", overrides={"database": str(db)})
    access = Access("0.0.0.0", PORT, token=public) if public else Access("127.0.0.1", PORT)
    return Inbox(App(settings), access, clock=clock, **options)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def inbox(db: Path, store: Store, clock: Clock) -> Iterator[Inbox]:
    made = make_inbox(db, clock)
    yield made
    made.close()


@pytest.fixture
def client(inbox: Inbox) -> Iterator[TestClient]:
    with TestClient(inbox.asgi(), base_url=BASE) as c:
        yield c


def versions(client: TestClient, query: str = "") -> dict[str, tuple[str, str]]:
    """Each listed item's (state, updated_at), in the page's order."""
    return {cid: (state, updated) for cid, state, updated in ROW.findall(client.get("/" + query).text)}


def decide(client: TestClient, cid: str, action: str, seen: tuple[str, str], **more: Any) -> Any:
    body = {"id": cid, "action": action, "state": seen[0], "updated_at": seen[1], **more}
    return client.post("/api/decide", json=body, headers={"x-csrf-token": csrf(client)})


def csrf(client: TestClient) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', client.get("/").text)
    assert found
    return found.group(1)


def transitions(store: Store, cid: str) -> list[tuple[str | None, str | None]]:
    return [(e["from_state"], e["to_state"]) for e in store.events(cid) if e["kind"] == "transition"]


# --- the list ---------------------------------------------------------------------------------------------


def test_the_list_holds_what_waits_for_a_person_in_the_queue_files_order(client: TestClient, store: Store) -> None:
    ids = [add(store, i, priority=("low", "high", "normal")[i % 3], minutes_ago=100 - i) for i in range(7)]
    lifecycle.transition(store, ids[0], ReplyState.APPROVED, now=NOW, decided_by="person")
    lifecycle.transition(store, ids[1], ReplyState.REJECTED, now=NOW, reason="rejected")
    lifecycle.transition(store, ids[2], ReplyState.DISMISSED, now=NOW)
    shown = list(versions(client))
    assert shown == [i["id"] for i in approvals.pending_items(store)]
    assert ids[0] not in shown and ids[2] not in shown and ids[1] in shown  # rejected still waits
    assert len(shown) == 5 and shown[:2] == [ids[1], ids[4]]  # high first, oldest first within a priority


def test_filters_narrow_by_platform_priority_intent_source_and_age(client: TestClient, store: Store) -> None:
    a = add(store, 1, platform="x", priority="high", intent="complaint", source="mention", minutes_ago=30)
    b = add(store, 2, platform="reddit", priority="low", intent="praise", source="comment", minutes_ago=60 * 30)
    c = add(store, 3, platform="mastodon", priority="normal", intent="question", source="reply", minutes_ago=300)
    assert list(versions(client, "?platform=reddit")) == [b]
    assert list(versions(client, "?priority=high")) == [a]
    assert list(versions(client, "?intent=question")) == [c]
    assert list(versions(client, "?source=mention")) == [a]
    assert set(versions(client, "?age=1d")) == {b}
    # Past its SLA: high after 60 minutes, normal after 240, low after 1440 (config/heard.toml).
    assert set(versions(client, "?age=overdue")) == {b, c}
    assert set(versions(client, "?age=nonsense")) == {a, b, c}
    assert Filters.parse({"age": "nonsense", "platform": "x"}) == Filters(platform="x")
    page = client.get("/?platform=reddit").text
    assert '<option value="reddit" selected>' in page and '<b id="matched">1</b> of' in page


def test_each_row_and_item_carries_its_sla_clock_from_the_settings(
    client: TestClient, store: Store, inbox: Inbox
) -> None:
    late = add(store, 1, priority="high", minutes_ago=90)
    soon = add(store, 2, priority="low", minutes_ago=60)
    page = client.get("/").text
    assert "overdue 30m" in page and "due in 23h 0m" in page
    sla = timedelta(minutes=inbox.app.settings.sla_for("x", "high"))
    due = due_at(store.comment(late).created_at, sla)
    assert f'data-id="{late}"' in page and f'data-due="{int(due.timestamp() * 1000)}"' in page
    assert 'class="row p-high late"' in page and soon in page


# --- the item ---------------------------------------------------------------------------------------------


def test_the_item_shows_its_thread_history_tags_draft_and_why(client: TestClient, store: Store) -> None:
    root = Comment(
        "x", "500", "acme", "mention", Author("u-ann", "ann", "Ann"), "does the grinder fit a 58mm basket?",
        "https://x.example/ann/500", NOW - timedelta(hours=5), conversation_id="500",
    )  # fmt: skip
    ours = Comment(
        "x", "501", "acme", "reply", Author("u-us", "acme", "Acme"), "@ann yes, it does!",
        "https://x.example/acme/501", NOW - timedelta(hours=4), parent_id="x:500", conversation_id="500", is_own=True,
    )  # fmt: skip
    ask = Comment(
        "x", "502", "acme", "reply", Author("u-jo", "jo", "Jo"), "@ann @acme and a 54mm one?",
        "javascript:alert(1)", NOW - timedelta(hours=3), parent_id="x:500", conversation_id="500",
    )  # fmt: skip
    after = Comment(
        "x", "503", "acme", "reply", Author("u-ann", "ann", "Ann"), "@jo I wondered too",
        "https://x.example/ann/503", NOW - timedelta(hours=2), parent_id="x:502", conversation_id="500",
    )  # fmt: skip
    store.save_page("s", [root, ours, ask, after], None, now=NOW)
    store.save_tags([make_tags(ask, intent="question", priority="normal", is_question=True, score=0.87)], now=NOW)
    lifecycle.create(
        store, ask.id, ReplyState.SUGGESTED, now=NOW, text="Yes, 54mm too.", suggested_text="Yes, 54mm too.",
        alternatives=["It fits 54mm baskets.", "Both sizes fit."], draft_source="faq", template="basket_size",
        reason="question matched FAQ basket_size",
    )  # fmt: skip
    html = client.get("/api/item", params={"id": ask.id}).text
    assert "does the grinder fit a 58mm basket?" in html and "@ann yes, it does!" in html  # thread, ours
    assert 'class="said ours"' in html and 'class="said parent"' in html
    assert "@jo I wondered too" in html  # a reply to it
    assert "question <b>" not in html and "intent <b>question</b> 0.87" in html
    assert "drafted from: faq (basket_size)" in html and "question matched FAQ basket_size" in html
    assert "It fits 54mm baskets." in html and "Both sizes fit." in html
    assert 'data-limit="280"' in html and 'data-unit="weighted characters"' in html and 'data-mode="weighted"' in html
    assert "14 / 280 weighted characters" in html
    assert 'href="javascript:' not in html and "open on X" not in html  # its own link is not http(s)
    assert client.get("/api/item", params={"id": "x:nope"}).status_code == 404


def test_the_authors_history_with_us_is_shown(client: TestClient, store: Store) -> None:
    earlier = add(store, 1, author="kim", minutes_ago=600, reply="Glad you like it, Kim!")
    lifecycle.transition(store, earlier, ReplyState.APPROVED, now=NOW, decided_by="person")
    lifecycle.transition(store, earlier, ReplyState.POSTING, now=NOW)
    lifecycle.transition(store, earlier, ReplyState.POSTED, now=NOW, remote_id="r1", posted_at=NOW)
    now = add(store, 2, author="kim", minutes_ago=30)
    html = client.get("/api/item", params={"id": now}).text
    assert "1 earlier comment, 1 answered by us" in html
    assert "<i>posted</i> Glad you like it, Kim!" in html


# --- decisions --------------------------------------------------------------------------------------------


def test_approving_goes_through_the_state_machine_holds_posting_and_syncs_the_file(
    client: TestClient, store: Store, inbox: Inbox, clock: Clock
) -> None:
    a, b = add(store, 1), add(store, 2)
    seen = versions(client)
    answer = decide(client, a, "approve", seen[a])
    assert answer.status_code == 200 and answer.json()["ok"] and answer.json()["token"]
    reply = store.reply(a)
    assert (reply.state, reply.decided_by, reply.text) == ("approved", "person", "Thanks p1!")
    assert reply.retry_at == clock.now + timedelta(seconds=10 + 5)  # not posted while it may be undone
    assert transitions(store, a)[-1] == ("suggested", "approved")
    assert store.events(a)[-1]["detail"].count('"decided_by": "person"') == 1
    queue = inbox.app.settings.queue_file.read_text()
    assert f"id: {a}" not in queue and f"id: {b}" in queue


def test_an_edit_is_approved_as_written_and_a_too_long_one_changes_nothing(client: TestClient, store: Store) -> None:
    a, b = add(store, 1), add(store, 2)
    seen = versions(client)
    assert decide(client, a, "approve", seen[a], text="  Thank you, see you Friday!\n").status_code == 200
    assert store.reply(a).text == "Thank you, see you Friday!"
    long = "Thanks! " * 40
    measured = client.post("/api/length", json={"id": b, "text": long}, headers={"x-csrf-token": csrf(client)})
    assert measured.json()["used"] > 280 and "X allows 280" in measured.json()["problem"]
    refused = decide(client, b, "approve", seen[b], text=long)
    assert refused.status_code == 422 and "X allows 280" in refused.json()["message"]
    assert (store.reply(b).state, store.reply(b).text) == ("suggested", "Thanks p2!")


def test_reject_and_dismiss_record_their_reasons(client: TestClient, store: Store) -> None:
    a, b = add(store, 1), add(store, 2)
    seen = versions(client)
    assert decide(client, a, "reject", seen[a]).status_code == 200
    assert (store.reply(a).state, store.reply(a).reason) == ("rejected", "rejected")
    again = decide(client, a, "reject", versions(client)[a])
    assert again.status_code == 409 and "cannot be rejected" in again.json()["message"]
    assert decide(client, b, "dismiss", seen[b]).status_code == 200
    assert (store.reply(b).state, store.reply(b).reason) == ("dismissed", "dismissed by a person")
    assert decide(client, b, "shrug", seen[b]).status_code == 422


def test_a_decision_on_an_item_approved_in_the_queue_file_meanwhile_is_refused(
    client: TestClient, store: Store, inbox: Inbox
) -> None:
    a = add(store, 1)
    seen = versions(client)[a]
    queue = inbox.app.settings.queue_file
    inbox.app.sync_queue(now=NOW)
    queue.write_text(queue.read_text().replace(f"- id: {a}\n  action: pending", f"- id: {a}\n  action: approve"))
    refused = decide(client, a, "dismiss", seen)
    assert refused.status_code == 409
    assert refused.json()["message"].startswith(f"{a} was already approved in the queue file or elsewhere at 12:00 UTC")
    assert store.reply(a).state == "approved"
    assert transitions(store, a) == [(None, "suggested"), ("suggested", "approved")]  # never both


def test_a_conflict_names_another_tab_and_an_edit_made_elsewhere(client: TestClient, store: Store) -> None:
    a, b = add(store, 1), add(store, 2)
    seen = versions(client)
    assert decide(client, a, "approve", seen[a]).status_code == 200
    twice = decide(client, a, "approve", seen[a])
    assert twice.status_code == 409 and "already approved in the inbox (another tab)" in twice.json()["message"]
    store.update_reply(b, now=NOW + timedelta(minutes=5), text="Edited in the file")
    edited = decide(client, b, "approve", seen[b])
    assert (
        edited.status_code == 409
        and "was changed in the queue file or elsewhere at 12:05 UTC" in (edited.json()["message"])
    )
    assert store.reply(b).state == "suggested"


# --- undo -------------------------------------------------------------------------------------------------


def undo(client: TestClient, token: str) -> Any:
    return client.post("/api/undo", json={"token": token}, headers={"x-csrf-token": csrf(client)})


def test_undo_within_the_window_restores_the_reply_and_its_text(
    client: TestClient, store: Store, inbox: Inbox, clock: Clock
) -> None:
    a = add(store, 1, reason="praise: thanks")
    token = decide(client, a, "approve", versions(client)[a], text="My own words").json()["token"]
    clock.wait(9)
    answer = undo(client, token)
    assert answer.status_code == 200 and answer.json()["state"] == "suggested"
    reply = store.reply(a)
    assert (reply.state, reply.text, reply.reason, reply.retry_at) == (
        "suggested",
        "Thanks p1!",
        "praise: thanks",
        None,
    )
    assert [e["kind"] for e in store.events(a)][-2:] == ["transition", "undone"]
    assert f"id: {a}" in inbox.app.settings.queue_file.read_text()
    assert undo(client, token).status_code == 409  # once only
    rejected = add(store, 2)
    token = decide(client, rejected, "reject", versions(client)[rejected]).json()["token"]
    assert undo(client, token).status_code == 200 and store.reply(rejected).state == "suggested"


def test_undo_is_refused_after_its_window_and_once_posting_began(
    client: TestClient, store: Store, clock: Clock
) -> None:
    a, b = add(store, 1), add(store, 2)
    seen = versions(client)
    late = decide(client, a, "approve", seen[a]).json()["token"]
    clock.wait(10.5)
    refused = undo(client, late)
    assert refused.status_code == 409 and "too late to undo (the window is 10 s)" in refused.json()["message"]
    assert store.reply(a).state == "approved"
    token = decide(client, b, "approve", seen[b]).json()["token"]
    lifecycle.transition(store, b, ReplyState.POSTING, now=clock.now)  # a poster that ignored the hold
    taken = undo(client, token)
    assert (
        taken.status_code == 409 and "posting began at 12:00 UTC; it can no longer be undone" in taken.json()["message"]
    )
    assert store.reply(b).state == "posting"


def test_the_undo_window_is_configurable(db: Path, store: Store, clock: Clock) -> None:
    a = add(store, 1)
    quick = make_inbox(db, clock, undo_seconds=3)
    with TestClient(quick.asgi(), base_url=BASE) as client:
        assert 'data-undo="3000"' in client.get("/").text
        token = decide(client, a, "approve", versions(client)[a]).json()["token"]
        assert store.reply(a).retry_at == clock.now + timedelta(seconds=3 + 5)
        clock.wait(4)
        assert undo(client, token).status_code == 409
    quick.close()


def test_the_post_stage_never_posts_an_approval_during_its_undo_window(db: Path, store: Store) -> None:
    from listener.platforms import spec
    from listener.poll import poll_once
    from responders.post import post_approved
    from tests.fakes.x import make_harness, old

    x = make_harness().start()
    try:
        x.add_incoming(2, created_at=old(1))
        client = spec("x").connect(*x.connect_args())
        clock = Clock(datetime.now(UTC))
        poll_once(client, "mentions", store, now=clock.now, backfill=timedelta(hours=2))
        kept, undone = [c.id for c in store.untagged()]
        for cid in (kept, undone):
            store.save_tags([make_tags(store.comment(cid))], now=clock.now)
            lifecycle.create(store, cid, ReplyState.SUGGESTED, now=clock.now, text="Thanks!", suggested_text="Thanks!")
        inbox = make_inbox(db, clock)
        with TestClient(inbox.asgi(), base_url=BASE) as web:
            seen = versions(web)
            decide(web, kept, "approve", seen[kept])
            token = decide(web, undone, "approve", seen[undone], text="Thanks, friend!").json()["token"]

            def post(after: float) -> int:
                caps = {"x": 1000}
                at = clock.now + timedelta(seconds=after)
                return post_approved(store, {"x": client}, now=at, hourly_caps=caps, cooldown=timedelta(0)).posted

            assert post(1) == 0 and x.replies() == []  # both within their undo window
            assert undo(web, token).status_code == 200
            assert post(16) == 1 and post(30) == 0
        inbox.close()
        assert [r["in_reply_to"] for r in x.replies()] == [kept.split(":")[1]]
        assert (store.reply(kept).state, store.reply(undone).state) == ("posted", "suggested")
    finally:
        x.stop()


# --- live -------------------------------------------------------------------------------------------------


def test_the_version_changes_with_decisions_elsewhere_and_new_comments(inbox: Inbox, store: Store) -> None:
    a = add(store, 1)
    first = inbox.watch.version()
    assert inbox.watch.version() == first
    lifecycle.transition(store, a, ReplyState.APPROVED, now=NOW, decided_by="person")
    second = inbox.watch.version()
    assert second != first
    store.save_page("s", [make_comment(9)], None, now=NOW)
    assert inbox.watch.version() != second


def test_a_queue_file_saved_by_a_person_is_synced_by_the_live_check(inbox: Inbox, store: Store) -> None:
    a, b = add(store, 1), add(store, 2)
    queue = inbox.app.settings.queue_file
    inbox.app.sync_queue(now=NOW)
    inbox.watch.check()
    time.sleep(inbox.live_seconds / 2)  # one check per half interval, whoever asks
    queue.write_text(queue.read_text().replace(f"- id: {a}\n  action: pending", f"- id: {a}\n  action: dismiss"))
    os.utime(queue, (time.time() - 5, time.time() - 5))  # a finished save
    assert inbox.watch.check().fault is None and store.reply(a).state == "dismissed"
    queue.write_text(queue.read_text().replace(f"- id: {b}\n  action: pending", f"- id: {b}\n  action: maybe"))
    os.utime(queue, (time.time() - 4, time.time() - 4))
    time.sleep(inbox.live_seconds / 2)
    fault = inbox.watch.check().fault
    assert fault is not None and "queue file error at" in fault and "line" in fault


def test_the_event_stream_says_change_once_per_version_and_ends_on_shutdown() -> None:
    found = iter(["v1", "v1", "v2", "v2", "v2"])
    stopping = asyncio.Event()

    async def check() -> live.Seen:
        version = next(found)
        if version == "v2":
            stopping.set()
        return live.Seen(version, "queue file error at q.yaml:3" if version == "v2" else None)

    async def never() -> bool:
        return False

    async def collect() -> list[str]:
        return [part async for part in live.stream(check, never, stopping, every=0.01)]

    said = asyncio.run(collect())
    assert said[0].startswith("retry:")
    assert said[1:] == [
        "event: change\ndata: v1\n\n",
        'event: fault\ndata: "queue file error at q.yaml:3"\n\n',
        "event: change\ndata: v2\n\n",
    ]


# --- security ---------------------------------------------------------------------------------------------


def test_pages_carry_a_strict_content_security_policy_and_the_usual_headers(client: TestClient, store: Store) -> None:
    a = add(store, 1)
    for response in (client.get("/"), client.get("/api/item", params={"id": a}), client.get("/static/inbox.js")):
        assert response.status_code == 200
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "default-src 'none'" in policy and "unsafe" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"
    assert client.get("/").headers["cache-control"] == "no-store"


def test_a_foreign_host_header_is_refused_on_loopback(client: TestClient, store: Store) -> None:
    assert client.get("/", headers={"host": "attacker.example:8410"}).status_code == 421
    assert client.get("/", headers={"host": f"localhost:{PORT}"}).status_code == 200
    assert client.get("/", headers={"host": "127.0.0.1:9999"}).status_code == 421


def test_a_change_without_the_csrf_token_or_from_another_origin_is_refused(client: TestClient, store: Store) -> None:
    a = add(store, 1)
    state, updated = versions(client)[a]
    body = {"id": a, "action": "approve", "state": state, "updated_at": updated}
    assert client.post("/api/decide", json=body).status_code == 403
    assert client.post("/api/decide", json=body, headers={"x-csrf-token": "guess"}).status_code == 403
    foreign = {"x-csrf-token": csrf(client), "origin": "http://attacker.example"}
    assert client.post("/api/decide", json=body, headers=foreign).status_code == 403
    assert client.post("/api/undo", json={"token": "x"}).status_code == 403
    assert store.reply(a).state == "suggested" and transitions(store, a) == [(None, "suggested")]
    same = {"x-csrf-token": csrf(client), "origin": BASE}
    assert client.post("/api/decide", json=body, headers=same).status_code == 200


def test_hostile_comment_text_names_and_links_are_shown_as_text(client: TestClient, store: Store) -> None:
    c = Comment(
        "x", "666", "acme", "mention", Author("u-evil", "evil", '"><svg onload=alert(1)>'), HOSTILE,
        "javascript:window.__pwned=3", NOW - timedelta(minutes=5),
    )  # fmt: skip
    store.save_page("s", [c], None, now=NOW)
    store.save_tags([make_tags(c, priority="high")], now=NOW)
    lifecycle.create(store, c.id, ReplyState.SUGGESTED, now=NOW, text=HOSTILE, suggested_text=HOSTILE)
    for html in (client.get("/").text, client.get("/api/item", params={"id": c.id}).text):
        assert "<script>window" not in html and "<img src=x" not in html and "<svg" not in html
        assert not re.search(r"href=[\"']?\s*javascript:", html, re.I)
        assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;svg onload=alert(1)&gt;" in client.get("/api/item", params={"id": c.id}).text


def test_no_secret_reaches_a_page(db: Path, store: Store, clock: Clock) -> None:
    add(store, 1)
    token = "correct-horse-battery-staple-42"
    public = make_inbox(db, clock, public=token)
    with TestClient(public.asgi(), base_url=PUBLIC_URL) as client:
        pages = [client.get("/login").text, client.get("/", headers={"authorization": f"Bearer {token}"}).text]
        assert all(token not in page for page in pages)
        assert public.access.session() not in pages[1]
    public.close()


def test_a_public_inbox_needs_a_long_token_and_then_a_sign_in(db: Path, store: Store, clock: Clock) -> None:
    with pytest.raises(ConfigError, match="HEARD_INBOX_TOKEN"):
        access_for("0.0.0.0", PORT, None)
    with pytest.raises(ConfigError, match="too short"):
        access_for("0.0.0.0", PORT, "hunter2")
    assert access_for("127.0.0.1", PORT, None).public is False
    token = "correct-horse-battery-staple-42"
    public = make_inbox(db, clock, public=token)
    with TestClient(public.asgi(), base_url=PUBLIC_URL, follow_redirects=False) as client:
        assert client.get("/").status_code == 303 and client.get("/").headers["location"] == "/login"
        assert client.get("/api/rows").status_code == 401
        origin = {"origin": PUBLIC_URL}
        assert client.post("/login", data={"token": "wrong"}, headers=origin).status_code == 401
        assert client.post("/login", data={"token": token}).status_code == 403  # not from the login page
        signed = client.post("/login", data={"token": token}, headers=origin)
        assert signed.status_code == 303 and "httponly" in signed.headers["set-cookie"].lower()
        assert "samesite=strict" in signed.headers["set-cookie"].lower()
        assert client.get("/").status_code == 200 and client.get("/api/rows").status_code == 200
    public.close()


def test_the_report_is_reachable_from_the_inbox(client: TestClient, store: Store) -> None:
    add(store, 1)
    assert 'href="/report"' in client.get("/").text
    report = client.get("/report?since=7d")
    assert report.status_code == 200 and "heard report" in report.text
    assert report.headers["content-security-policy"] == REPORT_POLICY
    assert client.get("/report?since=soon").status_code == 400


# --- the command ------------------------------------------------------------------------------------------


def test_heard_inbox_refuses_a_public_address_without_a_token(db: Path, store: Store) -> None:
    result = CliRunner().invoke(cli, ["--db", str(db), "inbox", "--host", "0.0.0.0", "--no-open"])
    assert result.exit_code == 1 and "without a token" in result.output and "HEARD_INBOX_TOKEN" in result.output


def test_heard_help_and_status_load_no_web_stack() -> None:
    code = (
        "import sys, heard.cli, heard.status; from heard.cli import main\n"
        "for argv in (['heard', '--help'], ['heard', 'inbox', '--help']):\n"
        "    sys.argv = argv\n"
        "    try:\n        main()\n    except SystemExit:\n        pass\n"
        "print(sorted(m for m in ('starlette', 'uvicorn', 'jinja2', 'heard.inbox') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "--no-open" in out and out.strip().splitlines()[-1] == "[]"
