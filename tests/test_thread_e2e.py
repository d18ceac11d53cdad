"""Thread awareness end to end: real client → fake platform → poll → store → tagger → decide.

Our staff sometimes answer a comment by hand on the platform. heard must hear that reply (the
``ours`` source on X, Mastodon, Bluesky and Reddit; the comment threads on YouTube), close the
comment it answers without posting or escalating, and treat a closing "thanks" after it as answered.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language

from listener.nlp import build_nlp, tag
from listener.platforms import Platform
from listener.poll import poll_once
from listener.store import Reply, Store
from responders.decide import decide_pending
from responders.library import parse_library
from tests.harness import client as connect
from tests.harness import start

LIB = parse_library(
    {"template": [{"intent": "any", "variants": ["Thanks {name}, we'll get back to you!", "Cheers {name}!"]}]}, "t"
)
QUESTION = "do you still do the oat flat white at the station kiosk?"
HAND_ANSWER = "yes, every day until 3pm. See you there!"
THANKS = "thanks, perfect!"


@pytest.fixture(scope="module")
def nlp() -> Language:
    return build_nlp()


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Client libraries read config from the working directory and home (praw.ini, .netrc).
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))


# -- what a customer and our staff do, per platform ----------------------------------------------


@dataclass(frozen=True)
class Moves:
    """How, on one platform, a customer asks us, our staff answer by hand, and the customer says thanks."""

    ask: Callable[[Any, str, str], str]  # (harness, author, text) -> native id
    answer: Callable[[Any, str, str, str], str]  # (harness, native id, author, text) -> native id of our reply
    thank: Callable[[Any, str, str, str], str]  # (harness, our reply's native id, author, text) -> native id


MOVES = {
    "x": Moves(
        ask=lambda h, who, text: h.add_incoming(1, text=f"@heardbot {text}", author=who)[0],
        answer=lambda h, parent, who, text: h.reply_as_us(parent, f"@{who} {text}"),
        thank=lambda h, ours, who, text: h.fake.add_tweet(h._author(who), f"@heardbot {text}", reply_to=ours),
    ),
    "mastodon": Moves(
        ask=lambda h, who, text: h.add_incoming(1, text=text, author=who)[0],
        answer=lambda h, parent, who, text: h.reply_as_us(parent, f"@{who} {text}"),
        thank=lambda h, ours, who, text: h.fake.add_status(h._author(who), f"@heardbot {text}", reply_to=ours),
    ),
    "bluesky": Moves(
        ask=lambda h, who, text: h.add_incoming(1, text=f"@heard.bsky.social {text}", author=who)[0],
        answer=lambda h, parent, who, text: h.reply_as_us(parent, f"@{who}.bsky.social {text}"),
        thank=lambda h, ours, who, text: h.fake.add_post(h._author(who), text, reply_to=ours),
    ),
    "reddit": Moves(
        ask=lambda h, who, text: h.add_incoming(1, text=f"u/heard_bot {text}", author=who)[0],
        answer=lambda h, parent, who, text: h.reply_as_us(parent, text),
        thank=lambda h, ours, who, text: h.add_incoming(1, text=text, author=who, parent=ours)[0],
    ),
    # YouTube files every reply under the top comment, and its threads carry the channel's replies.
    "youtube": Moves(
        ask=lambda h, who, text: h.add_incoming(1, text=text, author=who)[0],
        answer=lambda h, parent, who, text: h.fake.add_comment(h.account.id, f"@{who} {text}", parent=parent),
        thank=lambda h, ours, who, text: _youtube_thanks(h, ours, who, text),
    ),
}


def _youtube_thanks(h: Any, ours: str, who: str, text: str) -> str:
    """The customer's reply in the thread, a moment after ours (YouTube's times are whole seconds).

    Within one second the store cannot tell which came first, and on YouTube nothing but that
    order ties a thanks to our answer: every reply's parent is the top comment.
    """
    time.sleep(1.05)
    return str(h.fake.add_comment(h._author(who), text, parent=ours.split(".")[0]))


@dataclass
class World:
    """One platform's fake, our real client connected to it, and a real store."""

    h: Any
    client: Platform
    store: Store
    nlp: Language

    def poll(self, now: datetime | None = None) -> None:
        """Poll every source until none says there is more (a first poll marks the present)."""
        at = now or datetime.now(UTC)
        for _ in range(20):
            results = [poll_once(self.client, s, self.store, now=at) for s in self.client.sources()]
            assert not [r.error for r in results if r.error]
            if not any(r.more for r in results):
                return
        raise AssertionError("sources still had more after 20 polls")

    def decide(self) -> None:
        """Tag what is untagged with the real tagger, then decide it."""
        while batch := self.store.untagged():
            self.store.save_tags(tag(batch, self.nlp), now=datetime.now(UTC))
        decide_pending(self.store, LIB, auto={}, dry_run=False, now=datetime.now(UTC))

    def reply(self, native_id: str) -> Reply:
        found = self.store.reply(f"{self.h.platform}:{native_id}")
        assert found is not None, f"{native_id} has no reply record"
        return found

    def awaiting(self) -> set[str]:
        return {r.id for r in self.store.awaiting()}


def world(name: str, tmp_path: Path, nlp: Language, **options: Any) -> Iterator[World]:
    h = start(name)
    store = Store(tmp_path / f"{name}.db")
    try:
        yield World(h, connect(h, **options), store, nlp)
    finally:
        store.close()
        h.stop()


@pytest.fixture(params=sorted(MOVES))
def w(request: pytest.FixtureRequest, tmp_path: Path, nlp: Language) -> Iterator[World]:
    yield from world(request.param, tmp_path, nlp)


# -- a hand reply acknowledges what it answers ---------------------------------------------------


def test_a_reply_staff_wrote_by_hand_closes_the_question_and_a_later_thanks(w: World) -> None:
    moves = MOVES[w.h.platform]
    w.poll()  # the first start marks the present
    question = moves.ask(w.h, "casey", QUESTION)
    w.poll()
    w.decide()
    assert w.reply(question).state == "suggested"
    assert f"{w.h.platform}:{question}" in w.awaiting()

    ours = moves.answer(w.h, question, "casey", HAND_ANSWER)
    w.poll()
    w.decide()
    closed = w.reply(question)
    assert (closed.state, closed.decided_by) == ("dismissed", "thread")
    assert f"{w.h.platform}:{question}" not in w.awaiting()  # so it is never escalated
    own = w.store.comment(f"{w.h.platform}:{ours}")
    assert own is not None and own.is_own and own.parent_id == f"{w.h.platform}:{question}"
    assert w.reply(ours).skip_reason == "own_account"

    thanks = moves.thank(w.h, ours, "casey", THANKS)
    w.poll()
    w.decide()
    assert w.reply(thanks).skip_reason == "already_answered"
    assert w.awaiting() == set()
    assert w.h.replies() == [], "heard posted nothing: our staff had answered"


def test_a_hand_reply_before_heard_decides_means_nothing_is_queued(w: World) -> None:
    moves = MOVES[w.h.platform]
    w.poll()
    question = moves.ask(w.h, "robin", QUESTION)
    moves.answer(w.h, question, "robin", HAND_ANSWER)
    w.poll()
    w.decide()
    record = w.reply(question)
    assert (record.state, record.decided_by) == ("dismissed", "thread")
    assert w.awaiting() == set() and w.h.replies() == []


# -- the ours source, and the option that turns it off -------------------------------------------


@pytest.mark.parametrize("name", ["x", "mastodon", "bluesky", "reddit"])
def test_own_replies_is_a_source_that_can_be_turned_off(name: str, tmp_path: Path, nlp: Language) -> None:
    for on in (True, False):
        for wo in world(name, tmp_path / str(on), nlp, own_replies=on):
            assert ("ours" in wo.client.sources()) is on
            wo.poll()
            question = MOVES[name].ask(wo.h, "casey", QUESTION)
            ours = MOVES[name].answer(wo.h, question, "casey", HAND_ANSWER)
            wo.poll()
            assert (wo.store.comment(f"{name}:{ours}") is not None) is on


@pytest.mark.parametrize("name", ["x", "mastodon", "bluesky", "reddit"])
def test_ours_stores_only_replies_and_starts_at_now(name: str, tmp_path: Path, nlp: Language) -> None:
    for wo in world(name, tmp_path, nlp):
        moves = MOVES[name]
        early = moves.ask(wo.h, "casey", QUESTION)
        before = moves.answer(wo.h, early, "casey", "an answer from before heard started")
        wo.poll()  # first start: what our account wrote earlier is not read back
        root = wo.h.add_own_post()
        question = moves.ask(wo.h, "casey", "and is the kiosk open on Sundays?")
        after = moves.answer(wo.h, question, "casey", "it is, from 9am.")
        wo.poll()
        own = {c for (c,) in wo.store.db.execute("SELECT native_id FROM comments WHERE is_own = 1")}
        assert own == {after}, (before, root)


def test_bad_own_replies_option_is_a_config_error(tmp_path: Path) -> None:
    from listener.errors import ConfigError

    for name in ("x", "mastodon", "bluesky", "reddit"):
        h = start(name)
        try:
            with pytest.raises(ConfigError, match="own_replies"):
                connect(h, own_replies="yes")
        finally:
            h.stop()


# -- X: a retweet of our post is heard by search and never queued --------------------------------


def test_x_retweet_of_our_post_found_by_search_is_not_addressed_to_us(tmp_path: Path, nlp: Language) -> None:
    for wo in world("x", tmp_path, nlp):
        wo.poll()
        ours = wo.h.fake.add_tweet(wo.h.account.id, "acme winter blend is back, grab a bag while it lasts")
        fan = wo.h._author("morgan")
        retweet = wo.h.fake.add_tweet(fan, "", retweet_of=ours)
        wo.poll()
        wo.decide()
        comment = wo.store.comment(f"x:{retweet}")
        assert comment is not None and comment.text.startswith("RT @heardbot:") and not comment.is_own
        record = wo.reply(retweet)
        assert (record.state, record.skip_reason) == ("dismissed", "not_addressed_to_us")
        assert wo.awaiting() == set() and wo.h.replies() == []


# -- the same need, asked twice, gets one suggestion ---------------------------------------------


def test_a_cross_post_from_x_to_mastodon_is_one_suggestion(tmp_path: Path, nlp: Language) -> None:
    store = Store(tmp_path / "heard.db")
    x, masto = start("x"), start("mastodon")
    try:
        wx, wm = World(x, connect(x), store, nlp), World(masto, connect(masto), store, nlp)
        begin = datetime.now(UTC) - timedelta(minutes=10)
        wx.poll(begin)
        wm.poll(begin)
        bio = "Cyclist, coffee snob, Leeds"
        x.fake.add_user("sam_rides", name="Sam Okafor", description=bio)
        masto.fake.add_account("samokafor", display_name="Sam Okafor", note=f"<p>{bio}</p>")
        text = "is the loyalty card valid at the new Headingley shop as well?"
        asked = datetime.now(UTC) - timedelta(minutes=3)
        first = x.add_incoming(1, text=f"@heardbot {text}", author="sam_rides", created_at=asked)[0]
        second = masto.add_incoming(1, text=text, author="samokafor", created_at=asked + timedelta(minutes=1))[0]
        wx.poll()
        wm.poll()
        wx.decide()
        assert wx.reply(first).state == "suggested"
        copy = wm.reply(second)
        assert (copy.skip_reason, copy.duplicate_of) == ("duplicate", f"x:{first}")
        assert store.state_counts().get("suggested") == 1
    finally:
        store.close()
        x.stop()
        masto.stop()


@pytest.mark.parametrize("name", ["x", "mastodon", "bluesky", "reddit", "youtube"])
def test_a_double_submit_is_one_suggestion(name: str, tmp_path: Path, nlp: Language) -> None:
    for wo in world(name, tmp_path, nlp):
        wo.poll()
        ask = MOVES[name].ask
        first = ask(wo.h, "jordan", "my order 4471 never arrived, can someone look into it?")
        again = ask(wo.h, "jordan", "my order 4471 never arrived, can someone look into it?")
        assert first != again
        wo.poll()
        wo.decide()
        assert wo.reply(first).state == "suggested"
        copy = wo.reply(again)
        assert (copy.skip_reason, copy.duplicate_of) == ("duplicate", f"{name}:{first}")
        assert wo.store.state_counts().get("suggested") == 1
