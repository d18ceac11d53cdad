"""Decide each newly tagged comment: answer it (suggest, maybe approve by rule) or record why not."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from listener.store import Store
from responders import lifecycle, policy
from responders.lifecycle import ReplyState
from responders.suggest import Library, Recent, suggest

# How many of our latest replies on an account a new suggestion must not repeat (a busy day's worth).
RECENT_REPLIES = 2000


@dataclass(frozen=True)
class DecideResult:
    """What one decide pass did."""

    suggested: int = 0
    needs_human: int = 0
    auto_approved: int = 0
    skipped: Mapping[str, int] = field(default_factory=dict)


def decide_pending(
    store: Store, library: Library, *, auto: Mapping[str, tuple[str, ...]], dry_run: bool, now: datetime
) -> DecideResult:
    """Give every tagged comment without a reply record its first decision (idempotent)."""
    suggested = needs_human = auto_approved = 0
    skipped: Counter[str] = Counter()
    recent: dict[str, Recent] = {}
    for comment, tags in store.undecided():
        if policy.is_stop_request(comment):
            store.set_opted_out(comment.platform, comment.author.id, now=now, why="replied 'stop'")
        author = store.author(comment.platform, comment.author.id)
        verdict = policy.may_suggest(comment, tags, author=author)
        if not verdict.ok:
            lifecycle.create(
                store, comment.id, ReplyState.DISMISSED, now=now, reason=verdict.reason, decided_by="policy"
            )
            skipped[verdict.reason] += 1
            continue
        if comment.platform not in recent:
            recent[comment.platform] = Recent(store.recent_reply_texts(comment.platform, RECENT_REPLIES))
        mine = [r["text"] for r in store.recent_replies_to(comment.platform, comment.author.id, 1)]
        s = suggest(comment, tags, library, recent=recent[comment.platform], last_to_author=mine)
        lifecycle.create(
            store,
            comment.id,
            ReplyState.SUGGESTED,
            now=now,
            text=s.text,
            suggested_text=s.text,
            alternatives=list(s.alternatives),
            template=s.template,
            reason=s.note,
            decided_by="heard",
        )
        suggested += 1
        needs_human += s.needs_human
        if s.needs_human:
            continue
        if policy.may_auto_post(comment, tags, auto=auto, dry_run=dry_run).ok:
            lifecycle.transition(store, comment.id, ReplyState.APPROVED, now=now, decided_by="rule")
            auto_approved += 1
    return DecideResult(suggested, needs_human, auto_approved, dict(skipped))
