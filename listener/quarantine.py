"""Describe an item set aside by a stage it cannot pass, so one poison item never stops the rest."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from listener.errors import HeardError
from listener.text import printable
from listener.text import storable as clean  # store.py and heard/ import both from here

# The stages that set items aside, in pipeline order: a raw payload (normalise, store) or a stored comment.
STAGES = ("normalise", "store", "tag", "decide")
# Stages whose items are raw payloads: retrying them means normalising and storing again.
RAW_STAGES = ("normalise", "store")
# Errors one item causes (text that is not valid Unicode, a value SQLite cannot hold, a rule that trips
# on one comment); a locked, full or broken database is not one of them: it stops the stage, nothing is set aside.
ITEM_ERRORS = (
    ValueError,
    TypeError,
    OverflowError,
    sqlite3.IntegrityError,
    sqlite3.InterfaceError,
    sqlite3.DataError,
)
# How much of an item a person sees in `heard status` and `heard quarantine`.
EXCERPT_CHARS = 200


@dataclass(frozen=True)
class Reject:
    """One item a stage could not handle: which stage, which item, why, and what to retry it from."""

    stage: str
    item: str
    error: str
    source: str | None = None
    excerpt: str = ""
    raw: Any = None


def describe(exc: BaseException) -> str:
    """One line naming an exception, safe to store."""
    return printable(clean(" ".join(f"{type(exc).__name__}: {exc}"[:2000].split()), 500))


def raw_item(source: str, raw: Mapping[str, Any] | Any) -> str:
    """A stable id for a raw payload no comment id could be read from: the source and a digest of it."""
    digest = hashlib.sha256(dump(raw).encode()).hexdigest()[:16]
    return f"{source}#{digest}"


def dump(raw: Any) -> str:
    """The raw payload as ASCII JSON: escapes keep lone surrogates and control characters storable."""
    return json.dumps(raw, sort_keys=True, default=repr)


def excerpt(value: Any) -> str:
    """The first characters of a text or payload, on one line, for a person to recognise it."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True, default=repr)
    return printable(clean(" ".join(text[: EXCERPT_CHARS * 4].split()), EXCERPT_CHARS))


def is_systemic(exc: BaseException) -> bool:
    """Whether a failure is the system's (database, disk, memory, configuration), not one item's."""
    if isinstance(exc, sqlite3.DatabaseError):
        return not isinstance(exc, ITEM_ERRORS)
    return isinstance(exc, OSError | MemoryError | HeardError)
