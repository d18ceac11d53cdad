"""Keep when each open comment's next escalation notice falls due, so a pass reads only the notices due."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from listener.store.base import StoreBase
from listener.store.codecs import iso
from listener.store.ledger import OPEN, OpenComment, in_group

_OPEN_COMMENT = f"SELECT c.id, c.platform, c.priority, c.created_at FROM comments c WHERE {OPEN}"


class ScheduleStore(StoreBase):
    """The open comments' ``next_notice_at``: written by escalation, read through its partial index."""

    def unscheduled(self, limit: int) -> list[OpenComment]:
        """Open comments whose next notice is not worked out yet (new, or their SLA changed)."""
        # Ordered as idx_comments_notice holds them (all NULL, then by id), so PostgreSQL too reads that index.
        return self._open(
            f"{_OPEN_COMMENT} AND c.next_notice_at IS NULL ORDER BY c.next_notice_at, c.id LIMIT ?", [limit]
        )

    def notices_due(self, now: datetime, limit: int) -> list[OpenComment]:
        """Open comments whose next notice is due by ``now``, the longest due first."""
        return self._open(
            f"{_OPEN_COMMENT} AND c.next_notice_at <= ? ORDER BY c.next_notice_at, c.id LIMIT ?", [iso(now), limit]
        )

    def schedule_notices(self, due: Iterable[tuple[str, datetime]]) -> None:
        """Set when each comment's next notice falls due."""
        rows = [(iso(at), cid) for cid, at in due]
        if rows:
            with self.transaction():
                self.engine.executemany("UPDATE comments SET next_notice_at = ? WHERE id = ?", rows)

    def unschedule(self, platform: str, priority: str | None) -> None:
        """Forget the notice times of one platform and priority's open comments (their SLA changed)."""
        match, values = in_group((platform, priority))
        with self.transaction():
            self.engine.execute(
                f"UPDATE comments SET next_notice_at = NULL WHERE id IN (SELECT c.id FROM comments c WHERE {OPEN}"
                f" AND {match})",
                values,
            )

    def _open(self, sql: str, params: list[str | int]) -> list[OpenComment]:
        rows = self.engine.execute(sql, params).fetchall()
        return [OpenComment(i, platform, priority, datetime.fromisoformat(at)) for i, platform, priority, at in rows]
