"""Walk Reddit's listings forward from the newest thing handled, and keep the inbox's place: the cursors, pure.

A listing (a subreddit's comments or posts, our own comments) is walked up with ``before=<fullname>``.
When that answers empty the next tick re-checks from the top by ``created_utc``, because Reddit
answers empty too when the ``before`` thing was deleted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from listener.errors import BadPayload
from listener.platforms import _cursor


@dataclass(frozen=True)
class Walk:
    """Where a subreddit's walk stands; stored as the source's cursor."""

    anchor: str | None  # the newest comment already handled
    utc: float  # its created_utc (or the start time while there is no anchor)
    recover: bool = True  # walk down from the top by time instead of up with before=
    after: str | None = None  # the recovery walk's position while it spans several pages
    top: tuple[str, float] | None = None  # the newest comment seen when the recovery began

    def encode(self) -> str:
        """The cursor text."""
        return json.dumps(
            {
                "v": 1,
                "anchor": self.anchor,
                "utc": self.utc,
                "recover": self.recover,
                "after": self.after,
                "top": self.top,
            },
            separators=(",", ":"),
        )

    @classmethod
    def decode(cls, source: str, text: str | None, since: datetime) -> Walk:
        """Read a cursor; none starts at ``since``.

        :raises CursorUnreadable: the cursor is not one ``encode`` wrote.
        """
        if not text:
            return cls(None, since.timestamp())
        with _cursor.reading("reddit", source, text) as state:
            top = (str(state["top"][0]), float(state["top"][1])) if state.get("top") else None
            anchor, after = _cursor.text_or_none(state["anchor"]), _cursor.text_or_none(state.get("after"))
            return cls(anchor, float(state["utc"]), bool(state["recover"]), after, top)

    def params(self, limit: int) -> dict[str, str | int]:
        """The listing query for the next tick."""
        params: dict[str, str | int] = {"limit": limit}
        if not self.recover and self.anchor:
            params["before"] = self.anchor
        elif self.after:
            params["after"] = self.after
        return params

    def step(
        self, children: Sequence[dict[str, Any]], more: bool, limit: int
    ) -> tuple[list[dict[str, Any]], Walk, bool]:
        """Given one listing page, return the comments newer than the walk, the next walk, and more."""
        if not self.recover:
            if not children:
                # Nothing newer, or the anchor was deleted: the next tick checks by time.
                return [], Walk(self.anchor, self.utc, recover=True), False
            # The newest readable thing anchors the walk; one that cannot be read goes on to normalise,
            # which names what is wrong and sets it aside, instead of stopping the subreddit.
            newest = next((s for s in map(stamp, children) if s), None)
            after = Walk(*newest) if newest else Walk(self.anchor, self.utc, recover=True)
            return list(children), after, len(children) >= limit
        top = self.top
        if self.after is None and children:
            top = next((s for s in map(stamp, children) if s), None) or top
        fresh: list[dict[str, Any]] = []
        for child in children:
            found = stamp(child)
            if found and (found[0] == self.anchor or found[1] < self.utc):
                return fresh, self._settle(top), False
            fresh.append(child)
        last = next((s for s in map(stamp, reversed(children)) if s), None)
        if children and more and last:
            return fresh, Walk(self.anchor, self.utc, True, last[0], top), True
        return fresh, self._settle(top), False

    def _settle(self, top: tuple[str, float] | None) -> Walk:
        if top is None:
            return Walk(self.anchor, self.utc, recover=self.anchor is None)
        return Walk(top[0], top[1], recover=False)


def stamp(child: Any) -> tuple[str, float] | None:
    """A listed thing's fullname and time, or None when the thing is too broken to read them."""
    data = child.get("data") if isinstance(child, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        return None
    try:
        return data["name"], _utc(data)
    except BadPayload:
        return None


def _utc(data: Mapping[str, Any]) -> float:
    try:
        return float(data["created_utc"])
    except (KeyError, TypeError, ValueError) as exc:
        raise BadPayload(f"reddit {data.get('name')}: missing created_utc") from exc


def listing(payload: Any, where: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Check a Listing's shape; return its children and its data."""
    data = payload.get("data") if isinstance(payload, dict) and payload.get("kind") == "Listing" else None
    children = data.get("children") if isinstance(data, dict) else None
    if (
        not isinstance(data, dict)
        or not isinstance(children, list)
        or not all(isinstance(c, dict) and isinstance(c.get("data"), dict) and c["data"].get("name") for c in children)
    ):
        raise BadPayload(f"{where}: expected a Listing of things, got {str(payload)[:120]!r}")
    return children, data


@dataclass(frozen=True)
class Inbox:
    """Where the inbox is: its start time, and our place below unread items we leave alone.

    Older unread items are not ours to answer; messages and old items stay unread, and while they
    fill a page, ``after`` is our place below them.
    """

    floor: float
    after: str | None = None

    @classmethod
    def decode(cls, text: str | None, since: datetime) -> Inbox:
        """Read a cursor; none starts at ``since``.

        :raises CursorUnreadable: the cursor is not one ``encode`` wrote.
        """
        if not text:
            return cls(since.timestamp())
        with _cursor.reading("reddit", "inbox", text) as state:
            return cls(float(state["floor"]), _cursor.text_or_none(state.get("after")))

    def encode(self) -> str:
        """The cursor text."""
        return json.dumps({"floor": self.floor, "after": self.after}, separators=(",", ":"))
