"""Turn YouTube's comment, video and channel resources into heard's records: pure, no request."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from listener.errors import BadPayload
from listener.matching import contains_keyword
from listener.platforms._common import (
    MAX_NAME,
    metric,
    optional_id,
    optional_mapping,
    optional_str,
    parse_iso,
    require,
    require_id,
    require_mapping,
)
from listener.records import Account, Author, Comment, OwnPost
from listener.text import clean_text

# Set by the walk on each reply: the channel that started its thread, which says whom a reply answers.
THREAD_AUTHOR = "heard_thread_author"
_LEAD_HANDLE = re.compile(r"\s*@[\w.\-]+")  # YouTube's UI opens a reply to a reply with the person's @handle


def normalise(raw: Mapping[str, Any], account: Account) -> Comment:
    """Turn one YouTube ``comment`` resource (top-level or reply) into a Comment.

    :raises BadPayload: the comment has no text (removed) or lacks an id or time.
    """
    comment_id = require_id(raw, "id", "youtube comment")
    where = f"youtube comment {comment_id}"
    snippet = require_mapping(raw, "snippet", where)
    # textOriginal is only guaranteed to the comment's author; textDisplay (plain text here) always.
    text = optional_str(snippet, "textOriginal", where) or clean_text(
        html.unescape(optional_str(snippet, "textDisplay", where))
    )
    if not text.strip():
        raise BadPayload(f"{where}: no text (removed or held)")
    name = optional_str(snippet, "authorDisplayName", where, limit=MAX_NAME)
    author_id = optional_id(optional_mapping(snippet, "authorChannelId", where), "value", f"{where} authorChannelId")
    author_id = author_id or name
    video, parent = optional_id(snippet, "videoId", where), optional_id(snippet, "parentId", where)
    url = (
        f"https://www.youtube.com/watch?v={video}&lc={comment_id}"
        if video
        else f"https://www.youtube.com/channel/{optional_id(snippet, 'channelId', where) or account.id}"
    )
    is_own = author_id == account.id
    said_to_us = not parent or _reply_to_us(text, author_id, optional_id(raw, THREAD_AUTHOR, where), account)
    return Comment(
        platform="youtube",
        native_id=comment_id,
        account=account.handle,
        source=("reply" if said_to_us else "thread") if parent else "comment",
        author=Author(id=author_id, handle=name, name=name),
        text=text,
        url=url,
        created_at=parse_iso(require(snippet, "publishedAt", where), where),
        parent_id=f"youtube:{parent}" if parent else None,
        conversation_id=parent or comment_id,  # a thread's id is its top-level comment's id
        lang=None,
        mentions_us=not is_own and said_to_us,
        is_own=is_own,
        raw=dict(raw),
    )


def _reply_to_us(text: str, author_id: str, thread_author: Any, account: Account) -> bool:
    """Whether a reply under one of our videos answers us rather than another viewer.

    It does when it names us, or (unless it opens by addressing someone else) when it sits in a thread
    we started or is the thread starter's own follow-up. A reply of unknown thread counts as ours:
    hearing one too many is better than missing one.
    """
    handle = "@" + account.handle.removeprefix("@").lower()
    if handle != "@" and contains_keyword(text, handle):  # "@acme", not "@acmefan"
        return True
    if _LEAD_HANDLE.match(text):
        return False  # "@bob same here": said to bob
    return thread_author is None or str(thread_author) in (account.id, author_id)


def normalise_post(raw: Mapping[str, Any], followers: int) -> OwnPost:
    """Turn one of our videos (a ``video`` resource with ``snippet`` and ``statistics``) into an OwnPost."""
    video_id = require_id(raw, "id", "youtube video")
    where = f"youtube video {video_id}"
    stats = optional_mapping(raw, "statistics", where)
    return OwnPost(
        platform="youtube",
        post_id=video_id,
        url=f"https://www.youtube.com/watch?v={video_id}",
        created_at=parse_iso(require(require_mapping(raw, "snippet", where), "publishedAt", where), where),
        followers_at_post=int(followers),
        likes=metric(stats, "likeCount"),
        replies=metric(stats, "commentCount"),
        views=metric(stats, "viewCount"),
    )


def normalise_profile(raw: Mapping[str, Any]) -> tuple[str, str]:
    """Turn one ``channel`` resource (``channels.list(part="snippet")``) into (channel id, description)."""
    channel_id = require_id(raw, "id", "youtube channel")
    where = f"youtube channel {channel_id}"
    return channel_id, optional_str(optional_mapping(raw, "snippet", where), "description", where)
