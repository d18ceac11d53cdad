"""Decide intent, whether a comment needs a reply, and how urgently, from tags plus context."""

from __future__ import annotations

import re

from listener.records import Comment

REQUEST = re.compile(
    r"\b(please|pls|plz|kindly|dm me|message me|email me|call me|contact me|send me"
    r"|can (?:you|u) (?:send|help|fix|check|add|make|give|share|restock|bring|swap|replace|refund|ship|update)"
    r"|can (?:we|i) (?:swap|exchange|return|get|have|change)|could you|would you mind|let me know"
    r"|help me|i need|i want my|refund|cancel my|unsubscribe|remove me|add me|bring (?:it )?back)\b",
)
# Each distinct match is one piece of evidence that something went wrong for the customer.
PROBLEM = re.compile(
    r"\b(broken|broke|bug|bugs|buggy|crash\w*|error|errors|issue|issues|problem|problems|not working"
    r"|doesn'?t work|don'?t work|stopped|fail\w*|refund|charged|overcharged|cracked|damaged|stale"
    r"|flimsy|cheaply made|poor quality|fell apart|falling apart|defective|faulty|leak(?:s|ing|ed)?|squeak\w*"
    r"|snapped|dented|scratched|peeling"
    r"|scam|rip ?off|waiting|still (?:no|not|nothing|waiting|haven'?t|hasn'?t)|late|delay\w*"
    r"|worst|terrible|awful|horrible|useless|disappointed|disappointing|unacceptable|ridiculous|annoying"
    r"|frustrat\w*|never again|down again|lost|missing|wrong|hate|got nothing|no (?:reply|response|answer|update)"
    r"|nobody (?:answers|replies|responds)|what is going on|what'?s going on|anyone there|hello\?+"
    r"|(?:hasn'?t|has not|haven'?t|never) (?:moved|arrived|shipped|come|came|showed|updated)"
    r"|instead of|second time|third time|(?<!thanks )(?<!thank you )again|come on(?! (?:down|in|out|over|along|by))"
    r"|paid for)\b",
)
# Doubt that we will deliver: polite words around it ("appreciate it. we'll see if it actually shows up this
# time") must not earn a cheerful thank-you; it is a customer still waiting on us.
DOUBT = re.compile(r"\b(?:we['’]?ll see (?:if|whether)|i['’]?ll believe it when|yeah,? right\b|thanks for nothing)")
# A bare opt-out: the policy layer handles it; it is neither a complaint nor something to answer.
OPT_OUT = re.compile(r"^\W*(?:stop|unsubscribe|unfollow|leave me alone|go away|opt out)\W*$")
# Excitement that the sentiment model can read as shouting: "YESSS", "yay", "can't wait".
# A plain "yeah" and "finally" are as often weary as glad; only the drawn-out "yeahhh" is excitement.
EXCITED = re.compile(r"\b(?:yes{2,}|ye{2,}a+h+|yea{2,}h+|yeah{2,}|yay+|woo+h?o*|let'?s go+|can'?t wait)\b")
_ADDRESS = re.compile(r"(?<![\w/])(?:@\w+|/?u/\w+)")
AIMED_SOURCES = frozenset({"mention", "reply", "comment"})
SPAM_CUTOFF = 0.6
BOT_CUTOFF = 0.8


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
    `asks_action` (from the question rules) marks a request or offer in question form ("can I pay by card?",
    "could you resend the link?"): the question tag leaves it out, so it becomes a request here.
    """
    body = _ADDRESS.sub("", text).strip().lower()  # patterns are lower case; IGNORECASE is slower
    if OPT_OUT.match(body) or not body:
        return "other", 0.9
    cues = len(set(PROBLEM.findall(body)))  # "again… again" is one grievance said twice
    negative = sentiment == "negative"
    if cues >= 2 or negative and (cues or sent_score >= 0.75 and not is_question):
        return "complaint", round(min(1.0, 0.5 + 0.15 * cues + 0.3 * negative), 4)
    if REQUEST.search(body) or asks_action and not is_question:
        return "request", 0.8  # "please DM me the tracking number, the email never came": ask, then fix
    if (cues and sentiment != "positive" and not is_question) or DOUBT.search(body):
        return "complaint", 0.55
    if is_question:
        return "question", round(q_score, 4)
    if sentiment == "positive":
        return "praise", round(sent_score, 4)
    return "other", round(1.0 - max(q_score, sent_score if sentiment != "neutral" else 0.0) / 2, 4)


def surface_sentiment(text: str, sentiment: str, score: float) -> tuple[str, float]:
    """Correct the model where the surface is unambiguous: excitement is not negative, an opt-out is flat."""
    low = text.lower()
    if sentiment == "negative" and EXCITED.search(low) and not PROBLEM.search(low):
        return "positive", 0.6  # "YESSS. setting an alarm ⏰": shouting and an alarm emoji, but glad
    if OPT_OUT.match(_ADDRESS.sub("", low).strip()):
        return "neutral", 0.6
    return sentiment, score


def revised_sentiment(intent: str, sentiment: str, score: float) -> tuple[str, float]:
    """A complaint is not positive: "love the coffee but come on" is what needs handling."""
    if intent == "complaint" and sentiment == "positive":
        return "negative", 0.6
    return sentiment, score


def needs_reply(comment: Comment, intent: str, spam: float, bot: float, *, readable: bool = True) -> bool:
    """Whether a person should answer this comment.

    Never: our own comments, bots (platform flag or a high bot score), likely spam.
    Yes: a question, complaint, request or praise aimed at us, meaning it mentions us or arrived as a
    mention, a reply or a comment on our post; we thank people for praise because engagement is the product.
    Keyword hits that do not mention us are listened to but not answered: the author never addressed us,
    and platform automation rules (X) only allow replies where the person engaged us first.
    "other" (chatter, statements) never needs a reply, unless it is aimed at us in a language our
    models cannot read (``readable`` false): then we cannot tell a complaint from chatter, so a person reads it.
    """
    if comment.is_own or comment.author.is_bot or bot >= BOT_CUTOFF or spam >= SPAM_CUTOFF:
        return False
    aimed = comment.mentions_us or comment.source in AIMED_SOURCES
    return aimed and (intent in ("question", "complaint", "request", "praise") or not readable)


def priority_of(intent: str, reply: bool, *, readable: bool = True) -> str:
    """High for complaints we must answer, normal for questions, requests and what we cannot read, else low."""
    if not reply:
        return "low"
    if not readable:
        return "normal"
    if intent == "complaint":
        return "high"
    return "normal" if intent in ("question", "request") else "low"
