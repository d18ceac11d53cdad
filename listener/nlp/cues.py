"""Linguistic cues for "is this a question?": clause openings, question marks and stock phrases."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _words(text: str) -> frozenset[str]:
    """Split a space-separated word list into a set."""
    return frozenset(text.split())


WH = _words("what why how where when who whom whose which wat wut y what's whats where's how's who's when's why's")
AUX = _words(
    "do does did is are was were am can could would will should shall may might must have has "
    "had dont doesnt didnt isnt arent wasnt cant couldnt wouldnt wont shouldnt havent hasnt r "
    "don't doesn't didn't isn't aren't wasn't weren't can't couldn't wouldn't won't shouldn't haven't hasn't"
)
SUBJECT = _words(
    "i you u ya he she it we they there this that these those the a an my your ur his her our "
    "their its anyone anybody someone somebody everyone everybody anything something people "
    "y'all yall n't not any some he's it's you're ya"
)
# Words that open a clause without carrying its mood: greetings, discourse markers, handles.
SKIP = _words(
    "@user <url> http rt hey hi hello ok okay so well but and also btw oh um uh lol yeah yes no sir "
    "madam guys then now anyway seriously honestly just quick question q : , - ... wait actually sorry "
    "hmm ah ahh plus also"
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
# The asks that mean "please answer me" even without a question mark; the rest of SEEK only hints.
STRONG_SEEK = (
    "anyone know",
    "anybody know",
    "does anyone",
    "does anybody",
    "anyone have",
    "anyone tried",
    "wondering if",
    "wondering whether",
    "i wonder if",
    "i wonder whether",
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
    "is there any way",
    "let me know if",
    "do you know",
    "curious if",
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
REQUEST_MODAL = frozenset(["can", "could", "will"])
ADDRESSED = _words("you u ya the there it your")  # after "@brand does/is…", these mean we are being asked
PRONOUN = _words("i you u we they he she it there this that the my your our")
ASK_VERBS = _words("tell confirm explain clarify let advise recommend suggest say")
ASKERS = frozenset(["you", "u", "i", "we", "ya"])
TAGS = frozenset(["right", "ok", "okay", "eh", "huh", "yeah", "really", "seriously", "sure"])
OFFER = (
    "how about",
    "why don't",
    "would you like",
    "would you mind",
    "do you mind",
    "shall we",
    "let's",
    "wanna",
    "would you please",
    "you know what",
    "guess what",
    "who cares",
    "who knows",
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
    """Spot a clause that asks for action rather than information: a request, an offer or a suggestion.

    "can you send", "could I get", "would you like", "how about Friday", "shall we", "…, please?": both our
    labelled sources (DailyDialog directives, TweetAct requests) count these as requests, not questions.
    """
    if len(c) > 1 and c[0] in REQUEST_MODAL and c[1] in ("you", "u", "ya"):
        return not (len(c) > 2 and c[2] in ASK_VERBS)  # "can you tell me why…" still seeks information
    if len(c) > 1 and c[0] == "could" and c[1] == "i":
        return True
    text = " ".join(c)
    return "please" in c or "pls" in c or any(text.startswith(o) for o in OFFER)


def genuine(c: Sequence[str]) -> bool:
    """Spot a clause with question syntax that seeks information."""
    return bool(c) and not directive(c) and (_wh_inverted(c) or _aux_inverted(c) or c[0] in WH)


def rule_score(words: Sequence[str], text: str) -> float | None:
    """Return a rule's firm opinion in [0, 1] on "is this a question?", or None to defer to the model."""
    opens = [(_opening(c), q) for c, q in clauses(words)]
    asked = [c for c, q in opens if q and c]
    low = " ".join(words)
    seek = any(s in low for s in STRONG_SEEK) or any(" ".join(c[:2]) == "any chance" for c, _ in opens)
    seek = seek or "¿" in text and "?" in text  # Spanish marks a question at both ends
    if seek or any(genuine(c) for c in asked):
        return 0.95  # "anyone know where…", "wondering if…", or a wh-/yes-no question that ends in "?"
    if asked and all(directive(c) for c in asked):
        return 0.2  # every question mark sits on a request, offer or suggestion
    if asked and all(len(c) <= 2 for c in asked) and ("?!" in text or "!?" in text):
        return 0.2  # "really?!": an interjection, not something to answer
    # Without a "?", only a clear inversion opening a clause counts; "@bob has this…" has a subject already.
    if not asked and any(_typed_without_mark(c) for c in _clause_starts(_sentences(words), words)):
        return 0.9  # a question typed with a full stop or nothing: "what are the appliances."
    return None


def _sentences(words: Sequence[str]) -> list[tuple[list[str], bool]]:
    """Split tokens into sentences (not clauses: a comma does not start one), each without its opening fillers."""
    out: list[tuple[list[str], bool]] = []
    cur: list[str] = []
    for w in [*words, "."]:
        if w in BREAKS:
            if cur:
                out.append((_opening(cur), w == "?"))
            cur = []
        else:
            cur.append(w)
    return out


def _clause_starts(opens: list[tuple[list[str], bool]], words: Sequence[str]) -> list[list[str]]:
    """The clauses whose opening can carry a question; a leading handle followed by a verb is the subject."""
    out = [c for c, _ in opens]
    if out and words and words[0] == "@user" and not (out[0][1:2] and out[0][1] in ADDRESSED):
        out = out[1:]  # "@bob is a writer": the handle is the subject, unless "is the…"/"do you…" follows
    return out


def _typed_without_mark(c: Sequence[str]) -> bool:
    """A clear inversion ("is the collar sold…", "what are the…") that is not a request."""
    if len(c) < 3 or directive(c):
        return False
    return c[0] in AUX and c[0] != "may" and c[1] in PRONOUN or c[0] in WH and c[1] in AUX


def combine(p: float, rule: float | None) -> float:
    """Let a firm rule override the model: a low rule caps the probability, a high one floors it."""
    if rule is None:
        return p
    return min(p, rule) if rule < 0.5 else max(p, rule)


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
