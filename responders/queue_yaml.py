"""Write and read the queue file's YAML: every value round-trips, and nothing hostile is ever expanded.

The writer emits each text as a plain scalar when that is unambiguous, as a literal block when the text
holds only characters a block can carry (so a person edits prose, ``#`` and quotes included), and as a
double-quoted scalar with escapes otherwise (control characters, U+0085, U+2028/9, lone CR, lone
surrogates, U+FFFE). The reader walks the parser's events and builds plain dicts, lists and strings
itself: an anchor, alias or tag is refused at its line before anything is composed, so an alias bomb
costs nothing, and a plain scalar is always text (``yes`` stays "yes", ``007`` stays "007").
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceEndEvent,
)
from ruamel.yaml.reader import ReaderError

from listener.errors import QueueFileError

MAX_DEPTH = 32
NULLS = ("", "~", "null", "Null", "NULL")
# Characters YAML cannot carry raw, or reads as line breaks: only a double-quoted escape holds them.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
_ESCAPE = re.compile('[\x00-\x1f"\\\\\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]')
_NAMED = {
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    '"': '\\"',
    "\\": "\\\\",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}
# Plain text that some YAML reader would take for something else (null, bool, number, date) gets quotes.
_TYPED = re.compile(
    r"(?:~|=|<<|null|true|false|yes|no|on|off|y|n|[-+]?(?:\.?[0-9][0-9_,:.]*(?:e[-+]?[0-9]+)?|\.inf|\.nan)"
    r"|0x[0-9a-f_]+|0o[0-7_]+|0b[01_]+|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[t \t].*)?)",
    re.IGNORECASE,
)
# A line break, tab or no-break space, or what YAML reads as a key or a comment: not plain.
_NOT_PLAIN = re.compile(r"[\n\t\xa0]|: | #")
_PLAIN_START = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`]")


# A queue file repeats most values item after item (an action, a platform, a priority, an intent): each is
# worked out once. Pure, and keyed by short texts only, so the cache stays small.
@lru_cache(maxsize=4096)
def _short_scalar(text: str, indent: int, block: bool) -> str:
    return _scalar(text, indent, block=block)


def scalar(text: str, indent: int, *, block: bool) -> str:
    """The text as a YAML scalar after ``key: `` or ``- ``; body lines of a block are indented by ``indent``.

    ``block`` prefers a literal block (for prose a person edits) whenever one can hold the text.
    """
    return _short_scalar(text, indent, block) if len(text) <= 40 else _scalar(text, indent, block=block)


def _scalar(text: str, indent: int, *, block: bool) -> str:
    if not (block and text) and _plain_ok(text):
        return text
    if (block or "\n" in text) and _block_ok(text):
        trailing = len(text) - len(text.rstrip("\n"))
        chomp = "-" if trailing == 0 else ("" if trailing == 1 else "+")
        # A first line that starts with a space would set the indentation itself: say it explicitly.
        indicator = "2" if text.lstrip("\n").startswith(" ") else ""
        lines = text.split("\n")[: -1 if trailing else None]
        pad = " " * indent
        return f"|{indicator}{chomp}" + "".join(f"\n{pad}{line}" if line else "\n" for line in lines)
    return '"' + _ESCAPE.sub(_escape, text) + '"'


def _plain_ok(text: str) -> bool:
    return bool(
        text
        and len(text) <= 120
        and _PLAIN_START.match(text)
        and not _UNSAFE.search(text)
        and not _NOT_PLAIN.search(text)
        and not text.endswith((":", " "))
        and not _TYPED.fullmatch(text)
    )


def _block_ok(text: str) -> bool:
    # A literal block carries any printable text; blank-only texts would read back as nothing.
    return bool(text.strip()) and not _UNSAFE.search(text) and "\t" not in text.lstrip("\n")[:1]


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class Map(dict[str, Any]):
    """A mapping read from the file, with the line of itself and of each key."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}


class Seq(list[Any]):
    """A sequence read from the file, with the line of itself and of each item."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


def load(text: str, where: str, *, cut_checked: tuple[str, ...] = ()) -> Any:
    """Build the document from parser events, refusing anchors, aliases and tags at their line.

    A plain scalar under a key in ``cut_checked`` followed by a comment is refused: ``reply: our #1``
    would otherwise be read as "our".
    :raises QueueFileError: the text is not valid YAML or uses a construct the queue file refuses.
    """
    try:
        return _build(text, where, cut_checked)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # At the end of the file the useful place is where the unclosed construct began.
        if exc.context_mark is not None and mark is not None and mark.line + 1 >= len(text.splitlines()):
            mark = exc.context_mark
        line = mark.line + 1 if mark is not None else None
        context = f" ({exc.context})" if exc.context else ""
        raise QueueFileError(where, line, f"not valid YAML: {exc.problem or exc}{context}") from exc
    except ReaderError as exc:
        # A character YAML forbids (a NUL, say): its position gives the line.
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        raise QueueFileError(where, line, f"not valid YAML: {exc.reason} ({exc.character!r})") from exc


def _build(text: str, where: str, cut_checked: tuple[str, ...]) -> Any:
    stack: list[Map | Seq] = []
    keys: list[tuple[str, int, int] | None] = []  # per open mapping: the key waiting for its value
    root: Any = None
    documents = 0
    for event in YAML(typ="safe", pure=True).parse(text):
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        if isinstance(event, DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise QueueFileError(where, line, "only one document is allowed (a second '---' starts here)")
        if isinstance(event, MappingEndEvent | SequenceEndEvent):
            node = stack.pop()
            keys.pop()
            if stack:
                _add(stack, keys, node, node.line, None, where, text, cut_checked)
            else:
                root = node
            continue
        if not isinstance(event, NodeEvent):
            continue
        _refuse_hostile(event, where, line)
        if isinstance(event, CollectionStartEvent):
            if len(stack) >= MAX_DEPTH:
                raise QueueFileError(where, line, f"nested deeper than {MAX_DEPTH} levels")
            stack.append(Map(line or 1) if isinstance(event, MappingStartEvent) else Seq(line or 1))
            keys.append(None)
            continue
        assert isinstance(event, ScalarEvent)
        value = None if event.style is None and event.value in NULLS else event.value
        if not stack:
            root = value
            continue
        _add(stack, keys, value, line or 1, event, where, text, cut_checked)
    return root


def _refuse_hostile(event: NodeEvent, where: str, line: int | None) -> None:
    # Refused before anything is composed, and the message never quotes what an alias would expand to.
    if isinstance(event, AliasEvent) or event.anchor is not None:
        raise QueueFileError(where, line, "anchors and aliases (&name, *name) are not allowed in the queue file")
    if isinstance(event, ScalarEvent | CollectionStartEvent) and event.tag is not None:
        raise QueueFileError(where, line, "tags (!name, !!type) are not allowed in the queue file")


def _add(
    stack: list[Map | Seq],
    keys: list[tuple[str, int, int] | None],
    value: Any,
    line: int,
    event: ScalarEvent | None,
    where: str,
    text: str,
    cut_checked: tuple[str, ...],
) -> None:
    parent = stack[-1]
    if isinstance(parent, Seq):
        parent.append(value)
        parent.item_lines.append(line)
        return
    pending = keys[-1]
    if pending is None:
        if not isinstance(value, str) or event is None:
            raise QueueFileError(where, line, "a key must be plain text")
        if value in parent:
            raise QueueFileError(where, line, f"{short(value)!r} appears twice in this mapping")
        keys[-1] = (value, line, event.start_mark.column)
        return
    key, key_line, key_column = pending
    keys[-1] = None
    if key in cut_checked and event is not None and event.style is None:
        _refuse_cut(text, event, key, key_column, where)
    parent[key] = value
    parent.key_lines[key] = key_line


def _refuse_cut(text: str, event: ScalarEvent, key: str, key_column: int, where: str) -> None:
    rest = text[event.end_mark.index :]
    same_line = rest.split("\n", 1)[0]
    after = rest.split("\n")[1:] if "\n" in rest else []
    cut = same_line.lstrip().startswith("#")
    for line in after:  # a comment line indented under the key was meant as more text
        if line.strip() and not line.lstrip().startswith("#"):
            break
        if line.lstrip().startswith("#") and len(line) - len(line.lstrip()) > key_column:
            cut = True
            break
    if cut:
        kept = f"would read {short(event.value)!r}" if event.value else "would be empty"
        raise QueueFileError(
            where,
            event.end_mark.line + 1,
            f"'{key}' is cut at '#' (in YAML ' #' starts a comment, so it {kept}); write the text on the"
            f" lines after '{key}: |', indented, or put it in quotes",
        )


def short(value: str, limit: int = 40) -> str:
    """The value, cut to ``limit`` characters for an error message."""
    return value if len(value) <= limit else value[:limit] + "…"
