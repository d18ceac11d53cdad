"""Provide the human-editable queue file: write the pending view, read decisions, validate with lines."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from listener.errors import QueueFileError
from responders import queue_yaml
from responders.queue_io import END, locked
from responders.queue_yaml import Map, Seq, short

__all__ = ["Decision", "Snapshot", "decisions", "document", "fingerprint", "locked", "parse", "read", "render"]

ACTIONS = ("pending", "approve", "reject", "dismiss")
# Limits on what a person's file may hold: a reply longer than any platform allows is a mistake,
# and a file this large is not a queue anyone edits.
MAX_REPLY_CHARS = 10_000
MAX_REASON_CHARS = 2_000
MAX_ID_CHARS = 300
MAX_FILE_BYTES = 16_000_000
# Texts a person reads or edits as prose: written as literal blocks whenever a block can hold them.
PROSE = ("comment", "reply", "in_reply_to", "note")
HEADER = """\
# heard queue: one item per comment waiting for an answer, most urgent first.
#
#   action: pending   leave it for later (edits to `reply` are kept)
#   action: approve   post `reply` (edit the text first if you like)
#   action: reject    do not post this reply (add `reason:` if you like)
#   action: dismiss   no reply needed; counts as acknowledged
#
# `draft` says where the reply came from: faq (a known answer), template, ai, or
# holding (a holding reply, not an answer: finish it before you approve it).
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


def read(path: Path, *, ours: str | None = None) -> Snapshot:
    """Read every decision in the queue file, or raise QueueFileError naming the line.

    :raises QueueFileError: the file is not valid YAML, is too large or an item is malformed.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Snapshot((), "")
    return parse(data, str(path), ours=ours)


def parse(data: bytes, where: str, *, ours: str | None = None) -> Snapshot:
    """Read every decision in the queue file's bytes, or raise QueueFileError naming the line.

    ``ours`` is the digest of the text we last wrote: a file still byte for byte ours holds no one's
    decisions, so it is not parsed.
    :raises QueueFileError: the file is not valid YAML, is too large or an item is malformed.
    """
    digest = fingerprint(data)
    if digest == ours:
        return Snapshot((), digest)
    if len(data) > MAX_FILE_BYTES:
        raise QueueFileError(where, None, f"the file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise QueueFileError(where, line, f"not UTF-8 text: {exc.reason} at byte {exc.start}") from exc
    return Snapshot(tuple(decisions(document(text, where), where)), digest)


def document(text: str, where: str) -> Any:
    """The document the queue file's text holds, built by the walker that refuses anchors, aliases and tags.

    :raises QueueFileError: the text is not valid YAML, or a reply or reason is cut at a '#'.
    """
    return queue_yaml.load(text, where, cut_checked=("reply", "reason"))


def decisions(doc: Any, where: str) -> Iterator[Decision]:
    """Each item's decision, in file order; the first malformed item raises.

    :raises QueueFileError: the document has no 'items' list, or an item is malformed (named by its line).
    """
    if doc is None:
        return
    if not isinstance(doc, Map) or "items" not in doc:
        raise QueueFileError(where, 1, "expected a mapping with an 'items:' list at the top")
    items = doc["items"]
    if items is None:
        return
    if not isinstance(items, Seq):
        raise QueueFileError(where, doc.key_lines["items"], "'items' must be a list")
    seen: dict[str, int] = {}
    for item, line in zip(items, items.item_lines, strict=True):
        if not isinstance(item, Map):
            raise QueueFileError(where, line, "each item must be a mapping with 'id' and 'action'")
        item_id = _text(item, "id", where, MAX_ID_CHARS, required=True)
        if item_id in seen:
            raise QueueFileError(where, line, f"id {short(item_id)!r} appears twice (first at line {seen[item_id]})")
        seen[item_id] = line
        action = _text(item, "action", where, 20, required=True).strip().lower()
        if action not in ACTIONS:
            raise QueueFileError(
                where, item.key_lines["action"], f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}"
            )
        reply = _text(item, "reply", where, MAX_REPLY_CHARS)
        if action == "approve" and not reply.strip():
            raise QueueFileError(where, item.key_lines.get("reply", line), f"{item_id}: approve needs a reply text")
        reason = _text(item, "reason", where, MAX_REASON_CHARS)
        yield Decision(item_id, action, reply.strip(), reason.strip(), line)


def _text(item: Map, key: str, where: str, limit: int, *, required: bool = False) -> str:
    value = item.get(key)
    if value is None:
        if required:
            raise QueueFileError(where, item.line, f"item has no '{key}'")
        return ""
    line = item.key_lines[key]
    if not isinstance(value, str):
        raise QueueFileError(
            where, line, f"'{key}' must be text, not a {'list' if isinstance(value, list) else 'mapping'}"
        )
    if len(value) > limit:
        raise QueueFileError(where, line, f"'{key}' is {len(value):,} characters; the limit is {limit:,}")
    return value


def render(items: Sequence[dict[str, Any]], *, more: int = 0) -> str:
    """Render pending items as the queue file's text: header, ``more`` items not shown, items, last line."""
    head = HEADER
    if more:
        head += (
            f"#\n# {more:,} more item{'s' * (more != 1)} waiting, not shown here: the most urgent come first,\n"
            "# and the next ones appear as these are decided (`heard queue` lists them all).\n"
        )
    if not items:
        return head + "\nitems: []\n" + END
    return head + "\nitems:\n" + "".join(_block(item) for item in items) + END


def _block(item: dict[str, Any]) -> str:
    lines: list[str] = []
    for key, value in item.items():
        if value in (None, "", [], ()):
            continue
        lead = "  " if lines else "- "
        if isinstance(value, list | tuple):
            entries = "".join(f"\n  - {queue_yaml.scalar(str(v), 4, block=True)}" for v in value)
            lines.append(f"{lead}{key}:{entries}\n")
        else:
            text = str(value)
            prose = key in PROSE and (key == "reply" or "\n" in text or len(text) > 70)
            lines.append(f"{lead}{key}: {queue_yaml.scalar(text, 4, block=prose)}\n")
    return "".join(lines)
