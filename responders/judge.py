"""Judge one tagged comment in its context: needs a reply or why not, how urgent, and whether a rule may answer.

The order and the rules are DECISIONS.md's: the first skip reason that applies wins, in ``SKIP_REASONS`` order.
The judge is pure: everything it knows about the thread, the author's other comments and our accounts
comes in a ``responders.thread.Context`` that the decide stage reads from the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from listener.nlp import signals, triage
from listener.nlp.lang import ENGLISH
from listener.records import Comment, Tags
from responders import thread
from responders.duplicates import duplicate_of
from responders.thread import Context

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
# Auto-posting also needs the tagger to be at least this sure of the intent and the sentiment.
AUTO_CONFIDENCE = 0.6
# Forums, where a keyword hit that asks what only we can answer goes to a person (DECISIONS.md §1).
FORUMS = frozenset({"reddit"})

# What an impersonator's profile claims to be, and what its message offers.
_POSING = re.compile(
    r"(?:support|care|help|official|team|rewards?|winners?|giveaways?|promos?|prizes?|refunds?|customer|service"
    r"|helpdesk|desk|vip|deals?|offers?|bonus|claims?)"
)
_OFFER = re.compile(
    r"https?://|\b(?:dm|message|contact) us\b|\bclaim\b|\bform\b|\bcard details\b|\bverify\b|\bwinner|\bpicked\b"
)
# What only the business can answer: access, allergens and dietary needs, opening times, booking facts.
_ONLY_WE_KNOW = re.compile(
    r"\b(?:wheelchair|step-free|step free|ramp|accessib\w*|disabled|allerg\w*|gluten|coeliac|celiac|vegan|"
    r"halal|kosher|nut-free|nut free|dairy|open(?:ing)? (?:times|hours)|what time|do you open|are you open|"
    r"close[sd]?|parking|car park|dog[- ]friendly|dogs allowed|high chairs?|baby chang\w*)\b"
)


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
    priority = triage.priority_for(tags.intent, True, risk)
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
    other = thread.answers_someone_else(comment, ctx)
    if other is not None:
        return "no_reply_needed", f"answers {other.author.handle}, not us", None
    if comment.source == "thread" and not thread.names_us(comment, ctx.ours, body_only=True):
        return "no_reply_needed", "a viewer talking to another under our post", None
    if not thread.has_words(comment.text):
        return "no_reply_needed", "a reaction: emoji or punctuation only", None
    friend = thread.tagged_friend(comment, tags, ctx)
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
        (comment.platform == "x" and not thread.names_us(comment, ctx.ours), "X: the text does not @ us"),
        (
            tags.intent_score < AUTO_CONFIDENCE or tags.sentiment_score < AUTO_CONFIDENCE,
            "uncertain tags: a person answers",
        ),
    )
    return next((why for failed, why in checks if failed), "")


def _bot_score(comment: Comment, tags: Tags, ctx: Context) -> float:
    """The tagger's bot score, or, when only a looked-up profile has a bio, the score with that bio."""
    if comment.author.bio or not ctx.author_bio:
        return tags.bot_score
    who = comment.author
    return max(tags.bot_score, signals.bot_score(who.handle, ctx.author_bio, who.is_bot, comment.text))


def _opted_out(comment: Comment, ctx: Context) -> str:
    if signals.opts_out(comment.author.bio or ctx.author_bio):
        return "the author's profile asks for no automated replies"
    if ctx.author_opted_out:
        return "the author opted out"
    if triage.is_stop_request(thread.body(comment.text)):
        return "the author asked us to stop replying"
    for earlier in ctx.thread:
        if (
            earlier.author.id == comment.author.id
            and not earlier.is_own
            and triage.is_stop_request(thread.body(earlier.text))
        ):
            return f"the author asked us to stop replying in this thread ({earlier.id})"
    return ""


def _closes_our_answer(comment: Comment, tags: Tags, ctx: Context) -> bool:
    """A closing message ("thanks, booked!") after our answer to this author in this thread."""
    # Doubt or a new problem after our answer ("we'll see if it shows up this time") is a new need.
    if tags.is_question or tags.intent in ("complaint", "request") or not triage.is_closing(thread.body(comment.text)):
        return False
    return thread.we_answered(comment, ctx)


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
