"""The records the checkers read: one comment with its thread, and the knowledge a draft may draw facts from."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Comments about health or safety: the tone must be careful whatever the sentiment label says.
SAFETY_TRAITS = frozenset({"allergen", "allergic_reaction", "food_poisoning"})


@dataclass(frozen=True)
class Case:
    """One comment as the examiner sees it: its text, its thread above it, its author and its labels."""

    id: str
    platform: str
    text: str
    author_name: str
    author_handle: str
    lang: str = "en"
    sentiment: str = "neutral"
    category: str = ""
    priority: str = "normal"
    traits: tuple[str, ...] = ()
    thread: tuple[str, ...] = ()  # the texts of its parent, grandparent… that are in the day


@dataclass(frozen=True)
class Ground:
    """What a draft may state besides the comment and its thread: the knowledge file and the FAQ answers."""

    text: str
    source: str  # which files it came from, for the printed table


@dataclass(frozen=True)
class Judged:
    """One draft for one comment, with where it came from (faq, template, ai, holding, or "?")."""

    case: Case
    draft: str
    source: str


def case_from_line(line: Mapping[str, Any], by_id: Mapping[str, Mapping[str, Any]]) -> Case:
    """A day line as a Case, its thread read from the earlier lines it answers."""
    thread: list[str] = []
    parent = line.get("parent_id")
    seen: set[str] = set()
    while parent and parent in by_id and parent not in seen:
        seen.add(parent)
        thread.append(str(by_id[parent]["text"]))
        parent = by_id[parent].get("parent_id")
    expect = line.get("expect") or {}
    author = line["author"]
    return Case(
        id=str(line["id"]),
        platform=str(line["platform"]),
        text=str(line["text"]),
        author_name=str(author.get("name") or ""),
        author_handle=str(author.get("handle") or ""),
        lang=str(line.get("lang") or "und"),
        sentiment=str(expect.get("sentiment") or ""),
        category=str(expect.get("category") or ""),
        priority=str(expect.get("priority") or ""),
        traits=tuple(expect.get("traits") or ()),
        thread=tuple(thread),
    )


def replies_answers(replies: Path) -> list[str]:
    """The FAQ answers of a replies.toml (templates are wording, not knowledge)."""
    doc = tomllib.loads(replies.read_text(encoding="utf-8"))
    return [str(answer.get("text") or "") for answer in doc.get("answer") or []]


def replies_products(replies: Path) -> list[str]:
    """``settings.products`` of a replies.toml."""
    doc = tomllib.loads(replies.read_text(encoding="utf-8"))
    return [str(p) for p in (doc.get("settings") or {}).get("products") or []]


def load_ground(knowledge: Path, replies: Path) -> Ground:
    """The knowledge file (when there is one) and the FAQ answers, as one text to look facts up in."""
    parts: Sequence[str] = replies_answers(replies) if replies.exists() else []
    if knowledge.exists():
        text = knowledge.read_text(encoding="utf-8")
        return Ground("\n".join([text, *parts]), f"{knowledge.name} + the answers in {replies.name}")
    return Ground("\n".join(parts), f"the answers in {replies.name} only ({knowledge.name} is absent)")
