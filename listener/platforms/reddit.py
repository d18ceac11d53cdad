"""Provide the Reddit platform: normalise comments, and poll and reply through praw."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from listener.platforms import PlatformSpec, register
from listener.platforms._common import looks_automated, parse_epoch, require
from listener.records import Account, Author, Comment

_SOURCES = {"username_mention": "mention", "comment_reply": "reply", "post_reply": "reply"}


def normalise(raw: Mapping[str, Any], account: Account) -> Comment:
    """Turn one Reddit thing (``{"kind": "t1", "data": {...}}``) into a Comment."""
    data = require(raw, "data", "reddit thing")
    fullname = str(data.get("name") or f"{raw.get('kind', 't1')}_{require(data, 'id', 'reddit thing')}")
    where = f"reddit {fullname}"
    author = str(data.get("author") or "[deleted]")
    text = str(data.get("body") if "body" in data else data.get("selftext") or data.get("title") or "")
    mention = re.search(rf"(?:^|\W)/?u/{re.escape(account.handle)}\b", text, re.IGNORECASE)
    source = _SOURCES.get(str(data.get("type") or ""), "mention" if mention else "keyword")
    link = str(data.get("permalink") or str(data.get("context") or "").split("?")[0])
    if not link and data.get("link_id"):
        link = f"/comments/{str(data['link_id']).removeprefix('t3_')}/_/{data.get('id', '')}"
    return Comment(
        platform="reddit",
        native_id=fullname,
        account=account.handle,
        source=source,
        author=Author(
            id=str(data.get("author_fullname") or author),
            handle=author,
            name=author,
            is_bot=looks_automated(author),
        ),
        text=text,
        url=link if link.startswith("http") else f"https://www.reddit.com{link}",
        created_at=parse_epoch(require(data, "created_utc", where), where),
        parent_id=f"reddit:{data['parent_id']}" if data.get("parent_id") else None,
        conversation_id=str(data.get("link_id") or fullname),
        lang=None,
        mentions_us=source in ("mention", "reply"),
        is_own=author.lower() == account.handle.lower(),
        raw=dict(raw),
    )
