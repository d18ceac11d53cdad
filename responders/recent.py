"""Keep our latest replies on one account as word sets, indexed by word: the near-duplicate check at any size."""

from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Sequence
from fractions import Fraction
from functools import cache, lru_cache

_WORD = re.compile(r"[a-z0-9']+")
# Replies sharing more than this share of their words with a recent one read as canned.
NEAR_DUPLICATE = 0.8
# How many of our latest replies on an account a new suggestion must not repeat (a busy day's worth).
RECENT_REPLIES = 2000


def words(text: str) -> set[str]:
    """The set of lower-cased words in a text."""
    return set(_WORD.findall(text.lower()))


# A draft is tested for nearness, then kept when chosen; its alternatives are ranked by overlap: each read once.
@lru_cache(maxsize=8192)
def _word_set(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower()))


def overlap(a: str, b: str) -> float:
    """Share of words two texts have in common (Jaccard)."""
    wa, wb = _word_set(a), _word_set(b)
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0


def near_duplicate(text: str, others: Sequence[str]) -> bool:
    """Whether a text shares more than NEAR_DUPLICATE of its words with any of the others."""
    return any(overlap(text, o) > NEAR_DUPLICATE for o in others)


@cache
def _sizes(n: int) -> tuple[int, int]:
    """The word counts a set may have and still be a near duplicate of one of ``n`` words (bounds included).

    Shared words over all words cannot exceed the smaller count over the larger, so each count must be
    more than t times the other; reckoned with the exact value of the float t, so no pair is lost.
    """
    t = Fraction(NEAR_DUPLICATE)
    return math.floor(t * n) + 1, math.ceil(n / t) - 1


class Recent:
    """Our latest ``keep`` replies on one account (newest kept, oldest forgotten), for the near-duplicate check.

    ``near`` answers exactly ``near_duplicate(text, kept)``, but looks only at the replies sharing one of
    a few of the text's rarest words, so its cost follows those words, not how many replies are kept.
    """

    def __init__(self, texts: Sequence[str] = (), *, keep: int = RECENT_REPLIES) -> None:
        """Start from ``texts``, newest first (as the store returns them); only the newest ``keep`` count."""
        self._keep = keep
        self._next = 0
        self._sets: dict[int, frozenset[str]] = {}
        self._order: deque[int] = deque()  # oldest first
        self._postings: dict[str, set[int]] = {}
        for text in reversed(texts[:keep]):
            self.add(text)

    def add(self, text: str) -> None:
        """Count a reply just suggested, so the next suggestion avoids it too (forgetting the oldest past ``keep``)."""
        key, self._next = self._next, self._next + 1
        mine = _word_set(text)
        self._sets[key] = mine
        self._order.append(key)
        for w in mine:
            self._postings.setdefault(w, set()).add(key)
        while len(self._order) > self._keep:
            self._forget(self._order.popleft())

    def near(self, text: str) -> bool:
        """Whether ``text`` shares more than NEAR_DUPLICATE of its words with a kept reply."""
        mine = _word_set(text)
        if not mine:
            return False
        # Sharing more than t of the union means sharing more than t * len(mine) words, so a near
        # duplicate holds at least one of any len(mine) - floor(t * len(mine)) of them: probe the
        # rarest. One more than the bound needs, so float rounding can never drop a candidate.
        n = len(mine)
        probe = n - math.floor(NEAR_DUPLICATE * n) + 1
        empty: set[int] = set()
        rarest = sorted((self._postings.get(w, empty) for w in mine), key=len)[:probe]
        low, high = _sizes(n)
        seen: set[int] = set()  # each kept reply is compared once, however many rare words it shares
        sets = self._sets
        for postings in rarest:
            for key in postings - seen if seen else postings:
                w = sets[key]
                size = len(w)
                if low <= size <= high:
                    shared = len(mine & w)
                    if shared / (n + size - shared) > NEAR_DUPLICATE:
                        return True
            seen |= postings
        return False

    def _forget(self, key: int) -> None:
        for w in self._sets.pop(key):
            postings = self._postings[w]
            postings.discard(key)
            if not postings:
                del self._postings[w]
