"""Read and check replies.toml: the reply templates, holding replies, known answers, our products and brand names."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from listener.errors import ConfigError
from listener.matching import blank, compile_keywords
from responders.knowledge import FAQ_SECTION, Knowledge

FIELDS = frozenset(
    {"name", "handle", "topic", "product", "place", "question", "signature", "reference", "contact", "fact"}
)
# What a holding reply is for (docs/drafts.md): the kind of comment it holds until a person answers.
HOLDING_KINDS = ("question", "request", "complaint", "health", "money", "fraud", "care", "any")
# One plain field in a template: {name}.
FIELD = re.compile(r"\{(\w*)\}")
# What is left of a template once its plain fields are taken out must hold no brace at all.
_BRACES = re.compile(r"\{[^{}]*\}?|\}")
# Names of the languages the tagger tells apart, for the note on an item no template's language fits.
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "pt": "Portuguese",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "nl": "Dutch",
    "pl": "Polish",
    "sv": "Swedish",
    "ja": "Japanese",
    "ko": "Korean",
    "zh": "Chinese",
    "ru": "Russian",
    "ar": "Arabic",
    "he": "Hebrew",
    "el": "Greek",
    "th": "Thai",
    "hi": "Hindi",
}
_LANG_CODE = re.compile(r"^(?:[a-z]{2,3}|any)$")


@dataclass(frozen=True)
class Template:
    """One family of interchangeable wordings for an intent, sentiment and platform."""

    intent: str
    sentiment: str
    platform: str
    variants: tuple[str, ...]
    openers: tuple[str, ...] = ("",)
    closers: tuple[str, ...] = ("",)
    lang: str = "en"  # the language it is written in, or "any" (an emoji)

    def wordings(self) -> tuple[str, ...]:
        """Every opener + variant + closer combination: many more ways to say the same thing."""
        return self._wordings

    @cached_property
    def _wordings(self) -> tuple[str, ...]:
        # Every draft from this family lists them all (a few hundred): joined once, not once a comment.
        return tuple(
            " ".join(p for p in (o, v, c) if p) for v in self.variants for o in self.openers for c in self.closers
        )


@dataclass(frozen=True)
class Answer:
    """A known answer to a frequent question, found by keywords that must all appear as whole words."""

    keywords: tuple[str, ...]
    texts: tuple[str, ...]
    lang: str = "any"
    # One compiled pattern per keyword, built once when the library loads (see listener.matching).
    patterns: tuple[re.Pattern[str] | None, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "patterns", tuple(compile_keywords([k]) for k in self.keywords))

    def matches(self, folded: str) -> bool:
        """Whether every keyword is in a comment's text, already folded with ``listener.matching.fold``."""
        return all(p is not None and p.search(folded) for p in self.patterns)


@dataclass(frozen=True)
class Holding:
    """Wordings that hold a comment of one kind, honestly, until a person answers it (never posted by a rule)."""

    kind: str  # one of HOLDING_KINDS
    template: Template  # its wordings, language, and the intent it is for ("any" or one intent)


@dataclass(frozen=True)
class Library:
    """Everything in replies.toml, with the knowledge drafts may state (knowledge.md plus the answers here)."""

    templates: tuple[Template, ...]
    answers: tuple[Answer, ...] = ()
    products: tuple[str, ...] = ()
    signature: str = ""
    language: str = "en"  # what templates and answers are written in unless they say otherwise
    brand: tuple[str, ...] = ()  # our own names: never a greeting, and a display name using one gets none
    holding: tuple[Holding, ...] = ()
    knowledge: Knowledge = field(default_factory=Knowledge)
    places: tuple[str, ...] = ()  # our sites or shops ("Ancoats"): a draft names the one the comment names
    product_patterns: tuple[re.Pattern[str] | None, ...] = field(init=False, repr=False, compare=False)
    place_patterns: tuple[re.Pattern[str] | None, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # "short rib" is named by "short ribs" too.
        plurals = (compile_keywords([p, f"{p}s", f"{p}es"]) for p in self.products)
        object.__setattr__(self, "product_patterns", tuple(plurals))
        object.__setattr__(self, "place_patterns", tuple(compile_keywords([p]) for p in self.places))
        # The answers are facts the user wrote; the holding wordings add only what they promise ("today").
        answers = (_without_fields(t) for a in self.answers for t in a.texts)
        promised = (w for h in self.holding for w in h.template.wordings())
        object.__setattr__(self, "knowledge", self.knowledge.plus(FAQ_SECTION, answers, extra=promised))


def _without_fields(text: str) -> str:
    """An answer's text as a fact line: "Hi {name}! Open at 8." reads "Hi! Open at 8."."""
    return re.sub(r"\s{2,}", " ", re.sub(r"[ ,]*\{\w*\}", "", text)).strip(" ,")


def load_library(path: Path, *, knowledge: Knowledge | None = None) -> Library:
    """Read and check replies.toml, with knowledge.md's facts if given; a bad template is a ConfigError naming where."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: reply templates file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return parse_library(doc, str(path), knowledge=knowledge)


def parse_library(doc: Mapping[str, Any], where: str, *, knowledge: Knowledge | None = None) -> Library:
    """Build a Library from a parsed replies.toml document."""
    settings = doc.get("settings", {})
    language = _lang(settings, "language", "en", f"{where}: [settings]")
    templates = [
        _template(entry, f"{where}: template #{i + 1}", language) for i, entry in enumerate(doc.get("template", []))
    ]
    holding = []
    for i, entry in enumerate(doc.get("holding", [])):
        place = f"{where}: holding #{i + 1}"
        kind = str(entry.get("kind", "any"))
        if kind not in HOLDING_KINDS:
            raise ConfigError(f"{place}: 'kind' must be one of {', '.join(HOLDING_KINDS)}, got {kind!r}")
        holding.append(Holding(kind, _template(entry, place, language)))
    answers = []
    for i, entry in enumerate(doc.get("answer", [])):
        place = f"{where}: answer #{i + 1}"
        keywords = entry.get("keywords")
        texts = (entry["text"],) if isinstance(entry.get("text"), str) else _strings(entry, "variants", place)
        if not isinstance(keywords, list) or not keywords or not texts:
            raise ConfigError(f"{place}: needs 'keywords' (a list) and 'text' (or 'variants', a list)")
        if any(blank(str(k)) for k in keywords):
            raise ConfigError(f"{place}: a keyword is empty; every keyword must have a word to look for")
        for text in texts:
            _check_fields(text, place)
        # An answer's keywords already say what language its question is in ("méxico", "日本"), so an
        # answer without ``lang`` fits any; a template has no such guard and is in the library's language.
        answers.append(Answer(tuple(str(k).lower() for k in keywords), texts, _lang(entry, "lang", "any", place)))
    return Library(
        tuple(templates),
        tuple(answers),
        tuple(settings.get("products", [])),
        str(settings.get("signature", "")),
        language,
        _strings(settings, "brand", f"{where}: [settings]") if settings.get("brand") else (),
        tuple(holding),
        knowledge or Knowledge(),
        _strings(settings, "places", f"{where}: [settings]") if settings.get("places") else (),
    )


def _template(entry: Mapping[str, Any], place: str, language: str) -> Template:
    """One [[template]] or [[holding]] table: its wordings, checked, and what it fits."""
    variants = _strings(entry, "variants", place, required=True)
    openers = _strings(entry, "openers", place) or ("",)
    closers = _strings(entry, "closers", place) or ("",)
    return Template(
        str(entry.get("intent", "any")),
        str(entry.get("sentiment", "any")),
        str(entry.get("platform", "any")),
        variants,
        openers,
        closers,
        _lang(entry, "lang", language, place),
    )


def _lang(entry: Mapping[str, Any], key: str, default: str, place: str) -> str:
    value = entry.get(key, default)
    if not isinstance(value, str) or not _LANG_CODE.match(value):
        raise ConfigError(f'{place}: \'{key}\' must be a language code such as "en" or "es" (or "any"), got {value!r}')
    return value


def _strings(entry: Mapping[str, Any], key: str, place: str, *, required: bool = False) -> tuple[str, ...]:
    value = entry.get(key)
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{place}: '{key}' must be a non-empty list of strings")
    for text in value:
        _check_fields(text, place)
    return tuple(value)


def _check_fields(text: str, place: str) -> None:
    for name in FIELD.findall(text):
        if name not in FIELDS:
            raise ConfigError(f"{place}: unknown field {{{name}}} in {text!r}; use one of {', '.join(sorted(FIELDS))}")
    # render() fills plain {name} only: "{name!r}", "{name:>10}", "{name.attr}" or a stray brace
    # would be posted as written.
    stray = _BRACES.search(FIELD.sub("", text))
    if stray:
        raise ConfigError(
            f"{place}: {stray.group(0)!r} in {text!r} is not a plain field; write fields as {{name}} only"
            f" (one of {', '.join(sorted(FIELDS))}), with no conversion, format or attribute, and no other braces"
        )
