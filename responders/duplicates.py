"""Find the earlier comment a new one repeats: a double-submit, or the same person cross-posting."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from functools import lru_cache

from rapidfuzz.distance import Indel

from listener.records import Comment

# The same author posting the same text again this soon is a double-submit, not a second question.
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=10)
# The same person (display name, and bio where both have one) posting near-same text on another platform.
CROSS_POST_WINDOW = timedelta(minutes=30)
# How far back the store is asked for candidates.
WINDOW = max(DOUBLE_SUBMIT_WINDOW, CROSS_POST_WINDOW)
# How alike two texts must be to be one cross-post, after dropping handles, links and case: the Indel
# similarity 2 * LCS / (len a + len b), the ratio difflib's SequenceMatcher estimates. Computed exactly, it
# also holds for texts over 200 characters, where difflib's junk heuristic scored one typo as low as 0.3.
CROSS_POST_SIMILARITY = 0.9
# A text this short ("thanks!", "😂") says too little to call a copy on another platform the same message.
CROSS_POST_MIN_CHARS = 20

_HANDLE = re.compile(r"(?<![\w/])(?:@[\w.@-]+|/?u/\w+)")
_URL = re.compile(r"(?:https?://|www\.)\S+")


def duplicate_of(comment: Comment, nearby: tuple[Comment, ...]) -> Comment | None:
    """The earlier comment this one repeats: a double-submit by its author, or a cross-post by the same person."""
    mine = _squash(comment.text)
    if not mine:
        return None
    for earlier in nearby:
        gap = comment.created_at - earlier.created_at
        if earlier.is_own or gap < timedelta(0):
            continue
        if earlier.platform == comment.platform and earlier.author.id == comment.author.id:
            if gap <= DOUBLE_SUBMIT_WINDOW and _squash(earlier.text) == mine:
                return earlier
        elif gap <= CROSS_POST_WINDOW and _same_person(earlier, comment) and _near_same(earlier.text, comment.text):
            return earlier
    return None


def _same_person(a: Comment, b: Comment) -> bool:
    """Same display name, and the same bio where both accounts have one."""
    name_a, name_b = _squash(a.author.name), _squash(b.author.name)
    if not name_a or name_a != name_b:
        return False
    bio_a, bio_b = _squash(a.author.bio), _squash(b.author.bio)
    return not (bio_a and bio_b) or bio_a == bio_b


def _near_same(a: str, b: str) -> bool:
    sa, sb = _squash(a), _squash(b)
    if min(len(sa), len(sb)) < CROSS_POST_MIN_CHARS:
        return False
    return Indel.normalized_similarity(sa, sb, score_cutoff=CROSS_POST_SIMILARITY) >= CROSS_POST_SIMILARITY


# A decide pass compares each comment with its author's others: each text is squashed once, not per pair.
@lru_cache(maxsize=8192)
def _squash(text: str) -> str:
    """Text without handles, links, marks, case or spacing: what stays the same when a person repeats it."""
    text = _URL.sub(" ", _HANDLE.sub(" ", unicodedata.normalize("NFKC", text or ""))).casefold()
    return " ".join("".join(ch if ch.isalnum() or ch.isspace() else " " for ch in text).split())
