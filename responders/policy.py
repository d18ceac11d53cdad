"""Decide whether we may answer a comment at all, and whether we may post without a person."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from listener.nlp import signals
from listener.records import Comment, Tags


@dataclass(frozen=True)
class Verdict:
    """A yes or no, with the reason recorded when it is no (or when it waits)."""

    ok: bool
    reason: str = ""
    retry_at: datetime | None = None


YES = Verdict(True)


def opted_out(comment: Comment, author: Mapping[str, Any] | None) -> bool:
    """Whether the author opted out for good: a marker in their profile, or an opt-out recorded on them."""
    return signals.opts_out(comment.author.bio) or bool(author and author.get("opted_out"))


def may_auto_post(comment: Comment, tags: Tags, *, auto: Mapping[str, tuple[str, ...]], dry_run: bool) -> Verdict:
    """Whether the user's ``[posting.auto]`` lets a rule approve this reply (the judge vetoes the rest)."""
    if dry_run:
        return Verdict(False, "dry run")
    if tags.intent not in auto.get(comment.platform, ()):
        return Verdict(False, f"{tags.intent} on {comment.platform} waits for a person")
    if comment.platform == "x" and comment.source == "keyword":
        # X's automation rules: only answer people who mentioned or engaged us first.
        return Verdict(False, "x keyword hit: X allows replies only to mentions")
    if tags.sentiment == "negative":
        return Verdict(False, "negative: a person answers")
    return YES


def may_post(
    comment: Comment,
    *,
    author: Mapping[str, Any] | None,
    auto: bool,
    now: datetime,
    last_reply_to_author: datetime | None,
    cooldown: timedelta,
    posted_last_hour: int,
    hourly_cap: int,
) -> Verdict:
    """Whether an approved reply may go out now; a "wait" verdict carries ``retry_at``."""
    if comment.is_own:
        return Verdict(False, "our own comment")
    if opted_out(comment, author):
        return Verdict(False, "author opted out (nobot)")
    if auto and comment.platform == "x" and comment.source == "keyword":
        return Verdict(False, "x keyword hit: X allows replies only to mentions")
    if posted_last_hour >= hourly_cap:
        return Verdict(False, f"posting cap of {hourly_cap}/h reached", now + timedelta(minutes=5))
    if auto and last_reply_to_author and now - last_reply_to_author < cooldown:
        return Verdict(False, "author cool-down", last_reply_to_author + cooldown)
    return YES
