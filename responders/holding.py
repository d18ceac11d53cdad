"""Choose the honest holding reply for a comment heard cannot answer: what kind of comment it is, and its wordings.

A holding reply says what heard knows (the topic, the reference given) and promises only what the user's
[[holding]] wordings in replies.toml promise. It is never an answer and never posted without a person.
"""

from __future__ import annotations

from listener.nlp import triage
from listener.records import Comment, Tags
from responders.draft_checks import unhappy
from responders.library import Library, Template

# The kinds that put someone's health, money or safety at stake (DECISIONS §6): "care" wordings cover all three.
CARE = ("health", "money", "fraud")


def kind_of(comment: Comment, tags: Tags) -> str:
    """What kind of holding reply a comment would get: health, money, fraud, complaint, request, question or any."""
    # A risk to someone's health, money or safety (DECISIONS §6): an allergen question, a reaction, a
    # double charge, a phishing report. A request to publish allergen information is no such risk.
    risk = triage.risk_of(comment.text)
    if risk:
        return risk
    if tags.intent == "complaint" or (tags.intent == "other" and unhappy(comment, tags)):
        return "complaint"
    if tags.intent == "request":
        return "request"
    if tags.intent == "question" or tags.is_question:
        return "question"
    return "any"


def holding_for(library: Library, kind: str, *, intent: str, lang: str) -> list[Template]:
    """The [[holding]] entries for this kind of comment in its language: its own kind first, then care, then any.

    Of those, the ones written for the comment's intent ("a health question", not any health matter) and
    language (not an emoji for any) win; every entry tied for best counts.
    """
    order = (kind, "care", "any") if kind in CARE else (kind, "any")
    for wanted in order:
        fitting = [
            h.template
            for h in library.holding
            if h.kind == wanted and h.template.lang in (lang, "any") and h.template.intent in (intent, "any")
        ]
        if fitting:
            best = min((t.intent == "any", t.lang == "any") for t in fitting)
            return [t for t in fitting if (t.intent == "any", t.lang == "any") == best]
    return []
