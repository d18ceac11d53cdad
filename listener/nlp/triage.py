"""Decide whether a comment needs a reply and how urgently; the judge reads every text cue through this module."""

from __future__ import annotations

from listener.nlp import signals
from listener.nlp.closing import is_closing, is_stop_request
from listener.nlp.intent import intent_of, reports_failure, revised_sentiment, surface_sentiment
from listener.nlp.phrases import PROBLEM
from listener.nlp.risk import risk_of
from listener.nlp.tone import is_mixed, is_sarcastic
from listener.records import Comment

__all__ = [
    "OUR_CHANNELS",
    "SAID_TO_US",
    "asks_something",
    "has_problem",
    "intent_of",
    "is_closing",
    "is_mixed",
    "is_sarcastic",
    "is_stop_request",
    "needs_reply",
    "priority_for",
    "priority_of",
    "reports_failure",
    "revised_sentiment",
    "risk_of",
    "surface_sentiment",
]

# Sources said to us: mentions, replies to us, comments on our own content.
SAID_TO_US = frozenset({"mention", "reply", "comment"})
# Our channels also hold ``thread``: viewers talking to each other under our post. A ``keyword`` hit is
# heard but not addressed to us.
OUR_CHANNELS = SAID_TO_US | {"thread"}


def asks_something(intent: str, *, readable: bool = True) -> bool:
    """Whether a comment asks or reports something (DECISIONS §8 step 8); unreadable text goes to a person."""
    return intent in ("question", "complaint", "request", "praise") or not readable


def has_problem(text: str) -> bool:
    """Whether the text names something that went wrong ("late", "wrong", "no reply"…): vetoes auto-reply."""
    return bool(PROBLEM.search(text.lower().replace("’", "'")))


def needs_reply(comment: Comment, intent: str, spam: float, bot: float, *, readable: bool = True) -> bool:
    """The tagger's first reading: said to us, not ours, no bot or spam, and asking or reporting something.

    The decide stage's judge (responders/judge.py) makes the final call with what the text alone lacks
    (duplicates, look-alike accounts, opt-outs, the thread) and stores it in place of this one.
    """
    if comment.is_own or comment.author.is_bot or bot >= signals.BOT_CUTOFF or spam >= signals.SPAM_CUTOFF:
        return False
    return comment.source in SAID_TO_US and asks_something(intent, readable=readable)


def priority_of(text: str, intent: str, reply: bool) -> str:
    """High for a health, money or fraud risk; low for praise and what needs no reply; else normal (§6)."""
    return priority_for(intent, reply, risk_of(text) if reply else "")


def priority_for(intent: str, reply: bool, risk: str) -> str:
    """``priority_of`` for a caller that has already read the text's risk."""
    if not reply:
        return "low"
    if risk:
        return "high"
    return "low" if intent == "praise" else "normal"
