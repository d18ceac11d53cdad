"""Test the decision benchmark's converter: day lines become real-shape payloads that normalise back to the line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.day_payloads import Day, payload, read_day, write_recording
from bench.decisions_eval import ACCOUNTS, Got, answers, expected_fields, fidelity, read_got
from listener.platforms import spec
from listener.platforms.replay import read_recording
from listener.records import Account

US_X, US_REDDIT = ACCOUNTS["x"], ACCOUNTS["reddit"]


def line(platform: str, native: str, source: str, when: str, author: dict[str, Any], text: str, **more: Any) -> dict:
    """One line in the labelled day's format (expect left minimal: the converter never reads it)."""
    full = f"{platform}:{native}"
    parent = more.pop("parent_id", None)
    return {
        "id": full,
        "platform": platform,
        "source": source,
        "created_at": when,
        "author": {"bio": "", "is_bot_account": False, "followers": 10, **author},
        "text": text,
        "parent_id": parent,
        "conversation_id": more.pop("conversation_id", full),
        "lang": "en",
        "expect": {"needs_reply": False, "skip_reason": "own_account"},
        **more,
    }


OUR_POST = line(
    "x", "1900000000000000001", "keyword", "2026-03-01T09:00:00Z",
    {"id": US_X["id"], "handle": US_X["handle"], "name": "Us"},
    "Spring menu starts today: wild garlic everything. Book a table!",
)  # fmt: skip
RETWEET = line(
    "x", "1900000000000000002", "keyword", "2026-03-01T09:05:00Z",
    {"id": "555", "handle": "fan_of_food", "name": "Fan"},
    "RT @emberandoak: Spring menu starts today: wild garlic everything. Book a table!",
)  # fmt: skip
FLAGGED_REPLY = line(
    "x", "1900000000000000003", "reply", "2026-03-01T09:10:00Z",
    {"id": "777", "handle": "city_listings", "name": "City Listings", "bio": "Events in town.", "is_bot_account": True},
    "@emberandoak added to tonight's listings & picks",
    parent_id=OUR_POST["id"], conversation_id=OUR_POST["id"],
)  # fmt: skip
OUR_SUBMISSION = line(
    "reddit", "t3_1aaaaaa", "keyword", "2026-03-01T10:00:00Z",
    {"id": US_REDDIT["id"], "handle": US_REDDIT["handle"], "name": US_REDDIT["handle"]},
    "**We're the kitchen, ask us anything**\n\nChefs are here until four.",
)  # fmt: skip
TOP_COMMENT = line(
    "reddit", "t1_b000001", "comment", "2026-03-01T10:05:00Z",
    {"id": "t2_aaaa1111", "handle": "hungry_hal", "name": "hungry_hal"},
    "Do you open on bank holiday Mondays?",
    parent_id=OUR_SUBMISSION["id"], conversation_id=OUR_SUBMISSION["id"],
)  # fmt: skip
ANSWER_TO_HAL = line(
    "reddit", "t1_b000002", "comment", "2026-03-01T10:07:00Z",
    {"id": "t2_bbbb2222", "handle": "local_lou", "name": "local_lou"},
    "They did last year, I went on the May one.",
    parent_id=TOP_COMMENT["id"], conversation_id=OUR_SUBMISSION["id"],
)  # fmt: skip
DAY_LINES = [OUR_POST, RETWEET, FLAGGED_REPLY, OUR_SUBMISSION, TOP_COMMENT, ANSWER_TO_HAL]


def normalised(entry: dict) -> Any:
    """What heard's replay makes of one converted line."""
    day = Day(DAY_LINES, ACCOUNTS)
    acc = ACCOUNTS[entry["platform"]]
    return spec(entry["platform"]).normalise(payload(entry, day), Account(entry["platform"], acc["id"], acc["handle"]))


def test_every_field_round_trips_through_the_real_normalisers() -> None:
    counts, misses, _ = fidelity(Day(DAY_LINES, ACCOUNTS))
    assert not counts, misses


def test_a_retweet_of_our_post_reaches_heard_as_a_keyword_hit() -> None:
    raw = payload(RETWEET, Day(DAY_LINES, ACCOUNTS))
    assert raw["data"]["referenced_tweets"] == [{"type": "retweeted", "id": "1900000000000000001"}]
    c = normalised(RETWEET)
    assert (c.source, c.mentions_us, c.is_own) == ("keyword", False, False)


def test_x_text_is_escaped_as_x_sends_it_and_the_automated_label_is_read() -> None:
    raw = payload(FLAGGED_REPLY, Day(DAY_LINES, ACCOUNTS))
    assert "&amp;" in raw["data"]["text"] and raw["data"]["in_reply_to_user_id"] == US_X["id"]
    c = normalised(FLAGGED_REPLY)
    assert (c.text, c.author.is_bot, c.source) == (FLAGGED_REPLY["text"], True, "reply")


def test_reddit_comments_under_our_post_come_from_the_inbox_or_the_listing() -> None:
    day = Day(DAY_LINES, ACCOUNTS)
    assert payload(TOP_COMMENT, day)["data"]["type"] == "post_reply"
    assert payload(ANSWER_TO_HAL, day)["data"]["link_author"] == US_REDDIT["handle"]
    assert normalised(TOP_COMMENT).source == "comment"
    assert (normalised(ANSWER_TO_HAL).source, normalised(ANSWER_TO_HAL).mentions_us) == ("thread", False)
    assert expected_fields(OUR_SUBMISSION)["text"] == normalised(OUR_SUBMISSION).text


def test_the_recording_has_our_accounts_and_no_labels(tmp_path: Path) -> None:
    day_file = tmp_path / "day.jsonl"
    day_file.write_text("".join(json.dumps(entry) + "\n" for entry in DAY_LINES), encoding="utf-8")
    recording = tmp_path / "rec.jsonl"
    write_recording(Day(read_day(day_file), ACCOUNTS), recording)
    accounts, items = read_recording(recording)
    assert accounts["x"].id == US_X["id"] and len(items) == len(DAY_LINES)
    assert "expect" not in recording.read_text(encoding="utf-8")


def test_replay_rows_in_both_schemas_and_redelivered_ids() -> None:
    new = read_got(
        {"id": "x:1", "decision": "skipped", "reason": {"code": "spam", "text": "spam"}, "priority": "low",
         "tags": {"intent": "other"}, "auto": False}
    )  # fmt: skip
    old = read_got(
        {"id": "x:1", "decision": "approved", "reason": "", "tags": {"needs_reply": True, "priority": "low"}}
    )
    assert (new.needs_reply, new.code, new.queued) == (False, "spam", False)
    assert (old.needs_reply, old.code, old.queued, old.auto, old.priority) == (True, None, True, True, "low")
    day = Day([OUR_POST, OUR_POST], ACCOUNTS)
    got: list[Got] = answers(day, [{"id": OUR_POST["id"], "decision": "dismissed", "reason": "our own", "tags": {}}])
    assert [g.code for g in got] == ["?", "duplicate"] and not got[1].stored
