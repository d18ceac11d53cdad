"""Duplicates: a double-submit by its author, and the same person cross-posting on another platform."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from difflib import SequenceMatcher

import pytest

from listener.records import Author, Comment
from responders.duplicates import CROSS_POST_SIMILARITY, CROSS_POST_WINDOW, duplicate_of
from tests.conftest import make_comment

BIO = "Night nurse. Leeds. Pasta enthusiast."


def person(c: Comment, handle: str, name: str = "Ro Patel", bio: str = BIO) -> Comment:
    return dataclasses.replace(c, author=Author(id=f"u-{handle}", handle=handle, name=name, bio=bio))


def cross_post(first_text: str, copy_text: str, *, minutes: int = 2) -> tuple[Comment, Comment]:
    """The same person on Bluesky, then on X `minutes` later."""
    first = person(make_comment(1, platform="bluesky", text=first_text), "ro.bsky")
    copy = person(make_comment(2, platform="x", text=copy_text), "ro_p")
    return first, dataclasses.replace(copy, created_at=first.created_at + timedelta(minutes=minutes))


def test_double_submit_is_one_comment() -> None:
    first = make_comment(1, text="@acme Is the terrace heated in winter?", minutes_ago=30)
    second = dataclasses.replace(first, native_id="1002", created_at=first.created_at + timedelta(seconds=40))
    second = dataclasses.replace(second, text="@acme is the terrace heated in winter?? ")
    assert duplicate_of(second, (first,)) == first
    # Asked again the next day, or a different question, is a new need.
    late = dataclasses.replace(second, created_at=first.created_at + timedelta(hours=20))
    assert duplicate_of(late, (first,)) is None
    other = dataclasses.replace(second, text="@acme and do you take dogs?")
    assert duplicate_of(other, (first,)) is None


def test_cross_post_by_the_same_person_on_another_platform() -> None:
    first, copy = cross_post(
        "@acme.com your gnocchi tonight was unreal, thank you",
        "@acme your gnocchi tonight was unreal, thank you! https://t.invalid/x",
    )
    assert duplicate_of(copy, (first,)) == first
    stranger = person(copy, "ro_p", bio="Plumber in Hull")
    assert duplicate_of(stranger, (first,)) is None  # same name, another bio: another person
    different = dataclasses.replace(copy, text="@acme booked again for Friday, can't wait to try the risotto")
    assert duplicate_of(different, (first,)) is None  # the same advocate saying something else
    short = person(make_comment(3, platform="bluesky", text="thanks!"), "ro.bsky")
    short_copy = dataclasses.replace(copy, text="@acme thanks!")
    assert duplicate_of(short_copy, (short,)) is None
    late = dataclasses.replace(copy, created_at=first.created_at + CROSS_POST_WINDOW + timedelta(minutes=1))
    assert duplicate_of(late, (first,)) is None


BASE = "the sticky toffee pudding was the best thing we ate all year"  # 60 characters once squashed


@pytest.mark.parametrize(
    ("copy", "same"),
    [
        (BASE, True),
        ("the sticky toffee pudding was the best thing we ate all year!!", True),  # marks are dropped: 1.0
        ("the sticky toffee pudding was the very best thing we ate all year", True),  # 0.96
        ("the sticky toffee pudding was the best thing we ate all week", True),  # 0.95
        ("the sticky toffee pudding was the best thing we had this year", True),  # 0.909
        ("the sticky toffee pudding was the best thing we ate in ages", True),  # 0.908
        ("the sticky toffee pudding was just the best thing we ate all month", False),  # 0.889
        ("the sticky toffee pudding was honestly the best thing we ate in years", False),  # 0.884
        ("the sticky toffee pudding was far too sweet for us this year", False),  # 0.717
    ],
)
def test_near_same_texts_agree_with_difflib_on_either_side_of_the_threshold(copy: str, same: bool) -> None:
    first, later = cross_post("@acme " + BASE, "@acme " + copy)
    ratio = SequenceMatcher(None, BASE, copy.replace("!", "")).ratio()
    assert (ratio >= CROSS_POST_SIMILARITY) is same  # the pair lies on the side the test says: difflib's verdict
    assert (duplicate_of(later, (first,)) == first) is same


def test_a_long_cross_post_with_one_typo_is_found() -> None:
    # Over 200 characters difflib's junk heuristic ignores the commonest letters: it scored this pair 0.845, so
    # the cross-post went unseen; the Indel similarity is 0.998.
    text = (
        "Honestly, what's the point of an AMA when your Leeds site is turning away people with confirmed bookings "
        'RIGHT NOW? We drove over from Otley. Two kids. Nobody could tell us anything except "the system\'s done it". '
        "Sort it out."
    )
    first, copy = cross_post(text, text.replace("except", "excep"))
    assert duplicate_of(copy, (first,)) == first
