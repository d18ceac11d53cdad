"""A failed poll is recorded with its kind (a column, from the exception's class), and read back by kind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from listener.poll import poll_once, reset_command, source_key
from listener.store import ErrorKind, Store
from responders import alerts
from tests.harness import client, now, start

# What the fake X server is told to do -> the kind heard records for it.
FAILURES = [
    ("401", ErrorKind.AUTH),
    ("402", ErrorKind.CREDITS),
    ("429", ErrorKind.RATE_LIMITED),
    ("500", ErrorKind.TRANSIENT),
    ("garbage", ErrorKind.PAYLOAD),
]


@pytest.fixture
def x() -> Iterator[Any]:
    h = start("x", timeout=0.3)
    yield h
    h.stop()


@pytest.mark.parametrize("failure, kind", FAILURES)
def test_each_failure_is_recorded_with_its_kind(failure: str, kind: ErrorKind, x: Any, tmp_path: Path) -> None:
    store, c = Store(tmp_path / "heard.db"), client(x)
    source = c.sources()[0]
    key = source_key(c, source)
    assert poll_once(c, source, store, now=now()).error is None
    x.fail_next(failure)
    assert poll_once(c, source, store, now=now()).error
    row = store.cursor(key)
    assert row is not None and row["error_kind"] == kind and row["errors"] == 1
    store.close()


def test_kinds_not_texts_decide_the_alert(store: Store) -> None:
    # The text says "credentials refused", but the kind says it was a dropped connection: no auth alert.
    store.save_page("x:mentions", [], "c1", now=now())
    store.source_failed("x:mentions", "credentials refused: no, a timeout", kind=ErrorKind.TRANSIENT, now=now())
    store.source_failed("reddit:inbox", "401", kind=ErrorKind.AUTH, now=now())
    found = alerts.conditions(store, now=now(), poll_seconds=60)
    assert "source:auth:reddit:inbox" in found and not any(k.startswith("source:auth:x") for k in found)


def test_an_unreadable_cursor_alerts_with_the_command_that_resets_it(store: Store) -> None:
    key = "x:mentions"
    store.source_failed(key, "cursor 'abc' is not ours", kind=ErrorKind.CURSOR, now=now())
    found = alerts.conditions(store, now=now(), poll_seconds=60)
    assert reset_command(key) == "heard reset-cursor x:mentions"
    assert "`heard reset-cursor x:mentions`" in found[f"source:cursor:{key}"]
    assert f"source:silent:{key}" not in found  # one alert, the one that says what to do


def test_a_cursor_heard_did_not_write_is_recorded_and_named_until_reset(x: Any, tmp_path: Path) -> None:
    store, c = Store(tmp_path / "heard.db"), client(x)
    source = c.sources()[0]
    key = source_key(c, source)
    store.save_page(key, [], "edited by hand", now=now())
    result = poll_once(c, source, store, now=now())
    assert result.error and "heard reset-cursor x:mentions" in result.error
    row = store.cursor(key)
    assert row is not None and row["error_kind"] == ErrorKind.CURSOR and "heard reset-cursor" in row["last_error"]
    found = alerts.conditions(store, now=now(), poll_seconds=60)
    assert "heard reset-cursor x:mentions" in found[f"source:cursor:{key}"]
    store.reset_cursor(key)
    assert poll_once(c, source, store, now=now()).error is None
    assert store.cursor(key)["error_kind"] is None
    assert f"source:cursor:{key}" not in alerts.conditions(store, now=now(), poll_seconds=60)
    store.close()
