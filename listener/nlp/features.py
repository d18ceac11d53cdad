"""Normalise and tokenise comment text, then hash it into sparse features, identically at training and run time."""

from __future__ import annotations

import html
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

N_BUCKETS = 1 << 20
_BITS = 20
_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: spreads a 64-bit key into its top bits
_SHIFT = np.uint64(64 - _BITS)
_PRIME = np.uint64(257)
CHAR_NS = (2, 3, 4, 5)
# Seeds keep word, bigram, lead and char-gram keys apart so that they rarely share a bucket.
_SEED_WORD, _SEED_BIGRAM, _SEED_LEAD = np.uint64(0x1F), np.uint64(0x2B), np.uint64(0x3D)

_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w/])(?:@\w+|/?u/\w+)")
_REPEAT = re.compile(r"(.)\1{2,}")  # "soooo" -> "soo": elongation keeps one mark, not the exact length
_TOKEN = re.compile(r"@user\b|#?\w+(?:['’`]\w+)*|[^\w\s]", re.UNICODE)
_CRC: dict[str, int] = {}
Floats = npt.NDArray[np.float32]  # values, weights and dense features
Indices = npt.NDArray[np.int64]  # row and column numbers
Keys = npt.NDArray[np.uint64]  # hashed n-grams before they are bucketed


@dataclass(frozen=True)
class Sparse:
    """A batch of sparse rows in coordinate form: row, column and value per non-zero entry."""

    rows: Indices
    cols: Indices
    vals: Floats
    n_rows: int


def normalise(text: str) -> str:
    """Lower-case text with links, handles, literal escapes and elongations collapsed."""
    if "\\u" in text:
        text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    if "&" in text:
        text = html.unescape(text)
    if "http" in text or "www." in text:
        text = _URL.sub("http", text)
    if "@" in text or "u/" in text:
        text = _HANDLE.sub("@user", text)
    return _REPEAT.sub(r"\1\1", text.lower().replace("’", "'").replace("`", "'"))


def tokenize(norm: str) -> list[str]:
    """Split normalised text into words, hashtags and single punctuation or emoji characters."""
    return _TOKEN.findall(norm)


def _crc(words: Sequence[str]) -> Keys:
    """Stable 32-bit hashes of words (crc32, memoised: Python's own hash changes per process)."""
    cache = _CRC
    out = []
    for w in words:
        h = cache.get(w)
        if h is None:
            h = cache[w] = zlib.crc32(w.encode())
            if len(cache) > 200_000:
                cache.clear()
        out.append(h)
    return np.array(out, dtype=np.uint64)


def _word_keys(token_lists: Sequence[Sequence[str]], lead: bool) -> tuple[Keys, Indices]:
    """Hash unigrams, bigrams and (optionally) the opening word of every row of a batch."""
    lens = np.fromiter((len(t) for t in token_lists), dtype=np.int64, count=len(token_lists))
    flat = [w for t in token_lists for w in t]
    uni = _crc(flat)
    row = np.repeat(np.arange(len(token_lists)), lens)
    same = row[1:] == row[:-1] if len(row) else np.zeros(0, dtype=bool)
    big = (uni[:-1] * _PRIME * _PRIME + uni[1:] + _SEED_BIGRAM)[same]
    keys = [uni * _SEED_WORD + np.uint64(1), big]
    rows = [row, row[1:][same]]
    if lead:
        starts = np.cumsum(lens) - lens
        has = lens > 0
        keys.append(uni[starts[has]] * np.uint64(7919) + _SEED_LEAD)
        rows.append(np.arange(len(token_lists))[has])
    return np.concatenate(keys), np.concatenate(rows)


def _char_keys(texts: Sequence[str]) -> tuple[Keys, Indices]:
    """Hash the byte n-grams of every text of a batch in one pass; n-grams never cross two texts."""
    blobs = [(" " + t + " ").encode() for t in texts]
    lens = np.fromiter((len(b) + 1 for b in blobs), dtype=np.int64, count=len(blobs))
    b = np.frombuffer(b"\0".join(blobs) + b"\0", dtype=np.uint8)
    row = np.repeat(np.arange(len(blobs)), lens)
    zero = b == 0
    b = b.astype(np.uint64)
    keys, rows = [], []
    for n in CHAR_NS:
        if len(b) < n:
            continue
        m = len(b) - n + 1
        h = np.zeros(m, dtype=np.uint64)
        bad = np.zeros(m, dtype=bool)
        for k in range(n):
            h = h * _PRIME + b[k : m + k]
            bad |= zero[k : m + k]
        keep = ~bad
        keys.append((h * np.uint64(11) + np.uint64(n))[keep])
        rows.append(row[:m][keep])
    if not keys:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    return np.concatenate(keys), np.concatenate(rows)


def hash_batch(
    token_lists: Sequence[Sequence[str]], texts: Sequence[str] | None = None, *, lead: bool = False
) -> Sparse:
    """Hash a batch into L2-normalised, log-scaled counts: word 1-2-grams, plus byte 2-5-grams of `texts`."""
    n = len(token_lists)
    keys, rows = _word_keys(token_lists, lead)
    parts = [_normed(keys, rows, n)]
    if texts is not None:
        parts.append(_normed(*_char_keys(texts), n))  # each block has unit norm, as two TF-IDF blocks would
    rows, cols, vals = (np.concatenate([p[i] for p in parts]) for i in range(3))
    return Sparse(rows, cols, vals, n)


def _normed(keys: Keys, rows: Indices, n: int) -> tuple[Indices, Indices, Floats]:
    """Bucket keys and return (rows, cols, values) with log-scaled counts, L2-normalised per row."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    cols = ((keys * _MIX) >> _SHIFT).astype(np.int64)
    uniq, counts = np.unique(rows.astype(np.int64) * N_BUCKETS + cols, return_counts=True)
    rows, cols = uniq // N_BUCKETS, uniq % N_BUCKETS
    vals = 1.0 + np.log(counts)
    norms = np.sqrt(np.bincount(rows, weights=vals * vals, minlength=n))
    return rows, cols, (vals / norms[rows]).astype(np.float32)
