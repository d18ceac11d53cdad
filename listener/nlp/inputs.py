"""Build each model's inputs from raw texts; training and the pipeline both call these, so they never drift."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from listener.nlp.cues import N_CUES, cue_vector
from listener.nlp.features import Sparse, hash_batch, normalise, tokenize
from listener.nlp.lexicon import NEGATORS, lex_matrix

SCOPE_END = frozenset(". , ! ? ; : but however".split())  # a negation's scope ends at a clause break

Analysed = tuple[str, str, list[str]]  # (raw text, normalised text, tokens)


def analyse(text: str) -> Analysed:
    """Normalise and tokenise one text once, for every model that needs it."""
    norm = normalise(text)
    return text, norm, tokenize(norm)


def scope_words(tokens: Sequence[str]) -> list[str]:
    """Extra unigrams: words in a negation's scope marked "_neg" (up to the next clause break) and hashtag words.

    "not happy" also reads as `happy_neg`, so it no longer only looks like "happy"; "#happy" also reads as "happy".
    """
    out: list[str] = []
    negated = False
    for w in tokens:
        if w in SCOPE_END:
            negated = False
            continue
        if negated:
            out.append(w + "_neg")
        if w in NEGATORS or w.endswith("n't"):
            negated = True
        elif w[0] == "#" and len(w) > 1:
            out.append(w[1:])
    return out


def sentiment_inputs(items: Sequence[Analysed]) -> tuple[Sparse, np.ndarray]:
    """Word 1-2-grams (plus negation-scope and hashtag words), byte 2-5-grams and lexicon features."""
    tokens = [t for _, _, t in items]
    sparse = hash_batch(tokens, [n for _, n, _ in items], extra=[scope_words(t) for t in tokens])
    return sparse, lex_matrix(items)


def question_inputs(items: Sequence[Analysed]) -> tuple[Sparse, np.ndarray]:
    """Word 1-2-grams, the opening word and linguistic cues for the question model."""
    dense = np.array([cue_vector(t, raw) for raw, _, t in items], dtype=np.float32)
    return hash_batch([t for _, _, t in items], lead=True), dense.reshape(len(items), N_CUES)
