"""What a comment is about (a product, a venue, a dish it names) and whether a draft mentions it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

VENUES = ("Ancoats", "Chorlton", "Didsbury")
# Dishes and things on the menu people name, with the other ways they write them. Products from replies.toml
# join these; a name inside a longer one ("roast" in "nut roast") is not a second topic.
DISHES: Mapping[str, tuple[str, ...]] = {
    "sticky toffee pudding": (r"sticky toffee pud(?:ding)?s?", r"\bSTP\b"),
    "short rib": (r"short[- ]?ribs?",),
    "celeriac": (r"celeriac",),
    "mulled cider": (r"mulled cider",),
    "porchetta": (r"porchetta",),
    "nut roast": (r"nut roasts?",),
    "Sunday roast": (r"(?:sunday )?roasts?(?! potato)", r"roast dinners?"),
    "gravy": (r"gravy",),
    "Yorkshire pudding": (r"yorkshire(?: pud(?:ding)?)?s?", r"yorkies?"),
    "roast potatoes": (r"roasties", r"roast potato(?:es)?"),
    "crackling": (r"crackling",),
    "mash": (r"mash",),
    "bread": (r"bread",),
    "beef": (r"beef",),
    "lamb": (r"lamb(?: shoulder)?",),
    "chicken": (r"chicken",),
    "cauliflower": (r"cauliflower",),
    "pigs in blankets": (r"pigs in blankets",),
    "brunch": (r"brunch",),
    "gift voucher": (r"(?:gift |e-)?vouchers?", r"gift cards?"),
    "winter menu": (r"winter menu",),
    "smoked salt": (r"smoked salt",),
}


@dataclass(frozen=True)
class Topics:
    """Each topic's name with the patterns that find it."""

    patterns: tuple[tuple[str, re.Pattern[str]], ...]

    def named(self, text: str) -> list[str]:
        """The topics a text names, in order of appearance; where spellings overlap the longest match wins."""
        spans = sorted(
            ((m.start(), m.end(), topic) for topic, pattern in self.patterns for m in pattern.finditer(text)),
            key=lambda s: (s[0] - s[1], s[0]),
        )
        taken: list[tuple[int, int, str]] = []
        for start, end, topic in spans:
            if all(end <= s or start >= e for s, e, _ in taken):
                taken.append((start, end, topic))
        return list(dict.fromkeys(topic for _, _, topic in sorted(taken)))

    def mentions(self, draft: str, topics: Iterable[str]) -> bool:
        """Whether the draft names any of the topics (in any of its spellings)."""
        return bool(set(self.named(draft)) & set(topics))


def _product_pattern(product: str) -> str:
    words = [re.escape(w) for w in product.split()]
    return r"[\s-]+".join(words) + r"s?"


def build_topics(products: Iterable[str]) -> Topics:
    """The venues, the dish list and the products of replies.toml's ``settings.products``."""
    spelled: dict[str, list[str]] = {venue: [venue] for venue in VENUES}
    for dish, spellings in DISHES.items():
        spelled.setdefault(dish, []).extend(spellings)
    canon = {name.lower(): name for name in spelled}
    for product in products:
        spelled.setdefault(canon.get(product.lower(), product), []).append(_product_pattern(product))
    patterns = [
        (topic, re.compile(rf"(?<![\w-])(?:{spelling})(?![\w])", re.IGNORECASE))
        for topic, spellings in spelled.items()
        for spelling in spellings
    ]
    return Topics(tuple(patterns))
