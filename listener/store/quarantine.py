"""Keep the items a stage set aside (with why, when and how often), so the rest of the pipeline moves on."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from listener.quarantine import RAW_STAGES, Reject, clean, dump, excerpt
from listener.store.base import StoreBase
from listener.store.codecs import iso


class QuarantineStore(StoreBase):
    """The quarantine table: one row per (stage, item), released once handled or dropped by a person."""

    def set_aside(self, rejects: Iterable[Reject], *, now: datetime) -> None:
        """Quarantine items a stage could not handle; an item set aside again counts once more."""
        with self.transaction():
            self._set_aside(list(rejects), now)

    def _set_aside(self, rejects: Sequence[Reject], now: datetime) -> None:
        for r in rejects:
            item = clean(r.item, 500)
            self.engine.execute(
                "INSERT INTO quarantine (id, stage, item, source, excerpt, error, raw, first_seen, last_seen, count)"
                " VALUES (?,?,?,?,?,?,?,?,?,1) ON CONFLICT(id) DO UPDATE SET source=excluded.source,"
                " excerpt=excluded.excerpt, error=excluded.error, raw=coalesce(excluded.raw, quarantine.raw),"
                " last_seen=excluded.last_seen, count=quarantine.count+1",
                [
                    f"{r.stage}:{item}",
                    r.stage,
                    item,
                    r.source and clean(r.source),
                    excerpt(r.excerpt),
                    clean(r.error, 2000),
                    None if r.raw is None else dump(r.raw),
                    iso(now),
                    iso(now),
                ],
            )
            comment = item if r.stage not in RAW_STAGES else None
            self._event(now, comment, "quarantined", None, None, {"stage": r.stage, "item": item, "error": r.error})

    def quarantined(
        self, stage: str | None = None, *, refs: Iterable[str] | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Items set aside and not dropped (all, of one stage, or named by quarantine id or item id), newest first."""
        where, params = ["dropped_at IS NULL"], []
        if stage:
            where.append("stage = ?")
            params.append(stage)
        if refs is not None:
            named = list(refs)
            if not named:
                return []
            marks = ",".join("?" * len(named))
            where.append(f"(id IN ({marks}) OR item IN ({marks}))")
            params += named * 2
        sql = f"SELECT * FROM quarantine WHERE {' AND '.join(where)} ORDER BY last_seen DESC, id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        rows = self.engine.query(sql, params)
        return [{**r, "raw": json.loads(r["raw"]) if r["raw"] else None} for r in rows]

    def quarantine_counts(self) -> dict[str, int]:
        """How many items each stage has set aside (not counting those a person dropped)."""
        rows = self.engine.execute(
            "SELECT stage, count(*) FROM quarantine WHERE dropped_at IS NULL GROUP BY stage"
        ).fetchall()
        return {str(k): int(v) for k, v in rows}

    def release(self, ids: Iterable[str], *, now: datetime, why: str) -> int:
        """Take items out of quarantine once their stage has handled them; return how many."""
        return self._unquarantine(ids, now=now, why=why, drop=False)

    def drop_quarantined(self, ids: Iterable[str], *, now: datetime) -> int:
        """Mark items as dropped by a person: kept out of their stage for good, no longer listed or alerted."""
        return self._unquarantine(ids, now=now, why="dropped by a person", drop=True)

    def _unquarantine(self, ids: Iterable[str], *, now: datetime, why: str, drop: bool) -> int:
        with self.transaction():
            gone = 0
            for qid in list(ids):
                row = self.engine.execute("SELECT stage, item FROM quarantine WHERE id = ?", [qid]).fetchone()
                if row is None:
                    continue
                if drop:
                    self.engine.execute("UPDATE quarantine SET dropped_at = ? WHERE id = ?", [iso(now), qid])
                else:
                    self.engine.execute("DELETE FROM quarantine WHERE id = ?", [qid])
                comment = row[1] if row[0] not in RAW_STAGES else None
                kind = "dropped" if drop else "released"
                self._event(now, comment, kind, None, None, {"stage": row[0], "item": row[1], "why": why})
                gone += 1
        return gone
