from __future__ import annotations

import pytest

from listener.errors import IllegalTransition
from listener.store import Store
from responders import lifecycle
from responders.lifecycle import ALLOWED, ReplyState
from tests.conftest import NOW, make_comment


@pytest.fixture
def suggested(store: Store) -> str:
    c = make_comment(1)
    store.save_page("s", [c], None, now=NOW)
    assert lifecycle.create(store, c.id, ReplyState.SUGGESTED, now=NOW, text="hi")
    return c.id


def test_one_reply_record_per_comment(store: Store, suggested: str) -> None:
    assert not lifecycle.create(store, suggested, ReplyState.SUGGESTED, now=NOW, text="again")


def test_every_illegal_move_is_refused(store: Store, suggested: str) -> None:
    for target in ReplyState:
        if target not in ALLOWED[ReplyState.SUGGESTED]:
            with pytest.raises(IllegalTransition):
                lifecycle.transition(store, suggested, target, now=NOW)
    assert store.reply(suggested).state == "suggested"


def test_posted_is_final(store: Store, suggested: str) -> None:
    for step in (ReplyState.APPROVED, ReplyState.POSTING, ReplyState.POSTED):
        lifecycle.transition(store, suggested, step, now=NOW)
    for target in ReplyState:
        with pytest.raises(IllegalTransition):
            lifecycle.transition(store, suggested, target, now=NOW)


def test_every_transition_is_in_the_audit_trail(store: Store, suggested: str) -> None:
    lifecycle.transition(store, suggested, ReplyState.APPROVED, now=NOW, decided_by="person")
    lifecycle.transition(store, suggested, ReplyState.POSTING, now=NOW)
    moves = [(e["from_state"], e["to_state"]) for e in store.events(suggested) if e["kind"] == "transition"]
    assert moves == [(None, "suggested"), ("suggested", "approved"), ("approved", "posting")]


def test_compare_and_set_loses_a_race(store: Store, suggested: str) -> None:
    assert store.move_reply(suggested, ["suggested"], "approved", now=NOW)
    assert not store.move_reply(suggested, ["suggested"], "rejected", now=NOW)
    assert store.reply(suggested).state == "approved"
