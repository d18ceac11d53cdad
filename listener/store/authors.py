"""Keep each author's row: first and last seen, how often they wrote, their profile, and explicit opt-outs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from listener.records import Author
from listener.store.base import StoreBase
from listener.store.codecs import iso
from listener.store.keys import OWN_HANDLES


class AuthorsStore(StoreBase):
    """The authors table, keyed ``{platform}:{author id}``, and our own handles."""

    def _touch_author(self, platform: str, author: Author, seen: datetime) -> None:
        """Count one more comment by an author seen at ``seen`` (inside a transaction)."""
        e = self.engine
        # The author row's opt-out is an explicit one (a person's); a bio marker is read by the judge.
        opted_out = 0
        e.execute(
            "INSERT INTO authors (id, platform, native_id, handle, name, is_bot, bio, first_seen,"
            " last_seen, comments, opted_out) VALUES (?,?,?,?,?,?,?,?,?,1,?)"
            " ON CONFLICT(id) DO UPDATE SET handle=excluded.handle, name=excluded.name,"
            # A comment without a bio (Reddit, YouTube) keeps the one already known (a looked-up profile).
            f" is_bot={e.greatest}(authors.is_bot, excluded.is_bot),"
            " bio=CASE WHEN coalesce(excluded.bio, '') != '' THEN excluded.bio ELSE authors.bio END,"
            f" first_seen={e.least}(authors.first_seen, excluded.first_seen),"
            f" last_seen={e.greatest}(authors.last_seen, excluded.last_seen), comments=authors.comments+1,"
            f" opted_out={e.greatest}(authors.opted_out, excluded.opted_out)",
            [
                f"{platform}:{author.id}",
                platform,
                author.id,
                author.handle,
                author.name,
                int(author.is_bot),
                author.bio,
                iso(seen),
                iso(seen),
                opted_out,
            ],
        )

    def author(self, platform: str, author_id: str) -> dict[str, Any] | None:
        """The stored author row (counts, first/last seen, opt-out, bio, profile_checked_at), or None."""
        rows = self.engine.query("SELECT * FROM authors WHERE id = ?", [f"{platform}:{author_id}"])
        return rows[0] if rows else None

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
