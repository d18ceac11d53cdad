"""Build one inbox item in full: the comment in its thread, its author's history with us, its tags, draft and why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from heard.inbox.listing import SlaMinutes
from listener.errors import ConfigError
from listener.platforms import spec
from listener.records import Comment, Tags
from listener.store import Reply, Store, parse_time
from listener.store.codecs import row_comment
from responders import limits
from responders.escalate import due_at
from responders.thread import gather

# How much of the conversation before the comment, of the replies to it and of its author's recent comments
# the item shows: the latest of each.
THREAD_SHOWN = 12
REPLIES_SHOWN = 20
NEARBY_SHOWN = 5
OUR_REPLIES_SHOWN = 5
_VERSION = "SELECT state, updated_at FROM replies WHERE comment_id = ?"
_REPLIES_TO = "SELECT * FROM comments WHERE parent_id = ? ORDER BY created_at, id LIMIT ?"


@dataclass(frozen=True)
class Said:
    """One comment shown around the item: who said what and when, a safe link, and its place."""

    id: str
    author: str
    text: str
    at: datetime
    url: str | None
    role: str  # parent | earlier | ours (one of our accounts) | reply (answers the item) | nearby
    our_reply: str | None = None  # the reply heard posted to it, when it has one


@dataclass(frozen=True)
class LengthRule:
    """The platform's reply limit for this item and how the browser approximates its count while editing."""

    limit: int | None
    unit: str
    mode: str  # weighted (X), graphemes, chars
    overhead: int  # what the platform adds when posting (Mastodon opens with "@acct ")
    title: str


@dataclass(frozen=True)
class History:
    """The author as heard knows them: how often they wrote and were answered, their profile, our replies."""

    comments: int
    replied: int
    first_seen: datetime | None
    opted_out: bool
    bio: str
    our_replies: tuple[tuple[str, str], ...]  # (state, text) of our latest replies to them, newest first
    nearby: tuple[Said, ...]  # their recent comments, oldest first


@dataclass(frozen=True)
class Item:
    """Everything the item view shows, read at one version of its reply."""

    comment: Comment
    url: str | None
    tags: Tags | None
    reply: Reply
    updated_at: str  # as stored: the version a decision on this view names
    due_at: datetime
    thread: tuple[Said, ...]
    replies: tuple[Said, ...]
    history: History
    rule: LengthRule
    used: int  # the draft's length as the platform counts it
    problem: str | None  # why the draft cannot be approved as it stands (empty, too long)


def safe_url(url: str | None) -> str | None:
    """The URL when it is an http(s) link to somewhere; anything else (``javascript:``, ``data:``) is not linked."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def reply_version(store: Store, comment_id: str) -> tuple[str, str] | None:
    """The reply's state and ``updated_at`` exactly as stored, or None when the comment has no reply."""
    rows = store.engine.query(_VERSION, [comment_id])
    return (rows[0]["state"], rows[0]["updated_at"]) if rows else None


def length_rule(comment: Comment) -> LengthRule:
    """How long a reply to ``comment`` may be, in the platform's unit (no limit for a platform heard does not know)."""
    try:
        rule = spec(comment.platform)
    except ConfigError:
        return LengthRule(None, "characters", "chars", 0, comment.platform)
    unit = rule.reply_unit
    mode = "weighted" if "weighted" in unit else "graphemes" if unit == "graphemes" else "chars"
    overhead = rule.reply_length("x", to=comment) - rule.reply_length("x")
    return LengthRule(rule.reply_limit, unit, mode, max(overhead, 0), rule.title or comment.platform)


def measure(comment: Comment, text: str) -> tuple[int, str | None]:
    """The text's length as the platform counts it in reply to ``comment``, and why it cannot be approved (or None)."""
    try:
        used = spec(comment.platform).reply_length(text, to=comment)
    except ConfigError:
        used = len(text)
    return used, limits.problem(comment, text)


def item(store: Store, comment_id: str, sla_minutes: SlaMinutes) -> Item | None:
    """The item view of one comment's reply, or None when it has no comment or reply."""
    comment, reply, version = store.comment(comment_id), store.reply(comment_id), reply_version(store, comment_id)
    if comment is None or reply is None or version is None:
        return None
    tags = store.tags(comment_id)
    ctx = gather(store, comment, tuple(store.own_handles()))
    heard_said = _posted_replies(store, ctx.answered.values())
    thread = [_said(c, "earlier", heard_said) for c in ctx.thread[-THREAD_SHOWN:]]
    if ctx.parent is not None and all(s.id != ctx.parent.id for s in thread):
        thread.append(_said(ctx.parent, "parent", heard_said))
    thread = [s if s.id != comment.parent_id else _role(s, "parent") for s in thread]
    replies = [row_comment(r) for r in store.engine.query(_REPLIES_TO, [comment_id, REPLIES_SHOWN])]
    used, problem = measure(comment, reply.text or "")
    sla = timedelta(minutes=sla_minutes(comment.platform, tags.priority if tags else "normal"))
    return Item(
        comment=comment,
        url=safe_url(comment.url),
        tags=tags,
        reply=reply,
        updated_at=version[1],
        due_at=due_at(comment.created_at, sla),
        thread=tuple(sorted(thread, key=lambda s: (s.at, s.id))),
        replies=tuple(_said(c, "reply", heard_said) for c in replies),
        history=_history(store, comment, [c for c in ctx.nearby if c.id != comment.id][-NEARBY_SHOWN:]),
        rule=length_rule(comment),
        used=used,
        problem=problem,
    )


def _posted_replies(store: Store, answered: Iterable[str]) -> dict[str, str]:
    """What heard posted in reply to each of these comments (comment id -> reply text)."""
    out = {}
    for comment_id in sorted(set(answered)):
        posted = store.reply(comment_id)
        if posted is not None and posted.text:
            out[comment_id] = posted.text
    return out


def _said(c: Comment, role: str, heard_said: dict[str, str]) -> Said:
    who = c.author.handle
    if c.author.name and c.author.name != c.author.handle:
        who += f" ({c.author.name})"
    return Said(c.id, who, c.text, c.created_at, safe_url(c.url), "ours" if c.is_own else role, heard_said.get(c.id))


def _role(s: Said, role: str) -> Said:
    return s if s.role == "ours" else Said(s.id, s.author, s.text, s.at, s.url, role, s.our_reply)


def _history(store: Store, comment: Comment, nearby: list[Comment]) -> History:
    row = store.author(comment.platform, comment.author.id) or {}
    ours = [
        (r.state.value, r.text or "")
        for r in store.recent_replies_to(comment.platform, comment.author.id, OUR_REPLIES_SHOWN + 1)
        if r.comment_id != comment.id
    ][:OUR_REPLIES_SHOWN]
    return History(
        comments=int(row.get("comments") or 1),
        replied=int(row.get("replied") or 0),
        first_seen=parse_time(row.get("first_seen")),
        opted_out=bool(row.get("opted_out")),
        bio=str(row.get("bio") or comment.author.bio or ""),
        our_replies=tuple(ours),
        nearby=tuple(_said(c, "nearby", {}) for c in nearby),
    )
