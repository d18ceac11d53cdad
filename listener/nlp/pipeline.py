"""Assemble the heard spaCy pipeline and turn comments into plain Tags records."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from listener.nlp import components
from listener.nlp.lang import ENGLISH
from listener.nlp.triage import needs_reply, priority_of
from listener.records import Comment, Tags

PIPES = ("heard_lang", "heard_sentiment", "heard_question", "heard_spam", "heard_bot", "heard_intent")


def _model_hash() -> str:
    """Short hash of the shipped weights and the rules' source: new weights or new rules, new model version."""
    h = hashlib.sha256()
    here = components.WEIGHTS.parent
    for path in sorted([*components.WEIGHTS.glob("*.npz"), *here.glob("*.py")]):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:8]


MODEL_VERSION = f"heard-nlp-1.0+{_model_hash()}"


class RawTextTokenizer:
    """Make Docs that carry the comment's raw text and no tokens: our components read the raw text.

    spaCy's rule-based tokenizer cost more than all our models together, and nothing here used its
    output; even splitting on whitespace spent a fifth of the tagging time creating lexemes (shape,
    lower case, number-likeness) that no component reads.
    """

    def __init__(self, vocab: Vocab) -> None:
        """Keep the vocab that Docs are made with."""
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        """Make an empty Doc whose user_data carries the raw text."""
        doc = Doc(self.vocab)
        # Chinese and Japanese write "？" and "！": the same marks as far as every rule is concerned.
        doc.user_data[components.TEXT_KEY] = text.translate(_FULL_WIDTH)
        return doc


_FULL_WIDTH = str.maketrans({"\uff1f": "?", "\uff01": "!"})


def build_nlp() -> Language:
    """Return a blank English pipeline with our components; nothing is downloaded."""
    nlp = spacy.blank("en")
    nlp.tokenizer = RawTextTokenizer(nlp.vocab)
    for name in PIPES:
        nlp.add_pipe(name)
    return nlp


def _docs(nlp: Language, comments: list[Comment]) -> Iterator[Doc]:
    """Tokenise comments, carrying each author's profile for the bot component."""
    for c in comments:
        doc = nlp.make_doc(c.text or "")
        doc.user_data[components.AUTHOR_KEY] = (c.author.handle, c.author.bio, c.author.is_bot)
        yield doc


def _tags(comment: Comment, doc: Doc) -> Tags:
    """Build the Tags record for one analysed comment."""
    x = components.values(doc)
    readable = x["heard_lang"] in ENGLISH
    reply = needs_reply(comment, x["heard_intent"], x["heard_spam_score"], x["heard_bot_score"], readable=readable)
    return Tags(
        comment_id=comment.id,
        sentiment=x["heard_sentiment"],
        sentiment_score=x["heard_sentiment_score"],
        is_question=x["heard_is_question"],
        question_score=x["heard_question_score"],
        intent=x["heard_intent"],
        intent_score=x["heard_intent_score"],
        spam_score=x["heard_spam_score"],
        bot_score=x["heard_bot_score"],
        needs_reply=reply,
        priority=priority_of(comment.text, x["heard_intent"], reply),
        lang=x["heard_lang"],
        model_version=MODEL_VERSION,
    )


def tag(comments: Iterable[Comment], nlp: Language | None = None, *, batch_size: int = 256) -> list[Tags]:
    """Tag comments in batches; spaCy objects stay inside this module."""
    nlp = nlp or build_nlp()
    items = list(comments)
    # A string a Doc interns stays in the shared vocab for good: in a service that tags for months,
    # that is a leak. Our Docs intern no words today; the zone frees anything a component interns.
    with nlp.memory_zone():
        docs = nlp.pipe(_docs(nlp, items), batch_size=batch_size)
        return [_tags(c, d) for c, d in zip(items, docs, strict=True)]
