"""Split a comment's tokens into sentences of comma-separated clauses, as the question rules read them."""

from __future__ import annotations

from collections.abc import Sequence

from listener.nlp.asking_words import word_set

# Sentence-closing marks; a run of them ("…?", "?!", "...?") closes one sentence.
BREAKS = frozenset([".", "!", "?", ";", "…", "。", "¡"])
ABBREVIATIONS = word_set("mr mrs ms dr st jr sr mt vs etc")
_CONTRACTED = word_set("t s m re ve ll d")

# Last parts of a Bluesky or Mastodon handle's domain ("@name.bsky.social", "@name@mastodon.uk").
_HANDLE_TLD = word_set("social uk com net org io app dev me xyz eu ie au ca nz us de fr blog page site online club art")


def _joined_handles(words: Sequence[str]) -> list[str]:
    """Fold "@user . co . uk" and "@user @ instance . social" back into "@user": the dots are not full stops."""
    out: list[str] = []
    i, n = 0, len(words)
    while i < n:
        w = words[i]
        out.append(w)
        i += 1
        if w != "@user":
            continue
        j = i + 2 if i + 1 < n and words[i] == "@" and words[i + 1].isalnum() else i  # Mastodon's "@instance"
        k = j
        while k + 1 < n and words[k] in (".", "-") and words[k + 1].isalnum():
            k += 2
        if j > i or k > j and words[k - 1] in _HANDLE_TLD:
            i = k
    return out


def question_words(words: Sequence[str]) -> list[str]:
    """Rejoin contractions written with spaces ("don ’ t" → "don't") and fold dotted handles into "@user"."""
    if "@user" in words:
        words = _joined_handles(words)
    if "'" not in words:
        return list(words)
    out: list[str] = []
    i, n = 0, len(words)
    while i < n:
        w = words[i]
        if w == "'" and out and i + 1 < n and words[i + 1] in _CONTRACTED and out[-1][-1:].isalpha():
            out[-1] = out[-1] + "'" + words[i + 1]
            i += 2
            continue
        out.append(w)
        i += 1
    return out


Sentence = tuple[list[list[str]], str]  # (its clauses split at commas, its closing marks)


def sentences(words: Sequence[str]) -> list[Sentence]:
    """Split tokens into sentences of comma-separated clauses; each sentence keeps its closing marks ("?!")."""
    out: list[Sentence] = []
    parts: list[list[str]] = []
    cur: list[str] = []
    marks = ""
    for i, w in enumerate(words):
        if w == "." and cur and (cur[-1] in ABBREVIATIONS or _initial(cur[-1]) and _initial(words, i + 1)):
            continue  # "Mr . Smith", "6 p . m .", "R.I.P.", but not "plan B. Do you?"
        if w in BREAKS:
            if cur:
                parts.append(cur)
                cur = []
            marks += w
            continue
        if marks:
            if parts:
                out.append((parts, marks))
            parts, marks = [], ""
        if w == ",":
            if cur:
                parts.append(cur)
            cur = []
        elif not w.isspace():
            cur.append(w)
    if cur:
        parts.append(cur)
    if parts:
        out.append((parts, marks))
    return out


def _initial(words: Sequence[str] | str, i: int = 0) -> bool:
    """Whether the word at `i` (or the string itself) is a single letter, as in an initialism."""
    w = words if isinstance(words, str) else words[i] if i < len(words) else ""
    return len(w) == 1 and w.isalpha()
