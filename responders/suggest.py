"""Choose and render a reply from replies.toml: personal, platform-aware, never the same words twice."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from listener.errors import ConfigError
from listener.matching import fold
from listener.platforms import PlatformSpec, at_handle, plain_text, spec
from listener.records import Comment, Tags
from responders.greeting import greeting_name
from responders.library import FIELD, LANGUAGE_NAMES, Library, Template

_WORD = re.compile(r"[a-z0-9']+")
# Replies sharing more than this share of their words with a recent one read as canned.
NEAR_DUPLICATE = 0.8


@dataclass(frozen=True)
class Suggestion:
    """A reply to propose to a person (or to post by rule)."""

    text: str
    alternatives: tuple[str, ...] = ()
    template: str = ""
    needs_human: bool = False
    note: str = ""
    context: Mapping[str, str] = field(default_factory=dict)


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
        texts = [_fit(render(t, values), comment) for a in answers for t in a.texts]
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
        texts = _rotate([_fit(render(w, values), comment) for w in template.wordings()], comment.id)
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
    text = FIELD.sub(lambda m: values.get(m.group(1), ""), template)
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
    rule = _rule(comment.platform)
    escape, mention = (rule.escape, rule.mention) if rule else (plain_text, at_handle)
    # Words taken from a comment must read as typed, not as formatting or a link (Reddit's markdown).
    values = {k: escape(v) for k, v in values.items()}
    return {**values, "handle": mention(comment.author.handle), "signature": library.signature}


def _rule(platform: str) -> PlatformSpec | None:
    """The platform's reply rules (mention form, escaping, length), or None for one heard does not know."""
    try:
        return spec(platform)
    except ConfigError:
        return None


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


def _fit(text: str, comment: Comment) -> str:
    """Cut a reply at a word, with an ellipsis, to its platform's length as the platform counts it."""
    rule = _rule(comment.platform)
    limit = rule.reply_limit if rule else None
    if rule is None or limit is None or rule.reply_length(text, to=comment) <= limit:
        return text
    while rule.reply_length(text + "\u2026", to=comment) > limit and " " in text:
        text = text.rsplit(" ", 1)[0]
    return text + "\u2026"
