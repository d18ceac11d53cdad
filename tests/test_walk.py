"""The shared newest-first walk, as Bluesky and YouTube use it: cursors already stored keep loading."""

import json
from datetime import UTC, datetime

import pytest

from listener.errors import BadPayload
from listener.platforms import bluesky, youtube
from listener.records import Account

US = Account("youtube", "UCus", "@us")
SINCE = datetime(2024, 5, 1, 12, 0, 0, 500000, tzinfo=UTC)


def test_bluesky_cursor_keeps_its_newest_uris_key():
    stored = '{"bound": "2024-05-01T12:00:00Z", "newest": "2024-05-01T12:00:02Z", "newest_uris": ["a"], "token": "t"}'
    walk = bluesky.Walk.load(stored, SINCE)
    assert walk.newest_ids == ("a",) and walk.token == "t"
    assert json.loads(walk.dump()) == json.loads(stored)


def test_youtube_cursor_keeps_its_newest_ids_key():
    stored = '{"bound": "2024-05-01T12:00:00+00:00", "newest": "2024-05-01T12:00:02+00:00", "newest_ids": ["c1"]}'
    walk = youtube.Walk.load(stored, SINCE)
    assert walk.newest_ids == ("c1",)
    assert json.loads(walk.dump()) == json.loads(stored)


def test_a_fresh_start_is_whole_seconds_only_where_the_platform_is():
    assert bluesky.Walk.load(None, SINCE).bound == "2024-05-01T12:00:00.500000+00:00"
    assert youtube.Walk.load(None, SINCE).bound == "2024-05-01T12:00:00+00:00"


def test_a_cursor_that_is_not_ours_is_a_bad_payload_naming_the_platform():
    with pytest.raises(BadPayload, match="youtube cursor"):
        youtube.Walk.load("not json", SINCE)


def test_a_youtube_thread_is_new_while_any_reply_in_it_is():
    def comment(cid, at):
        return {"id": cid, "snippet": {"publishedAt": at}}

    old_thread_new_reply = {
        "id": "t1",
        "snippet": {"videoId": "v", "topLevelComment": comment("c1", "2024-05-01T11:00:00Z")},
        "replies": {"comments": [comment("r1", "2024-05-01T12:00:05Z")]},
    }
    fresh, after = youtube.Walk.load(None, SINCE).step([old_thread_new_reply], "next")
    assert [c["id"] for c in fresh] == ["r1"] and after.token == "next"
    assert fresh[0]["snippet"]["videoId"] == "v"


def test_an_item_with_a_broken_time_goes_on_to_normalise_and_the_walk_moves_on():
    def comment(cid, at):
        return {"id": cid, "snippet": {"publishedAt": at}}

    good = {"id": "t1", "snippet": {"videoId": "v", "topLevelComment": comment("c1", "2024-05-01T12:00:07Z")}}
    broken_time = {"id": "t2", "snippet": {"videoId": "v", "topLevelComment": comment("c2", 12345)}}
    no_top = {"id": "t3", "snippet": {"videoId": "v"}}
    fresh, after = youtube.Walk.load(None, SINCE).step([good, broken_time, no_top], None)
    # All three go on (normalise sets the broken ones aside, naming the field); the cursor is the good one's.
    assert [c["id"] for c in fresh] == ["c1", "c2", "t3"]
    assert after.bound == "2024-05-01T12:00:07+00:00"
    with pytest.raises(BadPayload):
        youtube.normalise(fresh[1], US)
    with pytest.raises(BadPayload):
        youtube.normalise(fresh[2], US)
