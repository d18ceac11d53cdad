"""Provide the X (API v2) platform: normalise tweets, and poll and reply through tweepy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from listener.platforms import PlatformSpec, register
from listener.platforms._common import looks_automated, parse_iso, require
from listener.records import Account, Author, Comment


def normalise(raw: Mapping[str, Any], account: Account) -> Comment:
    """Turn one tweet in the API v2 single-tweet shape (``data`` + ``includes.users``) into a Comment."""
    tweet = require(raw, "data", "x tweet")
    tweet_id = str(require(tweet, "id", "x tweet"))
    where = f"x tweet {tweet_id}"
    author_id = str(require(tweet, "author_id", where))
    users = {str(u.get("id")): u for u in (raw.get("includes") or {}).get("users", [])}
    user = users.get(author_id, {})
    handle = user.get("username") or author_id
    mentions = (tweet.get("entities") or {}).get("mentions") or []
    mentioned = {str(m.get("id") or "") for m in mentions} | {
        "@" + str(m.get("username", "")).lower() for m in mentions
    }
    text = str(tweet.get("text", ""))
    mentions_us = account.id in mentioned or f"@{account.handle.lower()}" in (
        mentioned | {w.lower().rstrip(".,:;!?") for w in text.split() if w.startswith("@")}
    )
    refs = {r.get("type"): str(r.get("id")) for r in tweet.get("referenced_tweets") or []}
    quotes_us = "quoted" in refs and mentions_us
    replies_to_us = str(tweet.get("in_reply_to_user_id") or "") == account.id
    if replies_to_us:
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
            name=user.get("name", ""),
            bio=user.get("description", "") or "",
            is_bot=looks_automated(handle, user.get("description", "") or ""),
        ),
        text=text,
        url=f"https://x.com/{handle}/status/{tweet_id}",
        created_at=parse_iso(require(tweet, "created_at", where), where),
        parent_id=f"x:{refs['replied_to']}" if "replied_to" in refs else None,
        conversation_id=str(tweet.get("conversation_id") or tweet_id),
        lang=tweet.get("lang"),
        mentions_us=mentions_us or replies_to_us,
        is_own=author_id == account.id,
        raw=dict(raw),
    )
