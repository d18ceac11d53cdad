"""Build each model's inputs from raw texts; training and the pipeline both call these, so they never drift."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from listener.nlp.cues import N_CUES, Reading, question_reading
from listener.nlp.features import Floats, Sparse, hash_batch, normalise, tokenize
from listener.nlp.lexicon import lex_matrix
from listener.nlp.sentences import question_words

Analysed = tuple[str, str, list[str]]  # (raw text, normalised text, tokens)


def analyse(text: str) -> Analysed:
    """Normalise and tokenise one text once, for every model that needs it."""
    norm = normalise(text)
    return text, norm, tokenize(norm)


def sentiment_inputs(items: Sequence[Analysed]) -> tuple[Sparse, Floats]:
    """Word 1-2-grams, byte 2-5-grams and lexicon features for the sentiment model."""
    sparse = hash_batch([t for _, _, t in items], [n for _, n, _ in items])
    return sparse, lex_matrix(items)


def question_readings(items: Sequence[Analysed]) -> list[Reading]:
    """Each comment's question reading: cue vector, the rules' firm opinion, whether it asks for action."""
    return [question_reading(t, raw) for raw, _, t in items]


def question_inputs(items: Sequence[Analysed], readings: Sequence[Reading] | None = None) -> tuple[Sparse, Floats]:
    """Word 1-2-grams (contractions rejoined), the opening word and linguistic cues for the question model."""
    readings = question_readings(items) if readings is None else readings
    dense = np.array([r[0] for r in readings], dtype=np.float32)
    return hash_batch([question_words(t) for _, _, t in items], lead=True), dense.reshape(len(items), N_CUES)
