"""Dense sentiment features from the VADER lexicon and surface signals, computed without VADER's slow scorer."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import cache
from importlib.resources import files

import numpy as np
import numpy.typing as npt

N_LEX = 14
NEGATORS = frozenset(
    "not no never nor none nobody nothing neither nowhere cannot without isn't aren't wasn't weren't don't "
    "doesn't didn't won't wouldn't can't couldn't shouldn't ain't hasn't haven't hadn't dont doesnt didnt "
    "isnt wont cant couldnt shouldnt aint".split()
)
BOOSTERS = frozenset("so very really too super totally absolutely extremely most such soo sooo literally".split())
EMOTICON = re.compile(r"(?:[:;=]-?[)dp]|\(:|<3|:-?\(|:'\(|d:|:/|:\\|xd)", re.IGNORECASE)
_SAD_EMOTICON = re.compile(r"(?::-?\(|:'\(|d:|:/)", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")
_UPPER = re.compile(r"[A-Z]")
_ELONGATED = re.compile(r"([a-z])\1{2,}", re.IGNORECASE)


@cache
def valences() -> dict[str, float]:
    """Word and emoji valences (-4..4) from the lexicons that ship inside vaderSentiment; read once."""
    pkg = files("vaderSentiment")
    words: dict[str, float] = {}
    for line in pkg.joinpath("vader_lexicon.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            words[parts[0]] = float(parts[1])
    for line in pkg.joinpath("emoji_utf8_lexicon.txt").read_text(encoding="utf-8").splitlines():
        emoji, _, desc = line.partition("\t")
        score = sum(words.get(w, 0.0) for w in desc.split())
        if emoji and score:
            words[emoji] = max(-3.0, min(3.0, score))
    return words


def lex_vector(raw: str, norm: str, tokens: Sequence[str]) -> list[float]:
    """Return lexicon polarity (with negation and boosters), emoticons, shouting and punctuation signals."""
    val = valences()
    pos = neg = 0.0
    hits = negated = 0
    lo = hi = 0.0
    for i, w in enumerate(tokens):
        v = val.get(w)
        if v is None:
            continue
        hits += 1
        if i and tokens[i - 1] in BOOSTERS:
            v *= 1.3
        if any(t in NEGATORS for t in tokens[max(0, i - 3) : i]):
            v *= -0.74
            negated += 1
        if v > 0:
            pos += v
        else:
            neg -= v
        lo, hi = min(lo, v), max(hi, v)
    total = pos - neg
    letters = len(_LETTER.findall(raw))
    caps = len(_UPPER.findall(raw)) / letters if letters >= 6 else 0.0
    n = max(len(tokens), 1)
    faced = "xd" in norm or any(c in norm for c in ":;=(<")  # every emoticon we count has one of these
    return [
        total / math.sqrt(total * total + 15),
        pos / (pos + neg + n),
        neg / (pos + neg + n),
        lo / 4,
        hi / 4,
        min(hits, 5) / 5,
        min(negated, 3) / 3,
        min(norm.count("!"), 3) / 3,
        "?" in norm,
        caps,
        bool(_ELONGATED.search(raw)),
        min(len(EMOTICON.findall(norm)), 3) / 3 if faced else 0.0,
        min(len(_SAD_EMOTICON.findall(norm)), 3) / 3 if faced else 0.0,
        min(n, 50) / 50,
    ]


def lex_matrix(items: Sequence[tuple[str, str, list[str]]]) -> npt.NDArray[np.float32]:
    """Stack lex_vector for a batch of (raw, normalised, tokens) into an (n, N_LEX) float32 array."""
    rows = [lex_vector(*it) for it in items]
    return np.array(rows, dtype=np.float32).reshape(len(rows), N_LEX)
