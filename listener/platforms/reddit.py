"""Provide the Reddit platform: normalise comments and posts; ``reddit_client`` polls and replies through praw.

Two kinds of source:

- ``inbox``: unread username mentions, comment replies and post replies (``message/unread``).
  The unread flag is the cursor: items are marked read in ``after_store``, only once they are
  stored. Private messages (``t4``) are left unread for a person to read.
- ``subreddit:<name>``: new comments in a subreddit (``r/<name>/comments``) that mention us or
  contain a keyword, walked forward with ``before=<fullname>``. When that answers empty the
  next tick re-checks from the top by ``created_utc``, because Reddit answers empty too when
  the ``before`` comment was deleted.
- ``posts:<name>``: new posts in a subreddit (``r/<name>/new``) whose title or text mentions us or
  contains a keyword, walked the same way.
- ``ours``: our own new comments anywhere (``user/<us>/comments``, sort new), walked the same way:
  a reply a person wrote by hand on reddit.com acknowledges the comment it answers, and the inbox
  never lists what we wrote (option ``own_replies``).

Each ``fetch`` makes one HTTP request (plus praw's token request when it needs one). praw
objects never leave this module: everything returned is Reddit's raw JSON.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from listener.errors import BadPayload
from listener.matching import contains_keyword
from listener.platforms import PlatformSpec, _reply, register
from listener.platforms._common import (
    MAX_NAME,
    MAX_URL,
    metric,
    optional_id,
    optional_mapping,
    optional_str,
    parse_epoch,
    require,
    require_id,
    require_mapping,
)
from listener.records import Account, Author, Comment, OwnPost
from listener.text import clean_text

if TYPE_CHECKING:
    from listener.platforms.reddit_client import RedditClient

# Inbox types: a comment on our post is on our content (like a top-level comment on our video), not a reply to us.
_SOURCES = {"username_mention": "mention", "comment_reply": "reply", "post_reply": "comment"}
_CONTEXT_LINK = re.compile(r"/comments/([a-z0-9]+)/", re.IGNORECASE)
SECRETS = ("REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET", "REDDIT_USERNAME", "REDDIT_PASSWORD")
OPTIONS = (
    "username",
    "subreddits",
    "keywords",
    "user_agent",
    "oauth_url",
    "reddit_url",
    "page_size",
    "timeout",
    "own_replies",
)


def normalise(raw: Mapping[str, Any], account: Account) -> Comment:
    """Turn one Reddit thing (``{"kind": "t1", "data": {...}}``) into a Comment."""
    data = require_mapping(raw, "data", "reddit thing")
    fullname = _fullname(raw, data, "t1")
    where = f"reddit {fullname}"
    author = optional_str(data, "author", where, limit=MAX_NAME) or "[deleted]"
    text = _clean_text(data, where)
    source = _SOURCES.get(optional_str(data, "type", where)) or (
        "mention" if mentions(text, account.handle) else _listing_source(data, account, where)
    )
    link_id = _link_id(data, where)
    link = optional_str(data, "permalink", where, limit=MAX_URL)
    link = link or optional_str(data, "context", where, limit=MAX_URL).split("?")[0]
    if not link and link_id:
        link = f"/comments/{link_id.removeprefix('t3_')}/_/{optional_id(data, 'id', where) or ''}"
    parent = optional_id(data, "parent_id", where)
    return Comment(
        platform="reddit",
        native_id=fullname,
        account=account.handle,
        source=source,
        author=Author(
            id=optional_id(data, "author_fullname", where) or author,
            handle=author,
            name=author,
            is_bot=False,  # Reddit has no bot flag: the judge reads what the account says
        ),
        text=text,
        url=link if link.startswith("http") else f"https://www.reddit.com{link}",
        created_at=parse_epoch(require(data, "created_utc", where), where),
        parent_id=f"reddit:{parent}" if parent else None,
        conversation_id=link_id or fullname,
        lang=None,
        mentions_us=source in ("mention", "reply", "comment"),
        is_own=author.lower() == account.handle.lower(),
        raw=dict(raw),
    )


def _fullname(raw: Mapping[str, Any], data: Mapping[str, Any], default_kind: str) -> str:
    """A thing's fullname (``t1_abc``): its ``name``, else its ``kind`` and ``id`` joined."""
    where = "reddit thing"
    name = optional_id(data, "name", where)
    return name or f"{optional_id(raw, 'kind', where) or default_kind}_{require_id(data, 'id', where)}"


def _listing_source(data: Mapping[str, Any], account: Account, where: str) -> str:
    """Where a listing comment that does not name us sits: under our own post, or a keyword hit elsewhere.

    Under our post, a top-level comment is on our content; one answering another comment is people
    talking to each other (answers to our own comments come from the inbox as ``comment_reply``).
    """
    if optional_str(data, "link_author", where).lower() != account.handle.lower() or not account.handle:
        return "keyword"
    return "comment" if (optional_id(data, "parent_id", where) or "").startswith("t3_") else "thread"


def text_of(data: Mapping[str, Any]) -> str:
    """A comment's body, or a post's title with its text below it (as sent: for matching while fetching)."""
    if "body" in data:
        return str(data.get("body") or "")
    title, selftext = str(data.get("title") or ""), str(data.get("selftext") or "")
    return f"{title}\n\n{selftext}" if title and selftext else title or selftext


def _clean_text(data: Mapping[str, Any], where: str) -> str:
    """``_text`` type-checked and made clean, for normalise."""
    if "body" in data:
        return optional_str(data, "body", where)
    title, selftext = optional_str(data, "title", where), optional_str(data, "selftext", where)
    return clean_text(f"{title}\n\n{selftext}") if title and selftext else title or selftext


def normalise_post(raw: Mapping[str, Any], followers: int) -> OwnPost:
    """Turn one of our submissions (a ``t3`` thing) into an OwnPost: score as likes, comments as replies."""
    data = require_mapping(raw, "data", "reddit submission")
    fullname = optional_id(data, "name", "reddit submission") or f"t3_{require_id(data, 'id', 'reddit submission')}"
    where = f"reddit {fullname}"
    link = optional_str(data, "permalink", where, limit=MAX_URL) or f"/comments/{fullname.removeprefix('t3_')}/"
    return OwnPost(
        platform="reddit",
        post_id=fullname,
        url=link if link.startswith("http") else f"https://www.reddit.com{link}",
        created_at=parse_epoch(require(data, "created_utc", where), where),
        followers_at_post=int(followers),
        # A post starts at score 1, the author's own upvote: that one is not an engagement.
        likes=max(0, metric(data, "score") - 1),
        reposts=metric(data, "num_crossposts"),
        replies=metric(data, "num_comments"),
    )


def normalise_profile(raw: Mapping[str, Any]) -> tuple[str, str]:
    """Turn a ``user/<name>/about`` answer (``{"kind": "t2", "data": {...}}``) into (author id, profile text).

    The author id is the account's fullname (``t2_…``), as comments give it in ``author_fullname``; the
    text is the profile's ``public_description``. A suspended account has neither id nor profile: its name
    and no text.
    """
    where = "reddit user about"
    data = require_mapping(raw, "data", where)
    name = optional_str(data, "name", where, limit=MAX_NAME)
    user_id = optional_id(data, "id", where)
    author_id = f"t2_{user_id}" if user_id else name
    if not author_id:
        raise BadPayload(f"{where}: no id and no name")
    profile = optional_mapping(data, "subreddit", where) if not data.get("is_suspended") else {}
    return author_id, optional_str(profile, "public_description", f"{where} subreddit")


def mentions(text: str, handle: str) -> bool:
    """Whether ``text`` names ``u/handle``."""
    return contains_keyword(text, f"u/{handle}")


def _link_id(data: Mapping[str, Any], where: str) -> str | None:
    # Subreddit listings carry link_id; inbox items only have it inside their context link.
    link_id = optional_id(data, "link_id", where)
    if link_id:
        return link_id
    found = _CONTEXT_LINK.search(optional_str(data, "context", where) or optional_str(data, "permalink", where))
    return f"t3_{found.group(1)}" if found else None


def mention(handle: str) -> str:
    """How a reply names a Redditor: ``u/name``, which notifies them."""
    return "u/" + handle.removeprefix("u/").removeprefix("/u/")


def connect(options: Mapping[str, Any], secrets: Mapping[str, str]) -> RedditClient:
    """Build a Reddit client from heard.toml options and secrets (praw is loaded now; no request is made)."""
    from listener.platforms import reddit_client

    return reddit_client.RedditClient(options, secrets)


register(
    PlatformSpec(
        name="reddit",
        title="Reddit",
        normalise=normalise,
        connect=connect,
        secrets=SECRETS,
        options=OPTIONS,
        help="Reddit through a 'script' app: your inbox (mentions and replies), your own replies and "
        "keyword hits in subreddits. See docs/reddit.md.",
        # Reddit allows 100 requests a minute, but new accounts get RATELIMIT errors on comments fast.
        default_post_rate=20,
        normalise_post=normalise_post,
        reply_limit=10_000,
        normalise_profile=normalise_profile,
        mention=mention,
        escape=_reply.escape_markdown,  # a reply is markdown: words taken from a comment must not format it
    )
)
