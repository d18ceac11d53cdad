"""Provide the human-editable queue file: write the pending view, read decisions, validate with lines."""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scalarstring import LiteralScalarString

from listener.errors import QueueFileError

ACTIONS = ("pending", "approve", "reject", "dismiss")
HEADER = """\
# heard queue: one item per comment waiting for an answer, most urgent first.
#
#   action: pending   leave it for later (edits to `reply` are kept)
#   action: approve   post `reply` (edit the text first if you like)
#   action: reject    do not post this reply (add `reason:` if you like)
#   action: dismiss   no reply needed; counts as acknowledged
#
# Save the file; heard picks up decisions on its next pass (or run `heard post`),
# then rewrites this file with what is still pending. Only `action`, `reply` and
# `reason` are read; everything else is there to help you decide.
"""


@dataclass(frozen=True)
class Decision:
    """What a person said about one queue item."""

    id: str
    action: str
    reply: str
    reason: str
    line: int


@dataclass(frozen=True)
class Snapshot:
    """The queue file as read: its decisions and a fingerprint of the exact bytes."""

    decisions: tuple[Decision, ...]
    digest: str


def fingerprint(data: bytes) -> str:
    """The digest that identifies one exact text of the queue file."""
    return hashlib.sha256(data).hexdigest()


def digest_of(path: Path) -> str:
    """Fingerprint the file's bytes ("" when it does not exist)."""
    try:
        return fingerprint(path.read_bytes())
    except FileNotFoundError:
        return ""


def read(path: Path, *, ours: str | None = None) -> Snapshot:
    """Read every decision in the queue file, or raise QueueFileError naming the line.

    ``ours`` is the digest of the text we last wrote: a file still byte for byte ours holds no one's
    decisions, so it is not parsed (parsing takes about 9 ms an item).
    :raises QueueFileError: the file is not valid YAML or an item is malformed.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Snapshot((), "")
    digest = fingerprint(data)
    if digest == ours:
        return Snapshot((), digest)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QueueFileError(str(path), None, f"not UTF-8 text: {exc}") from exc
    try:
        doc = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # At the end of the file the useful place is where the unclosed construct began.
        if exc.context_mark is not None and mark is not None and mark.line + 1 >= len(text.splitlines()):
            mark = exc.context_mark
        line = mark.line + 1 if mark is not None else None
        context = f" ({exc.context})" if exc.context else ""
        raise QueueFileError(str(path), line, f"not valid YAML: {exc.problem or exc}{context}") from exc
    except ReaderError as exc:
        # A character YAML forbids (a NUL, say): its position gives the line.
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        raise QueueFileError(str(path), line, f"not valid YAML: {exc.reason} ({exc.character!r})") from exc
    except Exception as exc:  # ruamel raises several unrelated types for broken input
        raise QueueFileError(str(path), None, f"not valid YAML: {exc}") from exc
    return Snapshot(tuple(_decisions(doc, str(path))), digest)


def _decisions(doc: Any, where: str) -> Iterator[Decision]:
    if doc is None:
        return
    if not isinstance(doc, CommentedMap) or "items" not in doc:
        raise QueueFileError(where, 1, "expected a mapping with an 'items:' list at the top")
    items = doc["items"]
    if items is None:
        return
    if not isinstance(items, CommentedSeq):
        raise QueueFileError(where, _key_line(doc, "items"), "'items' must be a list")
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        line = items.lc.item(index)[0] + 1
        if not isinstance(item, CommentedMap):
            raise QueueFileError(where, line, "each item must be a mapping with 'id' and 'action'")
        item_id = _text(item, "id", where, required=True)
        if item_id in seen:
            raise QueueFileError(where, line, f"id {item_id!r} appears twice (first at line {seen[item_id]})")
        seen[item_id] = line
        action = _text(item, "action", where, required=True).strip().lower()
        if action not in ACTIONS:
            raise QueueFileError(
                where, _key_line(item, "action"), f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}"
            )
        reply = _text(item, "reply", where)
        if action == "approve" and not reply.strip():
            raise QueueFileError(where, _key_line(item, "reply") or line, f"{item_id}: approve needs a reply text")
        yield Decision(item_id, action, reply.strip(), _text(item, "reason", where).strip(), line)


def _text(item: CommentedMap, key: str, where: str, *, required: bool = False) -> str:
    value = item.get(key)
    if value is None:
        if required:
            raise QueueFileError(where, item.lc.line + 1, f"item has no '{key}'")
        return ""
    if not isinstance(value, str) or isinstance(value, bool):
        if isinstance(value, int | float) and not isinstance(value, bool) and key == "id":
            return str(value)
        raise QueueFileError(where, _key_line(item, key), f"'{key}' must be text, got {value!r}")
    return str(value)


def _key_line(mapping: CommentedMap, key: str) -> int | None:
    try:
        return mapping.lc.key(key)[0] + 1
    except (KeyError, AttributeError, TypeError):
        return None


def render(items: Sequence[dict[str, Any]]) -> str:
    """Render pending items as the queue file's text (header comments included).

    Each item is its own block under ``items:``, so blocks are rendered once and reused while the item
    is unchanged: ruamel takes about 4 ms an item, and the file is rewritten whenever one item changes.
    """
    if not items:
        return HEADER + "\n" + _dump({"items": CommentedSeq()})
    keys = [json.dumps(item, default=str) for item in items]  # the item's keys in order: order is part of the text
    fresh = {
        key: _BLOCKS.get(key) or _dump({"items": CommentedSeq([_entry(item)])}).removeprefix("items:\n")
        for key, item in zip(keys, items, strict=True)
    }
    text = HEADER + "\nitems:\n" + "".join(fresh[key] for key in keys)
    _BLOCKS.clear()
    _BLOCKS.update(fresh)  # only the blocks of items still pending stay cached
    return text


_BLOCKS: dict[str, str] = {}


def _entry(item: dict[str, Any]) -> CommentedMap:
    entry = CommentedMap()
    for key, value in item.items():
        if value in (None, "", [], ()):
            continue
        if (
            isinstance(value, str)
            and ("\n" in value or len(value) > 70)
            and key in ("comment", "reply", "in_reply_to", "note")
        ):
            value = LiteralScalarString(value)
        elif isinstance(value, list | tuple):
            value = [LiteralScalarString(v) if "\n" in v else v for v in value]
        entry[key] = value
    return entry


def _dump(data: dict[str, Any]) -> str:
    doc = CommentedMap(data)
    yaml = YAML(typ="rt")
    yaml.width = 100
    buffer = io.StringIO()
    yaml.dump(doc, buffer)
    return buffer.getvalue()


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock so two heard processes never sync the same queue file at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_if_unchanged(path: Path, text: str, expected_digest: str) -> bool:
    """Atomically replace the file with ``text`` unless it changed since it was read.

    Returns False (writing nothing) when a person saved the file after ``expected_digest`` was taken.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if digest_of(path) != expected_digest:
            return False
        os.replace(tmp, path)
        tmp = ""
        return True
    finally:
        if tmp:
            os.unlink(tmp)
