"""Count a reply's length the way each platform does: twitter-text for X, graphemes for Bluesky and Mastodon.

X's weights come from twitter-text itself (the ``twitter-text-parser`` port: URLs 23, an emoji 2,
CJK and most non-Latin scripts 2). Mastodon counts graphemes with each URL as 23 and a remote
mention without its domain, finding URLs as it does, with twitter-text's extractor (a URL needs
its scheme there). Bluesky counts graphemes; Reddit and YouTube count characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

URL_WEIGHT = 23
# Texts whose count is kept: drafting measures the same wordings again and again, and twitter-text is dear.
COUNTS_KEPT = 4096
# A remote Mastodon mention counts as its local part: "@ann@example.social" weighs as "@ann".
_REMOTE_MENTION = re.compile(r"(@[a-z0-9_]+)@[a-z0-9.-]+[a-z0-9]", re.IGNORECASE)
_ZWJ = "\u200d"
# twitter-text's domain pattern backtracks without end on long runs of dotted labels that are no
# domain ("a.a.a.…": 2,000 characters take 17 s). Such a run is cut at URL separators; a piece with
# more dots than any real host has, or longer than a DNS name may be, has its dots counted as
# commas: they weigh the same, and no URL can then start inside it.
_PIECE = re.compile(r"[^\s/?#=&]+")
MAX_HOST_DOTS, MAX_HOST = 16, 253


def _extends(ch: str) -> bool:
    """Whether a code point joins the grapheme before it (marks, selectors, skin tones, keycap, ZWJ)."""
    code = ord(ch)
    return (
        unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0020 <= code <= 0xE007F  # emoji tag sequences (subdivision flags)
        or 0x1F3FB <= code <= 0x1F3FF  # skin-tone modifiers
        or ch == _ZWJ
    )


def _regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def graphemes(text: str) -> Iterator[str]:
    """Split text into user-perceived characters: a close, dependency-free reading of UAX #29.

    Covers what replies hold: combining marks, emoji with skin tones and variation selectors, ZWJ
    sequences, flags (regional-indicator pairs), keycaps and CR LF. Hangul jamo runs are not merged,
    which can only over-count (the safe direction for a limit check).
    """
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        pair = text[i : i + 2]
        if pair == "\r\n" or (len(pair) == 2 and _regional(pair[0]) and _regional(pair[1])):
            j += 1
        else:
            while j < n and _extends(text[j]):
                # A ZWJ glues the next pictograph to this cluster too.
                j += 2 if text[j] == _ZWJ and j + 1 < n else 1
        yield text[i:j]
        i = j


def bound_graphemes(text: str) -> int:
    """An upper bound of ``count_graphemes`` at the cost of one normalisation: a grapheme holds a code point or more."""
    return len(unicodedata.normalize("NFC", text))


def count_graphemes(text: str) -> int:
    """How many graphemes Bluesky counts in ``text``."""
    return sum(1 for _ in graphemes(unicodedata.normalize("NFC", text)))


def _defused(text: str) -> str:
    """``text`` with the dots of impossible hosts made commas: same weights, and twitter-text stays linear."""

    def piece(found: re.Match[str]) -> str:
        part = found.group()
        return part.replace(".", ",") if part.count(".") > MAX_HOST_DOTS or len(part) > MAX_HOST else part

    return _PIECE.sub(piece, text) if "." in text else text


# Every URL twitter-text finds has a host with a dot before a label (one of these dots, then a letter or digit):
# a URL weighs 23 whatever its length, so each such dot may add 23. A sentence's full stop is not one.
_HOST_DOTS = re.compile("[.\u3002\uff0e\uff61](?=\\w)")


def bound_x(text: str) -> int:
    """An upper bound of ``count_x``: ASCII weighs 1, no code point over 2, and each URL 23 at most more."""
    plain = unicodedata.normalize("NFC", text)
    return (len(plain) if plain.isascii() else 2 * len(plain)) + URL_WEIGHT * len(_HOST_DOTS.findall(plain))


@lru_cache(maxsize=COUNTS_KEPT)
def count_x(text: str) -> int:
    """X's weighted length, by twitter-text: a URL 23, an emoji 2, CJK and most non-Latin scripts 2 each."""
    from twitter_text import parse_tweet  # type: ignore[import-untyped]  # compiles its patterns on import: 0.2 s

    return int(parse_tweet(_defused(text)).weightedLength)


def bound_mastodon(text: str) -> int:
    """An upper bound of ``count_mastodon``: code points, and 23 for each URL (each has its "://")."""
    return len(unicodedata.normalize("NFC", text)) + URL_WEIGHT * text.count("://")


@lru_cache(maxsize=COUNTS_KEPT)
def count_mastodon(text: str) -> int:
    """Mastodon's length: graphemes, with each URL as 23 and a remote mention without its domain."""
    plain = _REMOTE_MENTION.sub(r"\1", unicodedata.normalize("NFC", text))
    counted, last = [], 0
    for url in _urls_with_scheme(_defused(plain)):
        start, end = url["indices"]
        counted += [plain[last:start], "x" * URL_WEIGHT]
        last = end
    return count_graphemes("".join([*counted, plain[last:]]))


def _urls_with_scheme(text: str) -> list[dict[str, Any]]:
    from twitter_text import extract_urls_with_indices

    return list(extract_urls_with_indices(text, extract_urls_without_protocol=False))
