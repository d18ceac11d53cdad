"""Count a reply's length the way each platform does (twitter-text weights, graphemes, characters).

A dependency-free reading of the platforms' own counters: X weighs characters as twitter-text v3
does (URLs 23, emoji and most non-Latin scripts 2), Bluesky counts graphemes, Mastodon counts
graphemes with each URL as 23 and a remote mention without its domain, Reddit and YouTube count
characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# twitter-text v3: code points in these ranges weigh 1, every other one 2; a URL weighs 23.
_X_LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
URL_WEIGHT = 23
_TLDS = "com|org|net|io|co|dev|app|ai|me|info|biz|edu|gov|uk|de|fr|ly|gl|gg|tv|us|ca|eu|xyz|shop|store|link|social"
# Links as twitter-text and Mastodon see them: with a scheme, or a bare domain with a known TLD.
# Matched per whitespace-separated word (never scanned from every position), so the cost stays linear.
_SCHEME_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_BARE_URL = re.compile(rf"(?:[a-z0-9-]++\.)+(?:{_TLDS})(?:/\S*)?", re.IGNORECASE)
_WORD = re.compile(r"\S+")
_EDGE = "()[]{}<>\"'.,;:!?"
# A remote Mastodon mention counts as its local part: "@ann@example.social" weighs as "@ann".
_REMOTE_MENTION = re.compile(r"(@[a-z0-9_]+)@[a-z0-9.-]+[a-z0-9]", re.IGNORECASE)
_ZWJ, _VS16, _KEYCAP = "\u200d", "\ufe0f", "\u20e3"


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


def count_graphemes(text: str) -> int:
    """How many graphemes Bluesky counts in ``text``."""
    return sum(1 for _ in graphemes(unicodedata.normalize("NFC", text)))


def _is_emoji(cluster: str) -> bool:
    first = ord(cluster[0])
    return (
        0x1F000 <= first <= 0x1FAFF
        or 0x2600 <= first <= 0x27BF
        or 0x2B00 <= first <= 0x2BFF
        or _VS16 in cluster
        or _KEYCAP in cluster
    )


def _x_weight(ch: str) -> int:
    code = ord(ch)
    return 1 if any(lo <= code <= hi for lo, hi in _X_LIGHT) else 2


def _without_urls(text: str) -> tuple[str, int]:
    """The text with its links cut out, and how many links there were."""
    parts, last, links = [], 0, 0
    for word in _WORD.finditer(text):
        core = word.group().strip(_EDGE)
        if core and (_SCHEME_URL.match(core) or _BARE_URL.fullmatch(core)):
            start = word.start() + word.group().index(core)
            parts.append(text[last:start])
            last, links = start + len(core), links + 1
    parts.append(text[last:])
    return "".join(parts), links


def count_x(text: str) -> int:
    """X's weighted length (twitter-text v3): URLs 23, an emoji 2, CJK and most non-Latin scripts 2 each."""
    plain, links = _without_urls(unicodedata.normalize("NFC", text))
    return _x_plain(plain) + URL_WEIGHT * links


def _x_plain(text: str) -> int:
    return sum(2 if _is_emoji(g) else sum(_x_weight(ch) for ch in g) for g in graphemes(text))


def count_mastodon(text: str) -> int:
    """Mastodon's length: graphemes, with each URL as 23 and a remote mention without its domain."""
    plain, links = _without_urls(_REMOTE_MENTION.sub(r"\1", unicodedata.normalize("NFC", text)))
    return count_graphemes(plain) + URL_WEIGHT * links


def count_characters(text: str) -> int:
    """Characters (code points), as Reddit and YouTube count them."""
    return len(text)
