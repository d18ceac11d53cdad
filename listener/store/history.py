"""Read the report's rows and keep the user's own posts with their metrics (for audience health)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from listener.store.base import StoreBase
from listener.store.codecs import encode, iso
from listener.store.ledger import NEEDS_REPLY

# The own_posts columns, in the order save_own_posts writes them.
_OWN_POST_COLUMNS = (
    "id",
    "platform",
    "post_id",
    "url",
    "created_at",
    "followers_at_post",
    "likes",
    "reposts",
    "replies",
    "quotes",
    "views",
    "fetched_at",
)


class HistoryStore(StoreBase):
    """What the report reads: every comment of a period with its tags and reply, and our own posts."""

    def report_rows(self, start: datetime | None, end: datetime) -> list[dict[str, Any]]:
        """Read every comment created in [start, end] with its tags, reply and author's first sighting.

        ``needs_reply`` is the ledger's one definition (`NEEDS_REPLY`), so the report counts what status counts.
        """
        return self.engine.query(
            "SELECT c.id, c.platform, c.author_id, c.author_handle, c.author_is_bot, c.text, c.url,"
            f" c.created_at, c.is_own, t.sentiment, t.intent, t.is_question,"
            f" CASE WHEN {NEEDS_REPLY} THEN 1 ELSE 0 END AS needs_reply,"
            " r.state, r.decided_by, r.posted_at, r.edit_ratio, r.text AS reply_text,"
            " CASE WHEN coalesce(r.suggested_text, '') != '' THEN 1 ELSE 0 END AS had_suggestion, a.first_seen"
            " FROM comments c LEFT JOIN tags t ON t.comment_id = c.id"
            " LEFT JOIN replies r ON r.comment_id = c.id"
            " LEFT JOIN authors a ON a.id = c.platform || ':' || c.author_id"
            " WHERE c.created_at >= ? AND c.created_at <= ? ORDER BY c.created_at",
            [iso(start) if start else "", iso(end)],
        )

    def save_own_posts(self, posts: Iterable[dict[str, Any]], *, now: datetime) -> int:
        """Insert or refresh the user's own posts and their metrics; return how many rows.

        A refresh updates the metrics but keeps the follower count first stored for a post: the
        nearest we have to "followers when it was posted", so an old post's rate is not rewritten
        as the audience grows. A stored 0 (unknown) is replaced.
        """
        rows = []
        for post in posts:
            row = encode({"fetched_at": now, **post})
            row["id"] = f"{row['platform']}:{row['post_id']}"
            rows.append([row.get(c) for c in _OWN_POST_COLUMNS])
        refreshed = ", ".join(f"{c}=excluded.{c}" for c in _OWN_POST_COLUMNS if c not in ("id", "followers_at_post"))
        with self.transaction():
            self.engine.executemany(
                f"INSERT INTO own_posts ({', '.join(_OWN_POST_COLUMNS)})"
                f" VALUES ({', '.join('?' * len(_OWN_POST_COLUMNS))}) ON CONFLICT(id) DO UPDATE SET {refreshed},"
                " followers_at_post=coalesce(nullif(own_posts.followers_at_post, 0), excluded.followers_at_post)",
                rows,
            )
        return len(rows)

    def own_posts(self, start: datetime | None, end: datetime) -> list[dict[str, Any]]:
        """Read the user's own posts created in [start, end], oldest first."""
        return self.engine.query(
            "SELECT * FROM own_posts WHERE created_at >= ? AND created_at <= ? ORDER BY created_at",
            [iso(start) if start else "", iso(end)],
        )
