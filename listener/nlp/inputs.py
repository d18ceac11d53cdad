"""Build each model's inputs from docs; training and the pipeline both call these, so they never drift."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from spacy.tokens import Doc

from listener.nlp.cues import N_CUES, cue_vector
from listener.nlp.features import Sparse, hash_batch, norm_tokens
from listener.nlp.lexicon import N_LEX, lex_vector


def sentiment_inputs(docs: Sequence[Doc]) -> tuple[Sparse, np.ndarray]:
    """Word and character n-grams plus VADER scores for the sentiment model."""
    words = [norm_tokens(d) for d in docs]
    dense = np.array([lex_vector(d.text) for d in docs], dtype=np.float32).reshape(len(docs), N_LEX)
    return hash_batch(words, chars=True), dense


def question_inputs(docs: Sequence[Doc]) -> tuple[Sparse, np.ndarray]:
    """Word n-grams, the opening word and linguistic cues for the question model."""
    words = [norm_tokens(d) for d in docs]
    dense = np.array([cue_vector(w, d.text) for w, d in zip(words, docs, strict=True)], dtype=np.float32)
    return hash_batch(words, chars=False, lead=True), dense.reshape(len(docs), N_CUES)
