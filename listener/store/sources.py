"""Keep each source's cursor and health, and the pauses on polling and posting a person may lift."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from listener.records import ReplyState
from listener.store.base import StoreBase
from listener.store.codecs import iso, pause_value, states_sql, value_pause
from listener.store.keys import POST_PAUSE, post_pause
from listener.store.kinds import ErrorKind
from listener.store.rows import PostingPause

# Replies on their way out: a retry time on one of these is a pause `heard resume` lifts.
_OUTGOING = states_sql({ReplyState.APPROVED, ReplyState.POSTING})


class SourcesStore(StoreBase):
    """The cursors table (one row per ``{platform}:{source}``) and the posting pauses kept in meta."""

    def cursor(self, source: str) -> dict[str, Any] | None:
        """The cursor row of a source (cursor, last success, last error and its kind, pause), or None."""
        rows = self.engine.query("SELECT * FROM cursors WHERE source = ?", [source])
        return rows[0] if rows else None

    def cursors(self) -> list[dict[str, Any]]:
        """Every source's cursor row."""
        return self.engine.query("SELECT * FROM cursors ORDER BY source")

    def reset_cursor(self, source: str) -> None:
        """Forget a source's position so its next poll starts over (the store drops repeats)."""
        with self.transaction():
            self.engine.execute("UPDATE cursors SET cursor = NULL WHERE source = ?", [source])

    def _source_polled(self, source: str, cursor: str | None, *, now: datetime) -> None:
        """Record a successful poll, moving the cursor when the page gave one (inside a transaction)."""
        row: dict[str, Any] = {
            "source": source,
            "updated_at": iso(now),
            "last_success": iso(now),
            "errors": 0,
            "last_error": None,
            "error_kind": None,
        }
        if cursor is not None:
            row["cursor"] = cursor
        self.engine.upsert_all("cursors", [row], pk="source")

    def source_failed(
        self, source: str, error: str, *, kind: ErrorKind, now: datetime, paused_until: datetime | None = None
    ) -> None:
        """Record a failed poll, its kind, and a pause if the platform asked for one."""
        with self.transaction():
            self.engine.execute(
                "INSERT INTO cursors (source, updated_at, last_error, error_kind, errors, paused_until)"
                " VALUES (?,?,?,?,1,?) ON CONFLICT(source) DO UPDATE SET updated_at=excluded.updated_at,"
                " last_error=excluded.last_error, error_kind=excluded.error_kind, errors=cursors.errors+1,"
                " paused_until=excluded.paused_until",
                [source, iso(now), error, kind.value, paused_until and iso(paused_until)],
            )
            detail = {"source": source, "error": error, "kind": kind.value}
            self._event(now, None, "poll_failed", None, None, detail)

    def pause_posting(self, pause: PostingPause) -> None:
        """Hold posting to a platform until ``pause.until`` (or until `heard resume`)."""
        self.set_meta(post_pause(pause.platform), pause_value(pause))

    def posting_pause(self, platform: str) -> PostingPause | None:
        """The pause on posting to a platform, or None (one that has ended is still returned)."""
        value = self.meta(post_pause(platform))
        return value_pause(platform, value) if value else None

    def posting_pauses(self) -> list[PostingPause]:
        """Every platform's posting pause, by platform."""
        found = self.meta_prefixed(POST_PAUSE)
        return [value_pause(key.removeprefix(POST_PAUSE), found[key]) for key in sorted(found)]

    def resume(self, platform: str, *, now: datetime) -> dict[str, int]:
        """Lift every pause on a platform (its sources, its posting, its waiting replies); say what moved."""
        with self.transaction():
            sources = self.engine.execute(
                "UPDATE cursors SET paused_until = NULL WHERE substr(source, 1, ?) = ? AND paused_until IS NOT NULL",
                [len(platform) + 1, f"{platform}:"],
            ).rowcount
            posting = self.engine.execute("DELETE FROM meta WHERE key = ?", [post_pause(platform)]).rowcount
            replies = self.engine.execute(
                f"UPDATE replies SET retry_at = NULL WHERE state IN ({_OUTGOING}) AND retry_at IS NOT NULL"
                " AND platform = ?",
                [platform],
            ).rowcount
            moved = {"sources": sources, "posting": posting, "replies": replies}
            self._event(now, None, "resumed", None, None, {"platform": platform, **moved})
        return moved
