"""Find the first name to greet a commenter by, or none: a greeting with a word that is not their name is worse."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from listener.matching import fold

# Words that make a display name a page, shop, role or place rather than a person, wherever they stand
# ("Chorlton Cooks", "MCR Eats Feed", "Acme Care"); chosen to be rare as surnames, so "Tom Baker" keeps his.
PAGE_WORDS = frozenset(
    """
    official team support care helpdesk service services customer customers info admin mods staff
    store shop shops market deals offers sales promo promos giveaway giveaways ltd inc llc plc co
    company group brand brands media news feed feeds daily weekly tv radio blog blogger vlog vlogs reviews
    reviewer guide guides club society fans community hub page account bot bots cooks eats eat eating
    foodie foodies food foods kitchen kitchens cafe café coffee coffees brews brewing roasters roastery
    bistro grill pub deli diner restaurant restaurants bakery bakes pizza burgers vegan recipes cocktails
    moderator alerts deals jobs signals crypto invest investing cash summaries updates events tips
    mum mom dad uk usa eu mcr ldn nyc pdx
    """.split()
)
# Words that open display names but are not first names: titles, roles, family words, places and
# adjectives (spaCy's English stop words, "the", "my", "just", are added by not_names()).
_NOT_NAMES = PAGE_WORDS | frozenset(
    """
        mr mrs ms miss mx sir dame lord lady dr doc prof professor rev father sister brother uncle auntie
        aunty mum mom mama mam dad papa nan nana grandma grandpa granny baby bro sis king queen prince
        princess saint st captain capt chef cook baker barista tea brew roast bar burger wine beer cake
        cakes sweet help mod winner win fan mc mac de del della di da le la van von
        uk usa us eu mcr ldn nyc pdx north south east west city town local
        real just not big little tiny old new young hungry happy lazy crazy mad angry sad proud busy
        hello hi hey dear love lover lovers life living world planet best good great top
        free gift remote video follow grow auto wiki remind night morning sunday weekend rainy sunny
        """.split()
)


@cache
def english_stop_words() -> frozenset[str]:
    """The English stop words of spaCy, imported on first use, not at start-up: `heard status` never needs them."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


@cache
def not_names() -> frozenset[str]:
    """Words that are never a first name: ours above and spaCy's English stop words ("will", "may" are names)."""
    return _NOT_NAMES | (english_stop_words() - {"will", "may"})


_NAME = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
_LETTERS = re.compile(r"[^\W\d_]+")
# The words of a handle: "RemindMeBot" -> Remind, Me, Bot; "mcr_eats" -> mcr, eats.
_CAMEL_PARTS = re.compile(r"[^\W\d_][^\W\d_A-Z]*")
# Han, kana and Hangul names put the family name first and want an honorific: no bare first word there.
# Words that join a first name to a place or a pursuit in a handle: "MarthaInLeeds", "LuciaEnCocina".
_LINKS = frozenset("in on at of from to by and en de du da di la le el na no the".split())
_FAMILY_FIRST = re.compile("[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]")


def greeting_name(display: str, handle: str, *, ours: Iterable[str] = ()) -> str:
    """The first name in a display name (or in a handle-shaped one), or "" when unsure.

    ``ours`` are our own handles and brand or product names: no word of theirs is ever a greeting,
    and a display name using one (an impersonator, a fan page) gets no name at all.
    """
    display = (display or "").strip()
    if not display or display.startswith("@"):
        # A display name that is the handle: "PaulineInSale" starts with a name, "mcr_eats" does not.
        shaped = display.removeprefix("@") or handle
        word = _lead(shaped)
        tokens = _CAMEL_PARTS.findall(shaped)
        if len(tokens) > 1 and not (len(tokens[1]) == 1 or tokens[1].lower() in _LINKS):
            return ""  # "FirePitFrank", "CookingWithCaz": "Name" + "In"/"On"... is a name, anything else a guess
    else:
        tokens = display.split()
        wordy = sum(bool(_LETTERS.search(t)) and t[0] not in "#@" and _digits(t) < 0.5 for t in tokens)
        if wordy * 2 < len(tokens):
            return ""  # mostly emoji, hashtags or numbers: a label, not a person
        if any(t in ("&", "+", "and", "x") for t in tokens) or _alliterative(tokens):
            return ""  # "Hearth & Home", "Jo & Sam", "Didsbury Dan": a business, a couple or a nickname
        if _camel(tokens[0]):
            return ""  # "CryptoMax", "GrowthPro": a brand's spelling, and "McKenzie" is too rare to guess at
        word = _lead(tokens[0].rstrip(".,;:!"))
    if not _looks_like_first_name(word):
        return ""
    folded_ours = [fold(o) for o in ours if o]
    for part in (p for t in tokens for p in _LETTERS.findall(fold(t))):
        if part in PAGE_WORDS or (part == fold(word) or len(part) >= 3) and any(part in o for o in folded_ours):
            return ""
    return word


def _lead(token: str) -> str:
    """A whole name-shaped token, or the capitalised word leading a handle ("PaulineInSale" -> "Pauline")."""
    found = _NAME.match(token)
    if found and found.end() == len(token) and not _camel(token):
        return token
    letters = _LETTERS.match(token)
    if not letters:
        return ""
    run = letters.group()
    end = 1
    while end < len(run) and run[end].islower():
        end += 1
    return run[:end]


def _camel(token: str) -> bool:
    return any(a.islower() and b.isupper() for a, b in zip(token, token[1:], strict=False))


def _alliterative(tokens: list[str]) -> bool:
    return len(tokens) == 2 and tokens[0][:1].isupper() and tokens[0][:1] == tokens[1][:1] and len(tokens[1]) > 1


def _digits(token: str) -> float:
    return sum(c.isdigit() for c in token) / len(token)


def _looks_like_first_name(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    if len(letters) < 2 or not _NAME.fullmatch(word) or _FAMILY_FIRST.search(word):
        return False
    cased = word[0].lower() != word[0].upper()
    if cased and (not word[0].isupper() or word.isupper()):
        return False  # "dave" may be a handle, "MCR" an acronym: unsure, so no name
    return fold(word) not in not_names()
