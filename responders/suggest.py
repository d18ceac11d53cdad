"""Draft the reply to a comment: a known answer, a template that listens, or an honest holding reply; never twice alike.

Every draft passes ``responders.draft_checks.check_draft`` before it is offered; one that fails falls back
to a holding reply with the reason in the note. docs/drafts.md tells the whole story.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice

from listener.errors import ConfigError
from listener.matching import fold
from listener.nlp import triage
from listener.platforms import PlatformSpec, spec
from listener.records import Comment, Tags
from responders import holding
from responders.draft_checks import EMOJI, calm, gate, unhappy
from responders.knowledge import facts_in
from responders.library import FIELD, LANGUAGE_NAMES, Answer, Library, Template
from responders.reading import read_comment

# The near-duplicate rule lives in recent.py; these names stay importable from here, where drafts use them.
from responders.recent import Recent, overlap, words

# Where a draft came from: a known answer (replies.toml or knowledge.md), a template, a language model, or
# a holding reply that says a person will answer.
SOURCES = ("faq", "template", "ai", "holding")
# Fields a wording may leave empty and still read well (an empty name takes its comma along).
OPTIONAL = frozenset({"name", "handle", "signature"})
# How many wordings one draft tries against the checks before giving up on a family.
MAX_TRIED = 40


@dataclass(frozen=True)
class Suggestion:
    """A reply to propose to a person (or to post by rule)."""

    text: str
    alternatives: tuple[str, ...] = ()
    template: str = ""
    needs_human: bool = False
    note: str = ""
    context: Mapping[str, str] = field(default_factory=dict)
    source: str = ""  # one of SOURCES; "" when there is no draft


def suggest(
    comment: Comment,
    tags: Tags,
    library: Library,
    *,
    recent: Recent | None = None,
    last_to_author: Sequence[str] = (),
    thread: Sequence[str] = (),
) -> Suggestion:
    """Draft the reply to a comment that needs one.

    Health, money and fraud matters and complaints get a careful holding reply; questions a known
    answer (replies.toml, then knowledge.md) or a holding reply naming their topic; everything else a
    template wording that uses what the comment said. Wordings this person just got and near-duplicates
    of our recent replies are passed over; when every wording is that close, the closest-to-fresh one
    is offered for a person to edit. ``thread`` holds the texts before the comment in its conversation.
    """
    lang = tags.lang if tags.lang not in ("", "und") else library.language
    kind = holding.kind_of(comment, tags)
    d = _Drafting(
        comment,
        tags,
        library,
        read_comment(comment, library, lang=lang, unhappy=kind in ("complaint", *holding.CARE), thread=thread),
        lang,
        recent or Recent(),
        tuple(last_to_author),
        tuple(thread),
        kind,
    )
    if kind in holding.CARE:
        return d.hold(kind, f"{kind} risk: a holding reply for a person to finish, not an answer")
    if kind == "complaint":
        held = d.hold(kind, "complaint: a holding reply for a person to finish, not an answer")
        return held if held.text or not _pick_templates(library, tags, comment.platform, lang) else d.templated()
    if tags.intent == "question" or (tags.is_question and tags.intent == "other"):
        return d.answered() or d.hold(
            "question", f"needs a human answer{_foreign(lang, library)}: \u201c{d.values['question']}\u201d"
        )
    return d.templated()


class _Drafting:
    """One comment's drafting: what it says, where it may be answered from, and the checks every draft passes."""

    def __init__(
        self,
        comment: Comment,
        tags: Tags,
        library: Library,
        values: dict[str, str],
        lang: str,
        recent: Recent,
        last_to_author: tuple[str, ...],
        thread: tuple[str, ...],
        kind: str,
    ) -> None:
        self.comment, self.tags, self.library, self.values, self.lang = comment, tags, library, values, lang
        self.recent, self.last_to_author, self.thread, self.kind = recent, last_to_author, thread, kind
        # Someone unhappy, or praising with a reservation, gets no cheer: no emoji, no "!".
        self.calm = unhappy(comment, tags) or triage.is_mixed(comment.text)
        # Every wording tried is checked against the same comment: its side of the checks is read once.
        self.gate = gate(comment, tags, thread=thread, knowledge=library.knowledge)

    def answered(self) -> Suggestion | None:
        """A known answer from replies.toml, else a knowledge.md line in a question template; None when neither fits."""
        folded = fold(self.comment.text)
        answers = [a for a in self.library.answers if a.lang in (self.lang, "any") and a.matches(folded)]
        for answer in _ranked(answers, self.comment.text, self.values):
            s = self.pick(list(answer.texts), "faq", f"answer:{'+'.join(answer.keywords)}")
            if s.text:
                return s
        ignore = (self.comment.account, *self.library.brand)
        fact = self.library.knowledge.answer_for(self.values["question"], ignore=ignore)
        frames = [t for t in self.library.templates if t.intent == "question" and t.lang in (self.lang, "any")]
        if not fact or not frames:
            return None
        self.values["fact"] = fact
        s = self.pick(
            [w for t in frames for w in t.wordings()],
            "faq",
            "knowledge",
            needs_human=True,
            note=f"answered from knowledge.md: check it answers \u201c{self.values['question']}\u201d",
        )
        return s if s.text else None

    def templated(self) -> Suggestion:
        """A template wording for the comment's intent and sentiment; a holding reply when none fits or passes."""
        templates = _pick_templates(self.library, self.tags, self.comment.platform, self.lang)
        if not templates:
            why = f"no template for {self.tags.intent}/{self.tags.sentiment}{_foreign(self.lang, self.library)}"
            return self.hold(self.kind, why)
        first = templates[0]
        key = f"{first.intent}/{first.sentiment}/{first.platform}"
        s = self.pick(_rotate([w for t in templates for w in t.wordings()], self.comment.id), "template", key)
        if s.text:
            return s
        return self.hold(self.kind, f"the template draft failed a check ({s.note}): a holding reply instead")

    def hold(self, kind: str, why: str) -> Suggestion:
        """A holding reply of this kind in the comment's language, always for a person; or none, with why."""
        entries = holding.holding_for(self.library, kind, intent=self.tags.intent, lang=self.lang)
        if not entries:
            return Suggestion("", template="needs-human", needs_human=True, context=self.values, note=why)
        wordings = _rotate([w for t in entries for w in t.wordings()], self.comment.id)
        s = self.pick(wordings, "holding", f"holding/{kind}", needs_human=True, note=why)
        if s.text:
            return s
        return Suggestion(
            "",
            template="needs-human",
            needs_human=True,
            context=self.values,
            note=f"{why}; the holding reply failed a check ({s.note})",
        )

    def pick(
        self, wordings: list[str], source: str, key: str, *, needs_human: bool = False, note: str = ""
    ) -> Suggestion:
        """The first wording that fills, passes every check and is not a repeat; the text is "" when none passes.

        Wordings that use more of what the comment gave (its topic, its reference) come first. A wording is
        checked only when its verdict can change the outcome: one near a recent reply is checked only as a
        fallback or an alternative (a burst of like comments runs through a family's fresh wordings, and
        the rest would all be checked for nothing).
        """
        verdicts: dict[str, tuple[str, ...]] = {}

        def problems(text: str) -> tuple[str, ...]:
            found = verdicts.get(text)
            if found is None:
                found = verdicts[text] = self.gate.check(text)
            return found

        tried: list[str] = []
        fresh: str | None = None  # the first passing that is neither this person's last reply nor near a recent one
        passing = 0  # how many of ``tried`` pass, once ``fresh`` is found: it takes four for the alternatives
        for text in islice(self._filled(wordings), MAX_TRIED):
            tried.append(text)
            if fresh is None:
                if text in self.last_to_author or self.recent.near(text) or problems(text):
                    continue
                fresh = text
                # Those tried before it that pass, counted until there are enough.
                for before in tried:
                    if passing >= 4:
                        break
                    passing += not problems(before)
            else:
                passing += not problems(text)
            if passing >= 4:
                break
        chosen = fresh if fresh is not None else next((t for t in tried if not problems(t)), None)
        if chosen is None:  # every wording tried failed a check (then each was checked): the first says why
            failed = problems(tried[0]) if tried else ()
            why = "; ".join(failed[:2]) or "no wording fits what the comment gave (a field it would leave empty)"
            return Suggestion("", template=key, needs_human=True, context=self.values, note=why)
        if fresh is None:
            needs_human = True
            note = "; ".join(n for n in (note, "close to a recent reply: edit it before approving") if n)
        self.recent.add(chosen)
        # Alternatives worth choosing between: the passing wordings least like the draft (checked in that order).
        ranked = sorted((t for t in tried if t != chosen), key=lambda t: overlap(t, chosen))
        others = tuple(islice((t for t in ranked if not problems(t)), 3))
        return Suggestion(chosen, others, key, needs_human, note, self.values, source)

    def _filled(self, wordings: list[str]) -> Iterator[str]:
        """The wordings whose fields the comment fills, the ones using most of it first, each rendered and fitted once.

        Lazily: fitting a text to its platform's length is dear, and a pick stops at its first few.
        """
        ranked: dict[int, list[str]] = {}
        for wording in wordings:
            fields = _needed(wording)
            if any(not self.values.get(f) for f in fields):
                continue
            # Acknowledging the reference they gave matters most, then naming what they talked about.
            ranked.setdefault(len(fields) + ("reference" in fields), []).append(wording)
        seen: set[str] = set()
        for n in sorted(ranked, reverse=True):
            for wording in ranked[n]:
                text = _fit(render(wording, self.values), self.comment)
                text = calm(text) if self.calm else text
                if text not in seen:
                    seen.add(text)
                    yield text


# A family's wordings are listed for every comment it answers: each one's fields are read once.
@lru_cache(maxsize=8192)
def _needed(wording: str) -> frozenset[str]:
    """The fields a wording cannot read well without."""
    return frozenset(FIELD.findall(wording)) - OPTIONAL


def _ranked(answers: list[Answer], text: str, values: Mapping[str, str]) -> list[Answer]:
    """Matching answers, best first: a keyword in the sentence that asks, then sharing the topic's words, then earliest.

    An answer that names none of the dates the question asks about ("open on Boxing Day?") answers another question.
    """
    asked = fold(values.get("question", ""))
    topic = words(values.get("topic", ""))
    # A holiday or a day of a month ("Christmas Day", "Friday 18th December"), not a weekday or a month alone.
    dates = {k for f in facts_in(text) if f.kind == "date" for k in f.keys if k.startswith(("holiday:", "date:"))}

    def fits(a: Answer) -> bool:
        return not dates or any(k in dates for t in a.texts for f in facts_in(t) for k in f.keys)

    def rank(a: Answer) -> tuple[int, int, int]:
        hits = [m.start() for p in a.patterns if p is not None and (m := p.search(fold(text)))]
        in_question = all(p is not None and p.search(asked) for p in a.patterns)
        return (-int(in_question), -len(topic & words(" ".join(a.texts))), min(hits, default=0))

    return sorted((a for a in answers if fits(a)), key=rank)


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


# An empty field opening a sentence (or after an emoji opener), with its comma or colon: "🔥 {name}, this is kind."
_EMPTY_LEAD = re.compile(rf"(^|[.!?]\s+|{EMOJI.pattern}+\s+)\{{(\w*)\}}[,:]?\s*(\w?)")
# An empty field after a word, with the comma or space before it: "Thanks, {name}!", "Hi {name}!"
_EMPTY_AFTER = re.compile(r"(?:,\s*|\s+)\{(\w*)\}")


def _lead_out(found: re.Match[str], values: Mapping[str, str]) -> str:
    if values.get(found.group(2)):
        return found.group(0)
    return found.group(1) + found.group(3).upper()


def _rule(platform: str) -> PlatformSpec | None:
    """The platform's reply rules (mention form, escaping, length), or None for one heard does not know."""
    try:
        return spec(platform)
    except ConfigError:
        return None


def _foreign(lang: str, library: Library) -> str:
    """A note's words for a comment written in another language than the library's, else nothing."""
    if lang == library.language:
        return ""
    name = LANGUAGE_NAMES.get(lang, lang)
    return f' (written in {name}; replies.toml has nothing with lang = "{lang}")'


def _pick_templates(library: Library, tags: Tags, platform: str, lang: str) -> list[Template]:
    """The most specific templates that fit the comment (every one tied for best), or none."""
    # Someone unhappy never gets a cheerful thank-you: not when sarcasm was read as praise ("great
    # system 👏"), nor as the fallback when no template fits their intent.
    upset = tags.sentiment == "negative" or tags.intent == "complaint"

    def score(t: Template) -> int:
        if (
            t.intent == "question"  # question templates frame a knowledge.md fact, nothing else
            or upset
            and (t.intent == "praise" or t.sentiment == "positive")
            or t.lang not in (lang, "any")
            or t.intent not in (tags.intent, "any")
            or t.sentiment not in (tags.sentiment, "any")
            or t.platform not in (platform, "any")
        ):
            return -1
        return (t.intent != "any") * 8 + (t.sentiment != "any") * 4 + (t.platform != "any") * 2 + (t.lang != "any")

    best = max((score(t) for t in library.templates), default=-1)
    return [t for t in library.templates if best >= 0 and score(t) == best]


def _rotate(texts: Sequence[str], key: str) -> list[str]:
    start = int(hashlib.sha256(key.encode()).hexdigest(), 16) % len(texts)
    return list(texts[start:]) + list(texts[:start])


def _fit(text: str, comment: Comment) -> str:
    """Cut a reply at a word, with an ellipsis, to its platform's length as the platform counts it."""
    rule = _rule(comment.platform)
    limit = rule.reply_limit if rule else None
    if rule is None or limit is None or rule.fits(text, to=comment):
        return text
    while not rule.fits(text + "\u2026", to=comment) and " " in text:
        text = text.rsplit(" ", 1)[0]
    return text + "\u2026"
