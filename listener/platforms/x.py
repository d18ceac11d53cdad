"""Provide the X (API v2) platform: normalise tweets; ``x_client`` polls and replies through tweepy."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from listener.platforms import PlatformSpec, _length, register
from listener.platforms._common import (
    MAX_NAME,
    cleaned,
    metric,
    optional_id,
    optional_mapping,
    optional_mappings,
    optional_str,
    parse_iso,
    require,
    require_id,
    require_mapping,
)
from listener.records import Account, Author, Comment, OwnPost

if TYPE_CHECKING:
    from listener.platforms.x_client import XClient

SECRETS = ("X_API_KEY", "X_API_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET")
OPTIONS = (
    "user_id",
    "username",
    "keywords",
    "api_base",
    "page_size",
    "timeout",
    "quotes_days",
    "quotes_minutes",
    "quotes_tweets",
    "own_replies",
)


def normalise(raw: Mapping[str, Any], account: Account) -> Comment:
    """Turn one tweet in the API v2 single-tweet shape (``data`` + ``includes.users``) into a Comment."""
    tweet = require_mapping(raw, "data", "x tweet")
    tweet_id = require_id(tweet, "id", "x tweet")
    where = f"x tweet {tweet_id}"
    author_id = require_id(tweet, "author_id", where)
    includes = optional_mapping(raw, "includes", where)
    users = {optional_id(u, "id", f"{where} user"): u for u in optional_mappings(includes, "users", where)}
    user = users.get(author_id, {})
    who = f"{where} user {author_id}"
    handle = optional_str(user, "username", who, limit=MAX_NAME) or author_id
    entities = optional_mapping(tweet, "entities", where)
    mentioned = _mentioned(optional_mappings(entities, "mentions", f"{where} entities"), f"{where} mention")
    # X sends &, < and > escaped as HTML entities in v2 text.
    text = cleaned(html.unescape(optional_str(tweet, "text", where)))
    mentions_us = account.id in mentioned or f"@{account.handle.lower()}" in (
        mentioned | {w.lower().rstrip(".,:;!?") for w in text.split() if w.startswith("@")}
    )
    refs = _references(tweet, where)
    ours = _our_tweet_ids(entities, includes, account)
    quotes_us = refs.get("quoted") in ours
    replies_to_us = optional_id(tweet, "in_reply_to_user_id", where) == account.id or refs.get("replied_to") in ours
    if "retweeted" in refs:
        # A retweet says nothing to anyone: its "RT @us:" text is our own words passed on.
        mentions_us = quotes_us = replies_to_us = False
        source = "keyword"
    elif replies_to_us:
        source = "reply"
    elif mentions_us or quotes_us:
        source = "mention"
    else:
        source = "keyword"
    return Comment(
        platform="x",
        native_id=tweet_id,
        account=account.handle,
        source=source,
        author=Author(
            id=author_id,
            handle=handle,
            name=optional_str(user, "name", who, limit=MAX_NAME),
            bio=optional_str(user, "description", who),
            is_bot=_automated_label(user, who),
        ),
        text=text,
        url=f"https://x.com/{handle}/status/{tweet_id}",
        created_at=parse_iso(require(tweet, "created_at", where), where),
        parent_id=f"x:{refs['replied_to']}" if "replied_to" in refs else None,
        conversation_id=optional_id(tweet, "conversation_id", where) or tweet_id,
        lang=optional_str(tweet, "lang", where, limit=MAX_NAME) or None,
        mentions_us=mentions_us or replies_to_us or quotes_us,
        is_own=author_id == account.id,
        raw=dict(raw),
    )


def _mentioned(mentions: list[Mapping[str, Any]], where: str) -> set[str]:
    """The ids and ``@handles`` (lower case) a tweet's ``entities.mentions`` name; "" for a mention without an id."""
    named = set()
    for m in mentions:
        named.add(optional_id(m, "id", where) or "")
        named.add("@" + optional_str(m, "username", where).lower())
    return named


def _automated_label(user: Mapping[str, Any], who: str) -> bool:
    """Whether X labels the account automated: its ``affiliation`` reads "Automated by @owner"."""
    affiliation = optional_mapping(user, "affiliation", who)
    if not affiliation:  # most accounts
        return False
    return optional_str(affiliation, "description", f"{who} affiliation").lower().startswith("automated")


def _references(tweet: Mapping[str, Any], where: str) -> dict[str, str]:
    """The tweets this one answers, quotes or retweets: type (``replied_to``, ...) -> tweet id."""
    refs = {}
    for ref in optional_mappings(tweet, "referenced_tweets", where):
        kind, ref_id = optional_str(ref, "type", f"{where} reference"), optional_id(ref, "id", f"{where} reference")
        if ref_id:
            refs[kind] = ref_id
    return refs


def normalise_post(raw: Mapping[str, Any], followers: int) -> OwnPost:
    """Turn one of our tweets (API v2, with ``created_at`` and ``public_metrics``) into an OwnPost."""
    tweet_id = require_id(raw, "id", "x tweet")
    where = f"x tweet {tweet_id}"
    counts = optional_mapping(raw, "public_metrics", where)
    return OwnPost(
        platform="x",
        post_id=tweet_id,
        url=f"https://x.com/i/web/status/{tweet_id}",  # resolves without knowing the handle
        created_at=parse_iso(require(raw, "created_at", where), where),
        followers_at_post=int(followers),
        likes=metric(counts, "like_count"),
        reposts=metric(counts, "retweet_count"),
        replies=metric(counts, "reply_count"),
        quotes=metric(counts, "quote_count"),
        views=metric(counts, "impression_count"),
    )


def _our_tweet_ids(entities: Mapping[str, Any], includes: Mapping[str, Any], account: Account) -> set[str]:
    """Ids of the tweets a tweet references that we wrote (from includes.tweets or its link ``entities``)."""
    where = "x included tweet"
    ours = {
        optional_id(t, "id", where) or ""
        for t in optional_mappings(includes, "tweets", where)
        if optional_id(t, "author_id", where) == account.id
    }
    ours.discard("")
    for url in optional_mappings(entities, "urls", "x tweet entities"):
        ours.update(_status_link(account.handle).findall(optional_str(url, "expanded_url", "x url")))
    return ours


@lru_cache(maxsize=16)
def _status_link(handle: str) -> re.Pattern[str]:
    """The pattern of a link to one of ``handle``'s tweets; its status id is the group."""
    return re.compile(rf"(?:twitter|x)\.com/{re.escape(handle)}/status/(\d+)", re.IGNORECASE)


def connect(options: Mapping[str, Any], secrets: Mapping[str, str]) -> XClient:
    """Build an XClient from heard.toml options and the four OAuth 1.0a secrets (tweepy is loaded now).

    :raises ConfigError: a secret is missing or an option has the wrong type.
    """
    from listener.platforms import x_client

    return x_client.connect(options, secrets)


register(
    PlatformSpec(
        name="x",
        title="X",
        normalise=normalise,
        connect=connect,
        secrets=SECRETS,
        options=OPTIONS,
        help="X (Twitter) API v2 via tweepy: mentions, quotes of your recent posts, your own replies and keyword "
        "searches, replies with OAuth 1.0a user context.",
        # X allows 100 posts per 15 min per user; stay far below it, and below anything that looks spammy.
        default_post_rate=25,
        normalise_post=normalise_post,
        reply_limit=280,
        reply_unit="weighted characters",
        count_reply=_length.count_x,
        bound_reply=_length.bound_x,
        # A reply needs no "@handle": X shows whom it answers, and a leading mention it adds is not counted.
    )
)
