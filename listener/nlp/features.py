"""Turn tokenised comments into hashed sparse features, identically at training and at run time."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from spacy.tokens import Doc

N_BUCKETS = 1 << 18
_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: spreads a 64-bit key into its top bits
_SHIFT = np.uint64(64 - 18)
_PRIME = np.uint64(257)
CHAR_NS = (3, 4, 5)
# Seeds keep word, bigram and char-gram keys apart so that they rarely share a bucket.
_SEED_WORD, _SEED_BIGRAM, _SEED_LEAD = 0x1F, 0x2B, 0x3D


@dataclass(frozen=True)
class Sparse:
    """A batch of sparse rows in coordinate form: row, column and value per non-zero entry."""

    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    n_rows: int


def norm_token(text: str, like_url: bool) -> str:
    """Map one token to the form we hash: lower case, links and handles collapsed."""
    if like_url or text.startswith(("http://", "https://", "www.")):
        return "<url>"
    if len(text) > 1 and text[0] == "@":
        return "@user"
    if text.isdigit():
        return "<num>"
    return text.lower()


def norm_tokens(doc: Doc) -> list[str]:
    """Return the normalised tokens of a doc, whitespace tokens dropped; cached on the doc."""
    # Walking a Doc builds a Token per item; several components need these words, so do it once.
    words = doc.user_data.get("heard_words")
    if words is None:
        words = doc.user_data["heard_words"] = [norm_token(t.text, t.like_url) for t in doc if not t.is_space]
    return words


def _bucket(keys: np.ndarray) -> np.ndarray:
    """Spread 64-bit keys into N_BUCKETS buckets."""
    return ((keys * _MIX) >> _SHIFT).astype(np.int64)


def _word_keys(words: Sequence[str], lead: bool) -> np.ndarray:
    """Hash unigrams, bigrams and (optionally) the opening word of the text."""
    if not words:
        return np.zeros(0, dtype=np.uint64)
    uni = np.fromiter((zlib.crc32(w.encode()) for w in words), dtype=np.uint64, count=len(words))
    parts = [
        uni * np.uint64(_SEED_WORD) + np.uint64(1),
        uni[:-1] * _PRIME * _PRIME + uni[1:] + np.uint64(_SEED_BIGRAM),
    ]
    if lead:
        parts.append(uni[:1] * np.uint64(7919) + np.uint64(_SEED_LEAD))
    return np.concatenate(parts)


def _char_keys(text: str) -> np.ndarray:
    """Hash the character n-grams (bytes of the UTF-8 text, padded with spaces)."""
    b = np.frombuffer((" " + text + " ").encode(), dtype=np.uint8).astype(np.uint64)
    parts = []
    for n in CHAR_NS:
        if len(b) < n:
            continue
        h = np.zeros(len(b) - n + 1, dtype=np.uint64)
        for k in range(n):
            h = h * _PRIME + b[k : len(b) - n + 1 + k]
        parts.append(h * np.uint64(11) + np.uint64(n))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


def hash_batch(token_lists: Sequence[Sequence[str]], *, chars: bool, lead: bool = False) -> Sparse:
    """Hash a batch of token lists into L2-normalised, log-scaled term counts."""
    keys, row_ids = [], []
    for i, words in enumerate(token_lists):
        k = _word_keys(words, lead)
        if chars:
            k = np.concatenate([k, _char_keys(" ".join(words))])
        keys.append(k)
        row_ids.append(np.full(len(k), i, dtype=np.int64))
    n = len(token_lists)
    if not keys or sum(len(k) for k in keys) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Sparse(empty, empty, np.zeros(0, dtype=np.float32), n)
    cols = _bucket(np.concatenate(keys))
    flat = np.concatenate(row_ids) * N_BUCKETS + cols
    uniq, counts = np.unique(flat, return_counts=True)
    rows, cols = uniq // N_BUCKETS, uniq % N_BUCKETS
    vals = 1.0 + np.log(counts)
    norms = np.sqrt(np.bincount(rows, weights=vals * vals, minlength=n))
    vals = vals / norms[rows]
    return Sparse(rows, cols, vals.astype(np.float32), n)
