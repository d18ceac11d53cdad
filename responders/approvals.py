"""Sync the queue file with the database: apply a person's decisions, then rewrite what is pending."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from listener.errors import QueueFileError
from listener.records import priority_rank
from listener.store import Reply, Store
from responders import lifecycle, limits, queue_diff, queue_file, queue_io
from responders.lifecycle import PENDING_FOR_PEOPLE, ReplyState
from responders.queue_file import Decision

_ACTION_STATE = {"approve": ReplyState.APPROVED, "reject": ReplyState.REJECTED, "dismiss": ReplyState.DISMISSED}
# A file that keeps changing under us is retried this many times before giving up for this pass.
MAX_ATTEMPTS = 5
# The queue file shows this many of the most urgent items (a person cannot work through 46,000 in an
# editor, and every pass would parse and rewrite them all); the header counts the rest.
MAX_ITEMS = 500
# A comment (or its parent) longer than this is shown cut in the file: the file is for deciding.
MAX_SHOWN_CHARS = 5_000
# Per queue file, the text this process last wrote there (or found already there): a person's save is read
# against it, parsing only the items they changed.
_WRITTEN: dict[str, bytes] = {}
# Per queue file, what that text showed: the database and its queue serial it was read at, max_items, pending
# and shown.
_SHOWN: dict[str, tuple[str, int, int, int, int]] = {}


@dataclass(frozen=True)
class SyncResult:
    """What one sync of the queue file did (``pending``: all waiting; ``shown``: those in the file)."""

    approved: int = 0
    rejected: int = 0
    dismissed: int = 0
    edited: int = 0
    pending: int = 0
    written: bool = False
    shown: int = 0


def sync(store: Store, path: Path, *, now: datetime, max_items: int = MAX_ITEMS) -> SyncResult:
    """Apply the decisions in the queue file, then rewrite it with the ``max_items`` most urgent pending.

    A malformed file changes nothing. A person's save that lands while we rewrite (in place or by
    rename) comes back from the swap and is applied, then the file is rendered again: no edit is lost.
    :raises QueueFileError: the file (or one of its decisions) is invalid; the error names the line.
    """
    totals = SyncResult()
    key = str(path.resolve())
    # What the file last showed is only current for the database it was read from.
    database = store.location
    with queue_file.locked(path):
        for _ in range(MAX_ATTEMPTS):
            found = queue_io.settled(path)
            shown = _SHOWN.get(key)
            if shown and shown[:3] == (database, store.queue_serial(), max_items) and _ours(found, key):
                # Nobody saved the file and nothing it shows has changed: there is nothing to read or write.
                return replace(totals, pending=shown[3], shown=shown[4], written=False)
            totals = _add(totals, _take(store, path, found.data, key, now=now))
            serial = store.queue_serial()  # read before the view: a change made meanwhile renders again next time
            items, total = pending_view(store, max_items)
            data = queue_file.render(items, more=total - len(items)).encode("utf-8")
            # An unchanged view is not rewritten, so an editor with the file open sees no churn.
            swap = queue_io.Swap(True) if data == found.data else queue_io.replace_if(path, data, found)
            if swap.written:
                _WRITTEN[key] = data
                _SHOWN[key] = (database, serial, max_items, total, len(items))
            if swap.displaced is not None:
                # A person saved while we swapped: apply their version now (never drop it), then render again.
                totals = _add(totals, _take(store, path, swap.displaced, key, now=now, restore=True))
            elif swap.written:
                return replace(totals, pending=total, shown=len(items), written=True)
    items, total = pending_view(store, max_items)
    return replace(totals, pending=total, shown=len(items), written=False)


def _ours(found: queue_io.Current, key: str) -> bool:
    """Whether the file holds exactly the text this process last wrote there."""
    return found.identity is not None and _WRITTEN.get(key) == found.data


def _take(store: Store, path: Path, data: bytes, key: str, *, now: datetime, restore: bool = False) -> SyncResult:
    """Validate and apply one version of the file; a refused version we displaced is put back first."""
    try:
        snapshot = queue_diff.parse(data, str(path), ours_text=_WRITTEN.get(key)).snapshot
        _validate(store, snapshot.decisions, path)
    except QueueFileError:
        if restore:  # give the person their file back, to fix the line we name
            queue_io.replace_if(path, data, queue_io.current(path))
            _WRITTEN.pop(key, None)
        raise
    return _apply(store, snapshot.decisions, now=now)


def _validate(store: Store, decisions: Sequence[Decision], path: Path) -> None:
    for d in decisions:
        reply = store.reply(d.id)
        if reply is None:
            raise QueueFileError(str(path), d.line, f"unknown id {d.id!r}: no such queue item")
        state = reply.state
        # "pending" on an item decided elsewhere (`heard approve`, a rule) is just a stale line.
        if state in PENDING_FOR_PEOPLE or d.action == "pending" or _already_done(d, state, reply):
            continue
        raise QueueFileError(str(path), d.line, f"{d.id} is not pending (it is {state.value}); remove it from the file")


def _already_done(d: Decision, state: ReplyState, reply: Reply) -> bool:
    # The same decision read twice (e.g. the file was saved again before our rewrite) is a no-op.
    if d.action == "pending":
        return False
    target = _ACTION_STATE[d.action]
    if target is ReplyState.APPROVED:
        return state in (ReplyState.APPROVED, ReplyState.POSTING, ReplyState.POSTED) and d.reply == (reply.text or "")
    return state is target


def _apply(store: Store, decisions: Sequence[Decision], *, now: datetime) -> SyncResult:
    counts = {"approve": 0, "reject": 0, "dismiss": 0, "edited": 0}
    with store.transaction():
        for d in decisions:
            reply = store.reply(d.id)
            assert reply is not None  # checked by _validate
            state = reply.state
            if state not in PENDING_FOR_PEOPLE:
                continue
            changed = d.reply != (reply.text or "").strip()
            if d.action == "reject" and state is ReplyState.REJECTED:
                d = dataclasses.replace(d, action="pending")  # rejected again: keep any new text, still waiting
            if d.action == "pending":
                if changed:
                    store.update_reply(d.id, now=now, text=d.reply)
                    counts["edited"] += 1
                continue
            fields: dict[str, Any] = {"decided_by": "person"}
            if d.action == "approve":
                comment = store.comment(d.id)
                refused = limits.problem(comment, d.reply) if comment else None
                if refused:
                    # One long reply must not block the whole file: keep the person's text, say why, wait.
                    store.update_reply(d.id, now=now, text=d.reply, reason=f"not approved: {refused}; edit it")
                    counts["edited"] += changed
                    continue
                fields["text"] = d.reply
                counts["edited"] += changed  # approved as rewritten: both an approval and an edit
            if d.reason:
                fields["reason"] = d.reason
            elif d.action != "approve":
                fields["reason"] = f"{d.action}ed by a person" if d.action == "dismiss" else "rejected"
            lifecycle.transition(store, d.id, _ACTION_STATE[d.action], now=now, **fields)
            counts[d.action] += 1
    return SyncResult(counts["approve"], counts["reject"], counts["dismiss"], counts["edited"])


def _add(a: SyncResult, b: SyncResult) -> SyncResult:
    return SyncResult(a.approved + b.approved, a.rejected + b.rejected, a.dismissed + b.dismissed, a.edited + b.edited)


def pending_items(store: Store) -> list[dict[str, Any]]:
    """The queue file's items: every reply waiting for a person, most urgent first."""
    return [_item(r) for r in _urgent_first(store)]


def pending_view(store: Store, max_items: int = MAX_ITEMS) -> tuple[list[dict[str, Any]], int]:
    """The ``max_items`` most urgent items waiting for a person, and how many wait in all."""
    return [_item(r) for r in store.waiting_rows(max_items)], store.waiting_count()


def _urgent_first(store: Store) -> list[dict[str, Any]]:
    rows = store.queue_rows([s.value for s in PENDING_FOR_PEOPLE])
    rows.sort(key=lambda r: priority_rank(r["priority"]))  # stable: oldest first within a priority
    return rows


def _item(r: dict[str, Any]) -> dict[str, Any]:
    earlier = max(int(r["author_comments"] or 1) - 1, 0)
    history = "first time" if earlier == 0 else f"{earlier} earlier comment{'s' * (earlier > 1)}"
    if r["author_replied"]:
        history += f", {r['author_replied']} answered by us"
    author = (
        f"{r['author_handle']} ({r['author_name']})"
        if r["author_name"] and r["author_name"] != r["author_handle"]
        else r["author_handle"]
    )
    tags = (
        f"{r['intent']} ({r['intent_score']:.2f}) · {r['sentiment']} ({r['sentiment_score']:.2f})"
        f" · priority {r['priority']}" + (" · question" if r["is_question"] else "")
    )
    note = r["reason"] or ""
    if r["state"] == ReplyState.FAILED:
        note = f"posting failed: {r['error']}. Approve again to retry."
    elif r["state"] == ReplyState.REJECTED:
        note = (
            f"you rejected this draft ({r['reason'] or 'rejected'}): the comment is still unanswered."
            " Write the reply and approve, or dismiss if it needs none."
        )
    return {
        "id": r["comment_id"],
        "action": "pending",
        "platform": r["platform"],
        "author": author,
        "history": history,
        "when": _when(r["created_at"]),
        "link": r["url"],
        "in_reply_to": _shown(r["parent_text"]),
        "comment": _shown(r["text"]),
        "tags": tags,
        "note": note,
        # Where the reply came from: faq, template, ai, or holding (not an answer: finish it before approving).
        "draft": r.get("draft_source") if r["reply_text"] else None,
        "reply": r["reply_text"] or "",
        "alternatives": r["alternatives"],
    }


def _shown(text: str | None) -> str | None:
    if text is None or len(text) <= MAX_SHOWN_CHARS:
        return text
    return text[:MAX_SHOWN_CHARS] + f" [… {len(text) - MAX_SHOWN_CHARS:,} more characters not shown]"


def _when(stored: str) -> str:
    return datetime.fromisoformat(stored).strftime("%Y-%m-%d %H:%M UTC")
