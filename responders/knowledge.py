"""Read knowledge.md, the facts a draft may state, and find the checkable facts (links, prices, times...) in any text.

knowledge.md is Markdown: ``#`` headings name sections and every bullet (or plain line) under one is a
fact. ``Knowledge`` keeps the facts as text lines and an index of the fact tokens they hold, so a draft
can be checked for a link, email, price, time, date, reference, number or promise that nobody gave.
The format is in docs/drafts.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from listener.errors import ConfigError
from listener.matching import fold

# -- fact tokens ------------------------------------------------------------------------------------

_URL = re.compile(r"(?<![@\w.-])(?:https?://)?(?:www\.)?((?:[a-z0-9-]+\.)+[a-z]{2,}(?:/[^\s)\]>\"']*)?)", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# An order or booking reference: letters, a dash, then letters and digits with at least one digit
# ("EO-48213", "EOB-7K2Q9"), or a "#" and digits.
REFERENCE = re.compile(r"\b[A-Za-z]{1,6}-(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{3,12}\b|#\d{4,}\b")
_PHONE = re.compile(r"(?<![\w£$€])\+?\d[\d ]{8,}\d\b")
_PRICE = re.compile(r"([£$€])\s?(\d+(?:[.,]\d{1,2})?)|\b(\d+(?:\.\d{1,2})?)\s?(p|pence|quid|pounds|euros?|dollars)\b")
_TIME_RANGE = re.compile(
    r"\b(\d{1,2})(?::(\d{2}))?\s?(am|pm)?\s?(?:-|–|to|until|till)\s?(\d{1,2})(?::(\d{2}))?\s?(am|pm)\b"
)
_TIME = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s?(am|pm)\b|\b(\d{1,2}):(\d{2})\b|\b(noon|midday|midnight)\b")
_MONTHS = "january february march april may june july august september october november december".split()
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?(?: of)? {_MONTH}\b|\b{_MONTH}\.? (\d{{1,2}})(?:st|nd|rd|th)?\b"
    r"|\b(\d{1,2})(st|nd|rd|th)\b|\b(\d{1,2})/(\d{1,2})(?:/\d{2,4})?\b|\b(\d{4})-(\d{2})-(\d{2})\b"
)
_MONTH_ALONE = re.compile(rf"\b{_MONTH}\b")
_WEEKDAY = re.compile(
    r"\b(mon|tues|wednes|thurs|fri|satur|sun)days?\b|\b(mon|tue|wed|thu|fri|sat|sun)(?:s|rs)?\.?(?=\s*[-–,]|\s+\d)"
)
_HOLIDAY = re.compile(r"\b(christmas (?:day|eve)|boxing day|new year'?s? (?:day|eve)|easter|valentine'?s?)\b")
_NUMBER_WORDS = {
    w: n
    for n, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen".split()
    )
} | {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "twice": 2, "dozen": 12}
# What REFERENCE, _PHONE, _PRICE, _TIME_RANGE and _DATE cannot match without (\d: any Unicode digit, as theirs).
_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(r"\b(\d+(?:\.\d+)?)(%)?|\b(" + "|".join(_NUMBER_WORDS) + r")\b")
# What we say we will do. Only knowledge.md, replies.toml and our earlier words in the thread may promise it.
_PROMISES = {
    "refund": r"refund|reimburse|money back|pay (?:you )?back",
    "free": r"give you (?:a |an )?(?:discount|voucher|credit|refund)|make it up to you|offer you",
    "replace": r"replace|remake|re-?send|resend|redeliver",
    "send": r"send|post|email|e-mail|text|dm|message",
    "call": r"call|ring|phone",
    "follow_up": r"get back to you|come back to you|be in touch|follow up|update you|reply (?:here|to you)"
    r"|you'?ll hear from us|hear back",
    "fix": r"fix|sort (?:it|this|that) (?:out )?(?:today|now|straight away)|put (?:it|this|that) right",
}
_WE = (
    r"\b(?:we(?:'ll| will| are going to|'re going to| can| shall)|i(?:'ll| will)|and will|and we'll"
    r"|(?:the )?(?:team|manager|someone|a manager|a colleague|chef)(?: will|'ll))\s+(?:\w+\s+){0,3}?"
)
_PROMISE = {key: re.compile(rf"{_WE}(?:{words})\b") for key, words in _PROMISES.items()}
_PROMISE["free"] = re.compile(
    rf"{_WE}(?:{_PROMISES['free']})\b|\b(?:on us|on the house|free of charge|complimentary)\b"
)
_PROMISE["follow_up"] = re.compile(
    rf"{_WE}(?:{_PROMISES['follow_up']})\b|\b(?:you'?ll hear from us|expect a follow-up)\b"
)


@dataclass(frozen=True)
class Fact:
    """One checkable fact in a text: its kind, as written, and the normalised keys any of which supports it."""

    kind: str  # url | email | reference | phone | price | time | date | number | promise
    text: str
    keys: frozenset[str]


# Every draft checked reads the facts of its comment and thread again: each text is read once.
@lru_cache(maxsize=4096)
def facts_in(text: str) -> tuple[Fact, ...]:
    """Every checkable fact in a text, each span read once (a price's digits are not also a number)."""
    low = text.lower().replace("\u2019", "'")
    found: list[Fact] = []
    taken = [False] * len(low)

    def take(pattern: re.Pattern[str], kind: str, keys_of: object) -> None:
        for m in pattern.finditer(low):
            if any(taken[m.start() : m.end()]):
                continue
            keys = keys_of(m)  # type: ignore[operator]
            if keys:
                found.append(Fact(kind, text[m.start() : m.end()], frozenset(keys)))
                taken[m.start() : m.end()] = [True] * (m.end() - m.start())

    # Most drafts hold no digit and no "@": the patterns that cannot match without one are not run (nothing
    # they would have found, nothing they would have taken from a later pattern).
    digits = _DIGIT.search(low) is not None
    if "@" in low:
        take(_EMAIL, "email", lambda m: {f"email:{m.group(0).rstrip('.')}"})
    take(_URL, "url", lambda m: {f"url:{m.group(1).rstrip('/.,;:!?')}"})
    if digits:
        take(REFERENCE, "reference", lambda m: {f"ref:{m.group(0)}"})
        take(_PHONE, "phone", lambda m: {"phone:" + re.sub(r"\D", "", m.group(0))[-9:]})
        take(_PRICE, "price", _price_keys)
        take(_TIME_RANGE, "time", _range_keys)
    take(_TIME, "time", _time_keys)
    if digits:
        take(_DATE, "date", _date_keys)
    take(_HOLIDAY, "date", lambda m: {"holiday:" + re.sub(r"\W+", "-", m.group(1).replace("'s", "").rstrip("s"))})
    take(_MONTH_ALONE, "date", lambda m: {f"month:{_month(m.group(1))}"})
    take(_WEEKDAY, "date", lambda m: {f"weekday:{(m.group(1) or m.group(2))[:3]}"})
    take(_NUMBER, "number", _number_keys)
    for key, pattern in _PROMISE.items():
        found += [
            Fact("promise", text[m.start() : m.end()], frozenset({f"promise:{key}"})) for m in pattern.finditer(low)
        ]
    return tuple(found)


def fact_keys(texts: Iterable[str]) -> frozenset[str]:
    """The keys of every fact in some texts: what a draft's facts are looked up in."""
    return frozenset(k for t in texts for f in facts_in(t) for k in f.keys)


def references_in(text: str) -> tuple[str, ...]:
    """The order or booking references a text gives ("EO-48213"), as written."""
    return tuple(f.text for f in facts_in(text) if f.kind == "reference")


def _price_keys(m: re.Match[str]) -> set[str]:
    symbol, amount = (
        (m.group(1), m.group(2)) if m.group(1) else ({"p": "p", "pence": "p"}.get(m.group(4), "£"), m.group(3))
    )
    value = float(amount.replace(",", "."))
    if symbol == "p":
        symbol, value = "£", value / 100
    return {f"price:{symbol}{value:g}"}


def _clock(hour: int, minute: int, half: str | None) -> set[str]:
    if hour > 23 or minute > 59:
        return set()
    if half is None:  # "7:30" could be either: both readings count
        return {f"time:{hour % 24:02d}:{minute:02d}", f"time:{(hour % 12 + 12) % 24:02d}:{minute:02d}"}
    return {f"time:{hour % 12 + (12 if half == 'pm' else 0):02d}:{minute:02d}"}


def _time_keys(m: re.Match[str]) -> set[str]:
    if m.group(6):
        return {"time:12:00"} if m.group(6) in ("noon", "midday") else {"time:00:00"}
    if m.group(4):
        return _clock(int(m.group(4)), int(m.group(5)), None)
    return _clock(int(m.group(1)), int(m.group(2) or 0), m.group(3))


def _range_keys(m: re.Match[str]) -> set[str]:
    start, end, half = int(m.group(1)), int(m.group(4)), m.group(6)
    # "12-10pm" is noon to ten; "11-3pm" eleven in the morning to three.
    first = m.group(3) or ("am" if half == "pm" and start != 12 and start > end else half)
    return _clock(start, int(m.group(2) or 0), first) | _clock(end, int(m.group(5) or 0), half)


def _month(name: str) -> int:
    return next(i + 1 for i, full in enumerate(_MONTHS) if full.startswith(name.rstrip(".")[:3]))


def _date_keys(m: re.Match[str]) -> set[str]:
    g = m.groups()
    if g[0]:
        return {f"date:{_month(g[1]):02d}-{int(g[0]):02d}", f"day:{int(g[0])}"}
    if g[2]:
        return {f"date:{_month(g[2]):02d}-{int(g[3]):02d}", f"day:{int(g[3])}"}
    if g[4]:
        return {f"day:{int(g[4])}"}
    if g[6]:  # 18/12: the day first, as written in the UK
        return {f"date:{int(g[7]):02d}-{int(g[6]):02d}", f"day:{int(g[6])}"}
    return {f"date:{g[9]}-{g[10]}", f"day:{int(g[10])}"}


def _number_keys(m: re.Match[str]) -> set[str]:
    value = float(_NUMBER_WORDS[m.group(3)]) if m.group(3) else float(m.group(1))
    if value < 2 and not m.group(2):  # "one of us", "1 thing": too common to be a claim
        return set()
    return {f"number:{value:g}{m.group(2) or ''}"}


# -- knowledge.md -----------------------------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_CONTACT = re.compile(r"contact|get in touch|reach us|help|support|email", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")
# How much of a question's weighted words a knowledge line must hold to answer it.
ANSWER_COVER = 0.75
# The section the answers in replies.toml are filed under: facts to check drafts against, not lines to quote
# (replies.toml's keywords already say which question each one answers).
FAQ_SECTION = "answers in replies.toml"


@dataclass(frozen=True)
class Entry:
    """One fact line of knowledge.md with the section it is under."""

    section: str
    text: str


@dataclass(frozen=True)
class Knowledge:
    """The facts a draft may state: knowledge.md's lines, the FAQ answers, and an index of their fact tokens."""

    lines: tuple[Entry, ...] = ()
    # Texts that add fact tokens but are not facts to quote (holding wordings and their promise).
    extra: tuple[str, ...] = ()
    index: frozenset[str] = field(init=False, repr=False, compare=False)
    # The fact lines as one folded text, searched by every draft's greeting check.
    folded: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", fact_keys([*(line.text for line in self.lines), *self.extra]))
        object.__setattr__(self, "folded", fold(" ".join(line.text for line in self.lines)))

    @property
    def facts(self) -> tuple[str, ...]:
        """The fact lines as text."""
        return tuple(line.text for line in self.lines)

    @property
    def contact(self) -> str:
        """The email people should write to: the first one in a section about contact, else the first anywhere."""
        emails = [
            (bool(_CONTACT.search(line.section)), m.group(0)) for line in self.lines for m in _EMAIL.finditer(line.text)
        ]
        contact = [e for about, e in emails if about]
        return (contact or [e for _, e in emails] or [""])[0].rstrip(".")

    def supports(self, fact: Fact) -> bool:
        """Whether any of the fact's keys is in the knowledge."""
        return bool(fact.keys & self.index)

    def plus(self, section: str, texts: Iterable[str], *, extra: Iterable[str] = ()) -> Knowledge:
        """The knowledge with more fact lines under ``section`` (and texts that add tokens only); no line twice."""
        have = set(self.lines)
        more = tuple(line for t in texts if (line := Entry(section, t.strip())).text and line not in have)
        return Knowledge(self.lines + more, tuple(dict.fromkeys((*self.extra, *extra))))

    def answer_for(self, question: str, *, ignore: Iterable[str] = ()) -> str:
        """The fact line that answers a question, or "": one holding (nearly) every word the question asks about.

        Words weigh less the more lines hold them ("Didsbury" is on many lines, "high chairs" on one), and a
        word no line holds weighs most: "when does the Sunday roast finish" is not answered by the line on
        when it starts. A wrong answer is worse than a holding reply.
        """
        asked = content_words(question) - {w for i in ignore for w in content_words(i)}
        lines = [
            (line.text, content_words(f"{line.section} {line.text}"))
            for line in self.lines
            if line.section != FAQ_SECTION
        ]
        if len(asked) < 2 or not lines:
            return ""
        weight = {w: 1 / max(1, sum(w in words for _, words in lines)) for w in asked}
        total = sum(weight.values())
        score, text = max(
            ((sum(weight[w] for w in asked & words), t) for t, words in lines if len(asked & words) >= 2),
            default=(0.0, ""),
        )
        return text if score >= ANSWER_COVER * total else ""


def content_words(text: str) -> frozenset[str]:
    """The words of a text that carry its meaning, lower-cased and without a plural "s"."""
    stop = _stop_words()
    words = (w.lower().removesuffix("'s") for w in _WORD.findall(text.replace("\u2019", "'")))
    return frozenset(_stem(w) for w in words if w not in stop and len(w) > 1)


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


_ASKING = frozenset(
    """
    know tell wondering wonder please thanks thank hi hello hey anyone anybody question asking ask like want need
    get go going come make ok okay also still actually really just guys lot lots bit thing things way sure
    today tonight tomorrow time day week good great love lovely help possible chance plan plans site sites place
    """.split()
)


def _stop_words() -> frozenset[str]:
    from responders.greeting import english_stop_words

    return english_stop_words() | _ASKING


def parse_knowledge(text: str) -> Knowledge:
    """Build Knowledge from knowledge.md's text: each bullet or plain line is a fact under its nearest heading."""
    lines: list[Entry] = []
    section = ""
    for raw in _COMMENT.sub("", text).splitlines():
        heading = _HEADING.match(raw)
        if heading:
            section = heading.group(2) if len(heading.group(1)) > 1 or not section else section
            continue
        bullet = _BULLET.match(raw)
        body = (bullet.group(1) if bullet else raw).strip()
        if not body:
            continue
        if not bullet and raw[:1].isspace() and lines and lines[-1].section == section:
            lines[-1] = Entry(section, f"{lines[-1].text} {body}")  # a bullet's wrapped line
            continue
        lines.append(Entry(section, body))
    return Knowledge(tuple(lines))


def load_knowledge(path: Path) -> Knowledge:
    """Read knowledge.md; a missing file is empty knowledge, an unreadable one a ConfigError."""
    try:
        return parse_knowledge(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Knowledge()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the knowledge file: {exc}") from exc
