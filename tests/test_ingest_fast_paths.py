"""The ingest's quick answers give what the careful paths give: payload accessors, a page's ids, its raw payloads."""

from __future__ import annotations

import dataclasses
import json

import pytest

from listener.errors import BadPayload
from listener.platforms._common import MAX_ID, optional_id, optional_mappings, optional_str
from listener.store import Store
from tests.conftest import NOW, make_comment, on_both

# Ids the quick test answers at once, and ids it hands to the careful path: each with what comes out.
IDS = [
    ("5", "5"),
    (5, "5"),
    ("x" * MAX_ID, "x" * MAX_ID),
    ("at://did:plc:ab/app.bsky.feed.post/3k", "at://did:plc:ab/app.bsky.feed.post/3k"),
    ("naïve-ид", "naïve-ид"),
    ("", None),
    (None, None),
]
REFUSED_IDS = [" ", "\t\u3000", "x" * (MAX_ID + 1), "a\x00b", "cut \ud83d", True, 1.5, ["5"]]


@pytest.mark.parametrize(("value", "expected"), IDS)
def test_an_id_is_kept_as_sent_or_is_none(value, expected):
    assert optional_id({"id": value}, "id", "test") == expected


@pytest.mark.parametrize("value", REFUSED_IDS)
def test_an_id_that_is_blank_too_long_unclean_or_not_text_is_refused(value):
    with pytest.raises(BadPayload, match='test: "id"'):
        optional_id({"id": value}, "id", "test")


def test_a_text_is_kept_when_printable_and_short_else_cleaned():
    assert optional_str({"t": "plain words"}, "t", "test") == "plain words"
    assert optional_str({"t": "bell\x07 rung"}, "t", "test") == "bell rung"
    assert optional_str({"t": "x" * 600}, "t", "test", limit=500) == "x" * 499 + "…"
    assert optional_str({"t": None}, "t", "test") == ""
    with pytest.raises(BadPayload, match='"t" expected a string, got number'):
        optional_str({"t": 5}, "t", "test")


def test_a_list_of_objects_comes_back_as_a_copy_with_nulls_left_out():
    payload = {"users": [{"id": "1"}, {"id": "2"}]}
    users = optional_mappings(payload, "users", "test")
    users.append({"id": "3"})
    assert payload["users"] == [{"id": "1"}, {"id": "2"}]
    assert optional_mappings({"users": [{"id": "1"}, None]}, "users", "test") == [{"id": "1"}]
    with pytest.raises(BadPayload, match=r'"users\[1\]" expected an object, got string'):
        optional_mappings({"users": [{"id": "1"}, "2"]}, "users", "test")


@on_both
def test_ids_beyond_ascii_are_stored_and_an_unencodable_one_is_set_aside(store: Store) -> None:
    accented = dataclasses.replace(make_comment(1), native_id="café-1")
    cut = make_comment(2, parent="x:half \ud83d")
    saved = store.store_page("s", [accented, cut, make_comment(3)], "c1", now=NOW)
    assert saved.new == [accented.id, make_comment(3).id]
    assert [(r.item, r.error) for r in saved.set_aside] == [(cut.id, "an id is not valid Unicode")]
    assert store.comment(accented.id) is not None and store.comment(cut.id) is None


@on_both
def test_a_raw_payload_is_stored_whole_in_the_platforms_key_order(store: Store) -> None:
    raw = {"data": {"text": "hi", "id": "5", "public_metrics": {"like_count": 1}}, "includes": {"users": []}}
    comment = dataclasses.replace(make_comment(1), raw=raw)
    store.save_page("s", [comment], "c1", now=NOW)
    text = store.engine.execute("SELECT raw FROM comments WHERE id = ?", [comment.id]).fetchone()[0]
    assert list(json.loads(text)["data"]) == ["text", "id", "public_metrics"]  # not sorted
    assert store.comment(comment.id).raw == raw  # type: ignore[union-attr]


@on_both
def test_a_raw_payload_orjson_refuses_is_stored_by_the_standard_encoder(store: Store) -> None:
    raw = {"data": {"text": "half \ud83d", "id": "5", "big": 2**70}}  # a lone surrogate; an int past 64 bits
    comment = dataclasses.replace(make_comment(1), raw=raw)
    assert store.save_page("s", [comment], "c1", now=NOW) == [comment.id]
    assert store.comment(comment.id).raw == raw  # type: ignore[union-attr]
