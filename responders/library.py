"""Read and check replies.toml: the reply templates, the known answers, our products and brand names."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from listener.errors import ConfigError
from listener.matching import blank, compile_keywords

FIELDS = frozenset({"name", "handle", "topic", "product", "question", "signature"})
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

    def wordings(self) -> list[str]:
        """Every opener + variant + closer combination: many more ways to say the same thing."""
        return [" ".join(p for p in (o, v, c) if p) for v in self.variants for o in self.openers for c in self.closers]


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
class Library:
    """Everything in replies.toml."""

    templates: tuple[Template, ...]
    answers: tuple[Answer, ...] = ()
    products: tuple[str, ...] = ()
    signature: str = ""
    language: str = "en"  # what templates and answers are written in unless they say otherwise
    brand: tuple[str, ...] = ()  # our own names: never a greeting, and a display name using one gets none
    product_patterns: tuple[re.Pattern[str] | None, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "product_patterns", tuple(compile_keywords([p]) for p in self.products))


def load_library(path: Path) -> Library:
    """Read and check replies.toml; a bad template is a ConfigError naming where it is."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: reply templates file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return parse_library(doc, str(path))


def parse_library(doc: Mapping[str, Any], where: str) -> Library:
    """Build a Library from a parsed replies.toml document."""
    settings = doc.get("settings", {})
    language = _lang(settings, "language", "en", f"{where}: [settings]")
    templates = []
    for i, entry in enumerate(doc.get("template", [])):
        place = f"{where}: template #{i + 1}"
        variants = _strings(entry, "variants", place, required=True)
        openers = _strings(entry, "openers", place) or ("",)
        closers = _strings(entry, "closers", place) or ("",)
        templates.append(
            Template(
                str(entry.get("intent", "any")),
                str(entry.get("sentiment", "any")),
                str(entry.get("platform", "any")),
                variants,
                openers,
                closers,
                _lang(entry, "lang", language, place),
            )
        )
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
