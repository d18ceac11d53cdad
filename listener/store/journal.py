"""Keep the append-only audit trail, the escalation notices delivered, and the operational alerts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from listener.store.base import StoreBase
from listener.store.codecs import iso
from listener.store.comments import CHUNK
from listener.store.keys import ALERTS


class JournalStore(StoreBase):
    """The events and notices tables, and the alerts kept in meta."""

    def log_event(self, kind: str, *, now: datetime, comment_id: str | None = None, **detail: Any) -> None:
        """Append one event to the audit trail."""
        with self.transaction():
            self._event(now, comment_id, kind, None, None, detail)

    def events(self, comment_id: str | None = None) -> list[dict[str, Any]]:
        """The audit trail, oldest first (optionally for one comment)."""
        if comment_id:
            return self.engine.query("SELECT * FROM events WHERE comment_id = ? ORDER BY id", [comment_id])
        return self.engine.query("SELECT * FROM events ORDER BY id")

    # -- escalation notices --------------------------------------------------------------

    def notice_sent(self, comment_id: str, step: int) -> bool:
        """Whether the escalation notice for this step was already delivered."""
        sql = "SELECT 1 FROM notices WHERE comment_id = ? AND step = ?"
        return bool(self.engine.execute(sql, [comment_id, step]).fetchone())

    def delivered(self, keys: Iterable[tuple[str, int]]) -> set[tuple[str, int]]:
        """Which of these (comment, step) escalation notices were already delivered, asked a chunk at a time."""
        asked, found = list(keys), set[tuple[str, int]]()
        for start in range(0, len(asked), CHUNK // 2):
            pairs = asked[start : start + CHUNK // 2]
            rows = self.engine.execute(
                f"WITH asked (comment_id, step) AS (VALUES {', '.join(['(?, ?)'] * len(pairs))})"
                " SELECT n.comment_id, n.step FROM asked a JOIN notices n ON n.comment_id = a.comment_id"
                " AND n.step = a.step",
                [v for pair in pairs for v in pair],
            )
            found.update((c, int(s)) for c, s in rows.fetchall())
        return found

    def record_notices(self, keys: Iterable[tuple[str, int]], channel: str, *, now: datetime) -> None:
        """Remember that these (comment, step) notices were delivered."""
        with self.transaction():
            self.engine.insert_all(
                "notices",
                ({"comment_id": c, "step": s, "sent_at": iso(now), "channel": channel} for c, s in keys),
                ignore=True,
            )

    def notices_sent(self) -> list[dict[str, Any]]:
        """Every delivered escalation notice, in the order sent."""
        return self.engine.query("SELECT * FROM notices ORDER BY sent_at, comment_id, step")

    # -- operational alerts --------------------------------------------------------------

    def sync_alerts(self, current: dict[str, str], *, now: datetime) -> None:
        """Raise the alerts in ``current`` (key -> message) that are new; clear active ones not in it.

        Each alert keeps since, message, announced_at, cleared_at and recovery_announced_at; a fully
        recovered and announced alert is forgotten.
        """
        with self.transaction():
            rows = self.meta(ALERTS, {})
            for key, message in current.items():
                row = rows.get(key)
                if row is None:
                    rows[key] = {
                        "message": message,
                        "since": iso(now),
                        "announced_at": None,
                        "cleared_at": None,
                        "recovery_announced_at": None,
                    }
                    self._event(now, None, "alert_raised", None, None, {"key": key, "message": message})
                else:
                    # Back before its recovery was announced: the first announcement still stands.
                    row.update(message=message, cleared_at=None)
            for key, row in list(rows.items()):
                if key in current or row["cleared_at"]:
                    continue
                self._event(now, None, "alert_cleared", None, None, {"key": key})
                if row["announced_at"]:
                    row["cleared_at"] = iso(now)
                else:  # it came and went between announcements: nothing to take back
                    del rows[key]
            self.set_meta(ALERTS, rows)

    def alerts(self) -> list[dict[str, Any]]:
        """Active alerts (raised and not cleared), oldest first, each with its ``key``."""
        rows = self.meta(ALERTS, {})
        return sorted(
            ({"key": k, **r} for k, r in rows.items() if not r["cleared_at"]), key=lambda r: (r["since"], r["key"])
        )

    def unannounced_alerts(self) -> list[dict[str, Any]]:
        """Alerts whose raising or recovery has not been announced yet."""
        rows = self.meta(ALERTS, {})
        return sorted(
            (
                {"key": k, **r}
                for k, r in rows.items()
                if not r["announced_at"] or (r["cleared_at"] and not r["recovery_announced_at"])
            ),
            key=lambda r: (r["since"], r["key"]),
        )

    def alerts_announced(self, keys: Iterable[tuple[str, bool]], *, now: datetime) -> None:
        """Record that these (key, recovered) announcements were delivered; forget recovered ones."""
        with self.transaction():
            rows = self.meta(ALERTS, {})
            for key, recovered in keys:
                if key not in rows:
                    continue
                if recovered:
                    del rows[key]
                else:
                    rows[key]["announced_at"] = iso(now)
            self.set_meta(ALERTS, rows)
