"""Post approved replies exactly once, reconciling any reply a crash left in ``posting``."""

from __future__ import annotations

import hashlib
import logging
import random
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rapidfuzz.distance import Indel

from listener.errors import (
    AuthFailed,
    ContentRefused,
    CreditsExhausted,
    PermanentFailure,
    PlatformError,
    RateLimited,
)
from listener.platforms import Platform
from listener.records import Comment
from listener.store import ErrorKind, PostingPause, Reply, Store
from responders import lifecycle, limits, policy
from responders.lifecycle import ReplyState

log = logging.getLogger(__name__)
S = ReplyState
# A refused post (auth, credits) pauses that platform's posting this long; a person must act.
REFUSED_PAUSE = timedelta(hours=1)
# After a crash between the call and its commit, a reply not (yet) seen at the platform is posted
# again only once this long has passed since the call: what a platform shows may lag its writes.
SETTLE = timedelta(seconds=60)


@dataclass(frozen=True)
class PostResult:
    """What one posting pass did."""

    posted: int = 0
    reconciled: int = 0
    waiting: int = 0
    failed: int = 0
    reasons: Mapping[str, int] = field(default_factory=dict)


@contextmanager
def poster_lock(store: Store) -> Iterator[None]:
    """Hold the one poster lock of this database for a whole pass.

    Because the lock dies with its process, anything found in ``posting`` while we hold it was
    left by a crash, and is safe to reconcile.
    """
    with store.lock("post"):
        yield


def post_approved(
    store: Store,
    clients: Mapping[str, Platform],
    *,
    now: datetime,
    hourly_caps: Mapping[str, int],
    cooldown: timedelta,
    dry_run: bool = False,
    settle: timedelta = SETTLE,
    only: str | None = None,
) -> PostResult:
    """Reconcile crashed posts, then post every approved reply that may go out now (or only the comment ``only``'s).

    ``settle`` is how long after a crashed call heard keeps looking for its reply before posting again.
    """
    counts: Counter[str] = Counter()
    with poster_lock(store):
        reconciled = _reconcile(store, clients, now=now, settle=settle, counts=counts, only=only)
        for reply in _in_state(store, S.APPROVED, only):
            outcome = _post_one(
                store, clients, reply, now=now, hourly_caps=hourly_caps, cooldown=cooldown, dry_run=dry_run
            )
            counts[outcome] += 1
    reasons = {k: v for k, v in counts.items() if k not in ("posted", "failed")}
    return PostResult(counts["posted"], reconciled, sum(reasons.values()), counts["failed"], reasons)


def _reconcile(
    store: Store,
    clients: Mapping[str, Platform],
    *,
    now: datetime,
    settle: timedelta,
    counts: Counter[str],
    only: str | None = None,
) -> int:
    """Settle each reply a crash left in ``posting``: posted if the platform has it, else back to approved.

    "Not found" is believed only ``settle`` after the call (the row's last update); until then the
    reply stays in ``posting`` untouched, so the next pass looks again and nothing is posted twice.
    """
    found = 0
    for reply in _in_state(store, S.POSTING, only):
        comment = store.comment(reply.comment_id)
        client = clients.get(comment.platform) if comment else None
        if comment is None or client is None or waiting_for_retry(reply, now):
            continue
        try:
            remote = client.find_reply(comment)
        except PlatformError as exc:
            store.update_reply(comment.id, now=now, error=f"reconcile: {exc}", retry_at=_backoff(reply, now))
            continue
        if remote:
            _mark_posted(store, comment.id, reply, remote, now=now, how="reconciled")
            found += 1
        elif now < reply.updated_at + settle:
            counts["not seen at the platform yet: looking again before posting"] += 1
        else:
            lifecycle.transition(
                store, comment.id, S.APPROVED, now=now, reason="not found at the platform after a crash: will post"
            )
    return found


def _post_one(
    store: Store,
    clients: Mapping[str, Platform],
    reply: Reply,
    *,
    now: datetime,
    hourly_caps: Mapping[str, int],
    cooldown: timedelta,
    dry_run: bool,
) -> str:
    comment = store.comment(reply.comment_id)
    assert comment is not None
    client = clients.get(comment.platform)
    if client is None:
        return f"{comment.platform} not connected"
    problem = limits.problem(comment, reply.text, limit=getattr(client, "reply_limit", None))
    if problem:
        # Refused before any platform call and never marked posting: a person shortens it and approves again.
        lifecycle.transition(store, comment.id, S.FAILED, now=now, error=f"{problem}: edit it and approve again")
        return "failed"
    if waiting_for_retry(reply, now) or _paused(store, comment.platform, now):
        return "waiting to retry"
    verdict = policy.may_post(
        comment,
        author=store.author(comment.platform, comment.author.id),
        auto=reply.decided_by == "rule",
        now=now,
        last_reply_to_author=store.last_reply_to_author(comment.platform, comment.author.id),
        cooldown=cooldown,
        posted_last_hour=store.posted_since(comment.platform, now - timedelta(hours=1)),
        hourly_cap=hourly_caps.get(client.name, 30),
    )
    if not verdict.ok:
        if verdict.retry_at:
            store.update_reply(comment.id, now=now, retry_at=verdict.retry_at, error=verdict.reason)
            return verdict.reason
        lifecycle.transition(store, comment.id, S.FAILED, now=now, error=verdict.reason)
        return "failed"
    if dry_run:
        return "dry run"
    return _send(store, client, comment, reply, now=now)


def _send(store: Store, client: Platform, comment: Comment, reply: Reply, *, now: datetime) -> str:
    key = hashlib.sha256(f"{comment.id}\n{reply.text}".encode()).hexdigest()[:16]
    # Committed before the call: after a crash this row says "ask the platform before retrying".
    lifecycle.transition(
        store,
        comment.id,
        S.POSTING,
        now=now,
        idempotency_key=key,
        attempts=reply.attempts + 1,
        retry_at=None,
    )
    try:
        remote = client.reply(comment, reply.text or "")
    except (RateLimited, AuthFailed, CreditsExhausted) as exc:
        # The platform refused the request outright, so nothing was posted: safe to retry later.
        until = exc.retry_at if isinstance(exc, RateLimited) else now + REFUSED_PAUSE
        if not isinstance(exc, RateLimited):
            store.pause_posting(PostingPause(comment.platform, ErrorKind.of(exc), now, until, str(exc)))
            store.log_event(
                "alert",
                now=now,
                comment_id=comment.id,
                platform=comment.platform,
                error_type=type(exc).__name__,
                error=str(exc),
            )
        lifecycle.transition(
            store, comment.id, S.APPROVED, now=now, error=f"{type(exc).__name__}: {exc}", retry_at=until
        )
        return "platform refused: will retry"
    except ContentRefused as exc:
        # The text, not the account, was refused. A duplicate may be our own reply from before a crash.
        existing = _find_quietly(client, comment) if exc.duplicate else None
        if existing:
            _mark_posted(store, comment.id, reply, existing, now=now, how="reconciled (the platform refused a copy)")
            return "posted"
        lifecycle.transition(store, comment.id, S.FAILED, now=now, error=f"the platform refused the text: {exc}")
        return "failed"
    except PermanentFailure as exc:
        lifecycle.transition(store, comment.id, S.FAILED, now=now, error=f"cannot reply: {exc}")
        return "failed"
    except PlatformError as exc:
        # Ambiguous (timeout, 5xx): the reply may exist. Stay in posting; reconcile before retrying.
        store.update_reply(comment.id, now=now, error=f"{type(exc).__name__}: {exc}", retry_at=_backoff(reply, now))
        return "uncertain: will reconcile"
    _mark_posted(store, comment.id, reply, remote, now=now, how="posted")
    return "posted"


def _mark_posted(store: Store, comment_id: str, reply: Reply, remote: str, *, now: datetime, how: str) -> None:
    suggested, final = reply.suggested_text or "", reply.text or ""
    # How much of heard's draft the person changed: the same Indel measure as the near-duplicate check.
    edit = Indel.normalized_distance(suggested, final) if suggested else 1.0
    lifecycle.transition(
        store,
        comment_id,
        S.POSTED,
        now=now,
        remote_id=str(remote),
        posted_at=now,
        acknowledged_at=now,
        edit_ratio=round(edit, 4),
        error=None,
        reason=how,
    )


def _find_quietly(client: Platform, comment: Comment) -> str | None:
    """Our existing reply to ``comment``, or None when there is none or the platform cannot say now."""
    try:
        return client.find_reply(comment)
    except PlatformError as exc:
        log.warning("could not look for an existing reply to %s: %s", comment.id, exc)
        return None


def _in_state(store: Store, state: ReplyState, only: str | None) -> list[Reply]:
    """The replies in ``state``, oldest comment first; with ``only``, that comment's alone (read by its key)."""
    if only is None:
        return store.replies([state.value])
    reply = store.reply(only)
    return [reply] if reply is not None and reply.state is state else []


def waiting_for_retry(reply: Reply, now: datetime) -> bool:
    """Whether a reply holds a retry time still ahead (a cap, a cooldown, a backoff): no post is tried before it."""
    return reply.retry_at is not None and reply.retry_at > now


def _paused(store: Store, platform: str, now: datetime) -> bool:
    pause = store.posting_pause(platform)
    return pause is not None and pause.until > now


def _backoff(reply: Reply, now: datetime) -> datetime:
    seconds = min(30 * 2**reply.attempts, 3600) * (0.8 + 0.4 * random.random())
    return now + timedelta(seconds=seconds)
