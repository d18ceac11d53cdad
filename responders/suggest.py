"""Choose and render a reply from replies.toml: personal, platform-aware, never the same words twice."""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from listener.errors import ConfigError
from listener.matching import blank, compile_keywords, fold
from listener.records import Comment, Tags
from responders.greeting import greeting_name

FIELDS = frozenset({"name", "handle", "topic", "product", "question", "signature"})
_FIELD = re.compile(r"\{(\w*)\}")
# What is left of a template once its plain fields are taken out must hold no brace at all.
_BRACES = re.compile(r"\{[^{}]*\}?|\}")
_WORD = re.compile(r"[a-z0-9']+")
# Replies sharing more than this share of their words with a recent one read as canned.
NEAR_DUPLICATE = 0.8
X_LIMIT = 280
# Platforms whose replies are rendered as Markdown.
MARKDOWN_PLATFORMS = frozenset({"reddit"})
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
_MARKDOWN = re.compile(r"[\\*_~^`>#\[\]()|]")


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


@dataclass(frozen=True)
class Suggestion:
    """A reply to propose to a person (or to post by rule)."""

    text: str
    alternatives: tuple[str, ...] = ()
    template: str = ""
    needs_human: bool = False
    note: str = ""
    context: Mapping[str, str] = field(default_factory=dict)


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
    for name in _FIELD.findall(text):
        if name not in FIELDS:
            raise ConfigError(f"{place}: unknown field {{{name}}} in {text!r}; use one of {', '.join(sorted(FIELDS))}")
    # render() fills plain {name} only: "{name!r}", "{name:>10}", "{name.attr}" or a stray brace
    # would be posted as written.
    stray = _BRACES.search(_FIELD.sub("", text))
    if stray:
        raise ConfigError(
            f"{place}: {stray.group(0)!r} in {text!r} is not a plain field; write fields as {{name}} only"
            f" (one of {', '.join(sorted(FIELDS))}), with no conversion, format or attribute, and no other braces"
        )


class Recent:
    """Our latest replies on one account, as word sets, for the near-duplicate check."""

    def __init__(self, texts: Sequence[str] = ()) -> None:
        self._words = [words(t) for t in texts]

    def add(self, text: str) -> None:
        """Count a reply just suggested, so the next suggestion avoids it too."""
        self._words.append(words(text))

    def near(self, text: str) -> bool:
        """Whether ``text`` shares more than NEAR_DUPLICATE of its words with a recent reply."""
        mine = words(text)
        return bool(mine) and any(len(mine & w) / len(mine | w) > NEAR_DUPLICATE for w in self._words if w)


def suggest(
    comment: Comment, tags: Tags, library: Library, *, recent: Recent | None = None, last_to_author: Sequence[str] = ()
) -> Suggestion:
    """Pick a reply for a comment that may be answered.

    Questions get a known answer or are handed to a person with the question quoted; everything
    else gets a template wording. Wordings this person just got and near-duplicates of our recent
    replies on the platform are skipped; when every wording is too close, a person writes this one.
    """
    recent = recent or Recent()
    values = _values(comment, library)
    lang = tags.lang if tags.lang not in ("", "und") else library.language
    foreign = _foreign(lang, library)
    if tags.intent == "question" or tags.is_question:
        folded = fold(comment.text)
        answers = [a for a in library.answers if a.lang in (lang, "any") and a.matches(folded)]
        if not answers:
            return Suggestion(
                "",
                template="needs-human",
                needs_human=True,
                context=values,
                note=f"needs a human answer{foreign}: \u201c{values['question']}\u201d",
            )
        texts = [_fit(render(t, values), comment.platform) for a in answers for t in a.texts]
        key = f"answer:{'+'.join(answers[0].keywords)}"
    else:
        template = _pick_template(library, tags, comment.platform, lang)
        if template is None:
            return Suggestion(
                "",
                template="needs-human",
                needs_human=True,
                context=values,
                note=f"no template for {tags.intent}/{tags.sentiment}{foreign}",
            )
        texts = _rotate([_fit(render(w, values), comment.platform) for w in template.wordings()], comment.id)
        key = f"{template.intent}/{template.sentiment}/{template.platform}"
    chosen = next((t for t in texts if t not in last_to_author and not recent.near(t)), None)
    # Alternatives worth choosing between: the wordings least like the suggestion.
    others = tuple(sorted(dict.fromkeys(t for t in texts if t != chosen), key=lambda t: overlap(t, chosen or ""))[:3])
    if chosen is None:
        return Suggestion(
            "",
            others,
            key,
            needs_human=True,
            context=values,
            note="every wording is close to a recent reply: write this one (drafts below)",
        )
    recent.add(chosen)
    return Suggestion(chosen, others, key, context=values)


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill ``{field}`` slots once; text from a comment is inserted literally, never re-parsed.

    An empty field takes its comma or space with it: "Thanks, {name}!" reads "Thanks!", and
    "{name}, this is kind." reads "This is kind."
    """
    template = _EMPTY_LEAD.sub(lambda m: _lead_out(m, values), template)
    template = _EMPTY_AFTER.sub(lambda m: "" if not values.get(m.group(1)) else m.group(0), template)
    text = _FIELD.sub(lambda m: values.get(m.group(1), ""), template)
    # An empty field must not leave "Thanks , Jo" behind; "!" and "?" keep any space (French needs it).
    return re.sub(r"\s+([,.])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()


# An empty field opening a sentence, with its comma or colon: "{name}, this is kind."
_EMPTY_LEAD = re.compile(r"(^|[.!?]\s+)\{(\w*)\}[,:]?\s*(\w?)")
# An empty field after a word, with the comma or space before it: "Thanks, {name}!", "Hi {name}!"
_EMPTY_AFTER = re.compile(r"(?:,\s*|\s+)\{(\w*)\}")


def _lead_out(found: re.Match[str], values: Mapping[str, str]) -> str:
    if values.get(found.group(2)):
        return found.group(0)
    return found.group(1) + found.group(3).upper()


def _values(comment: Comment, library: Library) -> dict[str, str]:
    ours = (comment.account, *library.brand, *library.products)
    name = greeting_name(comment.author.name, comment.author.handle, ours=ours)
    folded = fold(comment.text)
    pairs = zip(library.products, library.product_patterns, strict=True)
    product = next((p for p, pattern in pairs if pattern and pattern.search(folded)), "")
    values = {
        "name": name,
        "product": product,
        "topic": product or _topic(comment.text),
        "question": _question(comment.text),
    }
    if comment.platform in MARKDOWN_PLATFORMS:
        # Words taken from a comment must read as typed, not as formatting or a link.
        values = {k: _MARKDOWN.sub(r"\\\g<0>", v) for k, v in values.items()}
    return {**values, "handle": mention(comment.platform, comment.author.handle), "signature": library.signature}


def mention(platform: str, handle: str) -> str:
    """How a person is named on a platform: @handle on X, u/handle on Reddit."""
    return f"u/{handle}" if platform == "reddit" else f"@{handle}"


_TOPIC = re.compile(r"\b(?:the|your|my|our|this|that)\s+((?:[A-Za-z][\w-]*\s?){1,3})", re.IGNORECASE)
_STOPWORDS = frozenset(
    "is was are were be been has have had do does did and or but to of in on for with it i you we they so "
    "just very really".split()
)


def _topic(text: str) -> str:
    match = _TOPIC.search(_strip_mentions(text))
    if not match:
        return ""
    words = []
    for word in match.group(1).split():
        if word.lower() in _STOPWORDS:
            break
        words.append(word.strip(".,!?:;"))
    return "the " + " ".join(words) if words else ""


def _strip_mentions(text: str) -> str:
    # Handles may carry dots and a server ("@name.bsky.social", "@name@mastodon.social").
    return re.sub(r"(?:^|\s)(?:@|/?u/)[\w.@-]*\w", " ", text).strip()


def _question(text: str) -> str:
    text = re.sub(r"https?://\S+", "", _strip_mentions(text)).strip()
    sentences = re.split(r"(?<=[.!?])\s+", text)
    asked = next((s for s in sentences if s.endswith("?")), text)
    return asked if len(asked) <= 200 else asked[:199].rsplit(" ", 1)[0] + "\u2026"


def _foreign(lang: str, library: Library) -> str:
    """A note's words for a comment written in another language than the library's, else nothing."""
    if lang == library.language:
        return ""
    name = LANGUAGE_NAMES.get(lang, lang)
    return f' (written in {name}; replies.toml has nothing with lang = "{lang}")'


def _pick_template(library: Library, tags: Tags, platform: str, lang: str) -> Template | None:
    # Someone unhappy never gets a cheerful thank-you: not when sarcasm was read as praise ("great
    # system 👏"), nor as the fallback when no template fits their intent.
    upset = tags.sentiment == "negative" or tags.intent == "complaint"

    def score(t: Template) -> int:
        if (
            upset
            and (t.intent == "praise" or t.sentiment == "positive")
            or t.lang not in (lang, "any")
            or t.intent not in (tags.intent, "any")
            or t.sentiment not in (tags.sentiment, "any")
            or t.platform not in (platform, "any")
        ):
            return -1
        return (t.intent != "any") * 4 + (t.sentiment != "any") * 2 + (t.platform != "any")

    ranked = sorted(library.templates, key=score, reverse=True)
    return ranked[0] if ranked and score(ranked[0]) >= 0 else None


def _rotate(texts: Sequence[str], key: str) -> list[str]:
    start = int(hashlib.sha256(key.encode()).hexdigest(), 16) % len(texts)
    return list(texts[start:]) + list(texts[:start])


def words(text: str) -> set[str]:
    """The set of lower-cased words in a text."""
    return set(_WORD.findall(text.lower()))


def overlap(a: str, b: str) -> float:
    """Share of words two texts have in common (Jaccard)."""
    wa, wb = words(a), words(b)
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0


def near_duplicate(text: str, others: Sequence[str]) -> bool:
    """Whether a text shares more than NEAR_DUPLICATE of its words with any of the others."""
    return any(overlap(text, o) > NEAR_DUPLICATE for o in others)


def x_length(text: str) -> int:
    """Length as X counts it: URLs count 23, most Latin text 1 per character, the rest 2."""
    total = 0
    for token in re.split(r"(https?://\S+)", text):
        if token.startswith(("http://", "https://")):
            total += 23
            continue
        for ch in token:
            cp = ord(ch)
            light = cp <= 4351 or 8192 <= cp <= 8205 or 8208 <= cp <= 8223 or 8242 <= cp <= 8247
            total += 1 if light else 2
    return total


def _fit(text: str, platform: str) -> str:
    if platform != "x" or x_length(text) <= X_LIMIT:
        return text
    while x_length(text + "\u2026") > X_LIMIT and " " in text:
        text = text.rsplit(" ", 1)[0]
    return text + "\u2026"
