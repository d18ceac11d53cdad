from __future__ import annotations

import dataclasses
from datetime import timedelta

from listener.store import Store
from responders.decide import decide_pending
from responders.library import parse_library
from tests.conftest import NOW, make_comment, make_tags

LIB = parse_library(
    {
        "template": [{"intent": "any", "variants": ["Thanks {name}!", "Cheers {name}!"]}],
        "answer": [{"keywords": ["open"], "text": "We open at 7, {name}."}],
    },
    "t",
)
EVERYTHING = ("question", "complaint", "praise", "request", "other")


def seed(store: Store, comment, **tags) -> None:
    store.save_page("s", [comment], None, now=NOW)
    store.save_tags([make_tags(comment, **tags)], now=NOW)


def test_self_bots_and_x_keyword_hits_are_never_approved_by_rule(store: Store) -> None:
    own_reply = make_comment(1, author="acme", is_own=True, source="reply", text="@acme and another thing")
    bot = make_comment(2, author="dealsbot", is_bot=True, text="@acme deal!")
    keyword = make_comment(3, author="kim", source="keyword", text="acme grinders are great")
    fan = make_comment(4, author="lee", text="@acme great grinder")
    for c in (own_reply, bot, keyword, fan):
        seed(store, c)
    result = decide_pending(store, LIB, auto={"x": EVERYTHING}, dry_run=False, now=NOW)
    assert store.reply(own_reply.id).state == "dismissed"
    assert store.reply(bot.id).state == "dismissed"
    # Heard but not addressed to us: X lets us answer only people who engaged us first.
    assert (store.reply(keyword.id).state, store.reply(keyword.id).skip_reason) == (
        "dismissed",
        "not_addressed_to_us",
    )
    assert store.reply(fan.id).state == "approved" and store.reply(fan.id).decided_by == "rule"
    assert result.auto_approved == 1


def test_a_stop_reply_covers_that_authors_later_messages_in_the_thread(store: Store) -> None:
    stop = dataclasses.replace(
        make_comment(1, author="jo", source="reply", text="@acme stop replying to me"), conversation_id="t"
    )
    seed(store, stop, intent="other", sentiment="neutral")
    decide_pending(store, LIB, auto={}, dry_run=False, now=NOW)
    assert store.reply(stop.id).skip_reason == "opted_out"
    later = dataclasses.replace(make_comment(2, author="jo", text="@acme love it", minutes_ago=10), conversation_id="t")
    elsewhere = dataclasses.replace(
        make_comment(3, author="jo", text="@acme love the new mugs", minutes_ago=5), conversation_id="u"
    )
    seed(store, later)
    seed(store, elsewhere)
    decide_pending(store, LIB, auto={}, dry_run=False, now=NOW)
    assert (store.reply(later.id).state, store.reply(later.id).skip_reason) == ("dismissed", "opted_out")
    assert store.reply(elsewhere.id).state in ("suggested", "approved")


def test_our_reply_by_hand_closes_the_comment_it_answers(store: Store) -> None:
    ask = dataclasses.replace(
        make_comment(1, author="kim", text="@acme do you open on Boxing Day?", minutes_ago=50), conversation_id="c"
    )
    seed(store, ask, intent="question", is_question=True, sentiment="neutral")
    decide_pending(store, LIB, auto={}, dry_run=False, now=NOW)
    assert store.reply(ask.id).state == "suggested"
    by_hand = dataclasses.replace(
        make_comment(2, author="acme", is_own=True, text="@kim yes, 10 till 4!", minutes_ago=30, parent=ask.id),
        conversation_id="c",
    )
    seed(store, by_hand, intent="other", sentiment="neutral")
    result = decide_pending(store, LIB, auto={}, dry_run=False, now=NOW)
    reply = store.reply(ask.id)
    assert (reply.state, reply.decided_by, result.answered_by_hand) == ("dismissed", "thread", 1)
    assert store.tags(ask.id).needs_reply  # it did need a reply: ours, by hand
    assert ask.id not in {r.id for r in store.awaiting()}  # never escalated
    # A reply by hand found before heard decided: nothing is ever queued.
    late = dataclasses.replace(
        make_comment(3, author="lee", text="@acme is there parking?", minutes_ago=20), conversation_id="d"
    )
    answer = dataclasses.replace(
        make_comment(4, author="acme", is_own=True, text="@lee yes, behind the shop", minutes_ago=15, parent=late.id),
        conversation_id="d",
    )
    seed(store, late, intent="question", is_question=True, sentiment="neutral")
    seed(store, answer, intent="other", sentiment="neutral")
    decide_pending(store, LIB, auto={}, dry_run=False, now=NOW)
    assert (store.reply(late.id).state, store.reply(late.id).decided_by) == ("dismissed", "thread")


def test_a_double_submit_gets_one_reply(store: Store) -> None:
    first = make_comment(1, author="sam", text="@acme is the cafe dog friendly?", minutes_ago=20)
    again = dataclasses.replace(first, native_id="1099", created_at=first.created_at + timedelta(seconds=30))
    seed(store, first, intent="question", is_question=True, sentiment="neutral")
    seed(store, again, intent="question", is_question=True, sentiment="neutral")
    decide_pending(store, LIB, auto={}, dry_run=False, now=NOW)
    assert store.reply(first.id).state == "suggested"
    dup = store.reply(again.id)
    assert (dup.state, dup.skip_reason, dup.duplicate_of) == ("dismissed", "duplicate", first.id)


def test_decide_is_idempotent(store: Store) -> None:
    seed(store, make_comment(1, text="@acme when do you open"), intent="question", is_question=True)
    first = decide_pending(store, LIB, auto={}, dry_run=False, now=NOW)
    second = decide_pending(store, LIB, auto={}, dry_run=False, now=NOW)
    assert (first.suggested, second.suggested) == (1, 0)
    assert store.reply("x:1001").text == "We open at 7, Jane."


def test_a_copy_decided_in_the_same_pass_takes_its_originals_final_tags(store: Store) -> None:
    # The original's final tags are written with its batch: the copy reads them from the pass, not the store.
    first = make_comment(1, author="sam", text="@acme is the cafe dog friendly?", minutes_ago=20)
    again = dataclasses.replace(first, native_id="1099", created_at=first.created_at + timedelta(seconds=30))
    seed(store, first, intent="question", is_question=True, sentiment="neutral")
    seed(store, again, intent="complaint", is_question=False, sentiment="negative")
    decide_pending(store, LIB, auto={}, dry_run=False, now=NOW)
    copy, original = store.tags(again.id), store.tags(first.id)
    assert (copy.intent, copy.sentiment, copy.is_question) == (original.intent, "neutral", True)
    assert (copy.needs_reply, original.needs_reply) == (False, True)


def test_one_person_twice_in_one_pass_never_gets_the_same_words_twice_in_a_row(store: Store) -> None:
    # Wordings without words are never near a recent reply: only the person's last reply can keep them apart.
    lib = parse_library({"template": [{"intent": "praise", "variants": ["\U0001f64f", "\U0001f44d"]}]}, "t")
    for n in (2, 3):  # wordings rotate by comment id: both would start on the same one
        seed(store, make_comment(n, author="jo", text=f"@acme great grinder {n}", minutes_ago=30 - n))
    decide_pending(store, lib, auto={}, dry_run=False, now=NOW)
    texts = [store.reply(f"x:{1000 + n}").text for n in (2, 3)]
    assert all(texts) and texts[0] != texts[1]


def test_a_pass_longer_than_one_commit_group_decides_everything_once(store: Store) -> None:
    comments = [make_comment(n, author=f"p{n}", text=f"@acme when do you open {n}?") for n in range(1, 451)]
    store.save_page("s", comments, None, now=NOW)
    store.save_tags([make_tags(c, intent="question", is_question=True) for c in comments], now=NOW)
    result = decide_pending(store, LIB, auto={}, dry_run=False, now=NOW)
    assert result.suggested == 450 and store.undecided() == []
    assert all(store.tags(c.id).priority for c in comments)
    created = store.db.execute("SELECT count(*) FROM events WHERE kind = 'transition' AND from_state IS NULL")
    assert created.fetchone()[0] == 450
