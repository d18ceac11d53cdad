"""Judge one tagged comment in its context: needs a reply or why not, how urgent, and whether a rule may answer.

The order and the rules are DECISIONS.md's: the first skip reason that applies wins, in ``SKIP_REASONS`` order.
The judge is pure: everything it knows about the thread, the author's other comments and our accounts
comes in a ``Context`` that the decide stage reads from the store.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from difflib import SequenceMatcher

from listener.nlp import signals, triage
from listener.nlp.lang import ENGLISH
from listener.records import Comment, Tags

# When several apply, the first wins.
SKIP_REASONS = (
    "own_account",
    "duplicate",
    "bot",
    "spam",
    "opted_out",
    "already_answered",
    "not_addressed_to_us",
    "no_reply_needed",
)
# The same author posting the same text again this soon is a double-submit, not a second question.
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=10)
# The same person (display name, and bio where both have one) posting near-same text on another platform.
CROSS_POST_WINDOW = timedelta(minutes=30)
# How alike two texts must be (difflib ratio, after dropping handles, links and case) to be one cross-post.
CROSS_POST_SIMILARITY = 0.9
# A text this short ("thanks!", "😂") says too little to call a copy on another platform the same message.
CROSS_POST_MIN_CHARS = 20
# Auto-posting also needs the tagger to be at least this sure of the intent and the sentiment.
AUTO_CONFIDENCE = 0.6
# Forums, where a keyword hit that asks what only we can answer goes to a person (DECISIONS.md §1).
FORUMS = frozenset({"reddit"})

_LEADING_HANDLES = re.compile(r"^(?:\s*[@＠][\w.@-]+)+")
_HANDLE = re.compile(r"(?<![\w/])(?:@[\w.@-]+|/?u/\w+)")
_URL = re.compile(r"(?:https?://|www\.)\S+")
# What an impersonator's profile claims to be, and what its message offers.
_POSING = re.compile(
    r"(?:support|care|help|official|team|rewards?|winners?|giveaways?|promos?|prizes?|refunds?|customer|service"
    r"|helpdesk|desk|vip|deals?|offers?|bonus|claims?)"
)
_OFFER = re.compile(
    r"https?://|\b(?:dm|message|contact) us\b|\bclaim\b|\bform\b|\bcard details\b|\bverify\b|\bwinner|\bpicked\b"
)
_YOU = re.compile(r"\b(?:you|your|yours|u|ur|ya|y'all|yall)\b")
# What only the business can answer: access, allergens and dietary needs, opening times, booking facts.
_ONLY_WE_KNOW = re.compile(
    r"\b(?:wheelchair|step-free|step free|ramp|accessib\w*|disabled|allerg\w*|gluten|coeliac|celiac|vegan|"
    r"halal|kosher|nut-free|nut free|dairy|open(?:ing)? (?:times|hours)|what time|do you open|are you open|"
    r"close[sd]?|parking|car park|dog[- ]friendly|dogs allowed|high chairs?|baby chang\w*)\b"
)


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


@dataclass(frozen=True)
class Judgement:
    """What heard decided about one comment, and why."""

    needs_reply: bool
    skip_reason: str | None
    why: str
    priority: str  # high | normal | low
    intent: str
    may_auto: bool = False
    auto_veto: str = ""  # why a rule may not post it, when it needs a reply
    duplicate_of: str | None = None


def judge(comment: Comment, tags: Tags, ctx: Context) -> Judgement:
    """Apply DECISIONS.md's order to one comment."""
    skip = _skip(comment, tags, ctx)
    if skip is not None:
        reason, why, dup = skip
        # Own, bot, spam and no-reply lines want nothing from us; a keyword hit's intent describes its text.
        intent = tags.intent if reason in ("duplicate", "opted_out", "already_answered") else "other"
        if reason == "not_addressed_to_us" and not _talks_about_us(comment):
            intent = "other"
        elif reason == "not_addressed_to_us":
            intent = tags.intent
        return Judgement(False, reason, why, "low", intent, duplicate_of=dup)
    risk = triage.risk_of(comment.text)
    priority = triage.priority_of(comment.text, tags.intent, True)
    veto = auto_veto(comment, tags, ctx, risk=risk)
    why = f"{tags.intent} aimed at us" + (f" ({risk} risk)" if risk else "")
    return Judgement(True, None, why, priority, tags.intent, may_auto=not veto, auto_veto=veto)


def _skip(comment: Comment, tags: Tags, ctx: Context) -> tuple[str, str, str | None] | None:
    """The first skip reason that applies, with a sentence and the duplicated id; None when a reply is needed."""
    if comment.is_own:
        return "own_account", "our own comment", None
    original = duplicate_of(comment, ctx.nearby)
    if original is not None:
        return "duplicate", f"a copy of {original.id} by the same person", original.id
    if comment.author.is_bot or _bot_score(comment, tags, ctx) >= signals.BOT_CUTOFF:
        why = (
            "the platform flags the author as automated" if comment.author.is_bot else "the author says it is automated"
        )
        return "bot", why, None
    if _impersonates(comment, ctx.ours):
        return "spam", "a look-alike of our own account", None
    if tags.spam_score >= signals.SPAM_CUTOFF:
        return "spam", f"spam (score {tags.spam_score:.2f})", None
    opted = _opted_out(comment, ctx)
    if opted:
        return "opted_out", opted, None
    if _closes_our_answer(comment, tags, ctx):
        return "already_answered", "a closing message after our answer in this thread", None
    if not addressed_to_us(comment):
        if _forum_exception(comment, tags):
            return None
        where = "X lets us reply only to people who engaged us" if comment.platform == "x" else "not addressed to us"
        return "not_addressed_to_us", f"keyword hit: {where}", None
    other = _answers_someone_else(comment, ctx)
    if other is not None:
        return "no_reply_needed", f"answers {other.author.handle}, not us", None
    if comment.source == "thread" and not _names_us(comment, ctx.ours, body_only=True):
        return "no_reply_needed", "a viewer talking to another under our post", None
    if not _has_words(comment.text):
        return "no_reply_needed", "a reaction: emoji or punctuation only", None
    friend = _tagged_friend(comment, tags, ctx)
    if friend:
        return "no_reply_needed", f"talks to @{friend}, not to us", None
    if not triage.asks_something(tags.intent, readable=tags.lang in ENGLISH):
        return "no_reply_needed", f"asks and reports nothing ({tags.intent}, {tags.sentiment})", None
    return None


def _impersonates(comment: Comment, ours: tuple[str, ...]) -> bool:
    """A look-alike of our account that poses as us (support, rewards, a giveaway), not a fan who names us."""
    who = comment.author
    if not signals.looks_like_us(who.handle, who.name, ours):
        return False
    return bool(_POSING.search(f"{who.handle} {who.name} {who.bio}".lower()) or _OFFER.search(comment.text.lower()))


def addressed_to_us(comment: Comment) -> bool:
    """Said to us or on our content: a mention, a reply to us, a comment on our post."""
    return comment.source in triage.OUR_CHANNELS


def auto_veto(comment: Comment, tags: Tags, ctx: Context, *, risk: str = "") -> str:
    """Why a rule may not post a reply to this comment on its own; empty when it may (precision first)."""
    text = comment.text
    checks = (
        (tags.intent != "praise", f"{tags.intent}: a person answers"),
        (tags.sentiment != "positive", f"{tags.sentiment}: a person answers"),
        (tags.is_question, "a question: a person answers"),
        (tags.lang not in ENGLISH, f"written in {tags.lang}: a person answers in that language"),
        (not addressed_to_us(comment), "a keyword hit"),
        (bool(risk), f"{risk} risk"),
        (triage.is_mixed(text), "praise with a reservation"),
        (triage.is_sarcastic(text), "may be sarcastic"),
        (triage.has_problem(text), "mentions a problem"),
        (comment.platform == "x" and not _names_us(comment, ctx.ours), "X: the text does not @ us"),
        (
            tags.intent_score < AUTO_CONFIDENCE or tags.sentiment_score < AUTO_CONFIDENCE,
            "uncertain tags: a person answers",
        ),
    )
    return next((why for failed, why in checks if failed), "")


def duplicate_of(comment: Comment, nearby: tuple[Comment, ...]) -> Comment | None:
    """The earlier comment this one repeats: a double-submit by its author, or a cross-post by the same person."""
    mine = _squash(comment.text)
    if not mine:
        return None
    for earlier in nearby:
        gap = comment.created_at - earlier.created_at
        if earlier.is_own or gap < timedelta(0):
            continue
        if earlier.platform == comment.platform and earlier.author.id == comment.author.id:
            if gap <= DOUBLE_SUBMIT_WINDOW and _squash(earlier.text) == mine:
                return earlier
        elif gap <= CROSS_POST_WINDOW and _same_person(earlier, comment) and _near_same(earlier.text, comment.text):
            return earlier
    return None


def _bot_score(comment: Comment, tags: Tags, ctx: Context) -> float:
    """The tagger's bot score, or, when only a looked-up profile has a bio, the score with that bio."""
    if comment.author.bio or not ctx.author_bio:
        return tags.bot_score
    who = comment.author
    return max(tags.bot_score, signals.bot_score(who.handle, ctx.author_bio, who.is_bot, comment.text))


def _same_person(a: Comment, b: Comment) -> bool:
    """Same display name, and the same bio where both accounts have one."""
    name_a, name_b = _squash(a.author.name), _squash(b.author.name)
    if not name_a or name_a != name_b:
        return False
    bio_a, bio_b = _squash(a.author.bio), _squash(b.author.bio)
    return not (bio_a and bio_b) or bio_a == bio_b


def _near_same(a: str, b: str) -> bool:
    sa, sb = _squash(a), _squash(b)
    if min(len(sa), len(sb)) < CROSS_POST_MIN_CHARS:
        return False
    return sa == sb or SequenceMatcher(None, sa, sb).ratio() >= CROSS_POST_SIMILARITY


def _squash(text: str) -> str:
    """Text without handles, links, marks, case or spacing: what stays the same when a person repeats it."""
    text = _URL.sub(" ", _HANDLE.sub(" ", unicodedata.normalize("NFKC", text or ""))).casefold()
    return " ".join("".join(ch if ch.isalnum() or ch.isspace() else " " for ch in text).split())


def _opted_out(comment: Comment, ctx: Context) -> str:
    if signals.opts_out(comment.author.bio or ctx.author_bio):
        return "the author's profile asks for no automated replies"
    if ctx.author_opted_out:
        return "the author opted out"
    if triage.is_stop_request(_body(comment.text)):
        return "the author asked us to stop replying"
    for earlier in ctx.thread:
        if (
            earlier.author.id == comment.author.id
            and not earlier.is_own
            and triage.is_stop_request(_body(earlier.text))
        ):
            return f"the author asked us to stop replying in this thread ({earlier.id})"
    return ""


def _closes_our_answer(comment: Comment, tags: Tags, ctx: Context) -> bool:
    """A closing message ("thanks, booked!") after our answer to this author in this thread."""
    if tags.is_question or not triage.is_closing(_body(comment.text)):
        return False
    return _we_answered(comment, ctx)


def _we_answered(comment: Comment, ctx: Context) -> bool:
    if comment.parent_id in ctx.answered or (ctx.parent is not None and ctx.parent.is_own):
        return True
    if ctx.answered and any(v for v in ctx.answered.values() if _author_of(v, ctx) == comment.author.id):
        return True
    by_id = {c.id: c for c in ctx.thread}
    for ours in ctx.thread:
        if not ours.is_own:
            continue
        target = by_id.get(ours.parent_id or "")
        if target is not None and target.author.id == comment.author.id:
            return True
        if f"@{comment.author.handle.lower()}" in ours.text.lower().split(" ")[0:6]:
            return True
    return False


def _author_of(comment_id: str, ctx: Context) -> str | None:
    return next((c.author.id for c in ctx.thread if c.id == comment_id), None)


def _answers_someone_else(comment: Comment, ctx: Context) -> Comment | None:
    """The other person this reply answers, when it answers someone in our thread and not us."""
    parent = ctx.parent
    if parent is None or parent.is_own or comment.parent_id in ctx.answered:
        return None
    if parent.author.id == comment.author.id or _names_us(comment, ctx.ours, body_only=True):
        return None
    return parent


def _names_us(comment: Comment, ours: tuple[str, ...], *, body_only: bool = False) -> bool:
    """Whether the text @-names one of our handles (in its body only: X and Mastodon prefix reply handles)."""
    text = _body(comment.text) if body_only else comment.text
    low = text.lower()
    handles = {comment.account, *ours} if comment.account else set(ours)
    return any(f"@{h.lower().lstrip('@')}" in low or f"u/{h.lower()}" in low for h in handles if h)


def _has_words(text: str) -> bool:
    """Whether anything but handles, links, emoji and punctuation is left: a reaction has no words."""
    return any(ch.isalnum() for ch in _URL.sub(" ", _HANDLE.sub(" ", text or "")))


def _tagged_friend(comment: Comment, tags: Tags, ctx: Context) -> str:
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
    if tags.is_question and (_YOU.search(_body(comment.text).lower()) or _names_us(comment, ctx.ours, body_only=True)):
        return ""
    return others[0]


def _forms(handle: str) -> set[str]:
    """The ways a handle is written: "@Pete@social.example", "pete", "pete.bsky.social" -> lower-case forms."""
    bare = handle.lower().lstrip("@").rstrip(".,:;!?")
    return {bare, bare.split("@")[0], bare.split(".")[0]} - {""}


def _body(text: str) -> str:
    """The text without the run of @handles a platform puts in front of a reply."""
    return _LEADING_HANDLES.sub("", text or "").strip()


def _forum_exception(comment: Comment, tags: Tags) -> bool:
    """A forum keyword hit asking a factual question that only we can answer goes to a person."""
    return (
        comment.platform in FORUMS
        and comment.source == "keyword"
        and tags.is_question
        and bool(_ONLY_WE_KNOW.search(comment.text.lower()))
    )


def _talks_about_us(comment: Comment) -> bool:
    # Reposts of our posts and other senses of our name want nothing from us; opinions of us have an intent.
    return not comment.text.lstrip().startswith("RT @")
