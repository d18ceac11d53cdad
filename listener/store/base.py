"""Provide what every concern of the store shares: the engine, transactions, the meta table, the trail."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from listener.store.codecs import iso
from listener.store.engine import Engine

_INSERT_EVENT = "INSERT INTO events (at, comment_id, kind, from_state, to_state, detail) VALUES (?, ?, ?, ?, ?, ?)"


class StoreBase:
    """The engine every concern writes through, and the helpers they all use."""

    engine: Engine

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several writes into one atomic transaction (nested ones become savepoints)."""
        with self.engine.transaction():
            yield

    def set_meta(self, key: str, value: Any) -> None:
        """Store a small JSON value under a key (see ``listener.store.keys``)."""
        self.engine.upsert_all("meta", [{"key": key, "value": json.dumps(value)}], pk="key")

    def meta(self, key: str, default: Any = None) -> Any:
        """Read a value stored with set_meta."""
        row = self.engine.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return json.loads(row[0]) if row else default

    def meta_prefixed(self, prefix: str) -> dict[str, Any]:
        """Every meta value whose key starts with ``prefix``."""
        rows = self.engine.execute(
            "SELECT key, value FROM meta WHERE substr(key, 1, ?) = ?", [len(prefix), prefix]
        ).fetchall()
        return {k: json.loads(v) for k, v in rows}

    def _event(
        self,
        now: datetime,
        comment_id: str | None,
        kind: str,
        before: str | None,
        after: str | None,
        detail: dict[str, Any],
    ) -> None:
        """Append one event to the audit trail (inside the caller's transaction)."""
        detail_text = json.dumps(detail, default=str, sort_keys=True)
        # One fixed statement: every reply move writes one, and insert_all would work its SQL out each time.
        self.engine.execute(_INSERT_EVENT, [iso(now), comment_id, kind, before, after, detail_text])
