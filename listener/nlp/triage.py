"""Decide intent, whether a comment needs a reply, and how urgently, from tags plus context."""

from __future__ import annotations

import re

from listener.records import Comment

REQUEST = re.compile(
    r"\b(please|pls|plz|kindly|dm me|message me|email me|call me|contact me|send me"
    r"|can you (?:send|help|fix|check|tell|add|make|give|share)|could you|would you mind|let me know"
    r"|help me|i need|i want my|refund|cancel my|unsubscribe|remove me|add me)\b",
    re.IGNORECASE,
)
PROBLEM = re.compile(
    r"\b(broken|broke|bug|bugs|buggy|crash\w*|error|errors|issue|issues|problem|problems|not working"
    r"|doesn'?t work|don'?t work|won'?t|can'?t|couldn'?t|stopped|fail\w*|refund|charged|overcharged"
    r"|scam|rip ?off|waiting|still (?:no|not|waiting)|late|delay\w*|cancel\w*|worst|terrible|awful"
    r"|horrible|useless|disappointed|disappointing|unacceptable|ridiculous|annoying|frustrat\w*"
    r"|never again|down again|slow|lost|missing|wrong|hate)\b",
    re.IGNORECASE,
)
AIMED_SOURCES = frozenset({"mention", "reply", "comment"})
SPAM_CUTOFF = 0.7
BOT_CUTOFF = 0.8


def intent_of(
    text: str, sentiment: str, sent_score: float, is_question: bool, q_score: float
) -> tuple[str, float]:
    """Return (intent, confidence): complaint > request > question > praise > other."""
    problem = bool(PROBLEM.search(text))
    if sentiment == "negative" and (problem or sent_score >= 0.75):
        return "complaint", round(min(1.0, sent_score + 0.15 * problem), 4)
    if problem and sentiment != "positive" and not is_question:
        return "complaint", 0.55
    if REQUEST.search(text):
        return "request", 0.8
    if is_question:
        return "question", round(q_score, 4)
    if sentiment == "positive":
        return "praise", round(sent_score, 4)
    return "other", round(1.0 - max(q_score, sent_score if sentiment != "neutral" else 0.0) / 2, 4)


def needs_reply(comment: Comment, intent: str, spam: float, bot: float) -> bool:
    """Whether a person should answer this comment.

    Never: our own comments, bots (platform flag or a high bot score), likely spam.
    Yes: a question, complaint, request or praise aimed at us, meaning it mentions us or arrived as a
    mention, a reply or a comment on our post; we thank people for praise because engagement is the product.
    Keyword hits that do not mention us are listened to but not answered: the author never addressed us,
    and platform automation rules (X) only allow replies where the person engaged us first.
    "other" (chatter, statements) never needs a reply.
    """
    if comment.is_own or comment.author.is_bot or bot >= BOT_CUTOFF or spam >= SPAM_CUTOFF:
        return False
    aimed = comment.mentions_us or comment.source in AIMED_SOURCES
    return aimed and intent in ("question", "complaint", "request", "praise")


def priority_of(intent: str, reply: bool) -> str:
    """High for complaints we must answer, normal for questions and requests, low for everything else."""
    if not reply:
        return "low"
    if intent == "complaint":
        return "high"
    return "normal" if intent in ("question", "request") else "low"
