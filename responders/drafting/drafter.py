"""Offer an AI draft in place of the template one, when the endpoint answers and the draft passes every check.

The judge has decided before the model is asked (needs a reply, priority, skip, veto), so nothing
the model or a comment says changes a decision; the drafter only words the reply. The template
draft stays whenever drafting is paused, the endpoint fails, or the draft fails a check (the
item's note says why), and it is kept among the alternatives when the AI draft wins.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime

from listener.nlp import triage
from listener.records import Comment, Tags
from listener.store import Store
from responders.drafting import checks, health
from responders.drafting.client import ChatClient, Completion, DraftingError
from responders.drafting.config import DraftingConfig
from responders.drafting.prompt import Material, Prompt, build_prompt
from responders.library import Library
from responders.recent import Recent
from responders.suggest import Suggestion

log = logging.getLogger("heard")
# Where a draft came from, as Suggestion.source spells it.
SOURCE = "ai"


class Drafter:
    """Word replies with a language model through ``[drafting]``; one per process, shared by every pass."""

    def __init__(
        self,
        config: DraftingConfig,
        store: Store,
        library: Library,
        *,
        secrets: Sequence[str] = (),
        posting_auto: Mapping[str, tuple[str, ...]] | None = None,
        client: ChatClient | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.library = library
        self.secrets = tuple(s for s in (*secrets, config.api_key) if s)
        self.posting_auto = posting_auto or {}
        self.client = client or ChatClient(config)

    def improve(
        self,
        comment: Comment,
        tags: Tags,
        suggestion: Suggestion,
        *,
        thread: Sequence[Comment] = (),
        recent: Recent | None = None,
        now: datetime,
        fresh: bool = False,
    ) -> Suggestion:
        """The AI draft for this comment as the suggestion, or ``suggestion`` itself (with why, when dropped).

        A draft too close to one of our ``recent`` replies is dropped like any other; one taken joins them.
        ``fresh`` (a person asked, `heard draft --ai`) asks the endpoint even while drafting rests or the
        comment is at risk, and never reads the cache.
        """
        if not fresh and not self.wanted(comment, tags):
            return suggestion
        prompt = self.prompt(comment, tags, suggestion, thread=thread)
        try:
            answer = self._answer(comment, prompt, now=now, fresh=fresh)
        except DraftingError as exc:
            log.warning("drafting item=%s kind=%s error=%s", comment.id, exc.kind, exc)
            return _noted(suggestion, f"AI draft unavailable: {exc}")
        if answer is None:
            return suggestion
        text = checks.clean(answer.text)
        why = checks.problem(
            text,
            prompt,
            comment,
            tags,
            thread=thread,
            knowledge=self.library.knowledge,
            secrets=self.secrets,
            truncated=answer.finish_reason == "length",
        )
        if not why and recent is not None and recent.near(text):
            why = "it is close to one of our recent replies"
        if why:
            log.info("drafting item=%s dropped=%s", comment.id, why)
            return _noted(suggestion, f"AI draft dropped: {why}")
        if recent is not None:
            recent.add(text)
        others = tuple(dict.fromkeys(t for t in (suggestion.text, *suggestion.alternatives) if t and t != text))
        return dataclasses.replace(
            suggestion,
            text=text,
            alternatives=others[:3],
            source=SOURCE,
            # A rule may approve an AI draft only for the intents [drafting] auto names.
            needs_human=tags.intent not in self.config.auto,
            note="; ".join(n for n in (suggestion.note, f"AI draft by {self.config.model}: check it") if n),
        )

    def wanted(self, comment: Comment, tags: Tags) -> bool:
        """Whether a comment gets an AI draft on its own: not one at risk, nor one a template reply posts by rule.

        Health, safety, money and fraud keep the careful template draft for a person; where
        ``[posting.auto]`` posts template replies and ``[drafting] auto`` does not name the intent,
        the template reply goes on being posted as before.
        """
        if triage.risk_of(comment.text):
            return False
        by_rule = tags.intent in self.posting_auto.get(comment.platform, ())
        return not by_rule or tags.intent in self.config.auto

    def prompt(self, comment: Comment, tags: Tags, suggestion: Suggestion, *, thread: Sequence[Comment] = ()) -> Prompt:
        """The prompt this comment's draft is asked with."""
        lang = tags.lang if tags.lang not in ("", "und") else self.library.language
        material = Material(
            brand=self.library.brand[0] if self.library.brand else comment.account,
            voice=self.config.voice,
            facts=self.library.knowledge.facts,
            signature=self.library.signature,
        )
        return build_prompt(
            comment,
            tags,
            material,
            thread=thread,
            name=suggestion.context.get("name", ""),
            language=lang,
            settings={"max_tokens": self.config.max_tokens, "temperature": self.config.temperature},
        )

    def _answer(self, comment: Comment, prompt: Prompt, *, now: datetime, fresh: bool) -> Completion | None:
        """The endpoint's answer to this prompt: kept from an earlier run, or asked for (then kept and counted).

        None while drafting rests (unless ``fresh``).
        :raises DraftingError: the endpoint gave no usable answer (recorded in drafting's health).
        """
        model = self.config.model
        kept = None if fresh else self.store.draft(comment.id, model, prompt.hash)
        if kept is not None:
            return Completion(kept.text, finish_reason=kept.finish_reason)
        state = health.read(self.store, endpoint=self.client.endpoint, model=model)
        if not fresh and health.paused(state, now=now):
            return None
        try:
            answer = self.client.complete(prompt.messages)
        except DraftingError as exc:
            health.failed(self.store, state, exc, now=now)
            raise
        health.succeeded(self.store, state, now=now)
        self.store.save_draft(
            comment.id,
            model,
            prompt.hash,
            answer.text,
            prompt_tokens=answer.prompt_tokens,
            completion_tokens=answer.completion_tokens,
            finish_reason=answer.finish_reason,
            now=now,
        )
        return answer


def _noted(suggestion: Suggestion, note: str) -> Suggestion:
    """The suggestion unchanged but for one more sentence in its note."""
    return dataclasses.replace(suggestion, note="; ".join(n for n in (suggestion.note, note) if n))
