from __future__ import annotations

from listener.store import Store
from responders.decide import decide_pending
from responders.suggest import parse_library
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
    assert store.reply(own_reply.id)["state"] == "dismissed"
    assert store.reply(bot.id)["state"] == "dismissed"
    assert store.reply(keyword.id)["state"] == "suggested"  # heard, queued for a person, never automatic
    assert store.reply(fan.id)["state"] == "approved" and store.reply(fan.id)["decided_by"] == "rule"
    assert result.auto_approved == 1


def test_a_stop_reply_opts_the_author_out_for_good(store: Store) -> None:
    stop = make_comment(1, author="jo", source="reply", text="@acme stop")
    seed(store, stop, intent="other", sentiment="neutral")
    later = make_comment(2, author="jo", text="@acme love it", minutes_ago=10)
    decide_pending(store, LIB, auto={}, dry_run=False, now=NOW)
    assert store.author("x", "u-jo")["opted_out"] == 1
    seed(store, later)
    decide_pending(store, LIB, auto={}, dry_run=False, now=NOW)
    assert store.reply(later.id)["state"] == "dismissed"
    assert "opted out" in store.reply(later.id)["reason"]


def test_decide_is_idempotent(store: Store) -> None:
    seed(store, make_comment(1, text="@acme when do you open"), intent="question", is_question=True)
    first = decide_pending(store, LIB, auto={}, dry_run=False, now=NOW)
    second = decide_pending(store, LIB, auto={}, dry_run=False, now=NOW)
    assert (first.suggested, second.suggested) == (1, 0)
    assert store.reply("x:1001")["text"] == "We open at 7, Jane."
