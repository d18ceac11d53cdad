"""Provide the newest-first walk: page down from the newest item to the time the last cycle reached.

Bluesky's notifications and YouTube's comment threads both come newest first with a token to older
pages and no "since" parameter, so one poll cycle pages down until it meets the bound the previous
cycle reached, then makes the newest item it saw the next bound. A platform subclasses ``Walk``,
naming itself and saying how an item's id and time are read (``stamp``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, ClassVar, Self

from listener.errors import BadPayload
from listener.platforms import _cursor
from listener.platforms._common import parse_iso

# What a malformed item raises when its time or its parts are read.
_UNREADABLE = (BadPayload, KeyError, TypeError, AttributeError, ValueError)


@dataclass(frozen=True)
class Stamp:
    """What a walk reads from one item: its id, its time, and that time as the cursor keeps it."""

    id: str
    at: datetime
    text: str


@dataclass(frozen=True)
class Walk(ABC):
    """Where a newest-first source is: a cycle pages down from the newest item to ``bound``.

    ``bound`` is the newest time the previous cycle reached (or the start time) and ``seen`` the ids
    stored at exactly that instant. ``token`` is the next page of the cycle in progress and
    ``newest``/``newest_ids`` the newest items it has seen, which become the bound when it ends.
    """

    bound: str
    seen: tuple[str, ...] = ()
    token: str | None = None
    newest: str | None = None
    newest_ids: tuple[str, ...] = ()

    platform: ClassVar[str] = "platform"
    source: ClassVar[str] = "source"  # the source the cursor belongs to, unless ``load`` is told another
    # The cursor key for ``newest_ids``: cursors already stored in users' databases use it.
    ids_key: ClassVar[str] = "newest_ids"
    seen_cap: ClassVar[int | None] = None  # the most ids kept at one instant (the newest are kept)
    whole_seconds: ClassVar[bool] = False  # the platform's times are whole seconds, so the start is too

    @staticmethod
    @abstractmethod
    def stamp(item: dict[str, Any]) -> Stamp:
        """Read one item's id and time (each platform says how)."""

    @staticmethod
    def items_of(entry: dict[str, Any]) -> Iterable[dict[str, Any]]:
        """The items one listed entry holds: itself, unless the platform nests them (YouTube threads)."""
        return (entry,)

    @classmethod
    def load(cls, cursor: str | None, since: datetime, *, source: str | None = None) -> Self:
        """Read a cursor written by ``dump``, or start at ``since``.

        :raises CursorUnreadable: the cursor is not one a walk wrote.
        """
        if not cursor:
            start = since.astimezone(UTC)
            return cls(bound=(start.replace(microsecond=0) if cls.whole_seconds else start).isoformat())
        with _cursor.reading(cls.platform, source or cls.source, cursor) as state:
            walk = cls(
                bound=str(state["bound"]),
                seen=tuple(map(str, state.get("seen", ()))),
                token=_cursor.text_or_none(state.get("token")),
                newest=_cursor.text_or_none(state.get("newest")),
                newest_ids=tuple(map(str, state.get(cls.ids_key, ()))),
            )
            walk.bound_at  # noqa: B018 - read now: a time that is none is the cursor's fault, not the page's
            if walk.newest:
                parse_iso(walk.newest, f"{cls.platform} cursor")
            return walk

    def dump(self) -> str:
        """The cursor string stored in the database."""
        state = {
            "bound": self.bound,
            "seen": self.seen,
            "token": self.token,
            "newest": self.newest,
            self.ids_key: self.newest_ids,
        }
        return _cursor.dump({k: v for k, v in state.items() if v != ()})

    @cached_property
    def bound_at(self) -> datetime:
        """``bound`` as a time."""
        return parse_iso(self.bound, f"{self.platform} cursor")

    def is_old(self, stamp: Stamp) -> bool:
        """Whether an item lies at or below the bound, so an earlier cycle has already had it."""
        return stamp.at < self.bound_at or (stamp.at == self.bound_at and stamp.id in self.seen)

    def step(self, entries: Sequence[dict[str, Any]], token: str | None) -> tuple[list[dict[str, Any]], Self]:
        """Keep the items above the bound; return them and the walk after this page.

        An entry counts as new while any item in it is, so that an old YouTube thread with a new
        reply does not end the cycle while newer threads may lie below it.
        """
        where = f"{self.platform} cursor"
        bound = self.bound_at
        at, text = (parse_iso(self.newest, where), self.newest) if self.newest else (None, None)
        fresh: list[dict[str, Any]] = []
        newest_ids, reached = list(self.newest_ids), False
        for entry in entries:
            new_here, placed = False, False
            try:
                items = list(self.items_of(entry))
            except _UNREADABLE:
                items = [entry]
            for item in items:
                try:
                    stamp = self.stamp(item)
                except _UNREADABLE:
                    # An item without a readable time cannot be placed in the walk: it goes on to
                    # normalise, which names what is wrong and sets it aside; the page and the cursor go on.
                    fresh.append(item)
                    continue
                placed = True
                if self.is_old(stamp):
                    continue
                fresh.append(item)
                new_here = True
                if at is None or stamp.at > at:
                    at, text, newest_ids = stamp.at, stamp.text, [stamp.id]
                elif stamp.at == at:
                    newest_ids.append(stamp.id)
            reached = reached or (placed and not new_here)
        if token and not reached and entries:
            return fresh, replace(self, token=token, newest=text, newest_ids=self._capped(newest_ids))
        cls = type(self)
        if at is None or text is None:
            return fresh, cls(bound=self.bound, seen=self.seen)
        if at == bound:
            return fresh, cls(bound=self.bound, seen=self._capped(dict.fromkeys(self.seen + tuple(newest_ids))))
        return fresh, cls(bound=text, seen=self._capped(newest_ids))

    def _capped(self, ids: Iterable[str]) -> tuple[str, ...]:
        kept = tuple(ids)
        return kept[-self.seen_cap :] if self.seen_cap is not None else kept
