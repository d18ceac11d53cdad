"""Check an AI draft for what only a model does: the model talking, our instructions leaking, a comment obeyed.

The checks every draft passes (length, language, unsupported facts, secrets) live in
``responders.draft_checks``; ``problem`` runs both and names the first failure for the item's note.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from listener.records import Comment, Tags
from responders.drafting.prompt import Prompt
from responders.knowledge import Knowledge

# Words in a row shared with our instructions that make a draft a leak of them (shorter runs are common phrases).
LEAK_WORDS = 12
# Words in a row shared with the comment that make a draft an echo of it; far fewer when the comment gives orders.
ECHO_WORDS = 12
ORDERED_ECHO_WORDS = 4

_WORD = re.compile(r"[\w']+")
# The model speaking as a model, or about its prompt, instead of as the brand.
_ARTEFACT = re.compile(
    r"\bas an ai\b|\blanguage model\b|\bi am an ai\b|\bi'm an ai\b|\bsystem (?:prompt|message)\b"
    r"|\bmy (?:instructions|rules|prompt)\b|\b(?:previous|above|prior) instructions\b"
    r"|\bignore (?:all|your|the|my|previous)\b|\bhere(?:'s| is) (?:a|the|my|your) (?:reply|response|draft|answer)\b"
    r"|^(?:reply|response|draft|answer)\s*:"
    r"|\bvoice:|\bknowledge \(|\bfaq answers\b|\bjson document\b|\bquoted data\b",
    re.IGNORECASE | re.MULTILINE,
)
# A blank to fill in ([Your name], {name}) or markup from the prompt (<comment>); not a markdown link.
_PLACEHOLDER = re.compile(r"\[[^\]\n]{1,40}\](?!\()|\{\w*\}|</?[a-z_]+>")
# A comment giving the model orders: its words must not come back in our reply.
_ORDERS = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|rules|prompt|above|previous)\b"
    r"|\bsystem prompt\b|\byou are now\b|\bact as\b|\bpretend (?:to be|you)\b|\brepeat after\b"
    r"|\b(?:reply|respond|answer) (?:with|only)\b|\bsay (?:exactly|only|that|this)\b|\bprint\b.{0,20}\bprompt\b",
    re.IGNORECASE,
)
# A reasoning model's thinking, which some servers (Ollama) return in the answer.
_THINKING = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
# Quotation marks a model puts around its whole answer: opening, closing.
_QUOTES = {'"': '"', "\u201c": "\u201d", "'": "'"}


def clean(text: str) -> str:
    """The answer without a reasoning model's thinking or quotation marks around the whole of it."""
    text = _THINKING.sub("", text).strip()
    close = _QUOTES.get(text[:1])
    if close and len(text) > 1 and text[-1] == close and text[0] not in text[1:-1] and close not in text[1:-1]:
        text = text[1:-1].strip()
    return text


def own_problem(text: str, prompt: Prompt, comment: Comment, *, truncated: bool = False) -> str | None:
    """Why a draft reads as the model's work rather than the brand's reply, or None."""
    if truncated:
        return "it stopped at [drafting] max_tokens, mid-sentence"
    found = _ARTEFACT.search(text)
    if found:
        return f"it reads as the model talking (\u201c{found.group(0).strip()}\u201d)"
    blank = _PLACEHOLDER.search(text)
    if blank:
        return f"it has a blank to fill in ({blank.group(0)})"
    if _shares_run(text, prompt.instructions, LEAK_WORDS):
        return "it repeats heard's instructions to the model"
    ordered = bool(_ORDERS.search(comment.text))
    if _shares_run(text, comment.text, ORDERED_ECHO_WORDS if ordered else ECHO_WORDS):
        return "it follows an instruction in the comment" if ordered else "it repeats the comment back"
    return None


def problem(
    text: str,
    prompt: Prompt,
    comment: Comment,
    tags: Tags,
    *,
    thread: Sequence[Comment],
    knowledge: Knowledge,
    secrets: Sequence[str],
    truncated: bool = False,
) -> str | None:
    """The first reason this draft may not reach the queue: ours, then the checks every draft passes."""
    from responders.draft_checks import check_draft

    mine = own_problem(text, prompt, comment, truncated=truncated)
    if mine:
        return mine
    texts = [c.text for c in thread]
    found = check_draft(text, comment, tags, thread=texts, knowledge=knowledge, secrets=secrets)
    return found[0] if found else None


def _shares_run(text: str, source: str, n: int) -> bool:
    """Whether ``text`` has ``n`` words in a row that also stand in a row in ``source`` (case aside)."""
    mine = _runs(text, n)
    return bool(mine) and not mine.isdisjoint(_runs(source, n))


def _runs(text: str, n: int) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}
