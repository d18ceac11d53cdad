"""Typed look-ups in a parsed heard.toml, with errors that name the key, the file and the closest known key."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from listener.errors import ConfigError


def unknown_message(path: Path, dotted: str, known: Iterable[str], what: str = "key") -> str:
    """The error for a key nobody reads, at ``dotted`` as the file spells it, with the closest known key."""
    table, _, key = dotted.rpartition(".")
    choices = sorted(set(known))
    close = difflib.get_close_matches(key, choices, n=1, cutoff=0.6)
    where = f"unknown {what} `{key}` in [{table}] of {path}" if table else f"unknown {what} `{key}` in {path}"
    return where + (f": did you mean `{close[0]}`?" if close else f"; expected one of {', '.join(choices)}")


class Source:
    """Typed look-ups in the TOML document, with errors that name the key and the file.

    Every key looked up is remembered, so that what nobody looked up (a typo) is an error too. ``label``
    spells a key as the file does (a workspace's key sits under ``workspaces.<name>.``).
    """

    def __init__(self, document: Mapping[str, Any], path: Path, label: Callable[[str], str] = str) -> None:
        self.document, self.path, self.label = document, path, label
        self.seen: set[str] = set()
        # Tables whose keys are checked where they are read (a platform's options): not walked again.
        self.checked: set[str] = set()

    def raw(self, dotted: str) -> Any:
        self.seen.add(dotted)
        node: Any = self.document
        for part in dotted.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return None
            node = node[part]
        return node

    def get(self, dotted: str, kind: type, default: Any, *, minimum: int | None = None) -> Any:
        value = self.raw(dotted)
        if value is None:
            return default
        if kind is int and isinstance(value, bool) or not isinstance(value, kind):
            self.fail(dotted, f"expected {kind.__name__}, got {value!r}")
        if minimum is not None and value < minimum:
            self.fail(dotted, f"expected at least {minimum}, got {value!r}")
        return value

    def fail(self, dotted: str, message: str) -> None:
        raise ConfigError(f"{self.path}: key '{self.label(dotted)}': {message}")

    def unknown(self, dotted: str, known: Iterable[str], what: str = "key") -> None:
        """Fail on a key nobody reads, suggesting the closest known one."""
        shown = self.label(dotted)
        if "." not in dotted and isinstance(self.raw(dotted), Mapping):
            what = "section"
        raise ConfigError(unknown_message(self.path, shown, known, what))

    def check_unknown(self) -> None:
        """Raise ConfigError on the first key or table in the document that no setting reads."""
        self._walk(self.document, "")

    def _walk(self, node: Mapping[str, Any], prefix: str) -> None:
        known = {s[len(prefix) :].split(".")[0] for s in self.seen if s.startswith(prefix) and len(s) > len(prefix)}
        for key, value in node.items():
            dotted = prefix + key
            if dotted in self.checked:
                continue
            if key not in known:
                self.unknown(dotted, known)
            if isinstance(value, Mapping):
                self._walk(value, dotted + ".")
            elif dotted not in self.seen:  # only keys inside it were looked up: it must be a table
                self.fail(dotted, f"expected a table [{self.label(dotted)}], got {value!r}")
