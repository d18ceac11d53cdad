"""Decide whether we may answer a comment at all, and whether we may post without a person."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from listener.records import Comment, Tags

# A spam or bot score at or above this is treated as spam or a bot.
SPAM_THRESHOLD = 0.6
BOT_THRESHOLD = 0.7
# Auto-posting needs the tagger to be at least this sure of the intent.
AUTO_CONFIDENCE = 0.6
_STOP = re.compile(
    r"^\W*(?:@\w+\s+|u/\w+\s+)*(?:"
    # the whole comment is the request...
    r"(?:stop|unsubscribe|leave me alone|stop replying|stop replying to me|"
    r"don'?t reply|do not reply|no more replies|go away)\W*$"
    # ...or it opens with a bare "stop." ("stop. nobody asked for brand accounts in here")...
    r"|(?:please\s+)?stop\s*[.!]"
    r")"
    # ...or says plainly, anywhere, that it wants no more from us.
    r"|\b(?:stop|quit) (?:replying|responding|tagging|messaging|spamming|commenting|@ing|pinging)"
    r"(?: (?:to |at )?(?:me|us|here|everyone))?\b"
    r"|\b(?:leave me alone|do not reply to me|don'?t reply to me|don'?t @ me|unsubscribe me)\b",
    re.IGNORECASE,
)
_NOBOT = re.compile(r"(?:^|\W)#?nobot(?:\W|$)", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    """A yes or no, with the reason recorded when it is no (or when it waits)."""

    ok: bool
    reason: str = ""
    retry_at: datetime | None = None


YES = Verdict(True)


def is_stop_request(comment: Comment) -> bool:
    """Whether a comment asks us to stop replying to its author."""
    return comment.source in ("reply", "mention") and bool(_STOP.search(comment.text.strip()))


def opted_out(comment: Comment, author: Mapping[str, Any] | None) -> bool:
    """Whether the author opted out: ``nobot`` in their profile, or they told us to stop."""
    return bool(_NOBOT.search(comment.author.bio or "")) or bool(author and author.get("opted_out"))


def may_suggest(comment: Comment, tags: Tags, *, author: Mapping[str, Any] | None) -> Verdict:
    """Whether a reply to this comment may be suggested (queued) at all."""
    if comment.is_own:
        return Verdict(False, "our own comment")
    if comment.author.is_bot or tags.bot_score >= BOT_THRESHOLD:
        return Verdict(False, "author looks like a bot")
    if tags.spam_score >= SPAM_THRESHOLD:
        return Verdict(False, "spam")
    if is_stop_request(comment):
        return Verdict(False, "author asked us to stop")
    if opted_out(comment, author):
        return Verdict(False, "author opted out (nobot)")
    if not tags.needs_reply:
        return Verdict(False, f"no reply needed ({tags.intent}, {tags.sentiment})")
    return YES


def may_auto_post(comment: Comment, tags: Tags, *, auto: Mapping[str, tuple[str, ...]], dry_run: bool) -> Verdict:
    """Whether a suggested reply may be approved by rule instead of by a person."""
    if dry_run:
        return Verdict(False, "dry run")
    if tags.intent not in auto.get(comment.platform, ()):
        return Verdict(False, f"{tags.intent} on {comment.platform} waits for a person")
    if comment.platform == "x" and comment.source == "keyword":
        # X's automation rules: only answer people who mentioned or engaged us first.
        return Verdict(False, "x keyword hit: X allows replies only to mentions")
    if tags.sentiment == "negative":
        return Verdict(False, "negative: a person answers")
    if tags.intent_score < AUTO_CONFIDENCE or tags.sentiment_score < AUTO_CONFIDENCE:
        return Verdict(False, "uncertain tags: a person answers")
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
