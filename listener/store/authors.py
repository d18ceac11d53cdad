"""Keep each author's row: first and last seen, how often they wrote, their profile, and explicit opt-outs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

from listener.records import Author
from listener.store.base import StoreBase
from listener.store.codecs import COMMENT_COLUMNS, iso, values_lists
from listener.store.keys import OWN_HANDLES

# What an author's row takes from a comment's values: platform, author id, handle, name, is_bot, bio, created_at.
_AUTHOR_VALUES = itemgetter(
    *map(
        COMMENT_COLUMNS.index,
        ("platform", "author_id", "author_handle", "author_name", "author_is_bot", "author_bio", "created_at"),
    )
)
# How many authors one statement asks about: well under every engine's limit on parameters.
_ASKED = 500


class AuthorsStore(StoreBase):
    """The authors table, keyed ``{platform}:{author id}``, and our own handles."""

    def _touch_authors(self, rows: Sequence[Sequence[Any]]) -> None:
        """Count the comments of a page against their authors, in one statement (inside a transaction).

        ``rows`` are the page's comments-table values (``codecs.page_values``), oldest first. Each author
        gets one row of values standing for all their comments on the page, as if they had been counted
        one after another: the last handle and name, the last bio that says something.
        """
        seen: dict[str, list[Any]] = {}
        for platform, author_id, handle, name, is_bot, bio, at in map(_AUTHOR_VALUES, rows):
            key = f"{platform}:{author_id}"
            row = seen.get(key)
            if row is None:
                # The author row's opt-out is an explicit one (a person's); a bio marker is read by the judge.
                seen[key] = [key, platform, author_id, handle, name, is_bot, bio, at, at, 1, 0]
                continue
            row[3:5] = handle, name
            row[5] = max(row[5], is_bot)
            row[6] = bio if bio else row[6]
            row[7], row[8], row[9] = min(row[7], at), max(row[8], at), row[9] + 1
        e = self.engine
        for values, params in values_lists(list(seen.values())):
            e.execute(
                "INSERT INTO authors (id, platform, native_id, handle, name, is_bot, bio, first_seen,"
                f" last_seen, comments, opted_out) VALUES {values}"
                " ON CONFLICT(id) DO UPDATE SET handle=excluded.handle, name=excluded.name,"
                # A comment without a bio (Reddit, YouTube) keeps the one already known (a looked-up profile).
                f" is_bot={e.greatest}(authors.is_bot, excluded.is_bot),"
                " bio=CASE WHEN coalesce(excluded.bio, '') != '' THEN excluded.bio ELSE authors.bio END,"
                f" first_seen={e.least}(authors.first_seen, excluded.first_seen),"
                f" last_seen={e.greatest}(authors.last_seen, excluded.last_seen),"
                " comments=authors.comments+excluded.comments,"
                f" opted_out={e.greatest}(authors.opted_out, excluded.opted_out)",
                params,
            )

    def author(self, platform: str, author_id: str) -> dict[str, Any] | None:
        """The stored author row (counts, first/last seen, opt-out, bio, profile_checked_at), or None."""
        return self.authors([(platform, author_id)]).get((platform, author_id))

    def authors(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """The stored rows of these (platform, author id) authors, by the same keys; those not stored are left out."""
        wanted = {f"{platform}:{author_id}": (platform, author_id) for platform, author_id in keys}
        ids = sorted(wanted)
        out: dict[tuple[str, str], dict[str, Any]] = {}
        for start in range(0, len(ids), _ASKED):
            chunk = ids[start : start + _ASKED]
            for row in self.engine.query(f"SELECT * FROM authors WHERE id IN ({','.join('?' * len(chunk))})", chunk):
                out[wanted[row["id"]]] = row
        return out

    def profiles_due(self, platform: str, *, checked_before: datetime, limit: int) -> list[Author]:
        """Authors never looked up, or not since ``checked_before`` but who wrote since; most recently seen first."""
        rows = self.engine.query(
            "SELECT native_id, handle, name, is_bot FROM authors WHERE platform = ? AND (profile_checked_at IS NULL"
            " OR (profile_checked_at < ? AND last_seen > profile_checked_at)) ORDER BY last_seen DESC, id LIMIT ?",
            [platform, iso(checked_before), limit],
        )
        return [Author(r["native_id"], r["handle"] or "", r["name"] or "", bool(r["is_bot"])) for r in rows]

    def save_profiles(self, platform: str, profiles: Mapping[str, str], *, now: datetime) -> None:
        """Store looked-up profile texts as the authors' bios ("" too: the profile is what the platform says now)."""
        with self.transaction():
            self.engine.executemany(
                "UPDATE authors SET bio = ?, profile_checked_at = ? WHERE id = ?",
                [(text, iso(now), f"{platform}:{author_id}") for author_id, text in profiles.items()],
            )

    def set_opted_out(self, platform: str, author_id: str, *, now: datetime, why: str) -> None:
        """Record that an author asked us not to answer them."""
        with self.transaction():
            self.engine.execute("UPDATE authors SET opted_out = 1 WHERE id = ?", [f"{platform}:{author_id}"])
            self._event(now, None, "opted_out", None, None, {"author": f"{platform}:{author_id}", "why": why})

    def own_handles(self) -> list[str]:
        """Our own handles, one per platform account comments were stored for."""
        return sorted(self.meta(OWN_HANDLES, []))
