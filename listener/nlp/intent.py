"""Read a comment's intent (complaint, request, question, praise, other) and correct its surface sentiment."""

from __future__ import annotations

import re

from listener.nlp.phrases import (
    ADDRESS,
    BANTER,
    BANTER_KEYS,
    DOUBT,
    EXCITED,
    FAILED,
    FIGURE,
    MOCKING,
    OPT_OUT,
    POLITE,
    PRAISE,
    PRAISE_EMOJI,
    PRAISE_KEYS,
    PROBLEM,
    REQUEST,
    SITE_ERROR,
)
from listener.nlp.tone import PRAISE_WORD, is_sarcastic


def intent_of(
    text: str,
    sentiment: str,
    sent_score: float,
    is_question: bool,
    q_score: float,
    *,
    asks_action: bool = False,
) -> tuple[str, float]:
    """Return (intent, confidence): complaint > request > question > praise > other.

    Two or more problem cues ("wrong order again… come on") make a complaint whatever the sentiment model
    says; a single cue needs negative sentiment, and a question with one cue stays a question. Doubt that we
    will deliver ("we'll see if it shows up") is a complaint however politely it is put.
    `asks_action` (from the question rules) marks a request, offer or suggestion in question form ("could you
    resend the link?", "any chance of a table by the fire?"): a request even though it is also a question.
    An error page, sarcasm and the figures of speech in DECISIONS §3 settle the tie-breaks first.
    """
    stripped = ADDRESS.sub("", text).strip()
    body = stripped.lower().replace("’", "'")  # patterns are lower case; IGNORECASE is slower
    if OPT_OUT.match(body) or not body:
        return "other", 0.9
    if not (is_question or asks_action) and _banter(body):
        return "other", 0.7  # "diet starts monday. again.", "commenting so I can find this later"
    cues = len(set(PROBLEM.findall(body)))  # "again… again" is one grievance said twice
    negative = sentiment == "negative"
    idiom = _praised(body)
    if cues >= 2 or negative and (cues or sent_score >= 0.75 and not is_question and not idiom):
        return "complaint", round(min(1.0, 0.5 + 0.15 * cues + 0.3 * negative), 4)
    failed = FAILED.search(body) or _shouted(stripped, body, sentiment)
    if failed or SITE_ERROR.search(body) or is_sarcastic(body):
        return "complaint", 0.7  # "it came out grey", "WHERE IS MY FOOD", "great system 👏"
    asked = REQUEST.search(body)
    if not (cues or is_question or asks_action or asked and not FIGURE.search(body)):
        if idiom:
            return "praise", 0.7  # "proper mint", "still thinking about that pudding": the model hears no praise
        if sentiment != "positive" and _praise_emoji(body):
            return "praise", 0.55  # "that bread 🔥": praise, but too unsure to thank without a person
    if FIGURE.search(body) and sentiment != "negative" and not asks_action:
        return "praise", 0.7  # "keep them coming", "please never take it off": praise, not a request
    if asks_action or asked and not (is_question and asked.group(1) in POLITE):
        return "request", 0.8  # "please DM me the tracking number, the email never came": ask, then fix
    if (cues and sentiment != "positive" and not is_question) or DOUBT.search(body):
        return "complaint", 0.55
    if is_question:
        return "question", round(q_score, 4)
    if sentiment == "positive":
        return "praise", round(sent_score, 4)
    return "other", round(1.0 - max(q_score, sent_score if sentiment != "neutral" else 0.0) / 2, 4)


def _praised(body: str) -> bool:
    """Whether a praise idiom or slang word is said ("proper mint", "lived up to the hype")."""
    return any(k in body for k in PRAISE_KEYS) and PRAISE.search(body) is not None


def _banter(body: str) -> bool:
    """Banter, chatter or mockery that asks and reports nothing (DECISIONS §1 no_reply_needed).

    The banter spans are cut out first; what is left must name no problem, failure, request or praise.
    """
    if MOCKING.search(body):
        return True  # "lol at the state of your site today 😂": never thanked, whatever else it says
    if not any(k in body for k in BANTER_KEYS) or not BANTER.search(body):
        return False
    rest = BANTER.sub(" ", body)
    return not (
        PROBLEM.search(rest)
        or FAILED.search(rest)
        or REQUEST.search(rest)
        or _praised(rest)
        or PRAISE_WORD.search(rest)
    )


def _praise_emoji(body: str) -> bool:
    """Whether a food-praise emoji sits beside at least two words ("that bread 🔥")."""
    return any(e in body for e in PRAISE_EMOJI) and len(_WORDS.findall(body)) >= 2


_WORDS = re.compile(r"[a-z]{2,}")
_CAPS_RUN = re.compile(r"[A-Z]{4}")  # a cheap test first: every shouted text has one
_UPPER = re.compile(r"[A-Z]")
_LOWER = re.compile(r"[a-z]")


# A customer's own account of a visit or an order: what turns all-caps from an advert into a furious complaint.
_ACCOUNT = re.compile(
    r"\b(?:my|our) (?:order|food|booking|table|delivery|meal|money|deposit|reservation|kids?|family)\b"
    r"|\b(?:i|we) (?:booked|ordered|paid|waited|came|rang|called|asked|drove|travelled|sat)\b"
)


def _shouted(stripped: str, body: str, sentiment: str) -> bool:
    """An all-caps account with no praise in it: furious, so a complaint (DECISIONS §3, §6)."""
    if sentiment == "positive" or not _CAPS_RUN.search(stripped):
        return False
    upper, lower = len(_UPPER.findall(stripped)), len(_LOWER.findall(stripped))
    if upper + lower < 15 or upper < 0.85 * (upper + lower) or len(_WORDS.findall(body)) < 4:
        return False
    if EXCITED.search(body) or PRAISE_WORD.search(body) or _praised(body):
        return False
    return sentiment == "negative" or bool(_ACCOUNT.search(body))  # not "GET YOUR TICKETS TODAY"


def surface_sentiment(text: str, sentiment: str, score: float) -> tuple[str, float]:
    """Correct the model where the surface is plain: sarcasm is negative, excitement is not, an opt-out is flat."""
    low = text.lower()
    if is_sarcastic(low) or MOCKING.search(low):
        return "negative", 0.7  # DECISIONS §4: "great system 👏" about a failure means the opposite
    if sentiment == "negative" and EXCITED.search(low) and not PROBLEM.search(low):
        return "positive", 0.6  # "YESSS. setting an alarm ⏰": shouting and an alarm emoji, but glad
    if OPT_OUT.match(ADDRESS.sub("", low).strip()):
        return "neutral", 0.6
    return sentiment, score


def revised_sentiment(
    intent: str, sentiment: str, score: float, confidence: float = 1.0, *, failure: bool = False
) -> tuple[str, float]:
    """A complaint is not positive ("love the coffee but come on"); praise is (§4: tone by meaning).

    `confidence` is the intent's: praise found only by an emoji stays below the auto-reply bar. `failure`
    (`reports_failure`): a calm account of what went wrong is negative however flat its words.
    """
    if intent == "complaint" and (sentiment == "positive" or failure and sentiment == "neutral"):
        return "negative", 0.6
    if intent == "praise" and sentiment != "positive":
        return "positive", round(min(0.65, confidence), 4)
    return sentiment, score


def reports_failure(text: str) -> bool:
    """Whether the text tells calmly of something that went wrong ("it came out grey", "sent it back")."""
    return bool(FAILED.search(text.lower().replace("’", "'")))
