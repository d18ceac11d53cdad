"""Decide each newly tagged comment: judge it, then answer it (suggest, maybe approve by rule) or record why not."""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from listener.errors import IllegalTransition
from listener.quarantine import Reject, describe, is_systemic
from listener.records import Comment, Tags
from listener.store import Store
from responders import lifecycle, limits, policy
from responders.judge import Judgement, judge
from responders.library import Library
from responders.lifecycle import ReplyState
from responders.recent import RECENT_REPLIES, Recent
from responders.suggest import Suggestion, suggest
from responders.thread import Context, gather, gather_all

if TYPE_CHECKING:
    from responders.drafting.drafter import Drafter

log = logging.getLogger("heard")
# How many comments one batch of a pass reads; a pass goes on until nothing is left.
BATCH = 1000
# How many decisions one transaction holds: a commit per comment is slow, and a long one keeps a person's
# `heard approve` waiting for the database.
COMMIT_EVERY = 200
# A pass that sets this many comments aside stops: the fault is not in the comments.
SET_ASIDE_MAX = 50
# Replies that our own comment on the platform makes unnecessary: still waiting for a person or a post.
OPEN = (ReplyState.SUGGESTED, ReplyState.APPROVED, ReplyState.FAILED)


@dataclass(frozen=True)
class DecideResult:
    """What one decide pass did."""

    suggested: int = 0
    needs_human: int = 0
    auto_approved: int = 0
    skipped: Mapping[str, int] = field(default_factory=dict)
    answered_by_hand: int = 0
    set_aside: int = 0


@dataclass
class _Pass:
    """One decide pass: what it decides with, its running counts and caches, and what it read for the batch."""

    store: Store
    library: Library
    auto: Mapping[str, tuple[str, ...]]
    dry_run: bool
    now: datetime
    drafter: Drafter | None
    ours: tuple[str, ...]
    recent: dict[str, Recent] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    # Our latest reply's text to each (platform, author id), as the store would answer now; kept as we write.
    last_to: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    # The final tags of the comments decided but not stored yet: a copy takes its first copy's.
    final: dict[str, Tags] = field(default_factory=dict)
    contexts: dict[str, Context] = field(default_factory=dict)
    by_hand: dict[str, list[Comment]] = field(default_factory=dict)


def decide_pending(
    store: Store,
    library: Library,
    *,
    auto: Mapping[str, tuple[str, ...]],
    dry_run: bool,
    now: datetime,
    only: Sequence[str] | None = None,
    drafter: Drafter | None = None,
) -> DecideResult:
    """Give every tagged comment without a reply record (or only these) its first decision (idempotent).

    A comment that makes deciding fail is set aside in quarantine with the error, and the pass goes
    on; a failure of the database or the configuration stops it, as does one comment in every
    ``SET_ASIDE_MAX``: failing on everything is not one poison comment.
    """
    run = _Pass(store, library, auto, dry_run, now, drafter, ours=tuple(store.own_handles()))
    batches = [store.tagged(only)] if only is not None else iter(lambda: store.undecided(limit=BATCH), [])
    for batch in batches:
        if only is not None:  # named, but already decided (``undecided`` never reads those)
            batch = [(c, t) for c, t in batch if store.reply(c.id) is None]
        comments = [c for c, _ in batch]
        run.contexts = gather_all(store, comments, run.ours)
        run.by_hand = store.own_replies_to_all([c.id for c in comments])
        run.last_to.clear()  # a batch's worth at most: a pass over a backlog keeps memory flat
        # Asked for the whole batch at once; an author's entry is dropped (and asked again) when a draft changes it.
        run.last_to.update(store.latest_reply_texts((c.platform, c.author.id) for c in comments))
        # An AI drafter waits on the network: then each decision is committed alone, holding no lock meanwhile.
        size = 1 if drafter is not None else COMMIT_EVERY
        for start in range(0, len(batch), size):
            with store.transaction():
                decided = [_isolated(run, comment, tags) for comment, tags in batch[start : start + size]]
                store.save_tags([t for t in decided if t is not None], now=now)
            run.final.clear()  # stored now: a later copy reads its original's from the store
    c = run.counts
    return DecideResult(
        c["suggested"], c["needs_human"], c["auto_approved"], dict(run.skipped), c["by_hand"], c["set_aside"]
    )


def _isolated(run: _Pass, comment: Comment, tags: Tags) -> Tags | None:
    """Decide one comment in a savepoint; one that fails is undone and set aside (None) unless the fault is systemic."""
    store, now = run.store, run.now
    try:
        with store.transaction():
            final = _decide(run, comment, tags)
    except Exception as exc:
        if is_systemic(exc) or run.counts["set_aside"] >= SET_ASIDE_MAX:
            raise
        store.set_aside([Reject("decide", comment.id, describe(exc), comment.platform, comment.text)], now=now)
        log.warning("set aside stage=decide item=%s error=%s", comment.id, describe(exc))
        run.counts["set_aside"] += 1
        return None
    run.final[comment.id] = final
    return final


def _decide(run: _Pass, comment: Comment, tags: Tags) -> Tags:
    """Judge one comment and record its decision (skipped, answered by hand, suggested, or approved by rule).

    Returns the comment's final tags, for the caller to store with the decision.
    """
    store, library, now, drafter = run.store, run.library, run.now, run.drafter
    ctx = run.contexts[comment.id]
    verdict = judge(comment, tags, ctx)
    final = _final_tags(store, tags, verdict, run.final)
    if comment.is_own:
        run.counts["by_hand"] += acknowledge(store, comment, ctx, now=now, last_to=run.last_to)
    if not verdict.needs_reply:
        _record_skip(store, comment, verdict, now=now)
        run.skipped[verdict.skip_reason or "no_reply_needed"] += 1
        return final
    hand = run.by_hand.get(comment.id, [])
    if hand:
        lifecycle.create(
            store, comment.id, ReplyState.DISMISSED, now=now, decided_by="thread",
            reason=_answered_by(hand[0]),
        )  # fmt: skip
        run.counts["by_hand"] += 1
        return final
    if comment.platform not in run.recent:
        run.recent[comment.platform] = Recent(store.recent_reply_texts(comment.platform, RECENT_REPLIES))
    author = (comment.platform, comment.author.id)
    if author not in run.last_to:  # dropped after a draft to them: asked again, as the batch asked
        run.last_to.update(store.latest_reply_texts([author]))
    recent = run.recent[comment.platform]
    s = suggest(comment, tags, library, recent=recent, last_to_author=run.last_to[author], thread=thread_texts(ctx))
    if drafter is not None:  # words the reply only: the judge has decided everything above
        s = drafter.improve(comment, tags, s, thread=ctx.thread, recent=recent, now=now)
    veto = verdict.auto_veto or (limits.problem(comment, s.text) if s.text else "")
    note = s.note or verdict.why
    if veto:
        note = f"{note}; a person decides ({veto})"
    lifecycle.create(
        store,
        comment.id,
        ReplyState.SUGGESTED,
        now=now,
        text=s.text,
        suggested_text=s.text,
        alternatives=list(s.alternatives),
        template=s.template,
        draft_source=s.source or None,
        reason=note,
        decided_by="heard",
    )
    if s.text:  # a new latest reply to this author: which one the store now names is the store's to say
        run.last_to.pop(author, None)
    run.counts["suggested"] += 1
    run.counts["needs_human"] += s.needs_human
    if s.needs_human or veto or not s.text:
        return final
    if policy.may_auto_post(comment, tags, auto=run.auto, dry_run=run.dry_run).ok:
        lifecycle.transition(store, comment.id, ReplyState.APPROVED, now=now, decided_by="rule")
        run.counts["auto_approved"] += 1
    return final


def acknowledge(
    store: Store,
    own: Comment,
    ctx: Context,
    *,
    now: datetime,
    last_to: dict[tuple[str, str], list[str]] | None = None,
) -> int:
    """Close the open replies that our own comment on the platform answers; return how many.

    Our reply answers its parent, and on platforms that file every reply under the top comment
    (YouTube), the earlier replies there by the person it @-names. A reply closed is touched now, so
    ``last_to`` (a decide pass's latest reply to each author) forgets what it knew of that author.
    """
    targets = [ctx.parent] if ctx.parent is not None and not ctx.parent.is_own else []
    first = own.text.split(maxsplit=1)[0].lower().lstrip("@") if own.text.strip() else ""
    targets += [
        c
        for c in ctx.thread
        if not c.is_own
        and c.parent_id
        and c.parent_id == own.parent_id
        and c.author.handle.lower().lstrip("@") == first
    ]
    closed = 0
    for target in {t.id: t for t in targets}.values():
        reply = store.reply(target.id)
        if reply is None or reply.state not in OPEN:
            continue
        moved = store.move_reply(
            target.id,
            [s.value for s in OPEN],
            ReplyState.DISMISSED.value,
            now=now,
            decided_by="thread",
            reason=_answered_by(own),
        )
        closed += moved
        if moved and last_to is not None:
            last_to.pop((target.platform, target.author.id), None)
    return closed


def thread_texts(ctx: Context) -> list[str]:
    """What was said before a comment in its conversation, its parent included: what a draft may build on."""
    texts = [c.text for c in ctx.thread]
    if ctx.parent is not None and all(c.id != ctx.parent.id for c in ctx.thread):
        texts.append(ctx.parent.text)
    return texts


def _answered_by(own: Comment) -> str:
    """The note on a reply that one of our accounts' comments on the platform made unnecessary."""
    return f"answered on {own.platform} by our account ({own.id})"


def _record_skip(store: Store, comment: Comment, verdict: Judgement, *, now: datetime) -> None:
    lifecycle.create(
        store,
        comment.id,
        ReplyState.DISMISSED,
        now=now,
        reason=verdict.why,
        skip_reason=verdict.skip_reason,
        duplicate_of=verdict.duplicate_of,
        decided_by="policy",
    )


def _final_tags(store: Store, tags: Tags, verdict: Judgement, decided: Mapping[str, Tags]) -> Tags:
    """The tags with the judge's needs_reply, priority and intent; a copy keeps its first copy's text tags.

    ``decided`` holds the final tags of the comments this pass decided, which may not be stored yet.
    """
    dup = verdict.duplicate_of
    first = (decided.get(dup) or store.tags(dup)) if dup else None
    if first is not None:
        tags = dataclasses.replace(
            tags,
            sentiment=first.sentiment,
            sentiment_score=first.sentiment_score,
            is_question=first.is_question,
            question_score=first.question_score,
            intent=first.intent,
            intent_score=first.intent_score,
        )
    intent = tags.intent if first is not None else verdict.intent
    return dataclasses.replace(tags, needs_reply=verdict.needs_reply, priority=verdict.priority, intent=intent)


def redraft(store: Store, library: Library, comment_id: str, *, drafter: Drafter | None, now: datetime) -> Suggestion:
    """Word one reply still waiting for a person again, as a decide pass would (with ``drafter``: a fresh AI draft).

    :raises IllegalTransition: there is no such reply, it is no longer waiting, or it changed meanwhile.
    """
    reply, comment, tags = store.reply(comment_id), store.comment(comment_id), store.tags(comment_id)
    if reply is None or comment is None or tags is None:
        raise IllegalTransition(f"{comment_id}: no reply to draft (see `heard queue` for the items waiting)")
    if reply.state is not ReplyState.SUGGESTED:
        raise IllegalTransition(
            f"{comment_id}: its reply is {reply.state.value}; only one waiting for a person is drafted again"
        )
    ctx = gather(store, comment, tuple(store.own_handles()))
    # This reply's own draft is not a recent reply to keep away from: it is the one being replaced.
    others = Recent([t for t in store.recent_reply_texts(comment.platform, RECENT_REPLIES) if t != reply.text])
    mine = [
        r.text or ""
        for r in store.recent_replies_to(comment.platform, comment.author.id, 2)
        if r.comment_id != comment_id
    ]
    s = suggest(comment, tags, library, recent=others, last_to_author=mine[:1], thread=thread_texts(ctx))
    if drafter is not None:
        s = drafter.improve(comment, tags, s, thread=ctx.thread, recent=others, now=now, fresh=True)
    fields = {
        "text": s.text,
        "suggested_text": s.text,
        "alternatives": list(s.alternatives),
        "template": s.template,
        "draft_source": s.source or None,
    }
    state = ReplyState.SUGGESTED.value
    reason = s.note or judge(comment, tags, ctx).why
    if not store.move_reply(comment_id, [state], state, now=now, decided_by="heard", reason=reason, **fields):
        raise IllegalTransition(f"{comment_id}: changed by someone else while drafting; nothing was changed")
    return s
