"""The spaCy components of the heard pipeline; each sets `heard_*` Doc extensions."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypedDict

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

from listener.nlp.cues import ASK_ACTION, ASK_LEAVE, ASK_REQUEST, combine
from listener.nlp.inputs import Analysed, analyse, question_inputs, question_readings, sentiment_inputs
from listener.nlp.intent import intent_of, reports_failure, revised_sentiment, surface_sentiment
from listener.nlp.lang import ENGLISH, detect_lang
from listener.nlp.linear import LinearModel
from listener.nlp.signals import bot_score, spam_score

WEIGHTS = Path(__file__).resolve().parent / "weights"
AUTHOR_KEY = "heard_author"  # doc.user_data[AUTHOR_KEY] = (handle, bio, is_bot), set by tag()
TEXT_KEY = "heard_text"  # doc.user_data[TEXT_KEY] = the comment's raw text, set by tag()
ACTION_KEY = "heard_asks_action"  # doc.user_data[ACTION_KEY]: asks us to act, in question form (heard_question)
_ANALYSIS_KEY = "heard_analysis"
VALUES_KEY = "heard_values"  # doc.user_data[VALUES_KEY]: our extensions' values, read and written as a dict


class Values(TypedDict):
    """Our Doc extensions' values, as `doc._.heard_*` reads them and `tag()` turns them into Tags."""

    heard_sentiment: str
    heard_sentiment_score: float
    heard_is_question: bool
    heard_question_score: float
    heard_intent: str
    heard_intent_score: float
    heard_spam_score: float
    heard_bot_score: float
    heard_lang: str


EXTENSIONS: Values = {
    "heard_sentiment": "neutral",
    "heard_sentiment_score": 0.0,
    "heard_is_question": False,
    "heard_question_score": 0.0,
    "heard_intent": "other",
    "heard_intent_score": 0.0,
    "heard_spam_score": 0.0,
    "heard_bot_score": 0.0,
    "heard_lang": "und",
}


_DECLARED: list[bool] = []


def declare_extensions() -> None:
    """Declare our Doc extensions once; later calls are no-ops (stateless components call this per doc).

    Each extension reads and writes one plain dict in user_data: spaCy's `doc._` builds an object and a
    key per access, which cost a quarter of the tagging time at the two dozen accesses a comment needs.
    """
    if _DECLARED:
        return
    for name, default in EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, getter=_getter(name, default), setter=_setter(name))
    _DECLARED.append(True)


def _getter(name: str, default: object) -> Callable[[Doc], object]:
    return lambda doc: doc.user_data.get(VALUES_KEY, {}).get(name, default)


def _setter(name: str) -> Callable[[Doc, object], None]:
    def set_value(doc: Doc, value: object) -> None:
        values(doc)  # made with its defaults if no component has set a value yet
        doc.user_data[VALUES_KEY][name] = value

    return set_value


def values(doc: Doc) -> Values:
    """The doc's heard_* values as a plain dict (what `doc._.heard_*` reads); unset names take their defaults."""
    found: Values | None = doc.user_data.get(VALUES_KEY)
    if found is None:
        found = doc.user_data[VALUES_KEY] = EXTENSIONS.copy()
    return found


def analysis(doc: Doc) -> Analysed:
    """Return (raw, normalised, tokens) for a doc, computed once and cached on it.

    `doc.text` rebuilds the string from its tokens on every access, so the raw text travels in user_data.
    """
    found = doc.user_data.get(_ANALYSIS_KEY)
    if found is None:
        text = doc.user_data.get(TEXT_KEY)
        found = doc.user_data[_ANALYSIS_KEY] = analyse(doc.text if text is None else text)
    return found


def raw_text(doc: Doc) -> str:
    """The comment's raw text."""
    return analysis(doc)[0]


class _Batched(ABC):
    """Base for components that score a whole batch at once, which is where numpy pays off."""

    def __call__(self, doc: Doc) -> Doc:
        """Annotate one doc."""
        self.annotate([doc])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        """Annotate docs in batches."""
        for batch in minibatch(docs, size=batch_size):
            self.annotate(batch)
            yield from batch

    @abstractmethod
    def annotate(self, docs: list[Doc]) -> None:
        """Set this component's extensions on a batch of docs."""


class SentimentScorer(_Batched):
    """Negative / neutral / positive from a linear model over n-grams and VADER scores."""

    def __init__(self, weights: str) -> None:
        """Load the weights (a path, or the shipped file when empty)."""
        declare_extensions()
        self.model = LinearModel.load(Path(weights) if weights else WEIGHTS / "sentiment.npz")

    def annotate(self, docs: list[Doc]) -> None:
        """Set heard_sentiment and heard_sentiment_score."""
        proba = self.model.proba(*sentiment_inputs([analysis(d) for d in docs]))
        for doc, p in zip(docs, proba, strict=True):
            j = int(p.argmax())
            v = values(doc)
            v["heard_sentiment"], v["heard_sentiment_score"] = self.model.classes[j], round(float(p[j]), 4)


class QuestionScorer(_Batched):
    """Is this an information-seeking question? A linear model over n-grams and cues, overridden by firm rules."""

    def __init__(self, weights: str, threshold: float) -> None:
        """Load the weights (a path, or the shipped file when empty)."""
        declare_extensions()
        self.model = LinearModel.load(Path(weights) if weights else WEIGHTS / "question.npz")
        self.threshold = threshold

    def annotate(self, docs: list[Doc]) -> None:
        """Set heard_is_question and heard_question_score."""
        items = [analysis(d) for d in docs]
        readings = question_readings(items)
        proba = self.model.proba(*question_inputs(items, readings))[:, 1]
        for doc, (raw, _, _), (_, rule, form), p in zip(docs, items, readings, proba, strict=True):
            doc.user_data[ACTION_KEY] = form in (ASK_ACTION, ASK_REQUEST)
            p = combine(float(p), rule)
            v = values(doc)
            if v["heard_lang"] not in ENGLISH:
                p = 0.9 if "?" in raw else min(p, 0.5)  # the model knows English; elsewhere trust the "?"
            v["heard_question_score"] = round(float(p), 4)  # information-seeking, as the benchmarks label it
            # DECISIONS §2 also counts a request or a leave asked as a question ("can you…", "could I…").
            v["heard_is_question"] = bool(p >= self.threshold) or form in (ASK_REQUEST, ASK_LEAVE)


@Language.factory("heard_sentiment", default_config={"weights": ""})
def make_sentiment(nlp: Language, name: str, weights: str) -> SentimentScorer:
    """Create the sentiment component."""
    return SentimentScorer(weights)


@Language.factory("heard_question", default_config={"weights": "", "threshold": 0.75})
def make_question(nlp: Language, name: str, weights: str, threshold: float) -> QuestionScorer:
    """Create the question component."""
    return QuestionScorer(weights, threshold)


@Language.component("heard_lang")
def lang_component(doc: Doc) -> Doc:
    """Set heard_lang."""
    declare_extensions()
    values(doc)["heard_lang"] = detect_lang(raw_text(doc))[0]
    return doc


@Language.component("heard_spam")
def spam_component(doc: Doc) -> Doc:
    """Set heard_spam_score; the author's bio, when tag() knows it, can corroborate the text."""
    declare_extensions()
    _, bio, _ = doc.user_data.get(AUTHOR_KEY, ("", "", False))
    values(doc)["heard_spam_score"] = spam_score(raw_text(doc), bio or "")
    return doc


@Language.component("heard_bot")
def bot_component(doc: Doc) -> Doc:
    """Set heard_bot_score; the author comes from doc.user_data when tag() knows it."""
    declare_extensions()
    handle, bio, is_bot = doc.user_data.get(AUTHOR_KEY, ("", "", False))
    values(doc)["heard_bot_score"] = bot_score(handle, bio, is_bot, raw_text(doc))
    return doc


@Language.component("heard_intent")
def intent_component(doc: Doc) -> Doc:
    """Set heard_intent and heard_intent_score from sentiment, question and cue words."""
    declare_extensions()
    v = values(doc)
    text = raw_text(doc)
    if v["heard_lang"] not in ENGLISH:
        v["heard_sentiment"], v["heard_sentiment_score"] = "neutral", 0.5  # an English model guessing at German
    sentiment, score = surface_sentiment(text, v["heard_sentiment"], v["heard_sentiment_score"])
    intent, intent_score = intent_of(
        text,
        sentiment,
        score,
        v["heard_is_question"],
        v["heard_question_score"],
        asks_action=doc.user_data.get(ACTION_KEY, False),
    )
    v["heard_intent"], v["heard_intent_score"] = intent, intent_score
    failure = intent == "complaint" and reports_failure(text)
    v["heard_sentiment"], v["heard_sentiment_score"] = revised_sentiment(
        intent, sentiment, score, intent_score, failure=failure
    )
    return doc
