"""Classify a clause or a sentence by its form: asks for information, asks for action, neither, or unclear."""

from __future__ import annotations

import re
from collections.abc import Sequence

from listener.nlp.asking_words import (
    ABOUT_WHO,
    ADVERBS,
    AGREED,
    ANY_ASKS,
    ASK_VERBS,
    AUX,
    DETERMINERS,
    DROPPED_SUBJECT,
    ECHO,
    ELLIPTIC,
    INDIRECT,
    MODAL,
    MODAL_ASK,
    NOT_ASKING,
    NOT_SUBJECT,
    OFFER_OPENINGS,
    PARDON,
    PERSONAL,
    PRONOUN,
    PROPOSED,
    SKIP,
    STATE_VERBS,
    STATIVE,
    SUBJECT,
    SUGGESTING,
    TAGS,
    VAGUE,
    WH,
    YOU,
)

# What a clause or sentence asks for: information, action (a request, offer or suggestion), or neither.
INFO, DIRECTIVE, NOT_QUESTION = "info", "directive", "none"
# Indignant or admiring questions that expect no answer. Matched on a clause with its openers dropped.
_RHETORICAL = re.compile(
    r"(?:are|r) (?:you|u) (?:serious|kidding|joking|having a laugh|for real)\b"
    r"|is this (?:a joke|for real|some kind of joke)\b|you(?:'re| are) (?:joking|kidding)\b"
    r"|who (?:the hell |on earth )?(?:thought|decided|designs|designed|builds|built|runs|'s running|is running"
    r"|approved|signed off|trains|trained)\b|who's running\b"
    r"|(?:how|what|why) (?:\S+ ){1,4}even (?!know\b)"
    r"|how (?:am i|are we|is anyone|is anybody|are people|are you) (?:meant|supposed|expected) to\b"
    r"|what (?:is|'s) wrong with (?:you|them|people|this place)\b"
)


def opening(clause: Sequence[str]) -> list[str]:
    """Drop handles, links and discourse markers from the start of a clause."""
    i = 0
    while i < len(clause) and (clause[i] in SKIP or clause[i].startswith("#")):
        i += 1
    return list(clause[i:])


def wh_inverted(c: Sequence[str]) -> bool:
    """Spot a wh-word followed closely by an auxiliary: 'where is the', 'how happy are you'."""
    return bool(c) and c[0] in WH and any(w in AUX for w in c[1:4])


def aux_inverted(c: Sequence[str]) -> bool:
    """Spot an auxiliary opening the clause, followed by its subject: 'do you', 'is there', "isn't it"."""
    return len(c) > 1 and c[0] in AUX and c[1] in SUBJECT


def noun_subject(c: Sequence[str]) -> bool:
    """Whether the word after an opening auxiliary can be a noun subject with more to follow ("is Didsbury open")."""
    if len(c) < 3 or not c[2].isalpha():
        return False
    w1 = c[1]
    return w1.isalpha() and len(w1) > 1 and w1 not in NOT_SUBJECT and not w1.endswith(("ly", "ing", "ed", "est"))


def indirect(rest: Sequence[str]) -> bool:
    """Whether an asking verb is followed by an indirect question: "tell me where…", "ask if…"."""
    return any(w in INDIRECT for w in rest[1:5])


def _modal_you(c: Sequence[str]) -> str | None:
    """Read "can/could/would/will you …": a request unless it asks about ability, state or information."""
    rest = [w for w in c[2:] if w not in ADVERBS]
    v = rest[0] if rest else ""
    if v in ASK_VERBS:
        return INFO if v in ("confirm", "clarify") or indirect(rest) else DIRECTIVE
    if any(w in ("please", "kindly", "pls", "plz") for w in c[2:5]):
        return DIRECTIVE
    if v in STATE_VERBS and not (v == "be" and c[0] != "will"):
        return INFO  # "can you speak French", "will you be there", "would you ever…"
    if c[0] == "would" and v in ("prefer", "rather", "want", "say", "consider"):
        return None  # a choice or an opinion, often an offer as well
    return DIRECTIVE


def _topic(w: str) -> bool:
    """Whether a word after "what about" names a topic rather than proposing a time, an amount, an item or a plan."""
    if w.endswith("ing") and not w.endswith("thing"):
        return False  # "what about going to a movie?"
    return not (w in PROPOSED or w[:1].isdigit() or not w[:1].isalpha())  # not "what about 3pm / $ 8?"


def clause_kind(c: Sequence[str], asked: bool) -> str | None:
    """Classify one clause (openers already dropped): INFO, DIRECTIVE, NOT_QUESTION or None (no clear form).

    `asked` says whether its sentence ends in "?"; without one only a clear inversion counts.
    """
    if not c:
        return None
    w0, w1 = c[0], c[1] if len(c) > 1 else ""
    w2 = c[2] if len(c) > 2 else ""
    text = " ".join(c) + " "
    if text.startswith(NOT_ASKING):
        return NOT_QUESTION
    if text.strip() in PARDON:
        return DIRECTIVE
    if w1 == "about" and w0 in ("how", "what"):
        if not w2 or w2 in ABOUT_WHO or w0 == "what" and _topic(w2):
            return INFO  # "how about you?", "what about parking?": the same question about someone or something else
        return DIRECTIVE  # "how about Friday?", "what about going to a movie?", "what about this one?"
    if w0 == "why" and w1 == "not":
        return INFO if len(c) == 2 else DIRECTIVE  # "why not?" asks; "why not try it?" suggests
    if w0 == "why" and w1 in ("don't", "dont") and w2 in ("you", "we", "u"):
        return INFO if len(c) > 3 and c[3] in STATIVE else DIRECTIVE
    if w0 in ("maybe", "perhaps") and w1 in ("we", "you", "i", "u") and w2 in MODAL:
        return DIRECTIVE  # "maybe we could meet again?"
    if w0 == "would" and w1 in YOU and w2 == "like":
        after = c[3] if len(c) > 3 else ""
        return INFO if after in ("anything", "something") else DIRECTIVE  # "…anything else?" / "…to come?"
    if text.startswith(OFFER_OPENINGS):
        return DIRECTIVE
    if w0 in WH:
        return INFO if asked or len(c) > 2 and w1 in AUX else None
    if w0 in MODAL_ASK and w1 in YOU:
        kind = _modal_you(c)
        return kind if asked or kind == INFO else None
    if w0 in ("can", "could", "may", "might") and w1 in ("i", "we"):
        if w2 == "help" or w2 in ASK_VERBS and indirect(c[2:]) or w2 == "know":
            return INFO  # "may I help you?" asks what is needed; "may I ask where…" asks outright
        return DIRECTIVE if asked else None  # "can I pay by card?", "could we meet at 5?": asking leave
    if w0 in AUX:
        if asked:
            if "please" in c and w1 in YOU:
                return DIRECTIVE  # "do you have a room, please?"
            return INFO if len(c) > 1 else None  # "is Driftwood Club worth it?", "was I?"
        if w0 in ("do", "don't", "dont", "may"):
            return INFO if w0 == "do" and w1 in PERSONAL and len(c) > 2 else None  # not "do your homework"
        if w0 in DROPPED_SUBJECT and w1 in DETERMINERS:
            return None  # "had the grinder 6 months now.", "was the best day ever": the writer left out "I"
        return INFO if len(c) > 2 and (len(w0) > 1 or w1 in YOU) and w1 in PRONOUN else None  # not "R.I.P."
    if w0 in ("anyone", "anybody") and w1 == "else" and asked:
        return INFO  # "anyone else been turned away today?": asks others to confirm
    if w0 == "any" and w1 in ANY_ASKS:
        return INFO  # "any chance the Guji comes back", "any update on my order"
    if not asked:
        return None
    if "please" in c or "pls" in c or "plz" in c:
        return DIRECTIVE  # "two coffees, please?"
    if len(c) <= 3 and (c == ["you"] or w0 in ("your", "yours", "u")):
        return INFO  # "and you?", "yours?", "your name?"
    if w0 in ELLIPTIC or w0 in YOU and w1 == "mean" or len(c) == 1 and w0 in ECHO:
        return INFO  # "anything else?", "you mean today?", "really?"
    return None


def _may_open(raw: Sequence[str], c: Sequence[str], first: bool) -> bool:
    """Whether a clause without "?" can open a question (not "#tag is…", "so did the…", ", which is…")."""
    dropped = raw[: len(raw) - len(c)]
    if dropped and (dropped[-1].startswith("#") or dropped[-1] in ("so", "nor", "neither", "as", "than")):
        return False  # "#GifHistory is the best", "so did the divine right of kings"
    if first:
        return True
    if c[0] in ("what", "how", "why"):
        return len(c) > 2 and c[1] in AUX and c[2] in SUBJECT  # "…, what do you think"
    return c[0] in AUX and c[0] not in ("do", "don't", "may")


Opened = list[tuple[Sequence[str], list[str]]]  # a sentence's clauses with words: (as written, fillers dropped)


def open_clauses(parts: Sequence[Sequence[str]]) -> Opened:
    """The clauses that say something once openers are dropped, each with its original words."""
    out: Opened = []
    for raw in parts:
        c = opening(raw)
        if c:
            out.append((raw, c))
    return out


def sentence_kind(parts: Sequence[Sequence[str]], marks: str, opened: Opened) -> str | None:
    """Classify one sentence by the first clause with a clear form; a closing tag ("…, right?") asks.

    `opened` is `open_clauses(parts)`, which the caller keeps for its own reading.
    """
    asked = "?" in marks
    if opened and _RHETORICAL.match(" ".join(opened[0][1]) + " "):
        return NOT_QUESTION  # "are you serious?", "who builds a system like this?": indignation expects no answer
    if not asked:
        if "!" in marks:
            return None  # "isn't it lovely!", "how did you know!": exclamations
        for i, (raw, c) in enumerate(opened):
            if _may_open(raw, c, i == 0):
                kind = clause_kind(c, False)
                if kind is not None:
                    return kind
        return None
    if "!" in marks and sum(len(p) for p in parts) <= 2:
        return NOT_QUESTION  # "really?!", "what?!": surprise, not something to answer
    for _, c in opened:
        kind = clause_kind(c, True)
        if kind == DIRECTIVE and c[0] not in SUGGESTING and _alternative(parts):
            return INFO  # "would you like tea or coffee?", "can I trust him or not?": asks the hearer to choose
        if kind is not None:
            return kind
    if len(opened) > 1 and len(opened[-1][1]) == 1 and opened[-1][1][0] in TAGS:
        return INFO  # "you applied for the job, right?"
    if " ".join(parts[-1]) in AGREED:
        return DIRECTIVE  # "I'll pick you up at six, OK?": asking to agree to a plan
    return None


def _alternative(parts: Sequence[Sequence[str]]) -> bool:
    """Whether a sentence offers alternatives joined by "or" ("…tea or coffee?", "…, or not?").

    Not "or something" (a vague ending) and not a request marked with "please".
    """
    words = [w for p in parts for w in p]
    if "please" in words:
        return False
    return any(w == "or" and 0 < i < len(words) - 1 and words[i + 1] not in VAGUE for i, w in enumerate(words))


def has_words(opened: Opened) -> bool:
    """Whether a sentence says anything beyond handles, links, hashtags, fillers and emoji."""
    return any(any(ch.isalnum() for ch in w) for _, c in opened for w in c)
