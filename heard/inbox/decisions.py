"""Apply a person's decision from the inbox through the state machine, refuse one on a changed reply, undo the last.

A decision goes the way `heard approve` goes: the queue file is synced before (so a decision made there
counts first) and after (so the file shows this one), ``limits.problem`` refuses an empty or too long reply,
and ``lifecycle.transition`` moves the reply with ``decided_by="person"``. The page names the reply's state
and ``updated_at`` it showed; a reply that changed since is refused, so two deciders never both win.

An approval from the inbox carries a not-before time (the reply's ``retry_at``, which the post stage already
waits for) past its undo window, so the poster cannot post it while it may still be undone.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from heard.inbox.item import reply_version
from listener.errors import IllegalTransition, QueueFileError
from listener.records import ReplyState
from listener.store import Reply, parse_time
from responders import lifecycle, limits

if TYPE_CHECKING:
    from heard.app import App

S = ReplyState
ACTIONS = {"approve": S.APPROVED, "reject": S.REJECTED, "dismiss": S.DISMISSED}
# The reason each decision records, as `heard reject` and `heard dismiss` record it.
REASONS = {"reject": "rejected", "dismiss": "dismissed by a person"}
# The poster waits this much past the undo window too: an undo sent at the last moment still wins.
HOLD_MARGIN = timedelta(seconds=5)
# States a reply is in once the poster has taken it: no undo can call a platform's post back.
TAKEN = frozenset({S.POSTING, S.POSTED})


@dataclass(frozen=True)
class Outcome:
    """What a decision or an undo did: HTTP-like status, a sentence for the person, the reply's new version."""

    status: int  # 200 done, 404 unknown, 409 conflict (changed meanwhile, too late), 422 refused as it stands
    message: str
    state: str | None = None
    updated_at: str | None = None
    token: str | None = None  # names this decision to undo it
    undo_until: datetime | None = None

    @property
    def ok(self) -> bool:
        """Whether the change was made."""
        return self.status == 200


@dataclass(frozen=True)
class Undoable:
    """A decision the inbox may still take back: the reply before it, and the version it left."""

    comment_id: str
    action: str
    before: Reply
    after: tuple[str, str]
    until: datetime


class Decider:
    """Decide on replies for the inbox, keeping each decision undoable for ``undo`` after it."""

    def __init__(self, app: App, *, undo: timedelta) -> None:
        self.app = app
        self.undo_window = undo
        self._undoable: dict[str, Undoable] = {}
        # (comment id, updated_at) of what this inbox decided: a conflict names "another tab" rather than "elsewhere".
        self._ours: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def decide(
        self, comment_id: str, action: str, seen: tuple[str, str], *, now: datetime, text: str | None = None
    ) -> Outcome:
        """Approve (with ``text``: as edited), reject or dismiss, if the reply is as ``seen`` (state, updated_at)."""
        target = ACTIONS.get(action)
        if target is None:
            return Outcome(422, f"unknown action {action!r}: approve, reject or dismiss")
        store = self.app.store
        with self._lock:
            refused = self._sync(now)
            if refused:
                return refused
            with store.transaction():
                current = reply_version(store, comment_id)
                if current is None:
                    return Outcome(404, f"{comment_id}: no such item waiting")
                if current != seen:
                    return self._conflict(comment_id, current, seen)
                before = store.reply(comment_id)
                assert before is not None  # its version was just read, in this transaction
                fields = self._fields(action, before, text, now=now)
                if isinstance(fields, Outcome):
                    return fields
                try:
                    lifecycle.transition(store, comment_id, target, now=now, decided_by="person", **fields)
                except IllegalTransition:
                    return Outcome(409, f"{comment_id} is {before.state.value}: it cannot be {target.value} from there")
                after = reply_version(store, comment_id)
                assert after is not None
            token = secrets.token_urlsafe(12)
            until = now + self.undo_window
            self._undoable[token] = Undoable(comment_id, action, before, after, until)
            self._ours[(comment_id, after[1])] = action
            self._forget(now)
            self._sync(now)  # the file now shows the decision; a faulty file is reported by the next decision
        return Outcome(200, f"{comment_id}: {target.value}", after[0], after[1], token, until)

    def undo(self, token: str, *, now: datetime) -> Outcome:
        """Take back the decision ``token`` names, within its window and before posting began."""
        with self._lock:
            undoable = self._undoable.pop(token, None)
            if undoable is None:
                return Outcome(409, "nothing to undo: that decision was undone already, or its window has passed")
            if now > undoable.until:
                seconds = int(self.undo_window.total_seconds())
                return Outcome(409, f"{undoable.comment_id}: too late to undo (the window is {seconds} s)")
            refused = self._sync(now)
            if refused:
                self._undoable[token] = undoable
                return refused
            store, cid = self.app.store, undoable.comment_id
            with store.transaction():
                current = reply_version(store, cid)
                if current is not None and S(current[0]) in TAKEN:
                    return Outcome(409, f"{cid}: posting began at {_hhmm(current[1])}; it can no longer be undone")
                if current != undoable.after:
                    return self._conflict(cid, current, undoable.after, undoing=True)
                back = _restored_state(undoable)
                b = undoable.before
                lifecycle.transition(
                    store,
                    cid,
                    back,
                    now=now,
                    text=b.text,
                    reason=b.reason,
                    decided_by=b.decided_by,
                    error=b.error,
                    retry_at=b.retry_at,
                )
                store.log_event("undone", now=now, comment_id=cid, decision=undoable.action, by="person")
                after = reply_version(store, cid)
                assert after is not None
            self._sync(now)
        return Outcome(200, f"{cid}: {undoable.action} undone, back to {back.value}", after[0], after[1])

    def _fields(self, action: str, before: Reply, text: str | None, *, now: datetime) -> dict[str, Any] | Outcome:
        """The fields the move sets, or why an approval is refused as it stands."""
        if action != "approve":
            return {"reason": REASONS[action]}
        comment = self.app.store.comment(before.comment_id)
        final = text.strip() if text is not None else before.text or ""
        problem = limits.problem(comment, final) if comment is not None else None
        if problem:
            return Outcome(422, f"{before.comment_id}: {problem}; nothing was changed")
        hold = now + self.undo_window + HOLD_MARGIN
        # A retry time already set further out (a platform's rate limit) still holds.
        not_before = max(hold, before.retry_at) if before.retry_at else hold
        return {"retry_at": not_before, **({"text": final} if text is not None else {})}

    def _sync(self, now: datetime) -> Outcome | None:
        """Sync the queue file as `heard approve` does; a faulty file refuses the change, naming the line."""
        try:
            self.app.sync_queue(now=now)
        except QueueFileError as exc:
            return Outcome(409, f"queue file error at {exc}. Nothing was changed: fix that line, then decide again.")
        return None

    def _conflict(
        self, comment_id: str, current: tuple[str, str] | None, seen: tuple[str, str], *, undoing: bool = False
    ) -> Outcome:
        """Say what happened to a reply since the page showed it, and where (this inbox, or elsewhere)."""
        if current is None:
            return Outcome(409, f"{comment_id}: its reply is gone; nothing was changed")
        state, updated = current
        where = (
            "in the inbox (another tab)" if (comment_id, updated) in self._ours else "in the queue file or elsewhere"
        )
        at = _hhmm(updated)
        if state != seen[0]:
            message = f"{comment_id} was already {state} {where} at {at}"
        else:
            message = f"{comment_id} was changed {where} at {at} (its reply was edited)"
        tail = "; it was not undone" if undoing else "; nothing was changed: look at it again, then decide"
        return Outcome(409, message + tail, state, updated)

    def _forget(self, now: datetime) -> None:
        """Drop what can no longer be undone, and the oldest of what this inbox decided."""
        self._undoable = {k: u for k, u in self._undoable.items() if u.until >= now}
        if len(self._ours) > 10_000:
            self._ours = dict(list(self._ours.items())[-5_000:])


def _restored_state(u: Undoable) -> ReplyState:
    """The state before the decision where the state machine allows going back to it, else suggested."""
    current = lifecycle.ALLOWED[ACTIONS[u.action]]
    return u.before.state if u.before.state in current else S.SUGGESTED


def _hhmm(stored: str) -> str:
    moment = parse_time(stored)
    return moment.strftime("%H:%M UTC") if moment else stored
