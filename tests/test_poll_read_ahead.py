"""A burst reads its next page while the one before it is stored, only where the platform says that is safe."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from listener.errors import RateLimited
from listener.platforms import Platform
from listener.poll import poll_burst, poll_once, source_key
from listener.records import Account, Author, Comment, Page
from listener.store import ErrorKind, Store
from tests.harness import client, now, start

SOURCE = "mentions"
KEY = f"scripted:{SOURCE}"
# How long the test waits for what read-ahead does on its thread before calling it not done.
PATIENCE = 5.0


class Scripted:
    """A platform whose pages are written out by the test: cursor -> page, or cursor -> what its fetch raises.

    It notes every fetch (with the thread it ran on) and every acknowledgement, in order.
    """

    name = "scripted"

    def __init__(self, pages: Mapping[str | None, Page | Exception]) -> None:
        self.pages = dict(pages)
        self.account = Account("scripted", "us", "us")
        self.calls: list[tuple[str, str | None, str]] = []  # (what, cursor, thread name)
        self.fetched: dict[str | None, threading.Event] = {c: threading.Event() for c in pages}
        self.on_stored: dict[str | None, Any] = {}  # page cursor -> what after_store does for it once

    def sources(self) -> Sequence[str]:
        return (SOURCE,)

    def fetch(self, source: str, cursor: str | None, *, since: datetime) -> Page:
        self.calls.append(("fetch", cursor, threading.current_thread().name))
        self.fetched[cursor].set()
        page = self.pages[cursor]
        if isinstance(page, Exception):
            raise page
        return page

    def normalise(self, raw: Mapping[str, Any]) -> Comment:
        return Comment(
            platform="scripted",
            native_id=str(raw["id"]),
            account="us",
            source="mention",
            author=Author("fan", "fan", "Fan"),
            text=str(raw["text"]),
            url=f"https://scripted.example/{raw['id']}",
            created_at=now(),
            mentions_us=True,
        )

    def after_store(self, source: str, page: Page) -> None:
        self.calls.append(("stored", page.cursor, threading.current_thread().name))
        action = self.on_stored.pop(page.cursor, None)
        if action is not None:
            action()


def page(ids: Sequence[int], cursor: str, *, more: bool, read_ahead: bool = True) -> Page:
    return Page(tuple({"id": i, "text": f"comment {i}"} for i in ids), cursor, more=more, read_ahead=read_ahead)


def stored_ids(store: Store) -> set[str]:
    return {row["id"] for row in store.engine.query("SELECT id FROM comments")}


def test_the_next_page_is_read_on_a_helper_thread_while_this_one_is_stored(tmp_path: Path) -> None:
    p = Scripted(
        {
            None: page([1, 2], "c1", more=True),
            "c1": page([3, 4], "c2", more=True),
            "c2": page([5], "c3", more=False),
        }
    )
    # Page one's acknowledgement comes after it is stored: read-ahead has asked for page two by then, or never.
    seen_early: list[bool] = []
    p.on_stored["c1"] = lambda: seen_early.append(p.fetched["c1"].wait(PATIENCE))
    store = Store(tmp_path / "heard.db")
    result = poll_burst(p, SOURCE, store, now=now())
    assert seen_early == [True]
    assert (result.stored, result.pages, result.more, result.error) == (5, 3, False, None)
    fetches = [(cursor, thread) for what, cursor, thread in p.calls if what == "fetch"]
    assert [c for c, _ in fetches] == [None, "c1", "c2"]  # each page read once: nothing read past the last
    assert fetches[0][1] == threading.current_thread().name
    assert all(t.startswith("heard-read-ahead") for _, t in fetches[1:])
    assert stored_ids(store) == {f"scripted:{i}" for i in range(1, 6)}
    assert store.cursor(KEY)["cursor"] == "c3"
    store.close()


def test_a_page_that_does_not_allow_it_is_never_read_ahead(tmp_path: Path) -> None:
    # Reddit's unread inbox: storing a page marks it read, which changes what the next request returns.
    p = Scripted(
        {
            None: page([1], "c1", more=True, read_ahead=False),
            "c1": page([2], "c2", more=False, read_ahead=False),
        }
    )
    store = Store(tmp_path / "heard.db")
    assert poll_burst(p, SOURCE, store, now=now()).stored == 2
    main = threading.current_thread().name
    assert p.calls == [("fetch", None, main), ("stored", "c1", main), ("fetch", "c1", main), ("stored", "c2", main)]
    store.close()


def test_nothing_is_read_ahead_of_a_polls_last_page(tmp_path: Path) -> None:
    pages = {None: page([1], "c1", more=True), "c1": page([2], "c2", more=True), "c2": page([3], "c3", more=False)}
    p = Scripted(pages)
    store = Store(tmp_path / "heard.db")
    result = poll_burst(p, SOURCE, store, now=now(), max_pages=2)
    assert (result.stored, result.pages, result.more) == (2, 2, True)
    assert [c for what, c, _ in p.calls if what == "fetch"] == [None, "c1"]
    assert store.cursor(KEY)["cursor"] == "c2"  # the next poll goes on from there
    store.close()


def test_a_failure_read_ahead_is_recorded_as_the_poll_of_that_page_and_what_was_stored_stands(tmp_path: Path) -> None:
    retry_at = now() + timedelta(minutes=5)
    p = Scripted({None: page([1, 2], "c1", more=True), "c1": RateLimited("slow down", retry_at)})
    store = Store(tmp_path / "heard.db")
    result = poll_burst(p, SOURCE, store, now=now())
    assert result.stored == 2 and result.paused_until == retry_at
    row = store.cursor(KEY)
    assert row["cursor"] == "c1" and row["error_kind"] == ErrorKind.RATE_LIMITED
    assert stored_ids(store) == {"scripted:1", "scripted:2"}
    store.close()


def test_a_page_read_from_a_cursor_no_longer_stored_is_dropped_and_the_stored_one_read(tmp_path: Path) -> None:
    p = Scripted({None: page([1, 2], "c1", more=True), "c1": page([3], "c2", more=False)})
    store = Store(tmp_path / "heard.db")
    # While page one is acknowledged, a person starts the source over (`heard reset-cursor`, another process).
    p.on_stored["c1"] = lambda: store.reset_cursor(KEY)
    result = poll_burst(p, SOURCE, store, now=now())
    fetches = [c for what, c, _ in p.calls if what == "fetch"]
    # Page two, read ahead from "c1", is dropped; the poll reads from the start again, and then page two.
    assert fetches == [None, "c1", None, "c1"]
    assert result.stored == 3 and result.error is None
    assert stored_ids(store) == {"scripted:1", "scripted:2", "scripted:3"}
    assert store.cursor(KEY)["cursor"] == "c2"
    store.close()


def test_x_through_tweepy_reads_the_same_pages_with_the_same_requests_as_page_by_page(tmp_path: Path) -> None:
    x = start("x")
    try:
        c: Platform = client(x)
        source = c.sources()[0]
        key = source_key(c, source)
        ahead, one_by_one = Store(tmp_path / "ahead.db"), Store(tmp_path / "pages.db")
        for s in (ahead, one_by_one):
            poll_once(c, source, s, now=now())  # a first start marks the present
        x.add_incoming(450)  # five pages of 100
        sent = x.requests()
        polls = 0
        while poll_once(c, source, one_by_one, now=now()).more:
            polls += 1
        by_page = x.requests() - sent
        sent = x.requests()
        result = poll_burst(c, source, ahead, now=now())
        assert (result.stored, result.pages, result.more) == (450, 5, False)
        assert x.requests() - sent == by_page == 5
        assert stored_ids(ahead) == stored_ids(one_by_one) and len(stored_ids(ahead)) == 450
        assert ahead.cursor(key)["cursor"] == one_by_one.cursor(key)["cursor"]
        ahead.close()
        one_by_one.close()
    finally:
        x.stop()
