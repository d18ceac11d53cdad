"""Read a comment for "is this a question?": the rules' firm opinion, its cue vector and how it asks for action.

"Question" means *information-seeking*. A request, offer, invitation or suggestion phrased as a question
("could you pass the salt?", "would you like some tea?", "how about Friday?", "can I pay by card?") asks for
action, not information; the intent layer (`intent.py`) still reads it as a request. Each sentence that ends in
"?" is read by the form of its clauses (`clauses.py`); a few clear forms also count without the mark.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from listener.nlp.asking_words import (
    ADDRESSED,
    ADVERBS,
    ASK_VERBS,
    AUX,
    MODAL,
    MODAL_ASK,
    NEGATION,
    NOUN_AUX,
    SEEK,
    STATE_VERBS,
    STRONG_SEEK,
    SUGGEST,
    WH,
    YOU,
    word_set,
)
from listener.nlp.clauses import (
    DIRECTIVE,
    INFO,
    NOT_QUESTION,
    Opened,
    aux_inverted,
    has_words,
    indirect,
    noun_subject,
    open_clauses,
    opening,
    sentence_kind,
    wh_inverted,
)
from listener.nlp.sentences import question_words, sentences

N_CUES = 16  # the length of the cue vector (`_cues`)
TRAILING = 2  # sentences of the writer's own after a question that make it likely rhetorical
# How a comment asks for something, beyond information (Reading's third part):
ASK_ACTION = "action"  # an offer or suggestion ("how about Friday?", "let's…"): a request, not a question
ASK_REQUEST = "request"  # a request phrased as a question ("can you…", "any chance you could…"): both
ASK_LEAVE = "permission"  # asking leave ("can I pay by card?", "could we bring the dog?"): a question
Reading = tuple[
    npt.NDArray[np.float32], float | None, str
]  # (cue vector, the rules' firm opinion or None, ASK_* or "")
# One sentence as the rules read it: (its clauses, its closing marks, its opened clauses, its kind or None).
Read = tuple[list[list[str]], str, Opened, str | None]
Asked = tuple[str | None, bool]  # a sentence that says something: (its kind, whether it ends in "?")

_SEEK_RE = re.compile(r" (" + "|".join(re.escape(s) for s in STRONG_SEEK) + r") ")
# Indirect questions with a gap before the question word: "I'd like to know what…", "I can't tell from the photo
# whether…", "would be good to know if…", "not sure if you…". Bounded gap, so no runaway backtracking.
_INDIRECT_RE = re.compile(
    r" (?:(?:like|love|need|want|good|useful|helpful|handy) to (?:know|find out|check|hear)"
    r"|can'?t tell|cannot tell|couldn'?t tell)(?: [^ .!?]+){0,6}? (?:if|whether|what|when|where|how|which|who|why) "
    r"| not sure (?:if|whether) (?:you|u|there's|there is|it's ok|we can|i can|i need|i should) "
)
# Openers dropped before reading a request's form: "please could you…", "so can you…".
_POLITE = word_set("please pls plz kindly just so also and but then quick")
# After "will you", these ask about a plan or a state ("will you have…", "will you do…"), not for a favour.
_WILL_STATE = word_set("have do open still take serve need")
# "any chance of a table", "any chance you could…": asks us to do something; "any chance the pie is back" asks.
_CHANCE_ASKS = word_set("of you u you'd you'll you'd we i")
# Auxiliaries that cannot take one handle as their subject: after "@bob", "do/are/were" address Bob.
_VOCATIVE_AUX = word_set("do are were")
_NOT_OPENING = word_set("so nor neither as than just and but also plus or")
_CAPITAL_AUX = re.compile(r"^\s*(?:[@＠][\w.@-]+\s+)+(?:Is|Are|Do|Does|Did|Can|Will|Has|Have) [A-Za-z]")


def _seek(low: str) -> str | None:
    """Stock asks ("anyone know…", "wondering if…"); wondering whether *you could* is a polite request."""
    padded = f" {low} "
    if _INDIRECT_RE.search(padded):
        return INFO
    pos = 0
    while (m := _SEEK_RE.search(padded, pos)) is not None:
        s, at = m.group(1), m.start()
        pos = m.end() - 1
        if s.startswith("any ") and NEGATION & set(padded[max(0, at - 24) : at].split()[-4:]):
            continue  # "I don't have any idea", "not allowed to accept any tips"
        if s.startswith("wonder"):
            after = padded[m.end() :].split()[:2]
            if len(after) > 1 and after[0] in ("you", "i", "we") and after[1] in MODAL:
                return DIRECTIVE  # "I wonder if you could help me": a request
        return INFO
    return None


def _assent(sents: list[Read]) -> None:
    """A bare "why not?" followed only by the writer's own statements agrees ("Why not? It sounds great.")."""
    for i, (parts, marks, opened, kind) in enumerate(sents):
        if kind == INFO and [c for _, c in opened] == [["why", "not"]]:
            rest = [m for _, m, o, _ in sents[i + 1 :] if has_words(o)]
            if rest and not any("?" in m for m in rest):
                sents[i] = (parts, marks, opened, NOT_QUESTION)


def _ask_form(sents: list[Read], seek: str | None, low: str) -> str:
    """Whether a request or a leave is phrased as a question, with or without "?" (DECISIONS §2 counts both)."""
    if seek == DIRECTIVE or " any chance you" in low or " any chance of " in low:
        return ASK_REQUEST  # "I wonder if you could hold my order", "the recipe: any chance you'd share it?"
    found = ""
    for _, marks, opened, _ in sents:
        if not opened:
            continue
        c = opened[0][1]
        while c and c[0] in _POLITE:
            c = c[1:]
        w0, w1 = (c + ["", ""])[:2]
        rest = [w for w in c[2:] if w not in ADVERBS]
        v = rest[0] if rest else ""
        if "?" not in marks and "!" in marks or not v and w0 != "any":
            continue
        if w0 in MODAL_ASK and w1 in YOU:
            if v in ("like", "care") or v in STATE_VERBS or w0 in ("will", "won't") and v in _WILL_STATE:
                continue  # an offer, or "can you speak / will you be…": the question rules decide
            if v in ASK_VERBS and (v in ("confirm", "clarify") or indirect(rest)):
                continue  # "can you tell me whether…": information
            return ASK_REQUEST
        if w0 in ("would", "do") and w1 in YOU and v == "mind":
            return ASK_REQUEST
        if w0 == "any" and w1 == "chance" and v in _CHANCE_ASKS:
            return ASK_REQUEST
        if w0 in ("can", "could", "may") and w1 in ("i", "we") and v not in ASK_VERBS and v != "help":
            found = ASK_LEAVE
    return found


def question_reading(words: Sequence[str], text: str) -> Reading:
    """Read one comment once: its cue vector, the rules' opinion and whether it asks for action in question form."""
    words = question_words(words)
    sents: list[Read] = []
    for parts, marks in sentences(words):
        opened = open_clauses(parts)
        sents.append((parts, marks, opened, sentence_kind(parts, marks, opened)))
    _assent(sents)
    read = [(k, "?" in m) for _, m, o, k in sents if has_words(o)]
    low = " ".join(words)
    seek = _seek(low)
    rule, action = _rule(words, text, low, seek, sents, read)
    form = _ask_form(sents, seek, f" {low} ") or (ASK_ACTION if action else "")
    return _cues(words, text, low, sents, read), rule, form


def _rule(
    words: Sequence[str], text: str, low: str, seek: str | None, sents: list[Read], read: list[Asked]
) -> tuple[float | None, bool]:
    """The rules' firm opinion and whether the comment asks for action ("can I pay by card?", "could you…?").

    The second part lets the intent layer keep a request in question form as a request.
    """
    asked = [k for k, q in read if q]
    action = seek == DIRECTIVE or DIRECTIVE in asked
    last = max((i for i, (k, q) in enumerate(read) if q and k == INFO), default=-1)
    if last >= 0 and any(k == DIRECTIVE for k, q in read[last + 1 :] if q):
        last = -1  # "are you free tonight? would you like to see a film?": the last ask is an invitation
    if last >= 0 and len(read) - 1 - last >= TRAILING:
        return None, action  # a question followed by the writer's own point is often rhetorical: the model decides
    if last >= 0 or seek == INFO:
        return 0.95, action  # "anyone know where…", "wondering if…", or a wh-/yes-no question that ends in "?"
    if "¿" in text and "?" in text:
        return 0.95, action  # Spanish marks a question at both ends
    if DIRECTIVE in asked or asked and all(k == NOT_QUESTION for k in asked):
        return 0.2, action  # the question marks sit on a request, offer or suggestion, or on "really?!"
    if seek == DIRECTIVE or not asked and any(k == DIRECTIVE for k, _ in read):
        return 0.2, action  # "I wonder if you could help me", "why don't you try the decaf."
    if not asked and any(k == NOT_QUESTION for k, _ in read) and not any(k == INFO for k, _ in read):
        return 0.2, action  # "how do you even make gravy taste like that": admiring or indignant, without a "?"
    # Without a "?", only a clear inversion opening a sentence counts; "@bob has this…" has a subject already.
    if not asked and (any(k == INFO for k in _unasked(words, sents)) or _opens_asking(words, sents, text)):
        return 0.9, action  # a question typed with a full stop or nothing: "what are the appliances."
    return None, action


def _unasked(words: Sequence[str], sents: list[Read]) -> list[str | None]:
    """Kinds of the sentences without "?"; a leading handle followed by a verb is the subject, not a vocative."""
    if sents and words and words[0] == "@user":
        first = opening(sents[0][0][0])
        if first[:1] and first[0] in AUX and not (first[1:2] and first[1] in ADDRESSED):
            sents = sents[1:]  # "@bob is a writer": the handle is the subject, unless "is the…"/"do you…" follows
    return [k for _, _, _, k in sents]


def _opens_asking(words: Sequence[str], sents: list[Read], text: str) -> bool:
    """Whether a comment opens with "is/do/can… + <noun>…" and has no "?" or "!" ("Is Didsbury open tomorrow").

    Only the comment's first clause: later, "…, Is Dead at 88" or "…, will visit you" is a statement. After a
    leading handle the handle may be the subject ("@bob is a writer"), so the auxiliary must be one that cannot
    agree with it ("@bob do gift vouchers expire") or be written with a capital ("@bob Is Didsbury open").
    """
    if not sents or "?" in sents[0][1] or "!" in sents[0][1]:
        return False
    opened = sents[0][2]
    raw, c = opened[0] if opened else ([], [])
    if not c or c[0] not in NOUN_AUX or "please" in c or not noun_subject(c):
        return False
    if any(w.startswith("#") or w in _NOT_OPENING for w in raw[: len(raw) - len(c)]):
        return False  # "#YesAllWomen are taught…", "just do whatever…", "so are many others"
    if words[0] != "@user":
        return True
    return c[0] in _VOCATIVE_AUX or bool(_CAPITAL_AUX.match(text))


def combine(p: float, rule: float | None) -> float:
    """Let a firm rule override the model: a low rule caps the probability, a high one floors it."""
    if rule is None:
        return p
    return min(p, rule) if rule < 0.5 else max(p, rule)


def _unquoted(text: str) -> str:
    """Remove double-quoted spans, whose question marks belong to someone else."""
    parts = text.split('"')
    return "".join(parts[0::2]) if len(parts) % 2 == 1 else text


def _cues(words: Sequence[str], text: str, low: str, sents: list[Read], read: list[Asked]) -> npt.NDArray[np.float32]:
    """The cue vector of a comment already split into sentences."""
    opens = [(c, "?" in m and raw is parts[-1]) for parts, m, opened, _ in sents for raw, c in opened]
    last_q = bool(sents) and "?" in sents[-1][1]
    n_q = sum("?" in m for _, m, _, _ in sents)
    wh_q = any(q and c[0] in WH for c, q in opens)
    inv = any(wh_inverted(c) or aux_inverted(c) for c, _ in opens)
    inv_noq = any((wh_inverted(c) or aux_inverted(c)) and not q for c, q in opens[:1])
    modal_you = any(len(c) > 1 and c[0] in MODAL_ASK and c[1] in YOU for c, _ in opens)
    short_q = any(q and len(c) <= 2 and c[0] not in WH and c[0] not in AUX for c, q in opens)
    unquoted = _unquoted(text)
    bare = unquoted.rstrip()
    while bare and (bare[-1] in " .!)" or ord(bare[-1]) > 0x2000):
        bare = bare[:-1]  # trailing emoji and punctuation hide a final question mark
    return np.array(
        [
            "?" in unquoted,
            bare.endswith("?") or last_q,
            min(n_q, 3) / 3,
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
            any(q and k in (DIRECTIVE, NOT_QUESTION) for k, q in read),
            any(q and k == INFO for k, q in read),
        ],
        dtype=np.float32,
    )
