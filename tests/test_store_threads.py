from __future__ import annotations

import dataclasses
import random
from datetime import timedelta

import pytest

from listener.records import Author, Comment
from listener.store import Store
from responders.duplicates import WINDOW
from responders.thread import gather, gather_all
from tests.conftest import NOW, make_comment, on_both

# Every test here runs on both engines.
pytestmark = on_both

PLATFORMS = ("x", "mastodon")


def crowd(n: int, seed: int = 18) -> list[Comment]:
    """Comments in a few conversations by a few people (some sharing a name across platforms), many at one second."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        who = rng.randrange(12)
        c = make_comment(
            i,
            platform=rng.choice(PLATFORMS),
            author=f"p{who}",
            minutes_ago=rng.choice([5, 5, 20, 35, 40, 45, 90, 600]),  # ties, the window exactly, and wider
            is_own=rng.random() < 0.1,
        )
        talk = rng.choice([None, "t1", "t2", "t3", "t4"])
        parent = f"{c.platform}:{1000 + rng.randrange(max(i, 1))}" if talk and i else None
        name = "" if who == 11 else f"P{who % 6}"  # names shared by two people; one without a name
        c = dataclasses.replace(
            c,
            conversation_id=talk,
            parent_id=parent,
            author=Author(f"u-{who}", f"p{who}", name),
            created_at=c.created_at + timedelta(microseconds=rng.choice([0, 0, 1])),
        )
        out.append(c)
    return out


def key(c: Comment) -> tuple[object, str]:
    return c.created_at, c.id


def stored(store: Store, comments: list[Comment]) -> list[Comment]:
    """What the store holds of them (conversations joined up as storing does), in id order."""
    store.save_page("s", comments, None, now=NOW)
    return sorted(store.comments([c.id for c in comments]).values(), key=lambda c: c.id)


def test_threads_of_a_batch_are_each_comments_earlier_conversation(store: Store) -> None:
    everyone = stored(store, crowd(300))
    for limit in (3, 200):
        found = store.threads(everyone, limit)
        for c in everyone:
            earlier = [
                o
                for o in everyone
                if c.conversation_id and (o.platform, o.conversation_id) == (c.platform, c.conversation_id)
            ]
            expected = sorted((o for o in earlier if key(o) < key(c)), key=key)[-limit:]
            assert [o.id for o in found[c.id]] == [o.id for o in expected], c.id
    assert any(len(t) == 3 for t in store.threads(everyone, 3).values())
    assert store.thread(everyone[-1]) == store.threads([everyone[-1]])[everyone[-1].id]


def nearby_expected(c: Comment, everyone: list[Comment]) -> list[str]:
    """What ``nearby`` means, read the slow way: the same author here, or the same name elsewhere, just before."""
    expected = [
        o
        for o in everyone
        if c.created_at - WINDOW <= o.created_at
        and key(o) < key(c)
        and (
            (o.platform, o.author.id) == (c.platform, c.author.id)
            or (o.platform != c.platform and o.author.name == c.author.name != "")
        )
    ]
    return [o.id for o in sorted(expected, key=key)]


def test_nearby_of_a_batch_is_the_same_author_here_or_the_same_name_elsewhere(store: Store) -> None:
    everyone = stored(store, crowd(300))
    found = store.nearby_all(everyone, WINDOW)
    hits = 0
    for c in everyone:
        expected = nearby_expected(c, everyone)
        assert [o.id for o in found[c.id]] == expected, c.id
        hits += bool(expected)
    assert hits > 50
    assert store.nearby(everyone[0], WINDOW) == found[everyone[0].id]


def test_nearby_of_one_persons_burst_here_and_elsewhere(store: Store) -> None:
    # 600 comments by one name within the window, most on one platform: cut by time, merged across platforms.
    rng = random.Random(5)
    burst = []
    for i in range(600):
        platform = "x" if i % 5 else "mastodon"
        c = make_comment(i, platform=platform, author="flood", minutes_ago=rng.choice([1, 2, 10, 29, 30, 31, 45]))
        burst.append(dataclasses.replace(c, author=Author(f"{platform}-flood", "flood", "Flood")))
    everyone = stored(store, burst)
    found = store.nearby_all(everyone, WINDOW)
    for c in everyone:
        assert [o.id for o in found[c.id]] == nearby_expected(c, everyone), c.id
    assert max(len(v) for v in found.values()) > 300


def test_own_replies_and_our_posted_answers_of_a_batch(store: Store) -> None:
    everyone = stored(store, crowd(200))
    mine = store.own_replies_to_all([c.id for c in everyone])
    for c in everyone:
        expected = sorted((o for o in everyone if o.parent_id == c.id and o.is_own), key=key)
        assert [o.id for o in mine[c.id]] == [o.id for o in expected]
    assert any(mine.values())
    answered = everyone[5]
    store.create_reply(answered.id, "posted", now=NOW, text="hi", remote_id="9")
    found = store.answered_in_all(everyone)
    for c in everyone:
        same = c.conversation_id and (c.platform, c.conversation_id) == (answered.platform, answered.conversation_id)
        assert found[c.id] == ({f"{answered.platform}:9": answered.id} if same else {})
    # One conversation's comments share one read-only mapping: a viral thread's comments do not each copy it.
    talk = [c for c in everyone if (c.platform, c.conversation_id) == (answered.platform, answered.conversation_id)]
    assert len(talk) > 1 and all(found[c.id] is found[talk[0].id] for c in talk)
    with pytest.raises(TypeError):
        found[talk[0].id]["x:10"] = "x:1"  # type: ignore[index]


def test_gather_all_reads_what_gather_reads_one_at_a_time(store: Store) -> None:
    everyone = stored(store, crowd(120))
    store.set_opted_out("x", "u-3", now=NOW, why="asked")
    batch = gather_all(store, everyone, ("acme",))
    for c in everyone:
        assert batch[c.id] == gather(store, c, ("acme",))
    assert any(ctx.author_opted_out for ctx in batch.values())
    assert any(ctx.parent is not None for ctx in batch.values())
