"""Keep the one reply record of each comment: created, moved by compare-and-set, read back as ``Reply``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from listener.records import ReplyState
from listener.store.base import StoreBase
from listener.store.codecs import encode, event_detail, iso, parse_time, row_reply, states_sql
from listener.store.rows import Reply

S = ReplyState
# Every Reply query: the replies row with its comment's platform. A reply row carries copies of its comment's
# platform and author too (kept by schema m009's triggers), so the look-ups by them read only their index.
_REPLIES = "SELECT r.*, c.platform FROM replies r JOIN comments c ON c.id = r.comment_id"
# A reply with a text: spelled as the partial indexes on recent texts spell it, so they are used.
_HAS_TEXT = "r.text IS NOT NULL AND r.text != ''"
# Newest first, ties by comment: every read of "our latest replies" orders them so, and agrees with the others.
_NEWEST = "r.updated_at DESC, r.comment_id"
# How many authors one statement asks about: two parameters each, well under every engine's limit.
_AUTHORS_ASKED = 400
# Replies on their way out (approved, or mid-call), which a poster that stopped leaves behind.
_OUTGOING = states_sql({S.APPROVED, S.POSTING})
# Replies queued or posted: the texts a new suggestion should not repeat.
_WRITTEN = states_sql({S.SUGGESTED, S.APPROVED, S.POSTING, S.POSTED})


class RepliesStore(StoreBase):
    """The replies table; the state machine that moves its rows is ``responders.lifecycle``."""

    def create_reply(self, comment_id: str, state: str, *, now: datetime, **fields: Any) -> bool:
        """Create the one reply record of a comment; False if it already has one."""
        row = {
            "comment_id": comment_id,
            "state": state,
            "attempts": 0,
            "created_at": iso(now),
            "updated_at": iso(now),
            **encode(fields),
        }
        with self.transaction():
            cursor = self.engine.execute(
                f"INSERT INTO replies ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})"
                " ON CONFLICT(comment_id) DO NOTHING",
                list(row.values()),
            )
            if cursor.rowcount:
                self._event(now, comment_id, "transition", None, state, event_detail(fields))
            return bool(cursor.rowcount)

    def move_reply(self, comment_id: str, expected: Sequence[str], state: str, *, now: datetime, **fields: Any) -> bool:
        """Move a reply to ``state`` only if it is in one of ``expected`` (compare-and-set)."""
        sets = {"state": state, "updated_at": iso(now), **encode(fields)}
        marks = ",".join("?" * len(expected))
        with self.transaction():
            before = self.reply(comment_id)
            cursor = self.engine.execute(
                f"UPDATE replies SET {', '.join(f'{k} = ?' for k in sets)} WHERE comment_id = ? AND state IN ({marks})",
                [*sets.values(), comment_id, *expected],
            )
            if cursor.rowcount:
                was = before.state.value if before else None
                self._event(now, comment_id, "transition", was, state, event_detail(fields))
            return bool(cursor.rowcount)

    def update_reply(self, comment_id: str, *, now: datetime, **fields: Any) -> None:
        """Change a reply's fields without changing its state (e.g. the text a person edited)."""
        sets = {"updated_at": iso(now), **encode(fields)}
        with self.transaction():
            self.engine.execute(
                f"UPDATE replies SET {', '.join(f'{k} = ?' for k in sets)} WHERE comment_id = ?",
                [*sets.values(), comment_id],
            )
            self._event(now, comment_id, "edited", None, None, event_detail(fields))

    def reply(self, comment_id: str) -> Reply | None:
        """The reply record of a comment, or None."""
        rows = self.engine.query(f"{_REPLIES} WHERE r.comment_id = ?", [comment_id])
        return row_reply(rows[0]) if rows else None

    def replies(self, states: Sequence[str], limit: int | None = None) -> list[Reply]:
        """Reply records in any of ``states``, oldest comment first."""
        marks = ",".join("?" * len(states))
        # The reply row's own copy of its platform, and its comment's time looked up per row: joined instead,
        # PostgreSQL weighed a few hundred approved replies against the comments table and once read it whole.
        sql = (
            f"SELECT r.* FROM replies r WHERE r.state IN ({marks})"
            " ORDER BY (SELECT c.created_at FROM comments c WHERE c.id = r.comment_id), r.comment_id"
        )
        params: list[Any] = list(states)
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [row_reply(r) for r in self.engine.query(sql, params)]

    def recent_replies_to(self, platform: str, author_id: str, limit: int = 5) -> list[Reply]:
        """Our latest replies (any state with text) to one author, newest first."""
        rows = self.engine.query(
            f"{_REPLIES} WHERE r.platform = ? AND r.author_id = ? AND {_HAS_TEXT} ORDER BY {_NEWEST} LIMIT ?",
            [platform, author_id, limit],
        )
        return [row_reply(r) for r in rows]

    def latest_reply_texts(self, authors: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
        """``recent_replies_to(platform, author_id, 1)``'s texts for many authors, by (platform, author id).

        Asked a chunk of authors at a time, each through the index of replies to one author (newest first).
        """
        wanted = list(dict.fromkeys(authors))
        out: dict[tuple[str, str], list[str]] = {a: [] for a in wanted}
        for start in range(0, len(wanted), _AUTHORS_ASKED):
            pairs = wanted[start : start + _AUTHORS_ASKED]
            rows = self.engine.execute(
                f"WITH asked (platform, author_id) AS (VALUES {', '.join(['(?, ?)'] * len(pairs))})"
                " SELECT a.platform, a.author_id, (SELECT r.text FROM replies r WHERE r.platform = a.platform"
                f" AND r.author_id = a.author_id AND {_HAS_TEXT} ORDER BY {_NEWEST} LIMIT 1)"
                " FROM asked a",
                [v for pair in pairs for v in pair],
            )
            for platform, author_id, text in rows.fetchall():
                if text is not None:
                    out[(platform, author_id)] = [text]
        return out

    def stuck_replies(self, *, before: datetime, now: datetime) -> list[Reply]:
        """Approved or posting replies untouched since ``before`` and not waiting for a retry time, oldest first."""
        # The reply row's own copy of its platform, as ``replies`` reads it: joined to comments, PostgreSQL once
        # hashed the whole comments table for a handful of stuck replies (a query-plan test run in CI).
        rows = self.engine.query(
            f"SELECT r.* FROM replies r WHERE r.state IN ({_OUTGOING}) AND r.updated_at < ?"
            " AND (r.retry_at IS NULL OR r.retry_at <= ?) ORDER BY r.updated_at",
            [iso(before), iso(now)],
        )
        return [row_reply(r) for r in rows]

    def recent_reply_texts(self, platform: str, limit: int = 200) -> list[str]:
        """The texts of our latest queued or posted replies on one platform, newest first."""
        rows = self.engine.execute(
            f"SELECT r.text FROM replies r WHERE r.platform = ? AND {_HAS_TEXT} AND r.state IN ({_WRITTEN})"
            f" ORDER BY {_NEWEST} LIMIT ?",
            [platform, limit],
        ).fetchall()
        return [r[0] for r in rows]

    def last_reply_to_author(self, platform: str, author_id: str) -> datetime | None:
        """When we last posted a reply to this author, if ever."""
        row = self.engine.execute(
            "SELECT max(posted_at) FROM replies WHERE platform = ? AND author_id = ? AND state = ?",
            [platform, author_id, S.POSTED.value],
        ).fetchone()
        return parse_time(row[0]) if row and row[0] else None

    def posted_since(self, platform: str, since: datetime) -> int:
        """How many replies we posted on a platform since a moment (for our own rate cap)."""
        row = self.engine.execute(
            "SELECT count(*) FROM replies WHERE platform = ? AND state = ? AND posted_at >= ?",
            [platform, S.POSTED.value, iso(since)],
        ).fetchone()
        return int(row[0])

    def state_counts(self) -> dict[str, int]:
        """How many reply records are in each state."""
        rows = self.engine.execute("SELECT state, replies FROM reply_counts WHERE replies > 0").fetchall()
        return {k: int(v) for k, v in rows}
