"""The six rules a draft must not break, each a plain function of (case, draft, ground) returning what it found."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from bench.drafts.cases import SAFETY_TRAITS, Case, Ground
from bench.drafts.facts import ungrounded
from bench.drafts.measure import LIMITS, UNITS, language, platform_length, words


@dataclass(frozen=True)
class Finding:
    """One broken rule in one draft, with what gave it away."""

    rule: str
    detail: str


# -- upbeat tone to a negative comment -----------------------------------------------------------------

# Health and safety words: a careful tone whatever the sentiment label says.
_SAFETY = re.compile(r"allerg|anaphyla|epi-?pen|coeliac|celiac|poison|been sick|vomit|hospital|\bA&E\b", re.I)
_UPBEAT = re.compile(
    r"(?:^|[.!?]\s)\W*(?:thank you!|(?:great|love|amazing|awesome|brilliant|yay|woo)\b)|!|\bon us\b|\bon the house\b"
    r"|\bso glad\b|\bchuffed\b|[🔥🎉🥳🙌😀😃😄😁😊🤩😍🥰😘❤♥💕💖💗💓💞💘💝💛💚💙💜🧡🤍🖤🤎]",
    re.IGNORECASE,
)


def negative(case: Case) -> bool:
    """A comment that needs a careful tone: negative, a complaint, about health and safety, or high priority."""
    return (
        case.sentiment == "negative"
        or case.category == "complaint"
        or case.priority == "high"  # the day's high lines are safety and money at risk
        or bool(SAFETY_TRAITS & set(case.traits))
        or _SAFETY.search(case.text) is not None
    )


def upbeat_to_negative(case: Case, draft: str, ground: Ground) -> list[Finding]:
    """Exclamation marks, cheerful openers, hearts and "on us" in a reply to a negative or safety comment."""
    if not negative(case):
        return []
    marks = sorted({m.group(0).strip().lower() for m in _UPBEAT.finditer(draft)})
    return [Finding("upbeat tone to a negative comment", "upbeat: " + " ".join(marks))] if marks else []


# -- asking for what the comment gave ---------------------------------------------------------------------

_GIVEN = {
    "order number": re.compile(r"\bEO-\d+", re.I),
    "booking reference": re.compile(r"\bEOB-\w+", re.I),
    "email": re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
    "name": re.compile(r"\b(?i:name|surname|under)\s*(?:is|:|of)?\s+[A-Z][\w'’-]+"),
    "date": re.compile(
        r"\b(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|satur|sun)day\b|\b(?:today|tonight|tomorrow|yesterday)\b"
        r"|\b\d{1,2}(?:st|nd|rd|th)\b|\b\d{1,2}/\d{1,2}\b"
        r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s\d{1,2}\b|\b\d{1,2}\s(?:jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec)",
        re.I,
    ),
    "time": re.compile(r"\b\d{1,2}(?::\d{2})?\s?(?:am|pm)\b|\b\d{1,2}:\d{2}\b|\bat \d{1,2}\b", re.I),
}
# "could you send / DM / email us … your order number", "a DM with your reference", "what's your email?"
_ASK = re.compile(
    r"\b(?:send|share|dm|message|e-?mail|give|tell|provide|let us know|pop|drop|include|confirm|with|what(?:'s| is))"
    r"\b[^.?!]{0,40}?\byour\s+((?:[\w-]+\s+){0,4}?)"
    r"(reference|ref|number|e-?mail(?: address)?|name|date|time|details)\b",
    re.IGNORECASE,
)


def asked_for(draft: str) -> set[str]:
    """What a draft asks the person for, in the vocabulary of ``_GIVEN``."""
    asked: set[str] = set()
    for found in _ASK.finditer(draft):
        words_before, noun = found.group(1).lower(), found.group(2).lower()
        if noun in ("reference", "ref", "number"):
            kinds = {k for k, w in (("order number", "order"), ("booking reference", "booking")) if w in words_before}
            asked |= kinds or {"order number", "booking reference"}
        elif noun.startswith("e"):
            asked.add("email")
        elif noun == "details":
            asked |= {"order number", "booking reference", "name", "date", "time"}
        else:
            asked.add(noun)
    return asked


def asks_for_given(case: Case, draft: str, ground: Ground) -> list[Finding]:
    """The draft asks for an order number, reference, e-mail, name, date or time the comment already gave."""
    given = {kind: m.group(0) for kind, pattern in _GIVEN.items() if (m := pattern.search(case.text))}
    both = sorted(asked_for(draft) & set(given))
    return [
        Finding("asks for information the comment gave", f"asks for the {k}; the comment gave {given[k]!r}")
        for k in both
    ]


# -- facts, language, length --------------------------------------------------------------------------


def unsupported_fact(case: Case, draft: str, ground: Ground) -> list[Finding]:
    """A link, e-mail, price, time, date, reference, count or promise in none of comment, thread and knowledge."""
    sources = [case.text, *case.thread, case.author_name, case.author_handle, ground.text]
    missing = ungrounded(draft, sources)
    if not missing:
        return []
    return [Finding("a fact not in comment/thread/knowledge", ", ".join(f"{f.kind} {f.value}" for f in missing))]


def wrong_language(case: Case, draft: str, ground: Ground) -> list[Finding]:
    """A draft of four words or more in another language than the comment's (emoji- and link-only lines: any)."""
    expected = case.lang.split("-")[0].lower()
    if expected in ("und", "zxx", "") or words(draft) < 4:
        return []
    found = language(draft)
    if found == expected:
        return []
    return [Finding("wrong language", f"the comment is {expected}, the draft reads as {found}")]


def over_limit(case: Case, draft: str, ground: Ground) -> list[Finding]:
    """Longer than the platform takes: X 280 weighted, Bluesky 300 graphemes, Mastodon 500 with "@handle "."""
    limit = LIMITS.get(case.platform, 10_000)
    length = platform_length(case.platform, draft, case.author_handle)
    if length <= limit:
        return []
    unit = UNITS.get(case.platform, "characters")
    return [Finding("over the platform's limit", f"{length} {unit} on {case.platform} (limit {limit})")]


# -- greeting with a word that is not the person's name ------------------------------------------------

_HELLO = re.compile(
    r"^\W*(?i:hi|hey|hello|hiya|dear|morning|evening|afternoon|thanks|thank you|cheers|sorry)\b,?\s+"
    r"([A-Z][\w'’.-]*(?:\s[A-Z][\w'’-]*)?)",
)
_LEADING_HANDLES = re.compile(r"^(?:\s*@[\w.@-]+)+\s*")
_OPENING = re.compile(r"^\s*([^\s,]+(?:\s[A-Z][\w'’-]*)?),\s")
_VOCATIVE = re.compile(r",\s+([A-Z][\w'’-]*(?:\s[A-Z][\w'’-]*)?)\s*[.!?](?:\s|$)")
# Words that open a sentence with a comma or follow one without being anybody's name.
_NOT_NAMES = frozenset(
    "yes no sorry thanks ok okay oh ah aw aww well right sure absolutely honestly hmm good great also so and but"
    " hi hello hey hiya morning evening afternoon cheers noted understood totally fair yep yeah apologies agreed"
    " ha haha wow done unfortunately alas sadly definitely indeed there everyone all folks both again thank you"
    " of course".split()
)
# Places and days end a list ("Ancoats, Chorlton.") more often than they are misused as a name; after "Hi" they
# are a wrong name all the same.
_PLACES = frozenset(
    "ember oak ancoats chorlton didsbury manchester mcr"
    " monday tuesday wednesday thursday friday saturday sunday".split()
)


def _plain(word: str) -> str:
    folded = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in folded if c.isalnum())


def _names(case: Case) -> set[str]:
    """What a draft may call the person: the first name, the full name, the handle (whole or before its domain)."""
    handle = case.author_handle.lstrip("@")
    first = case.author_name.split()[0] if case.author_name.split() else ""
    return {_plain(x) for x in (first, case.author_name, handle, handle.split("@")[0], handle.split(".")[0]) if x}


def greeting_words(draft: str) -> list[str]:
    """The words a draft addresses someone with: "Hi X", "Thanks X", "X, …" at the start, "…, X." anywhere."""
    draft = _LEADING_HANDLES.sub("", draft)  # "@laura_h@mastodon.scot Hi Laura!" greets Laura
    hello = _HELLO.match(draft)
    found = [(hello.group(1), False)] if hello else []
    found += [(m.group(1), True) for m in [_OPENING.match(draft), *_VOCATIVE.finditer(draft)] if m]
    out = []
    for word, bare in found:
        plain = _plain(word)
        if " ".join(word.lower().split()) in _NOT_NAMES or plain in _NOT_NAMES or (bare and plain in _PLACES):
            continue
        if word[:1].islower():  # "so, …", "btw, …": only a capital or a symbol reads as a name
            continue
        out.append(word)
    return list(dict.fromkeys(out))


def wrong_name(case: Case, draft: str, ground: Ground) -> list[Finding]:
    """A greeting whose name is not the author's first name, full name or handle (an emoji counts as a word)."""
    names = _names(case)
    wrong = []
    for word in greeting_words(draft):
        plain = _plain(word)
        if plain in names or _plain(word.split()[0]) in names:
            continue
        wrong.append(word)
    if not wrong:
        return []
    who = f"{case.author_name} (@{case.author_handle.lstrip('@')})"
    return [Finding("greeting with a word that is not the person's name", f"calls {who} {', '.join(wrong)!r}")]


Rule = Callable[[Case, str, Ground], list[Finding]]
RULES: tuple[tuple[str, Rule], ...] = (
    ("upbeat tone to a negative comment", upbeat_to_negative),
    ("asks for information the comment gave", asks_for_given),
    ("a fact not in comment/thread/knowledge", unsupported_fact),
    ("wrong language", wrong_language),
    ("over the platform's limit", over_limit),
    ("greeting with a word that is not the person's name", wrong_name),
)


def judge(case: Case, draft: str, ground: Ground) -> list[Finding]:
    """Every rule the draft breaks."""
    return [finding for _, rule in RULES for finding in rule(case, draft, ground)]
