"""Read what a comment gives a draft: the first name to greet, the product or topic it names, its question, a ref."""

from __future__ import annotations

import re
from collections.abc import Sequence

from listener.errors import ConfigError
from listener.matching import fold
from listener.platforms import at_handle, plain_text, spec
from listener.records import Comment
from responders.greeting import english_stop_words, greeting_name
from responders.knowledge import REFERENCE
from responders.library import Library

# How a determiner in the comment reads in our reply: their "my booking" is "your booking", their "your app" our app.
_TURN = {"my": "your", "our": "your", "your": "our", "ur": "our", "yr": "our", "this": "the", "that": "the",
         "these": "the", "those": "the", "the": "the", "a": "a", "an": "an"}  # fmt: skip
_DETERMINER = re.compile(r"\b(" + "|".join(_TURN) + r")\s+", re.IGNORECASE)
# "do you have high chairs", "do you take Amex": what they ask whether we have or do.
_DO_YOU = re.compile(
    r"\b(?:do|does|did|can|could|will|would) (?:you|u|ya|ye)(?: guys| lot)? (?:have|do|sell|offer|take|serve|make|"
    r"accept|allow|stock|deliver|ship|open|run|cater for|cater) (?:any )?",
    re.IGNORECASE,
)
_HOLIDAY = re.compile(r"\b(christmas (?:day|eve)|boxing day|new year'?s? (?:day|eve)|easter|bonfire night)\b", re.I)
_PLACE = re.compile(r"\s+(?:at|in) ((?:[A-Z][\w'-]+)(?: [A-Z][\w'-]+)?)")
# Words that end a noun phrase: they are what is said about it, not part of its name.
_VERBS = frozenset(
    """
    is are was were be been being am has have had do does did says said say keeps keep kept came come comes coming
    arrive arrived turned went goes go going gets got get looks look looked seems seem tastes taste tasted made make
    makes need needs want wants finish finishes finished start starts started open opens close closes closed stop
    stops work works worked taking take takes took sold sell sells add adds let lets left leave leaves told tell
    tells sang sing sings crash crashes crashed doing waiting show shows showed sent send sends gave give gives ran
    runs run broke breaks cost costs charged lived lives smells smelt feels felt hit hits ruined lasted mean means
    meant still just already again now today tonight tomorrow yesterday please thanks thank lol tbh honestly literally
    really so too very also even ever always
    """.split()
)
# Words that end a phrase they do not open: "the car park free after 6", "the roasties soggy".
_PREDICATES = frozenset(
    "free open closed available full busy ok okay fine good great safe ready late cold lukewarm soggy flat dry "
    "amazing unreal perfect lovely brilliant vegan veggie vegetarian halal".split()
)
# Heads that name nothing in particular ("the one thing", "the other day") or a person, not a subject.
_GENERIC = frozenset(
    """
    thing things one ones stuff lot lots way time times bit day days night week weekend year month morning
    afternoon evening place people guys question post photo photos pic pics picture video reason end rest other
    others birthday hell mug toddler baby child children person guy partner nan mum mom dad daughter son husband
    wife kids kid family friend friends sister brother mate mates boyfriend girlfriend
    """.split()
)
# "gluten free", "alcohol free": what "free" names after these is part of the thing.
_FREE_OF = frozenset("gluten dairy nut alcohol sugar meat egg lactose wheat".split())
_CALENDAR = re.compile(
    r"^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]*$", re.IGNORECASE
)
_WORD = re.compile(r"[^\W\d_][\w'-]*|\d+", re.UNICODE)
_LABELS = (("order", "order number"), ("book", "booking reference"), ("table", "booking reference"))


def read_comment(
    comment: Comment, library: Library, *, lang: str = "en", unhappy: bool = False, thread: Sequence[str] = ()
) -> dict[str, str]:
    """The fields a wording may use, filled from the comment (escaped for its platform) and the library.

    ``unhappy`` turns "a delivery" into "the delivery" ("I'm sorry about the delivery"), where a question's
    "a set menu" stays as asked. A reference given earlier in the ``thread`` counts as given.
    """
    ours = (comment.account, *library.brand, *library.products)
    text = strip_mentions(comment.text)
    # Noun phrases are read the English way: a comment in another language names only a product.
    english = lang in ("en", "und", "") and library.language == "en"
    topic = topic_of(text, library, english=english)
    if unhappy:
        topic = re.sub(r"^an? ", "the ", topic)
    place = place_named(question_of(text), library) or place_named(text, library)
    if place and fold(place) not in fold(topic) and english:
        # "your booking at Ancoats"; with nothing else named, the place is the topic ("your visit to Chorlton").
        topic = f"{topic} at {place}" if topic else (f"your visit to {place}" if unhappy else place)
    earlier = (reference_of(t) for t in reversed(thread))
    values = {
        "name": greeting_name(comment.author.name, comment.author.handle, ours=ours),
        "product": product_named(text, library),
        "place": place,
        "topic": topic,
        "question": question_of(text),
        "reference": reference_of(text) or next((r for r in earlier if r), ""),
    }
    try:
        rule = spec(comment.platform)
        escape, mention = rule.escape, rule.mention
    except ConfigError:
        escape, mention = plain_text, at_handle
    # Words taken from a comment must read as typed, not as formatting or a link (Reddit's markdown).
    values = {k: escape(v) for k, v in values.items()}
    contact = library.knowledge.contact
    return {**values, "handle": mention(comment.author.handle), "signature": library.signature, "contact": contact}


def place_named(text: str, library: Library) -> str:
    """The first of our places (``[settings] places``) the text names, as the library spells it, or ""."""
    folded = fold(text)
    found = [
        (m.start(), p)
        for p, pattern in zip(library.places, library.place_patterns, strict=True)
        if pattern and (m := pattern.search(folded))
    ]
    return min(found)[1] if found else ""


def product_named(text: str, library: Library) -> str:
    """The longest of our products the text names, as the library spells it, or ""."""
    found = _product_in(text, library)
    return found[1] if found else ""


def _product_in(text: str, library: Library) -> tuple[int, str] | None:
    """Where the longest product the text names starts, and the product; None when it names none."""
    folded = fold(text)
    found = [
        (m.end() - m.start(), m.start(), p)
        for p, pattern in zip(library.products, library.product_patterns, strict=True)
        if pattern and (m := pattern.search(folded))
    ]
    if not found:
        return None
    _, start, product = max(found, key=lambda f: (f[0], -f[1]))
    return start, product


def _product_topic(text: str, library: Library) -> str:
    """The product the text names, with its determiner turned our way ("the short rib", "your nut roast"), or ""."""
    found = _product_in(text, library)
    if found is None:
        return ""
    start, product = found
    # "a sourdough loaf", "the new sticky toffee pudding": the determiner one or two words before; else "the".
    before = [w.lower() for w in re.findall(r"[\w'-]+", text[:start])[-2:]]
    turned = next((_TURN[w] for w in reversed(before) if w in _TURN), "the")
    return f"{turned} {product}"


def topic_of(text: str, library: Library, *, english: bool = True) -> str:
    """What a comment is about: a product it names, else (in English) a short noun phrase in our words, or "".

    The sentence that asks is read first, then the whole comment; a place after the phrase comes along
    ("high chairs at Didsbury"), and a holiday named is a topic too ("Boxing Day").
    """
    for part in dict.fromkeys((question_of(text), text)):
        topic = _product_topic(part, library) or (_first_phrase(part) if english else "")
        if topic:
            return topic.lower() if _shouted(text) else topic
    holiday = _HOLIDAY.search(text) if english else None
    return holiday.group(1).title().replace("'S", "'s") if holiday else ""


def _first_phrase(text: str) -> str:
    candidates = [(m.end(), _TURN[m.group(1).lower()]) for m in _DETERMINER.finditer(text)]
    candidates += [(m.end(), "") for m in _DO_YOU.finditer(text)]
    for end, turned in sorted(candidates):
        phrase = _phrase(text[end:])
        if not phrase:
            continue
        place = _PLACE.match(text[end + len(phrase) :])
        if place and place.group(1).lower() not in english_stop_words() and not _CALENDAR.match(place.group(1)):
            phrase += f" at {place.group(1)}"
        return f"{turned} {phrase}".strip()
    return ""


def _phrase(rest: str) -> str:
    """The noun phrase at the start of ``rest``: up to four words, ending before a verb, stop word or punctuation.

    A phrase whose head names nothing in particular ("the other day", "my partner") is no topic.
    """
    words: list[str] = []
    end = 0
    for match in _WORD.finditer(rest):
        word, low = match.group(), match.group().lower()
        if rest[end : match.start()].strip():
            break  # punctuation between words ends the phrase
        if low in _VERBS or low in english_stop_words() or "'" in word or low.isdigit() or len(words) == 4:
            break
        if words and low in _PREDICATES and not (low == "free" and words[-1].lower() in _FREE_OF):
            break
        words.append(word)
        end = match.end()
    while words and words[-1].lower().endswith(("ed", "ly", "-free")):
        words.pop()
    if not words or words[-1].lower() in _GENERIC or all(len(w) < 3 for w in words):
        return ""
    return " ".join(words)


def _shouted(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) > 10 and sum(c.isupper() for c in letters) > len(letters) / 2


def question_of(text: str) -> str:
    """The sentence that asks, or the whole text, cut to 200 characters."""
    text = re.sub(r"https?://\S+", "", text).strip()
    sentences = re.split(r"(?<=[.!?])\s+", text)
    asked = next((s for s in sentences if s.endswith("?")), text)
    return asked if len(asked) <= 200 else asked[:199].rsplit(" ", 1)[0] + "\u2026"


def reference_of(text: str) -> str:
    """The order or booking reference the comment gave, named as it was ("order number EO-48213"), or ""."""
    found = REFERENCE.search(text)
    if not found:
        return ""
    near = text[max(0, found.start() - 40) : found.start()].lower() + text.lower()
    label = next((name for word, name in _LABELS if word in near[:40]), "")
    label = label or next((name for word, name in _LABELS if word in near), "reference")
    return f"{label} {found.group(0)}"


def strip_mentions(text: str) -> str:
    """The text without @handles and u/names (handles may carry dots and a server)."""
    return re.sub(r"(?:^|\s)(?:@|/?u/)[\w.@-]*\w", " ", text).strip()
