"""Measures of a draft the way each platform and a reader see it: its length on the platform and its language."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

import twitter_text  # type: ignore[import-untyped]

# Each platform's reply limit, in its own unit.
LIMITS = {"x": 280, "bluesky": 300, "mastodon": 500, "reddit": 10_000, "youtube": 10_000}
UNITS = {"x": "weighted characters", "bluesky": "graphemes", "mastodon": "characters"}
ZWJ = "\u200d"
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_WORD = re.compile(r"[^\W\d_]+")
_NOISE = re.compile(r"(?<![\w@])@[\w.\-]+(?:@[\w.\-]+)?|https?://\S+|\S+@\S+|\S+\.(?:co\.uk|com|org)\S*")


def _extends(char: str) -> bool:
    """A code point that joins the grapheme before it: marks, joiners, variation selectors, skin tones, tags."""
    point = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or char == ZWJ
        or 0xFE00 <= point <= 0xFE0F
        or 0x1F3FB <= point <= 0x1F3FF
        or 0xE0020 <= point <= 0xE007F
        or 0xE0100 <= point <= 0xE01EF
    )


def graphemes(text: str) -> int:
    """User-perceived characters (a close reading of Unicode's extended grapheme clusters): Bluesky's unit."""
    count, joined, flags = 0, False, 0
    previous = ""
    for char in text:
        regional = 0x1F1E6 <= ord(char) <= 0x1F1FF
        if _extends(char) or joined or (regional and flags % 2 == 1) or (char == "\n" and previous == "\r"):
            joined = char == ZWJ
            flags = flags + 1 if regional else 0
            previous = char
            continue
        count += 1
        joined, flags, previous = False, (1 if regional else 0), char
    return count


def platform_length(platform: str, draft: str, handle: str) -> int:
    """The draft's length in its platform's unit; on Mastodon with the "@handle " heard must open the reply with."""
    if platform == "x":
        return int(twitter_text.parse_tweet(draft).weightedLength)
    if platform == "bluesky":
        return graphemes(draft)
    if platform == "mastodon" and not draft.lstrip().startswith("@"):
        return len(f"@{handle.lstrip('@')} {draft}")
    return len(draft)


def words(text: str) -> int:
    """Words in a text, each Chinese or Japanese character counted as one."""
    return len(_WORD.findall(_CJK.sub(" ", text))) + len(_CJK.findall(text))


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def language(text: str) -> str:
    """py3langid's ISO 639-1 guess for a text, with handles, links and addresses taken out."""
    return str(_identifier().classify(_NOISE.sub(" ", text))[0])
