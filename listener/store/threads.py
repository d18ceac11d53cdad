"""Read the company a comment keeps: its thread, our answers in it, and what its author said nearby."""

from __future__ import annotations

from datetime import timedelta

from listener.records import Comment, ReplyState
from listener.store.base import StoreBase
from listener.store.codecs import iso, row_comment


class ThreadsStore(StoreBase):
    """Conversation look-ups over the comments table (what the judge reads before deciding)."""

    def thread(self, comment: Comment, limit: int = 200) -> list[Comment]:
        """The comments of this comment's conversation stored before it (same second: lower id), oldest first."""
        if not comment.conversation_id:
            return []
        at = iso(comment.created_at)
        rows = self.engine.query(
            "SELECT * FROM comments WHERE conversation_id = ? AND platform = ? AND id != ?"
            " AND (created_at < ? OR (created_at = ? AND id < ?)) ORDER BY created_at DESC LIMIT ?",
            [comment.conversation_id, comment.platform, comment.id, at, at, comment.id, limit],
        )
        return [row_comment(r) for r in reversed(rows)]

    def answered_in(self, comment: Comment) -> dict[str, str]:
        """Our replies posted by heard in this comment's conversation: remote comment id -> the comment it answered."""
        if not comment.conversation_id:
            return {}
        rows = self.engine.execute(
            "SELECT r.remote_id, r.comment_id FROM replies r JOIN comments c ON c.id = r.comment_id"
            " WHERE c.conversation_id = ? AND c.platform = ? AND r.state = ? AND r.remote_id IS NOT NULL",
            [comment.conversation_id, comment.platform, ReplyState.POSTED.value],
        ).fetchall()
        return {f"{comment.platform}:{remote}": answered for remote, answered in rows}

    def nearby(self, comment: Comment, window: timedelta) -> list[Comment]:
        """Comments from ``window`` before this one: by its author on its platform, or by its display name elsewhere."""
        at = iso(comment.created_at)
        rows = self.engine.query(
            "SELECT * FROM comments WHERE created_at >= ? AND (created_at < ? OR (created_at = ? AND id < ?))"
            " AND ((platform = ? AND author_id = ?) OR (platform != ? AND author_name = ? AND author_name != ''))"
            " ORDER BY created_at",
            [
                iso(comment.created_at - window),
                at,
                at,
                comment.id,
                comment.platform,
                comment.author.id,
                comment.platform,
                comment.author.name,
            ],
        )
        return [row_comment(r) for r in rows]

    def own_replies_to(self, comment_id: str) -> list[Comment]:
        """Our own comments stored as direct replies to this comment (by heard's polls or a person's hand)."""
        rows = self.engine.query(
            "SELECT * FROM comments WHERE parent_id = ? AND is_own = 1 ORDER BY created_at", [comment_id]
        )
        return [row_comment(r) for r in rows]
