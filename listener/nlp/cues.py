"""Linguistic cues for "is this a question?": clause openings, question marks and stock phrases."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _words(text: str) -> frozenset[str]:
    """Split a space-separated word list into a set."""
    return frozenset(text.split())


WH = frozenset(["what", "why", "how", "where", "when", "who", "whom", "whose", "which", "wat", "wut", "y"])
AUX = _words(
    "do does did is are was were am can could would will should shall may might must have has "
    "had dont doesnt didnt isnt arent wasnt cant couldnt wouldnt wont shouldnt havent hasnt r"
)
SUBJECT = _words(
    "i you u ya he she it we they there this that these those the a an my your ur his her our "
    "their its anyone anybody someone somebody everyone everybody anything something people "
    "y'all yall n't not any some he's it's you're"
)
# Words that open a clause without carrying its mood: greetings, discourse markers, handles.
SKIP = _words(
    "@user <url> rt hey hi hello ok okay so well but and also btw oh um uh lol yeah yes no sir "
    "madam guys then now anyway seriously honestly just quick question q : , - ..."
)
BREAKS = frozenset([".", "!", "?", "...", "..", ";"])
SEEK = (
    "anyone know",
    "anybody know",
    "does anyone",
    "does anybody",
    "anyone have",
    "anyone got",
    "anyone tried",
    "wondering if",
    "wondering whether",
    "wondering how",
    "wondering what",
    "i wonder",
    "want to know",
    "like to know",
    "love to know",
    "need to know",
    "any idea",
    "any ideas",
    "any advice",
    "any tips",
    "any recommendations",
    "can someone",
    "can anyone",
    "could someone",
    "could anyone",
    "how do i",
    "how can i",
    "is there a way",
    "please explain",
    "please tell",
    "tell me how",
    "let me know if",
    "not sure if",
    "not sure how",
    "no idea how",
    "curious if",
    "curious how",
    "curious what",
)
SUGGEST = (
    "how about",
    "what about",
    "why don't we",
    "why don't you",
    "why not",
    "would you like",
    "let's",
    "shall we",
    "would you mind",
    "do you mind",
    "you know what",
    "guess what",
    "who cares",
    "who knows",
)
MODAL_YOU = frozenset(["can", "could", "would", "will"])
MODAL = frozenset(["can", "could", "would", "will", "may", "shall", "might"])
ASKERS = frozenset(["you", "u", "i", "we", "ya"])
TAGS = frozenset(["right", "ok", "okay", "eh", "huh", "yeah", "really", "seriously", "sure"])
OFFER = (
    "how about",
    "what about",
    "why not",
    "why don't",
    "would you like",
    "would you mind",
    "do you mind",
    "don't you think",
    "you know what",
    "guess what",
    "who cares",
    "who knows",
    "wanna",
    "shall we",
)
N_CUES = 16


def clauses(words: Sequence[str]) -> list[tuple[list[str], bool]]:
    """Split tokens into clauses; each comes with whether it ended in a question mark."""
    out: list[tuple[list[str], bool]] = []
    cur: list[str] = []
    for w in words:
        if w in BREAKS or set(w) <= {"?", "!", "."} and w:
            if cur:
                out.append((cur, "?" in w))
            cur = []
        elif w == ",":
            if cur:
                out.append((cur, False))
            cur = []
        elif not w.isspace():
            cur.append(w)
    if cur:
        out.append((cur, False))
    return out


def _opening(clause: Sequence[str]) -> list[str]:
    """Drop handles, links and discourse markers from the start of a clause."""
    i = 0
    while i < len(clause) and (clause[i] in SKIP or clause[i].startswith("#")):
        i += 1
    return list(clause[i:])


def _wh_inverted(c: Sequence[str]) -> bool:
    """Spot a wh-word followed closely by an auxiliary: 'where is the', 'how happy are you'."""
    return bool(c) and c[0] in WH and any(w in AUX for w in c[1:4])


def _aux_inverted(c: Sequence[str]) -> bool:
    """Spot an auxiliary opening the clause, followed by its subject: 'do you', 'is there', "isn't it"."""
    return len(c) > 1 and c[0] in AUX and c[1] in SUBJECT


def directive(c: Sequence[str]) -> bool:
    """Spot a clause that asks for action or agreement rather than information.

    "can you send", "may I come in", "how about Friday", "right?", "really?!": both our labelled sources
    (DailyDialog directives, TweetAct requests) count these as requests, not questions.
    """
    if not c:
        return True
    text = " ".join(c)
    if len(c) > 1 and c[0] in MODAL and c[1] in ASKERS:
        return True
    if len(c) <= 2 and c[0] not in WH and (c[0] not in AUX or c[0] in TAGS):
        return True  # tags and interjections
    return any(text.startswith(o) for o in OFFER)


def genuine(c: Sequence[str]) -> bool:
    """Spot a clause with question syntax that seeks information."""
    return not directive(c) and (_wh_inverted(c) or _aux_inverted(c) or (bool(c) and c[0] in WH))


def rule_score(words: Sequence[str], text: str) -> float | None:
    """Return a rule's firm opinion in [0, 1] on "is this a question?", or None to defer to the model."""
    opens = [(_opening(c), q) for c, q in clauses(words)]
    asked = [c for c, q in opens if q and c]
    seek = any(s in " ".join(words) for s in SEEK)
    if asked and all(directive(c) for c in asked) and not seek and not any(genuine(c) for c, _ in opens):
        return 0.2  # every question mark sits on a request, offer, tag or interjection
    if not asked and seek:
        return 0.7  # "anyone know where…", "wondering if…": a question typed without its question mark
    return None


def _unquoted(text: str) -> str:
    """Remove double-quoted spans, whose question marks belong to someone else."""
    parts = text.split('"')
    return "".join(parts[0::2]) if len(parts) % 2 == 1 else text


def cue_vector(words: Sequence[str], text: str) -> np.ndarray:
    """Return the question cues of one comment as a float vector of length N_CUES."""
    low = " ".join(words)
    cl = clauses(words)
    opens = [(_opening(c), q) for c, q in cl]
    opens = [(c, q) for c, q in opens if c]
    wh_q = any(q and c[0] in WH for c, q in opens)
    inv = any(_wh_inverted(c) or _aux_inverted(c) for c, _ in opens)
    inv_noq = any((_wh_inverted(c) or _aux_inverted(c)) and not q for c, q in opens[:1])
    modal_you = any(len(c) > 1 and c[0] in MODAL_YOU and c[1] in ("you", "u") for c, _ in opens)
    short_q = any(q and len(c) <= 2 and c[0] not in WH and c[0] not in AUX for c, q in opens)
    bare = _unquoted(text).rstrip()
    while bare and (bare[-1] in " .!)" or ord(bare[-1]) > 0x2000):
        bare = bare[:-1]  # trailing emoji and punctuation hide a final question mark
    ends_q = bare.endswith("?") or bool(cl) and cl[-1][1]
    return np.array(
        [
            "?" in _unquoted(text),
            ends_q,
            min(sum(q for _, q in cl), 3) / 3,
            "?!" in text or "!?" in text,
            wh_q,
            inv,
            inv_noq,
            modal_you,
            short_q,
            any(s in low for s in SEEK),
            any(s in low for s in SUGGEST),
            "please" in words or "pls" in words or "plz" in words,
            bool(opens) and opens[0][0][0] in WH,
            min(len(words), 40) / 40,
            any(q and directive(c) for c, q in opens),
            any(q and genuine(c) for c, q in opens),
        ],
        dtype=np.float32,
    )
