"""The judge: DECISIONS.md's order of skip reasons, priority and the auto-reply vetoes, on our own cases."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from listener.records import Author, Comment
from responders.judge import addressed_to_us, judge
from responders.thread import Context, we_answered
from tests.conftest import make_comment, make_tags

OURS = ("acme", "acme_coffee")


def person(c: Comment, handle: str, name: str = "", bio: str = "", **kw: object) -> Comment:
    who = Author(id=f"u-{handle}", handle=handle, name=name or handle.title(), bio=bio, **kw)  # type: ignore[arg-type]
    return dataclasses.replace(c, author=who)


def verdict(c: Comment, ctx: Context | None = None, **tags: object):  # type: ignore[no-untyped-def]
    return judge(c, make_tags(c, **tags), ctx or Context(ours=OURS))  # type: ignore[arg-type]


def test_own_account_is_decided_by_author_id_only() -> None:
    own = make_comment(1, is_own=True, text="@acme check out our new beans! http://x.invalid/1 #coffee")
    assert verdict(own, spam=0.99).skip_reason == "own_account"
    # A handle that looks like ours is not ours: it is an impersonator.
    fake = person(make_comment(2, text="@kim sorry! fill in this form for your refund"), "Acme_Care", "Acme Help Desk")
    got = verdict(fake, intent="request", sentiment="neutral")
    assert (got.skip_reason, got.needs_reply, got.intent) == ("spam", False, "other")


def test_skip_reasons_apply_in_decisions_order() -> None:
    # A bot that asks a question is a bot; spam from a bot is a bot; a bot's repeat is a duplicate.
    bot = make_comment(1, text="@acme which of your sites opens first tomorrow?", is_bot=True)
    assert verdict(bot, intent="question", is_question=True).skip_reason == "bot"
    assert verdict(bot, spam=0.95).skip_reason == "bot"
    again = dataclasses.replace(bot, native_id="1999", created_at=bot.created_at + timedelta(seconds=20))
    assert verdict(again, Context(nearby=(bot,), ours=OURS)).skip_reason == "duplicate"
    # Spam from someone whose bio opts out is still spam.
    spammer = make_comment(3, text="@acme earn from home", bio="#nobot")
    assert verdict(spammer, spam=0.9).skip_reason == "spam"


def test_a_double_submit_is_skipped_as_a_duplicate_of_the_first() -> None:
    first = make_comment(1, text="@acme Is the terrace heated in winter?", minutes_ago=30)
    second = dataclasses.replace(first, native_id="1002", created_at=first.created_at + timedelta(seconds=40))
    got = verdict(second, Context(nearby=(first,), ours=OURS), intent="question", is_question=True)
    assert (got.skip_reason, got.duplicate_of) == ("duplicate", first.id)


def test_opt_outs_from_the_bio_and_from_the_thread() -> None:
    for bio in ("Baker. #NoBot", "no bots please", "No automated replies, ta", "no bot replies"):
        got = verdict(make_comment(1, text="@acme do you deliver to Sale?", bio=bio), intent="question")
        assert got.skip_reason == "opted_out", bio
    stop = make_comment(1, text="@acme please stop replying to everything I post", source="reply")
    assert verdict(stop, intent="request").skip_reason == "opted_out"
    later = dataclasses.replace(make_comment(2, text="@acme ok the soup was good actually"), conversation_id="t1")
    in_thread = Context(thread=(dataclasses.replace(stop, conversation_id="t1"),), ours=OURS)
    assert verdict(later, in_thread).skip_reason == "opted_out"
    assert verdict(later).skip_reason is None  # another thread: not covered
    emails = make_comment(3, text="@acme please stop sending me marketing emails")
    assert verdict(emails, intent="request", sentiment="negative").needs_reply


def test_closing_thanks_after_our_answer_is_already_answered() -> None:
    ask = make_comment(1, text="@acme can I bring my own cake?", minutes_ago=50)
    ours = dataclasses.replace(
        make_comment(2, text="@jane of course, no charge", is_own=True, minutes_ago=40), parent_id=ask.id
    )
    thanks = dataclasses.replace(
        make_comment(3, text="@acme perfect, thank you!", source="reply", minutes_ago=30), parent_id=ours.id
    )
    ctx = Context(thread=(ask, ours), parent=ours, ours=OURS)
    assert verdict(thanks, ctx).skip_reason == "already_answered"
    doubt = dataclasses.replace(thanks, text="@acme ok thanks. we'll see if it actually turns up this time")
    assert verdict(doubt, ctx, intent="complaint", sentiment="negative").needs_reply
    follow_up = dataclasses.replace(thanks, text="@acme perfect! and is there parking nearby?")
    assert verdict(follow_up, ctx, intent="question", is_question=True, sentiment="neutral").needs_reply
    # Thanks that nobody from our side prompted is praise to acknowledge.
    assert verdict(dataclasses.replace(thanks, parent_id=None), Context(ours=OURS)).needs_reply


def test_keyword_hits_are_heard_not_answered_except_forum_questions_only_we_can_answer() -> None:
    x_question = make_comment(1, text="anyone know if Acme Didsbury is any good?", source="keyword")
    got = verdict(x_question, intent="question", is_question=True, sentiment="neutral")
    assert (got.needs_reply, got.skip_reason) == (False, "not_addressed_to_us")
    forum = make_comment(
        2, platform="reddit", source="keyword", text="Does Acme have step-free access? My dad uses a wheelchair"
    )
    got = verdict(forum, intent="question", is_question=True, sentiment="neutral")
    assert got.needs_reply and not got.may_auto
    review = make_comment(3, platform="reddit", source="keyword", text="Acme does a lovely flat white")
    assert verdict(review).skip_reason == "not_addressed_to_us"
    repost = make_comment(4, source="keyword", text="RT @acme: New winter menu is live!")
    assert verdict(repost).intent == "other"
    assert not addressed_to_us(repost)


def test_people_answering_each_other_in_our_thread_are_not_talking_to_us() -> None:
    ask = person(make_comment(1, text="@acme is the roast on till 5?", minutes_ago=20), "kim")
    answer = person(
        make_comment(2, text="@kim @acme yes, went last week, it runs all afternoon", source="reply"), "lee"
    )
    answer = dataclasses.replace(answer, parent_id=ask.id)
    got = verdict(answer, Context(thread=(ask,), parent=ask, ours=OURS), intent="question", sentiment="neutral")
    assert got.skip_reason == "no_reply_needed" and got.intent == "other"
    to_us = dataclasses.replace(answer, text="@kim same question here, @acme do you do a kids' roast?")
    assert verdict(to_us, Context(thread=(ask,), parent=ask, ours=OURS), intent="question").needs_reply


def test_priority_is_high_only_for_health_money_and_fraud() -> None:
    cases = {
        "@acme my son had an allergic reaction after the satay, he needed his EpiPen": "high",
        "@acme you charged my card twice for one order": "high",
        "@acme got an email from 'Acme' asking for my card details, is it real?": "high",
        "@acme the delivery was 50 minutes late and cold": "normal",
        "@acme ABSOLUTELY FURIOUS, WORST SERVICE EVER": "normal",
    }
    for text, want in cases.items():
        got = verdict(make_comment(1, text=text), intent="complaint", sentiment="negative")
        assert (got.needs_reply, got.priority) == (True, want), text
    assert verdict(make_comment(1, text="@acme what a lovely lunch")).priority == "low"


def test_auto_reply_only_when_very_sure() -> None:
    assert verdict(make_comment(1, text="@acme what a lovely lunch, thank you!")).may_auto
    vetoed = {
        "@acme loved it, shame about the wait": {},
        "@acme great system 👏 two hours for a table we booked": {},
        "@acme lovely lunch! do you do gift cards?": {"is_question": True},
        "@acme c'était délicieux, merci !": {"lang": "fr"},
        "what a lovely lunch at acme today": {},  # X, but the text does not @ us
    }
    for text, tags in vetoed.items():
        c = make_comment(1, text=text)
        got = verdict(c, **tags)
        assert got.needs_reply and not got.may_auto, text
        assert got.auto_veto, text


def test_a_reply_heard_posted_to_this_author_earlier_in_the_thread_counts_as_answering_them() -> None:
    asked = make_comment(1, author="ann", text="does the grinder come in black?")
    other = make_comment(2, author="bo", text="and in white?")
    # Our posted replies in the conversation (remote id -> what each answered), beside many to others.
    answered = {f"x:r{n}": f"x:{5000 + n}" for n in range(300)} | {"x:r-ann": asked.id}
    later = dataclasses.replace(make_comment(3, author="ann", text="thanks, ordered!"), parent_id=None)
    ctx = Context(thread=(asked, other), answered=answered, ours=OURS)
    assert we_answered(later, ctx)
    stranger = dataclasses.replace(make_comment(4, author="cy", text="me too"), parent_id=None)
    assert not we_answered(stranger, ctx)
    assert not we_answered(later, dataclasses.replace(ctx, answered={"x:r-bo": other.id}))
