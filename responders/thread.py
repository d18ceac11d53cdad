"""Who a comment talks to, in its thread: our answers, people answering each other, friends tagged.

The judge reads a comment's thread through ``Context``, which ``gather`` fills from the store: the
comments before it in the conversation, its parent, the replies heard posted there, and the
author's recent comments (for duplicates).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from listener.nlp import triage
from listener.records import Comment, Tags
from listener.store import Store
from responders.duplicates import WINDOW

_LEADING_HANDLES = re.compile(r"^(?:\s*[@＠][\w.@-]+)+")
_HANDLE = re.compile(r"(?<![\w/])(?:@[\w.@-]+|/?u/\w+)")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_YOU = re.compile(r"\b(?:you|your|yours|u|ur|ya|y'all|yall)\b")


@dataclass(frozen=True)
class Context:
    """What the judge may know beyond the comment and its tags, read from the store."""

    thread: tuple[Comment, ...] = ()  # earlier comments of the same conversation, oldest first
    parent: Comment | None = None
    answered: Mapping[str, str] = field(default_factory=dict)  # our posted replies' ids -> what they answered
    nearby: tuple[Comment, ...] = ()  # recent comments by the same author, or the same name elsewhere
    ours: tuple[str, ...] = ()  # our own handles on every platform
    author_opted_out: bool = False  # an explicit opt-out recorded on the author
    author_bio: str = ""  # the profile text heard looked up, where the payload carries none (Reddit, YouTube)


def gather(store: Store, comment: Comment, ours: tuple[str, ...]) -> Context:
    """Read from the store what the judge may know about a comment: its thread, its author's recent comments."""
    return gather_all(store, [comment], ours)[comment.id]


def gather_all(store: Store, comments: Sequence[Comment], ours: tuple[str, ...]) -> dict[str, Context]:
    """What ``gather`` reads, for a batch of comments at once (a few statements for the lot), by comment id."""
    threads = store.threads(comments)
    parents: dict[str, Comment] = {}
    for c in comments:
        if c.parent_id:
            found = next((t for t in threads[c.id] if t.id == c.parent_id), None)
            if found is not None:
                parents[c.parent_id] = found
    missing = {c.parent_id for c in comments if c.parent_id and c.parent_id not in parents}
    parents.update(store.comments(sorted(missing)))
    authors = store.authors({(c.platform, c.author.id) for c in comments})
    answered = store.answered_in_all(comments)
    nearby = store.nearby_all(comments, WINDOW)
    out: dict[str, Context] = {}
    for c in comments:
        author = authors.get((c.platform, c.author.id)) or {}
        out[c.id] = Context(
            thread=tuple(threads[c.id]),
            parent=parents.get(c.parent_id) if c.parent_id else None,
            answered=answered[c.id],
            nearby=tuple(nearby[c.id]),
            ours=ours,
            author_opted_out=bool(author.get("opted_out")),
            author_bio=str(author.get("bio") or ""),
        )
    return out


def we_answered(comment: Comment, ctx: Context) -> bool:
    """Whether one of our accounts (by hand, or heard's posted reply) answered this author earlier in the thread."""
    if comment.parent_id in ctx.answered or (ctx.parent is not None and ctx.parent.is_own):
        return True
    # The thread by id, read once: a long thread where we answered many would otherwise be read per answer.
    by_id = {c.id: c for c in ctx.thread}
    mine = comment.author.id
    if any((answered := by_id.get(v)) is not None and answered.author.id == mine for v in ctx.answered.values()):
        return True
    named = f"@{comment.author.handle.lower().lstrip('@')}"
    for ours in ctx.thread:
        if not ours.is_own:
            continue
        target = by_id.get(ours.parent_id or "")
        if target is not None and target.author.id == mine:
            return True
        if named in ours.text.lower().split(" ")[0:6]:
            return True
    return False


def answers_someone_else(comment: Comment, ctx: Context) -> Comment | None:
    """The other person this reply answers, when it answers someone in our thread and not us."""
    parent = ctx.parent
    if parent is None or parent.is_own or comment.parent_id in ctx.answered:
        return None
    if parent.author.id == comment.author.id or names_us(comment, ctx.ours, body_only=True):
        return None
    return parent


def names_us(comment: Comment, ours: tuple[str, ...], *, body_only: bool = False) -> bool:
    """Whether the text @-names one of our handles (in its body only: X and Mastodon prefix reply handles)."""
    text = body(comment.text) if body_only else comment.text
    low = text.lower()
    handles = {comment.account, *ours} if comment.account else set(ours)
    return any(f"@{h.lower().lstrip('@')}" in low or f"u/{h.lower()}" in low for h in handles if h)


def has_words(text: str) -> bool:
    """Whether anything but handles, links, emoji and punctuation is left: a reaction has no words."""
    return any(ch.isalnum() for ch in _URL.sub(" ", _HANDLE.sub(" ", text or "")))


def tagged_friend(comment: Comment, tags: Tags, ctx: Context) -> str:
    """The friend a comment tags when it talks to them, not to us ("@us @sam this. next week."); else ""."""
    if tags.intent in ("complaint", "request") or triage.risk_of(comment.text):
        return ""
    # A platform puts the parent's author and the people it named in front of a reply: those are not tags.
    carried = (ctx.parent.author.handle, *_HANDLE.findall(ctx.parent.text)) if ctx.parent is not None else ()
    known = {v for h in (*ctx.ours, comment.account, *carried) if h for v in _forms(h)}
    others = [h[1:] for h in _HANDLE.findall(comment.text) if h.startswith("@") and not _forms(h) & known]
    if not others:
        return ""
    # A question with "you" in it may be to us ("@us @sam do you do takeaway?"); one without is to the friend.
    if tags.is_question and (_YOU.search(body(comment.text).lower()) or names_us(comment, ctx.ours, body_only=True)):
        return ""
    return others[0]


def _forms(handle: str) -> set[str]:
    """The ways a handle is written: "@Pete@social.example", "pete", "pete.bsky.social" -> lower-case forms."""
    bare = handle.lower().lstrip("@").rstrip(".,:;!?")
    return {bare, bare.split("@")[0], bare.split(".")[0]} - {""}


def body(text: str) -> str:
    """The text without the run of @handles a platform puts in front of a reply."""
    return _LEADING_HANDLES.sub("", text or "").strip()
