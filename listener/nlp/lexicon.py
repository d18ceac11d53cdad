"""Dense sentiment features from the VADER lexicon and surface signals (shouting, exclamations)."""

from __future__ import annotations

import numpy as np
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

N_LEX = 8
_VADER: SentimentIntensityAnalyzer | None = None


def vader() -> SentimentIntensityAnalyzer:
    """Return the process-wide VADER analyser (its lexicon ships inside the package)."""
    global _VADER
    if _VADER is None:
        _VADER = SentimentIntensityAnalyzer()
    return _VADER


def lex_vector(text: str) -> np.ndarray:
    """Return VADER's four scores plus exclamation, question and shouting signals."""
    s = vader().polarity_scores(text)
    letters = [c for c in text if c.isalpha()]
    caps = sum(c.isupper() for c in letters) / len(letters) if len(letters) >= 6 else 0.0
    return np.array(
        [
            s["neg"],
            s["neu"],
            s["pos"],
            s["compound"],
            min(text.count("!"), 3) / 3,
            "?" in text,
            caps,
            abs(s["compound"]) < 0.05,
        ],
        dtype=np.float32,
    )
