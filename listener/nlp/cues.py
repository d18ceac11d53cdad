"""Linguistic cues for "is this a question?": sentence forms, question marks and stock phrases.

"Question" means *information-seeking*. A request, offer, invitation or suggestion phrased as a question
("could you pass the salt?", "would you like some tea?", "how about Friday?", "can I pay by card?") asks for
action, not information; the intent layer (`triage.py`) still reads it as a request. Each sentence that ends in
"?" is read by the form of its clauses; a few clear forms also count without the mark.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np


def _words(text: str) -> frozenset[str]:
    """Split a space-separated word list into a set."""
    return frozenset(text.split())


WH = _words(
    "what why how where when who whom whose which wat wut what's whats where's how's who's when's why's "
    "what're where're how're who're"
)
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
    "madam guys then now anyway seriously honestly just quick question q : - ... wait actually sorry "
    "hmm ah ahh plus also or dear"
)
# Sentence-closing marks; a run of them ("…?", "?!", "...?") closes one sentence.
BREAKS = frozenset([".", "!", "?", ";", "…", "。", "¡"])
YOU = _words("you u ya ye")
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
    "wonder if",
    "wonder whether",
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
    "do you know",
    "curious if",
    "curious whether",
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
# Openings that ask for action (offers, invitations, suggestions), never for information.
OFFER = (
    "why don't we",
    "would you like",
    "would you care",
    "would you mind",
    "do you mind",
    "shall we",
    "shall i",
    "let's",
    "lets",
    "let us",
    "wanna",
    "want to",
    "what do you say",
    "would it be ok",
    "would it be okay",
    "would it be alright",
    "would it be all right",
    "would it be possible",
    "is it ok if",
    "is it okay if",
    "is it alright if",
    "is it all right if",
)
_OFFERS = tuple(o + " " for o in OFFER)
# Openings that are set phrases, neither a question nor a request: a greeting, an exclamation.
NOT_ASKING = ("how do you do", "who cares", "who knows", "guess what", "you know what", "were i ")
PARDON = ("pardon", "beg your pardon", "i beg your pardon", "come again")  # "please say that again"
MODAL = _words("can could would will may might shall should")
MODAL_ASK = _words("can could would will won't can't couldn't wouldn't cant couldnt wouldnt wont")
ADDRESSED = _words("you u ya the there it your")  # after "@brand does/is…", these mean we are being asked
DETERMINERS = _words("the this that my your our")
PRONOUN = _words("i you u we they he she it there") | DETERMINERS
PERSONAL = _words("i you u we they ya")
# Without "?", a past or perfect auxiliary before "the/my…" opens a statement whose subject was dropped.
DROPPED_SUBJECT = _words("had was were did has have")
# Without "?", "is/do/can… + <noun> + …" still asks ("is Didsbury open tomorrow", "do gift vouchers expire") when the
# word after the auxiliary can be its subject. These words cannot: they follow an auxiliary whose subject was
# dropped ("is so good", "can confirm", "will be back", "have to say") or open a statement ("is what it is").
NOUN_AUX = _words("is are do does did can will has")
NOT_SUBJECT = _words(
    "a an not no so very really just always never also such still being going getting gonna worth what why how "
    "when where who which whom all too more most much one here now back on off in out up down over done gone made "
    "been be get got go come good great bad best better worse amazing awesome lovely brilliant fab perfect right "
    "wrong true ok okay sure definitely literally honestly probably actually absolutely totally officially finally "
    "to for with like about every ever only even confirm recommend vouch wait believe see say try do had agree "
    "admit love hate think know want need feel guess hope miss enjoy highly defo def deffo tell vs at by from of "
    "as if or and but then than because lunch dinner brunch breakfast homework yoga something nothing everything "
    "anything someone everyone anyone nobody somebody it's its his her him them me us our your their my this that "
    "remember put give sit keep take make let mind check please pop drop call "
    "these those there the i you u we they he she it"
)
# "can you tell me whether…", "may I ask where…": an indirect question still asks for information.
ASK_VERBS = _words("tell confirm explain clarify let advise say ask know")
INDIRECT = _words("what why how where when who whom whose which if whether about")
# "can you speak French?", "will you be there?": ability, perception and future state, not a request.
STATE_VERBS = _words(
    "be speak see hear believe imagine remember recall read swim drive ride cook understand afford guess name "
    "ever still really also actually"
)
# "why don't you like it?" asks for a reason; "why don't you try it?" suggests.
STATIVE = _words("like love know think believe understand care trust agree remember want see hate mind")
# "how about you?", "what about your brother?", "how about in Japan?": the same question back, or about someone
# or somewhere else; otherwise a suggestion.
ABOUT_WHO = _words("you u yours your yourself him her his its them their theirs us me mine my the in")
# After "what about", words that propose something (an item, a time, an amount, a plan) rather than raise a topic.
PROPOSED = _words(
    "this that these those a an some another any one we i if us today tomorrow tonight next morning afternoon "
    "evening noon weekend monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december two three four five six seven eight nine ten "
    "eleven twelve fifteen twenty thirty forty fifty hundred half noon midnight"
)
ADVERBS = _words("just possibly perhaps maybe also please kindly pls plz")
NEGATION = _words("no not never don't didn't doesn't without can't haven't nor")
# Openings of a suggestion, which may list options without asking to choose ("how about tea or coffee?").
SUGGESTING = _words("how what why let's lets let shall maybe perhaps")
VAGUE = _words("something anything so whatever anywhere somewhere someone anyone two")  # "…or something?"
ANY_ASKS = _words("chance idea ideas update updates news word eta plans")
AGREED = frozenset(["ok", "okay", "alright", "all right", "k", "kk"])
ECHO = _words("really seriously sure right true")  # "really?": checking what was just said
ELLIPTIC = _words("anything anyone anybody something someone somebody any")  # "(is there) anything else?"
TAGS = _words("right eh huh yeah yes no correct true innit")
ABBREVIATIONS = _words("mr mrs ms dr st jr sr mt vs etc")
_CONTRACTED = _words("t s m re ve ll d")
N_CUES = 16
TRAILING = 2

INFO, DIRECTIVE, NOT_QUESTION = "info", "directive", "none"


# Last parts of a Bluesky or Mastodon handle's domain ("@name.bsky.social", "@name@mastodon.uk").
_HANDLE_TLD = _words("social uk com net org io app dev me xyz eu ie au ca nz us de fr blog page site online club art")


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


def _noun_subject(c: Sequence[str]) -> bool:
    """Whether the word after an opening auxiliary can be a noun subject with more to follow ("is Didsbury open")."""
    if len(c) < 3 or not c[2].isalpha():
        return False
    w1 = c[1]
    return w1.isalpha() and len(w1) > 1 and w1 not in NOT_SUBJECT and not w1.endswith(("ly", "ing", "ed", "est"))


def _indirect(rest: Sequence[str]) -> bool:
    """Whether an asking verb is followed by an indirect question: "tell me where…", "ask if…"."""
    return any(w in INDIRECT for w in rest[1:5])


def _modal_you(c: Sequence[str]) -> str | None:
    """Read "can/could/would/will you …": a request unless it asks about ability, state or information."""
    rest = [w for w in c[2:] if w not in ADVERBS]
    v = rest[0] if rest else ""
    if v in ASK_VERBS:
        return INFO if v in ("confirm", "clarify") or _indirect(rest) else DIRECTIVE
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
    if text.startswith(_OFFERS):
        return DIRECTIVE
    if w0 in WH:
        return INFO if asked or len(c) > 2 and w1 in AUX else None
    if w0 in MODAL_ASK and w1 in YOU:
        kind = _modal_you(c)
        return kind if asked or kind == INFO else None
    if w0 in ("can", "could", "may", "might") and w1 in ("i", "we"):
        if w2 == "help" or w2 in ASK_VERBS and _indirect(c[2:]) or w2 == "know":
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


def sentence_kind(parts: Sequence[Sequence[str]], marks: str) -> str | None:
    """Classify one sentence by the first clause with a clear form; a closing tag ("…, right?") asks."""
    return _kind(parts, marks, _opened(parts))


def _opened(parts: Sequence[Sequence[str]]) -> Opened:
    """The clauses that say something once openers are dropped, each with its original words."""
    out = []
    for raw in parts:
        c = _opening(raw)
        if c:
            out.append((raw, c))
    return out


def _kind(parts: Sequence[Sequence[str]], marks: str, opened: Opened) -> str | None:
    """`sentence_kind` with the opened clauses already worked out."""
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


def _has_words(opened: Opened) -> bool:
    """Whether a sentence says anything beyond handles, links, hashtags, fillers and emoji."""
    return any(any(ch.isalnum() for ch in w) for _, c in opened for w in c)


_SEEK_RE = re.compile(r" (" + "|".join(re.escape(s) for s in STRONG_SEEK) + r") ")
# Indirect questions with a gap before the question word: "I'd like to know what…", "I can't tell from the photo
# whether…", "would be good to know if…", "not sure if you…". Bounded gap, so no runaway backtracking.
_INDIRECT_RE = re.compile(
    r" (?:(?:like|love|need|want|good|useful|helpful|handy) to (?:know|find out|check|hear)"
    r"|can'?t tell|cannot tell|couldn'?t tell)(?: [^ .!?]+){0,6}? (?:if|whether|what|when|where|how|which|who|why) "
    r"| not sure (?:if|whether) (?:you|u|there's|there is|it's ok|we can|i can|i need|i should) "
)
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


def _assent(sents: list) -> None:
    """A bare "why not?" followed only by the writer's own statements agrees ("Why not? It sounds great.")."""
    for i, (parts, marks, opened, kind) in enumerate(sents):
        if kind == INFO and [c for _, c in opened] == [["why", "not"]]:
            rest = [m for _, m, o, _ in sents[i + 1 :] if _has_words(o)]
            if rest and not any("?" in m for m in rest):
                sents[i] = (parts, marks, opened, NOT_QUESTION)


# How a comment asks for something, beyond information (Reading's third part):
ASK_ACTION = "action"  # an offer or suggestion ("how about Friday?", "let's…"): a request, not a question
ASK_REQUEST = "request"  # a request phrased as a question ("can you…", "any chance you could…"): both
ASK_LEAVE = "permission"  # asking leave ("can I pay by card?", "could we bring the dog?"): a question
Reading = tuple[np.ndarray, float | None, str]  # (cue vector, the rules' firm opinion or None, ASK_* or "")
# Openers dropped before reading a request's form: "please could you…", "so can you…".
_POLITE = _words("please pls plz kindly just so also and but then quick")
# After "will you", these ask about a plan or a state ("will you have…", "will you do…"), not for a favour.
_WILL_STATE = _words("have do open still take serve need")
# "any chance of a table", "any chance you could…": asks us to do something; "any chance the pie is back" asks.
_CHANCE_ASKS = _words("of you u you'd you'll you'd we i")


def _ask_form(sents: list, seek: str | None, low: str) -> str:
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
            if v in ASK_VERBS and (v in ("confirm", "clarify") or _indirect(rest)):
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
    sents = []
    for parts, marks in sentences(words):
        opened = _opened(parts)
        sents.append((parts, marks, opened, _kind(parts, marks, opened)))
    _assent(sents)
    read = [(k, "?" in m) for _, m, o, k in sents if _has_words(o)]
    low = " ".join(words)
    rule, action = _rule(words, text, low, sents, read)
    form = _ask_form(sents, _seek(low), f" {low} ") or (ASK_ACTION if action else "")
    return _cues(words, text, low, sents, read), rule, form


def rule_score(words: Sequence[str], text: str) -> float | None:
    """Return a rule's firm opinion in [0, 1] on "is this a question?", or None to defer to the model."""
    return question_reading(words, text)[1]


def read_question(words: Sequence[str], text: str) -> tuple[float | None, str]:
    """Return (the rule's firm opinion or None, how it asks beyond information: an ASK_* value or "")."""
    _, rule, form = question_reading(words, text)
    return rule, form


def cue_vector(words: Sequence[str], text: str) -> np.ndarray:
    """Return the question cues of one comment as a float vector of length N_CUES."""
    return question_reading(words, text)[0]


def _rule(words: Sequence[str], text: str, low: str, sents: list, read: list) -> tuple[float | None, bool]:
    """The rules' firm opinion and whether the comment asks for action ("can I pay by card?", "could you…?").

    The second part lets the intent layer keep a request in question form as a request.
    """
    asked = [k for k, q in read if q]
    seek = _seek(low)
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


def _unasked(words: Sequence[str], sents: list) -> list[str | None]:
    """Kinds of the sentences without "?"; a leading handle followed by a verb is the subject, not a vocative."""
    if sents and words and words[0] == "@user":
        first = _opening(sents[0][0][0])
        if first[:1] and first[0] in AUX and not (first[1:2] and first[1] in ADDRESSED):
            sents = sents[1:]  # "@bob is a writer": the handle is the subject, unless "is the…"/"do you…" follows
    return [k for _, _, _, k in sents]


# Auxiliaries that cannot take one handle as their subject: after "@bob", "do/are/were" address Bob.
VOCATIVE_AUX = _words("do are were")
_NOT_OPENING = _words("so nor neither as than just and but also plus or")
_CAPITAL_AUX = re.compile(r"^\s*(?:[@＠][\w.@-]+\s+)+(?:Is|Are|Do|Does|Did|Can|Will|Has|Have) [A-Za-z]")


def _opens_asking(words: Sequence[str], sents: list, text: str) -> bool:
    """Whether a comment opens with "is/do/can… + <noun>…" and has no "?" or "!" ("Is Didsbury open tomorrow").

    Only the comment's first clause: later, "…, Is Dead at 88" or "…, will visit you" is a statement. After a
    leading handle the handle may be the subject ("@bob is a writer"), so the auxiliary must be one that cannot
    agree with it ("@bob do gift vouchers expire") or be written with a capital ("@bob Is Didsbury open").
    """
    if not sents or "?" in sents[0][1] or "!" in sents[0][1]:
        return False
    opened = sents[0][2]
    raw, c = opened[0] if opened else ([], [])
    if not c or c[0] not in NOUN_AUX or "please" in c or not _noun_subject(c):
        return False
    if any(w.startswith("#") or w in _NOT_OPENING for w in raw[: len(raw) - len(c)]):
        return False  # "#YesAllWomen are taught…", "just do whatever…", "so are many others"
    if words[0] != "@user":
        return True
    return c[0] in VOCATIVE_AUX or bool(_CAPITAL_AUX.match(text))


def combine(p: float, rule: float | None) -> float:
    """Let a firm rule override the model: a low rule caps the probability, a high one floors it."""
    if rule is None:
        return p
    return min(p, rule) if rule < 0.5 else max(p, rule)


def _unquoted(text: str) -> str:
    """Remove double-quoted spans, whose question marks belong to someone else."""
    parts = text.split('"')
    return "".join(parts[0::2]) if len(parts) % 2 == 1 else text


def _cues(words: Sequence[str], text: str, low: str, sents: list, read: list) -> np.ndarray:
    """The cue vector of a comment already split into sentences."""
    opens = [(c, "?" in m and raw is parts[-1]) for parts, m, opened, _ in sents for raw, c in opened]
    last_q = bool(sents) and "?" in sents[-1][1]
    n_q = sum("?" in m for _, m, _, _ in sents)
    wh_q = any(q and c[0] in WH for c, q in opens)
    inv = any(_wh_inverted(c) or _aux_inverted(c) for c, _ in opens)
    inv_noq = any((_wh_inverted(c) or _aux_inverted(c)) and not q for c, q in opens[:1])
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
