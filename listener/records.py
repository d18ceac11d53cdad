"""Provide the records that cross module lines (Account, Author, Comment, Page, Tags) and the reply states."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class ReplyState(StrEnum):
    """Where a reply to one comment stands."""

    SUGGESTED = "suggested"
    APPROVED = "approved"
    POSTING = "posting"
    POSTED = "posted"
    REJECTED = "rejected"
    DISMISSED = "dismissed"
    FAILED = "failed"


# The priorities the tagger gives, most urgent first: the one order for every list that puts the urgent on
# top (the queue file, escalation, Slack) and the SLA keys in heard.toml.
PRIORITIES = ("high", "normal", "low")


def priority_rank(priority: str) -> int:
    """Rank a priority by PRIORITIES; one heard does not know sorts after them all, as the least known."""
    return PRIORITIES.index(priority) if priority in PRIORITIES else len(PRIORITIES)


# The one definition of "acknowledged", for status, escalation and the report: a comment that needs a
# reply is acknowledged once a reply is posted, or it is dismissed (by a person, or because one of our
# accounts answered it on the platform). What heard skipped never needed a reply (tags.needs_reply is 0).
ACKNOWLEDGED = frozenset({ReplyState.POSTED, ReplyState.DISMISSED})
# What waits for a person (the queue file, `heard queue`): a draft to decide, a post that failed, a rejected
# draft (it stays until a person writes the reply and approves, or dismisses the comment).
WAITING = frozenset({ReplyState.SUGGESTED, ReplyState.FAILED, ReplyState.REJECTED})


@dataclass(frozen=True)
class Account:
    """Our own account on one platform: who "we" are when deciding what is self."""

    platform: str
    id: str
    handle: str


@dataclass(frozen=True)
class Author:
    """The person (or bot) who wrote a comment."""

    id: str
    handle: str
    name: str = ""
    is_bot: bool = False
    bio: str = ""


@dataclass(frozen=True)
class Comment:
    """One thing somebody said that we may answer, in a platform-neutral shape."""

    platform: str
    native_id: str
    account: str
    source: str  # mention | reply | keyword | comment | thread (viewers answering each other under our post)
    author: Author
    text: str
    url: str
    created_at: datetime
    parent_id: str | None = None
    conversation_id: str | None = None
    lang: str | None = None
    mentions_us: bool = False
    is_own: bool = False
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def id(self) -> str:
        """The primary key that makes every insert idempotent."""
        return f"{self.platform}:{self.native_id}"


@dataclass(frozen=True)
class Page:
    """One bounded fetch from a source: raw payloads plus the cursor to store after them."""

    items: tuple[dict[str, Any], ...]
    cursor: str | None
    more: bool = False
    # The next page depends on ``cursor`` alone, not on this one being stored or acknowledged: a burst may read
    # it while this one is stored. An inbox that the acknowledgement empties (Reddit's unread) must not say so.
    read_ahead: bool = False


@dataclass(frozen=True)
class Tags:
    """What the NLP pipeline concluded about one comment."""

    comment_id: str
    sentiment: str  # negative | neutral | positive
    sentiment_score: float
    is_question: bool
    question_score: float
    intent: str  # question | complaint | praise | request | other
    intent_score: float
    spam_score: float
    bot_score: float
    needs_reply: bool
    priority: str  # high | normal | low
    lang: str
    model_version: str


@dataclass(frozen=True)
class OwnPost:
    """One of our own posts with its public metrics, for audience health in the report."""

    platform: str
    post_id: str
    url: str
    created_at: datetime
    followers_at_post: int
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    quotes: int = 0
    views: int = 0
