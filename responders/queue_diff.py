"""Read a person's save of the queue file against the text we last wrote, parsing only the items they changed.

The file's layout is ours: header lines, ``items:``, one block per item opened by ``- `` at column 0, then
the last line. Nothing we write puts ``- `` at the start of any other line (texts are indented literal
blocks or one-line scalars), so the file splits into item blocks without a parser. A block byte for byte
as we wrote it (anywhere in the file: a person may reorder) holds no decision; each other block is parsed
on its own. Whatever does not fit that layout, or is in any doubt, is parsed whole by ``queue_file.parse``,
the reference: the result (less our own blocks' decisions) and any error, message and line, are what it gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from listener.errors import QueueFileError
from responders import queue_file, queue_yaml
from responders.queue_file import MAX_FILE_BYTES, MAX_ID_CHARS, MAX_REPLY_CHARS, Decision, Snapshot
from responders.queue_io import END
from responders.queue_yaml import Map, Seq

__all__ = ["Reading", "parse"]

# Line breaks besides \n that YAML counts (the reader counts a lone CR; other YAML readers also NEL, LS
# and PS): we never write them raw, and a file holding them is not split by lines.
_OTHER_BREAKS = "\r\x85\u2028\u2029"
# Within a changed block, a line at column 0 that is not a comment (``...``, ``---``, ``key:``, a tab)
# may end the list in the whole file but not in the block parsed alone: such a block is not judged alone.
_COLUMN_ZERO = re.compile("\n(?=[^ #\n])")
# The line our writer puts after each item's id: the item waits for a person.
_PENDING = "  action: pending\n"
_ITEMS = "items:\n"


@dataclass(frozen=True)
class Reading:
    """A read of the queue file: its snapshot, how many item blocks were parsed alone, whether all was parsed."""

    snapshot: Snapshot
    parsed: int = 0
    whole: bool = False


@dataclass(frozen=True)
class _Layout:
    """A text split as we write it: header, item blocks with the line each starts on, and the last line."""

    head: str
    blocks: tuple[str, ...]
    lines: tuple[int, ...]
    tail: str


@dataclass(frozen=True)
class _Entry:
    """One item block: its first line, whether we wrote it, its id when read without parsing, or its parse."""

    line: int
    mine: bool
    item_id: str | None
    doc: Map | None


def parse(data: bytes, where: str, *, ours_text: bytes | None) -> Reading:
    """The decisions in ``data``, parsing only the item blocks that differ from those in ``ours_text``.

    ``ours_text`` is the exact text we last wrote (None: unknown). The snapshot is ``queue_file.parse``'s
    without the decisions that start an item block byte for byte one of ours: what we wrote holds no
    one's decision, as a file still wholly ours holds none. (A file holding a CR, NEL, LS or PS is
    not split into blocks: it is read whole, every decision kept.)
    :raises QueueFileError: exactly as ``queue_file.parse(data, where)`` would, with the same message and line.
    """
    digest = queue_file.fingerprint(data)
    if data == ours_text:
        return Reading(Snapshot((), digest))
    ours = _layout(ours_text)
    theirs = _layout(data) if ours is not None else None
    if ours is None or theirs is None or (theirs.head, theirs.tail) != (ours.head, ours.tail):
        return _whole(data, where, theirs, ours)
    if not _our_header(ours.head):
        return _whole(data, where, theirs, ours)
    read = _by_blocks(theirs, frozenset(ours.blocks), where)
    if read is None:
        return _whole(data, where, theirs, ours)
    decisions, parsed = read
    return Reading(Snapshot(decisions, digest), parsed)


def _whole(data: bytes, where: str, theirs: _Layout | None, ours: _Layout | None) -> Reading:
    """The reference: parse the whole file, then leave out the decisions of blocks still as we wrote them."""
    snapshot = queue_file.parse(data, where)
    if theirs is None or ours is None:
        return Reading(snapshot, whole=True)
    ours_lines = _verbatim(theirs, frozenset(ours.blocks))
    kept = tuple(d for d in snapshot.decisions if d.line not in ours_lines)
    return Reading(Snapshot(kept, snapshot.digest), whole=True)


def _verbatim(theirs: _Layout, ours: frozenset[str]) -> frozenset[int]:
    return frozenset(line for block, line in zip(theirs.blocks, theirs.lines, strict=True) if block in ours)


def _layout(data: bytes | None) -> _Layout | None:
    """Split a text into header, item blocks and last line; None when it cannot be split by lines."""
    if data is None or len(data) > MAX_FILE_BYTES:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(char in text for char in _OTHER_BREAKS):
        return None
    tail = END if text.endswith("\n" + END) else ""
    head, blocks = _split(text[: len(text) - len(tail)])
    lines: list[int] = []
    line = head.count("\n") + 1
    for block in blocks:
        lines.append(line)
        line += block.count("\n")
    return _Layout(head, tuple(blocks), tuple(lines), tail)


def _split(body: str) -> tuple[str, list[str]]:
    """The header and the item blocks, each from its ``- `` line up to the next."""
    first, *rest = ("\n" + body).split("\n- ")
    if not rest:
        return body, []
    head = first[1:] + "\n" if first else ""
    return head, ["- " + piece + "\n" for piece in rest[:-1]] + ["- " + rest[-1]]


def _our_header(head: str) -> bool:
    """Whether the header is comments and blank lines ending in ``items:``, as we write it."""
    if not (head == _ITEMS or head.endswith("\n" + _ITEMS)):
        return False
    return all(not line or line.startswith("#") for line in head[: -len(_ITEMS)].split("\n"))


def _by_blocks(theirs: _Layout, ours: frozenset[str], where: str) -> tuple[tuple[Decision, ...], int] | None:
    """The decisions of the changed blocks, each parsed alone; None when only the whole parse can judge."""
    # Every block is parsed before any item is judged: the whole parse reports a YAML error anywhere in
    # the file before any malformed item, and only it can say which (so any failure here defers to it).
    entries: list[_Entry] = []
    for block, line in zip(theirs.blocks, theirs.lines, strict=True):
        mine = block in ours
        item_id = _our_id(block) if mine else None
        doc = _alone(block, where) if item_id is None else None
        if item_id is None and doc is None:
            return None
        entries.append(_Entry(line, mine, item_id, doc))
    decisions = _judge(entries, where)
    if decisions is None:
        return None
    return decisions, sum(entry.doc is not None for entry in entries)


def _judge(entries: list[_Entry], where: str) -> tuple[Decision, ...] | None:
    """Each parsed item's decision in file order, left out where the block is ours; None on a repeated id."""
    seen: set[str] = set()
    decisions: list[Decision] = []
    for entry in entries:
        item_id = entry.item_id
        if entry.doc is not None:
            value = entry.doc["items"][0].get("id")
            item_id = value if isinstance(value, str) else None
        if item_id in seen:
            return None  # the whole parse names both lines
        if entry.doc is not None:
            decision = _decide(entry.doc, entry.line, where)
            if not (entry.mine and decision.line == entry.line):
                decisions.append(decision)
        if item_id is not None:
            seen.add(item_id)
    return tuple(decisions)


def _our_id(block: str) -> str | None:
    """The id of a block we wrote when its first lines show it plainly, waiting, within every limit."""
    first, _, rest = block.partition("\n")
    if not first.startswith("- id: ") or not rest.startswith(_PENDING):
        return None
    value = first[len("- id: ") :]
    # Only a plain scalar reads back as exactly its own text; a quoted or block id is parsed instead.
    if len(value) > MAX_ID_CHARS or queue_yaml.scalar(value, 4, block=False) != value:
        return None
    # No value is longer than its block, so a block within the reply limit keeps to it; a reason, or a
    # reply written as a list, is left to the parser to judge.
    if len(block) > MAX_REPLY_CHARS or "\n  reason:" in block or "\n  reply:\n" in block:
        return None
    return value


def _alone(block: str, where: str) -> Map | None:
    """The block parsed alone under ``items:``; None unless that is exactly one mapping item."""
    if _COLUMN_ZERO.search(block):
        return None
    try:
        doc = queue_file.document(_ITEMS + block, where)
    except QueueFileError:
        return None
    if not isinstance(doc, Map) or list(doc) != ["items"]:
        return None
    items = doc["items"]
    if not isinstance(items, Seq) or len(items) != 1 or not isinstance(items[0], Map):
        return None
    return doc


def _decide(doc: Map, line: int, where: str) -> Decision:
    """The decision of one block parsed alone (its first line is line 2 there), in the whole file's lines."""
    shift = line - 2
    try:
        (decision,) = queue_file.decisions(doc, where)
    except QueueFileError as exc:
        raise QueueFileError(where, None if exc.line is None else exc.line + shift, exc.message) from exc
    return replace(decision, line=decision.line + shift)
