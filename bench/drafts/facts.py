"""Facts a draft states (links, e-mails, prices, times, dates, references, counts, promises) and which have no source.

A fact is grounded when the same fact appears in the comment, its thread, the author's name or handle, or the
knowledge. Each kind is compared in a normal form (a price by currency and value, a time by its digits, a weekday
by its name), so "Sun 12-9pm" in the knowledge grounds "Sunday … 9pm" in a draft.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

_MENTION = re.compile(r"(?<![\w@])@[\w.\-]+(?:@[\w.\-]+)?")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Lower-case top-level domain of two letters or more: "e.g." and "9.5/10" are not links.
_URL = re.compile(r"(?:https?://\S+|\b(?:[A-Za-z0-9-]+\.)+[a-z]{2,}\b(?:/[^\s,;)]*)?)")
_REF = re.compile(r"\bEOB?-[A-Z0-9]+\b", re.IGNORECASE)
_PRICE = re.compile(r"[£$€]\s?(\d+(?:[.,]\d{1,2})?)")
_TIME = re.compile(
    r"\b(\d{1,2})(?:[:.](\d{2}))?\s?(?:am|pm)\b|\b(\d{1,2})[:.](\d{2})\b|\b(noon|midday|midnight)\b", re.I
)
_NUMBER = re.compile(r"\b(\d+(?:\.\d+)?)(?:st|nd|rd|th)?\b")
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
# Full weekday names in any case; the short forms only capitalised ("sat at the bar" is not Saturday).
_DAY = re.compile(
    r"\b(?:(?i:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?|Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\b"
)
_DAY_RANGE = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\w*\s?[-–]\s?(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\w*")
# Month names capitalised; "May" only beside a number ("May I…" is not a date).
_MONTH = re.compile(
    r"\b(?:January|February|March|April|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b|\bMay\b(?=\s?\d)|(?<=\d\s)May\b"
)
_HOLIDAY = re.compile(
    r"\b(?:christmas (?:eve|day)|boxing day|new year'?s (?:eve|day)|easter (?:sunday|monday))\b", re.IGNORECASE
)
# Named promises. "feel free to" is an invitation, not a promise; "X-free" (nut-free, step-free) is a claim.
_PROMISE = re.compile(
    r"\b(refund\w*|compensat\w*|discount\w*|complimentary|on us|on the house|money back|[a-z]+-free"
    r"|(?<!feel )free\b(?! to\b))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Fact:
    """One fact in a text: its kind and its normal form (what is compared)."""

    kind: str
    value: str


def _short_day(word: str) -> str:
    return next(d for d in _DAYS if d.startswith(word.lower()[:3]))


def _short_month(word: str) -> str:
    return next(m for m in _MONTHS if m.startswith(word.lower()[:3]))


def _time(found: re.Match[str]) -> str:
    if found.group(5):
        return {"noon": "12", "midday": "12", "midnight": "12"}[found.group(5).lower()]
    hour = found.group(1) or found.group(3)
    minute = found.group(2) or found.group(4) or "00"
    return hour.lstrip("0") + ("" if minute == "00" else f":{minute}")


def _number(text: str) -> str:
    value = float(text.replace(",", "."))
    return f"{value:g}"


def facts(text: str) -> set[Fact]:
    """Every fact in a text, each span read once (an e-mail is not also a link, a reference not also a count)."""
    out: set[Fact] = set()
    rest = _MENTION.sub(" ", text)
    readers: list[tuple[re.Pattern[str], Callable[[re.Match[str]], Fact]]] = [
        (_EMAIL, lambda m: Fact("email", m.group(0).lower())),
        (_URL, lambda m: Fact("link", _link(m.group(0)))),
        (_REF, lambda m: Fact("reference", m.group(0).upper())),
        (_PRICE, lambda m: Fact("price", m.group(0)[0] + _number(m.group(1)))),
        (_TIME, lambda m: Fact("time", _time(m))),
        (_HOLIDAY, lambda m: Fact("date", " ".join(m.group(0).lower().replace("'", "").split()))),
        (_DAY, lambda m: Fact("date", _short_day(m.group(0)))),
        (_MONTH, lambda m: Fact("date", _short_month(m.group(0)))),
        (_NUMBER, lambda m: Fact("count", _number(m.group(1)))),
        (_PROMISE, lambda m: Fact("promise", _promise(m.group(0)))),
    ]
    for pattern, read in readers:
        if pattern is _DAY:  # "Tue-Thu" names Wednesday too
            for found in _DAY_RANGE.finditer(rest):
                out |= _day_range(found)
        out.update(read(found) for found in pattern.finditer(rest))
        rest = pattern.sub(" ", rest)
    return out


def numbers(text: str) -> set[str]:
    """Every number written in a text, in normal form, times as "H:MM" too: what grounds a count or a time."""
    found = {_number(n) for n in re.findall(r"(?<![\d.])\d+(?:\.\d+)?", text)}
    return found | {f"{h.lstrip('0') or '0'}:{m}" for h, m in re.findall(r"\b(\d{1,2})[:.](\d{2})\b", text)}


def _day_range(found: re.Match[str]) -> set[Fact]:
    first, last = _DAYS.index(_short_day(found.group(1))), _DAYS.index(_short_day(found.group(2)))
    return {Fact("date", _DAYS[i % 7]) for i in range(first, first + (last - first) % 7 + 1)}


def _link(raw: str) -> str:
    bare = re.sub(r"^https?://", "", raw.lower()).removeprefix("www.")
    return bare.rstrip(".,!?)/")


def _promise(raw: str) -> str:
    low = " ".join(raw.lower().split())
    return next((stem for stem in ("refund", "compensat", "discount") if low.startswith(stem)), low)


def _grounded(fact: Fact, known: set[Fact], digits: set[str], source: str) -> bool:
    if fact in known:
        return True
    if fact.kind == "link":  # a bare domain is grounded by a known link or e-mail address on it
        return any(
            (k.kind == "link" and k.value.startswith(fact.value + "/"))
            or (k.kind == "email" and k.value.endswith("@" + fact.value))
            for k in known
        )
    if fact.kind == "time":  # "7pm" is grounded by "at 7" and by "19:00"
        hour, _, minute = fact.value.partition(":")
        later = str((int(hour) + 12) % 24) + (f":{minute}" if minute else "")
        return fact.value in digits or later in digits
    if fact.kind == "count":
        return fact.value in digits
    if fact.kind == "promise" and fact.value.endswith("-free"):
        return re.search(re.escape(fact.value[:-5]) + r"[- ]free\b", source, re.IGNORECASE) is not None
    return False


def ungrounded(draft: str, sources: Iterable[str]) -> list[Fact]:
    """The facts in a draft found in none of the sources, in a stable order."""
    source = "\n".join(sources)
    known, digits = facts(source), numbers(_MENTION.sub(" ", source))
    return sorted((f for f in facts(draft) if not _grounded(f, known, digits, source)), key=lambda f: (f.kind, f.value))
