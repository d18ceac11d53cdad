"""Provide the typed records the store returns: Reply, Awaiting, PostingPause and Saved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from listener.quarantine import Reject
from listener.records import ReplyState
from listener.store.kinds import ErrorKind


@dataclass(frozen=True)
class Reply:
    """The one reply record of a comment, as the replies table holds it, on the comment's platform."""

    comment_id: str
    platform: str
    state: ReplyState
    text: str | None
    suggested_text: str | None
    alternatives: tuple[str, ...]
    template: str | None
    reason: str | None
    skip_reason: str | None
    duplicate_of: str | None
    decided_by: str | None
    idempotency_key: str | None
    remote_id: str | None
    attempts: int
    error: str | None
    retry_at: datetime | None
    edit_ratio: float | None
    created_at: datetime
    updated_at: datetime
    posted_at: datetime | None
    acknowledged_at: datetime | None
    draft_source: str | None = None  # faq | template | ai | holding: where the draft came from


@dataclass(frozen=True)
class Awaiting:
    """A comment that needs a reply and is not acknowledged, with its tags and the reply so far (if any)."""

    id: str
    platform: str
    author_handle: str
    text: str
    url: str
    created_at: datetime
    intent: str
    sentiment: str
    priority: str
    state: ReplyState | None
    reply_text: str | None


@dataclass(frozen=True)
class PostingPause:
    """Posting to one platform is held: what kind of refusal, in the platform's words, from when to when."""

    platform: str
    kind: ErrorKind
    since: datetime
    until: datetime
    why: str


@dataclass(frozen=True)
class Saved:
    """What storing one page did: the new comment ids, and what was set aside (with why)."""

    new: list[str]
    set_aside: list[Reject]
