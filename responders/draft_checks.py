"""The last gate of every draft (template, holding, AI): length, language, unsupported facts, secrets, tone, names."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from listener.errors import ConfigError
from listener.matching import fold
from listener.nlp import triage
from listener.nlp.lang import detect_lang
from listener.platforms import spec
from listener.records import Comment, Tags
from responders.greeting import english_stop_words, greeting_name
from responders.knowledge import Fact, Knowledge, fact_keys, facts_in, references_in

# Languages a draft is not checked against: too short to tell, or no words at all.
NO_LANGUAGE = frozenset({"", "und", "zxx"})
# How sure the language guess must be before a draft is said to be in the wrong language.
LANGUAGE_SURE = 0.5
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\ufe0f]")
# Cheer that reads as not listening when the comment is unhappy.
_CHEER = re.compile(
    r"\b(?:yay|woo+|hooray|awesome|amazing|fantastic|brilliant|made our day|chuffed|delighted|thrilled|so glad"
    r"|great to hear|love (?:this|that|it|hearing|to hear)|glad you (?:enjoyed|liked|loved)|you'?re the best"
    r"|enjoy(?: every| the| your)?)\b",
    re.IGNORECASE,
)
_THANKS_CHEER = re.compile(r"\b(?:thank you|thanks|cheers)(?:[, ]+\w+)?\s*!", re.IGNORECASE)
# Asking for something: a verb that asks, or "your X" after "with"/"what's".
_ASK = re.compile(
    r"\b(?:send|share|give|tell|dm|email|e-mail|message|pass|include|confirm|let us know|could you|can you|would you"
    r"|please|what|which|with your|need your|have your)\b",
    re.IGNORECASE,
)
_ASKED = {
    "reference": re.compile(
        r"\b(?:order|booking)(?: or (?:order|booking))? (?:number|reference|ref|no)\b|\breference\b"
    ),
    "name": re.compile(r"\b(?:your (?:full |sur)?name|(?:what )?name (?:is|was) (?:the|your) booking)\b"),
    "email": re.compile(r"\byour (?:e-?mail(?: address)?)\b"),
}
_GAVE_NAME = re.compile(
    r"\b(?i:name|named|under the name|booked under|booking (?:is )?under|surname)\s*(?i:is|:|of)?\s+[A-Z][\w'-]+"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_NAME_WORD = r"([A-Z][\w'\u2019-]*[a-z][\w'\u2019-]*)"
# Where a reply names the person it greets: after a greeting word, opening the reply, or closing a sentence.
_GREETED = re.compile(
    r"\b(?i:hi|hello|hey|hiya|dear|morning|evening|thanks|thank you|cheers|sorry|welcome|congrats|ta)[,]?\s+"
    rf"{_NAME_WORD}(?=\s*[,.!?:;\u2014\u2013-]|\s*$)"
)
_OPENING = re.compile(rf"^\s*{_NAME_WORD},\s")
_CLOSING = re.compile(rf",\s+{_NAME_WORD}(?:\s*[.!?:]|\s+[\u2014\u2013-]\s)")
# Words that open a reply before a comma without naming anyone ("Sorry, we…", "Yes, …").
_INTERJECTIONS = frozenset(
    "yes no oh ah aw aww ooh wow yay woo hooray phew well so sorry thanks okay ok right great good hi hello hey "
    "honestly again noted cheers hmm morning evening afternoon apologies welcome absolutely sure congrats".split()
)
# Words that greet without a name: fine for anyone.
_EVERYONE = frozenset("there all everyone everybody folks friend friends team you".split())


@dataclass(frozen=True)
class DraftGate:
    """One comment's side of every draft check, worked out once: each draft then costs only its own side."""

    comment: Comment
    tags: Tags
    knowledge: Knowledge
    secrets: tuple[str, ...]
    said: frozenset[str]  # fact keys the comment and its thread gave
    promised: frozenset[str]  # fact keys a promise may rest on: our earlier words and the knowledge
    unhappy: bool
    mixed: bool
    gave: frozenset[str]  # what the comment already told us: "reference", "name", "email"
    refs: tuple[str, ...]  # their references, lower case
    name: str  # the first name a reply may greet them by, folded
    theirs: frozenset[str]  # the words of their name and handle, folded
    elsewhere: str  # the comment, thread and knowledge, folded: where a place or dish may be named

    def check(self, text: str) -> tuple[str, ...]:
        """Every reason this draft must not be offered as it is; empty when it may."""
        return (
            *_length(text, self.comment),
            *_language(text, self.tags),
            *(unsupported_message(f) for f in self.unsupported(text)),
            *_secrets(text, self.secrets),
            *_tone(text, self.unhappy, self.mixed),
            *(f"asks for the {what} the comment already gave" for what in self.asks_again(text)),
            *_greeting(text, self),
        )

    def unsupported(self, text: str) -> list[Fact]:
        """The facts in a draft that neither the comment, its thread nor the knowledge holds.

        A promise ("we'll refund you") counts only when the knowledge or our earlier words make it: a
        customer asking for a refund is no grounds for promising one.
        """
        known = self.said | self.knowledge.index
        return [f for f in facts_in(text) if not (f.keys & (self.promised if f.kind == "promise" else known))]

    def asks_again(self, text: str) -> list[str]:
        """What the draft asks for that the comment already gave (a reference, a name, an email)."""
        found = []
        for sentence in _SENTENCE.split(text) if self.gave else ():
            low = sentence.lower()
            if not _ASK.search(sentence):
                continue
            for what in sorted(self.gave):
                # "Thanks for the order number EO-48213" names what they gave: that is no asking.
                if _ASKED[what].search(low) and not any(r in low for r in self.refs):
                    found.append({"reference": "order or booking reference"}.get(what, what))
        return list(dict.fromkeys(found))


def gate(
    comment: Comment, tags: Tags, *, thread: Sequence[str], knowledge: Knowledge, secrets: Collection[str] = ()
) -> DraftGate:
    """The checks for every draft answering ``comment``, its side worked out once.

    ``thread`` holds the texts of the comments before this one in its conversation (ours included),
    ``knowledge`` what the user wrote down (knowledge.md and the answers in replies.toml), and
    ``secrets`` the values no reply may ever contain.
    """
    author = comment.author
    theirs = {fold(w) for w in re.findall(r"[^\W\d_]+", f"{author.name} {author.handle}")}
    theirs |= {fold(w) for w in re.findall(r"[A-Z][a-z]+", author.handle)}
    return DraftGate(
        comment=comment,
        tags=tags,
        knowledge=knowledge,
        secrets=tuple(secrets),
        said=fact_keys([comment.text, *thread]),
        promised=fact_keys(thread) | knowledge.index,
        unhappy=unhappy(comment, tags),
        mixed=triage.is_mixed(comment.text),
        gave=given(comment, thread),
        refs=tuple(r.lower() for t in (comment.text, *thread) for r in references_in(t)),
        name=fold(greeting_name(author.name, author.handle, ours=(comment.account,))),
        theirs=frozenset(theirs),
        # fold() works character by character and composes nothing across a space: folded in parts, it is the same.
        elsewhere=f"{fold(' '.join([comment.text, *thread]))} {knowledge.folded}",
    )


def check_draft(
    text: str,
    comment: Comment,
    tags: Tags,
    *,
    thread: Sequence[str],
    knowledge: Knowledge,
    secrets: Collection[str] = (),
) -> tuple[str, ...]:
    """Every reason this draft must not be offered as it is; empty when it may (``gate`` for many drafts)."""
    return gate(comment, tags, thread=thread, knowledge=knowledge, secrets=secrets).check(text)


def _length(text: str, comment: Comment) -> list[str]:
    try:
        rule = spec(comment.platform)
    except ConfigError:
        return []
    if rule.fits(text, to=comment):
        return []
    size = rule.reply_length(text, to=comment)
    return [f"over {comment.platform}'s limit ({size} of {rule.reply_limit} {rule.reply_unit})"]


def _language(text: str, tags: Tags) -> list[str]:
    if tags.lang in NO_LANGUAGE:
        return []
    lang, sure = detect_lang(text)
    if lang in NO_LANGUAGE or lang == tags.lang or sure < LANGUAGE_SURE:
        return []
    return [f"written in {lang}, the comment in {tags.lang}"]


def unsupported_message(fact: Fact) -> str:
    """How a note names a fact nobody gave."""
    return f"states a {fact.kind} ({fact.text!r}) that neither the comment, its thread nor the knowledge holds"


def _secrets(text: str, secrets: Collection[str]) -> list[str]:
    # The note never repeats the secret itself.
    return ["contains a secret value"] if any(s and len(s) >= 4 and s in text for s in secrets) else []


def unhappy(comment: Comment, tags: Tags) -> bool:
    """Whether the commenter is upset: negative, complaining, or sarcastic ("great system 👏")."""
    return tags.sentiment == "negative" or tags.intent == "complaint" or triage.is_sarcastic(comment.text)


def _tone(text: str, unhappy: bool, mixed: bool) -> list[str]:
    if unhappy:
        cheer = EMOJI.search(text) or _CHEER.search(text) or re.search(r"!", text)
        return [f"upbeat to an unhappy comment ({cheer.group(0)!r})"] if cheer else []
    if mixed:
        cheer = EMOJI.search(text) or _THANKS_CHEER.search(text) or re.search(r"!.*!", text)
        return [f"upbeat to praise with a reservation ({cheer.group(0)!r})"] if cheer else []
    return []


def calm(text: str) -> str:
    """A wording made fit for an unhappy or mixed comment: no emoji, no exclamation marks, no cheer openers."""
    text = EMOJI.sub("", text)
    # A bare "Hi!" opening has nothing left to say once calm; "Hi Jo!" becomes "Hi Jo.".
    text = re.sub(r"^\s*(?:yay|woo+|hooray|wow|hi|hello|hey)\s*[!.,]\s+", "", text, flags=re.IGNORECASE)
    text = text.replace("!", ".")
    text = re.sub(r"\.{2,}", ".", re.sub(r"\s+([.,])", r"\1", re.sub(r"\s{2,}", " ", text))).strip()
    return text[:1].upper() + text[1:] if text else text


def given(comment: Comment, thread: Sequence[str] = ()) -> frozenset[str]:
    """What the comment (or its thread) already told us: an order or booking reference, a name, an email."""
    gave = set()
    if references_in(comment.text) or any(references_in(t) for t in thread):
        gave.add("reference")
    if _GAVE_NAME.search(comment.text):
        gave.add("name")
    if _EMAIL.search(comment.text):
        gave.add("email")
    return frozenset(gave)


def _greeting(text: str, g: DraftGate) -> list[str]:
    stop = english_stop_words()
    found = [(m.group(1), True) for m in _GREETED.finditer(text)]
    # "Cooking, we're sorry" names someone only if it is a word of their own name ("Yay, …" is not).
    found += [(m.group(1), False) for m in _OPENING.finditer(text)]
    found += [(m.group(1), False) for m in _CLOSING.finditer(text)]
    for word, sure in found:
        low = fold(word)
        if low == g.name or low in _EVERYONE or low in _INTERJECTIONS or low in stop:
            continue
        # A place or a dish the comment or knowledge names is no greeting ("…at Ancoats, Didsbury."),
        # unless it is a word of the person's own name: "Chorlton" to "Chorlton Cooks" is.
        if low in g.theirs or (sure and not re.search(rf"\b{re.escape(low)}\b", g.elsewhere)):
            return [f"greets with {word!r}, which is not the person's first name"]
    return []
