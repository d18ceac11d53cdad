"""Provide the reply state machine: the states, the legal moves, and the one function that moves."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from listener.errors import IllegalTransition
from listener.records import WAITING, ReplyState
from listener.store import Store

S = ReplyState
# Every legal move. ``new`` is the absence of a reply record; create() handles it.
ALLOWED: dict[ReplyState, frozenset[ReplyState]] = {
    S.SUGGESTED: frozenset({S.APPROVED, S.REJECTED, S.DISMISSED}),
    S.APPROVED: frozenset({S.POSTING, S.SUGGESTED, S.REJECTED, S.DISMISSED, S.FAILED}),
    S.POSTING: frozenset({S.POSTED, S.FAILED, S.APPROVED}),
    S.FAILED: frozenset({S.APPROVED, S.POSTING, S.SUGGESTED, S.REJECTED, S.DISMISSED}),
    # A rejected draft leaves the comment unanswered: a person writes a reply and approves, or dismisses it.
    S.REJECTED: frozenset({S.SUGGESTED, S.APPROVED, S.DISMISSED}),
    S.DISMISSED: frozenset({S.SUGGESTED}),
    S.POSTED: frozenset(),
}
INITIAL = frozenset({S.SUGGESTED, S.DISMISSED})
# What the queue file shows a person: a rejected draft stays there until it is replaced and approved, or the
# comment is dismissed, so nothing waits for ever where no one can end it.
PENDING_FOR_PEOPLE = WAITING
__all__ = ["ALLOWED", "INITIAL", "PENDING_FOR_PEOPLE", "ReplyState", "create", "transition"]


def create(store: Store, comment_id: str, state: ReplyState, *, now: datetime, **fields: Any) -> bool:
    """Create a comment's reply record in an initial state; False if it already has one."""
    if state not in INITIAL:
        raise IllegalTransition(f"{comment_id}: a reply cannot start as {state}")
    return store.create_reply(comment_id, state.value, now=now, **fields)


def transition(store: Store, comment_id: str, to: ReplyState, *, now: datetime, **fields: Any) -> None:
    """Move a reply to ``to``, refusing moves the state machine does not allow.

    The move is a compare-and-set on the state it was read in, so two writers cannot both win.
    :raises IllegalTransition: when there is no reply, or the move is not allowed, or it lost a race.
    """
    current = store.reply(comment_id)
    if current is None:
        raise IllegalTransition(f"{comment_id}: no reply to move to {to}")
    state = current.state
    if to not in ALLOWED[state]:
        raise IllegalTransition(f"{comment_id}: cannot move from {state} to {to}")
    if not store.move_reply(comment_id, [state.value], to.value, now=now, **fields):
        raise IllegalTransition(f"{comment_id}: changed by someone else while moving to {to}")
