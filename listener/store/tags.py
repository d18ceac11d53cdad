"""Store what the NLP pipeline concluded about each comment, and find what still waits to be tagged or decided."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from listener.records import Comment, Tags
from listener.store.codecs import row_comment, row_tags, tags_row
from listener.store.comments import CommentsStore, chunks

# The tag columns whose values may be counted (a column name is never taken from a caller unchecked).
_COUNTABLE = ("intent", "sentiment", "priority", "lang", "needs_reply", "is_question")
# Where a comment stands (comments.stage, kept by the triggers of schema m009 as tags and replies are written):
# not tagged yet, tagged with no reply record yet, or "decided" (both). Each pending stage has a partial index,
# which a query uses only when it spells the stage as a literal.
NEW, TAGGED = "new", "tagged"


class TagsStore(CommentsStore):
    """The tags table, one row per comment, and the two queues it feeds: untagged and undecided."""

    def untagged(self, limit: int = 1000) -> list[Comment]:
        """Comments that have no tags yet and are not set aside by tagging, oldest first."""
        rows = self.engine.query(f"SELECT c.* {_pending(NEW, 'tag')}", [limit])
        return [row_comment(r) for r in rows]

    def untagged_ids(self, limit: int = 1000) -> list[str]:
        """The ids ``untagged`` would return, read from the index alone: for a caller that takes only some."""
        return self._ids(NEW, "tag", limit)

    def undecided_ids(self, limit: int = 1000) -> list[str]:
        """The ids ``undecided`` would return, read from the index alone: for a caller that takes only some."""
        return self._ids(TAGGED, "decide", limit)

    def _ids(self, stage: str, quarantined: str, limit: int) -> list[str]:
        return [r[0] for r in self.engine.execute(f"SELECT c.id {_pending(stage, quarantined)}", [limit]).fetchall()]

    def save_tags(self, tags: Iterable[Tags], *, now: datetime) -> int:
        """Store tags (replacing older ones for the same comment); return how many."""
        rows = [tags_row(t, now) for t in tags]
        with self.transaction():
            self.engine.upsert_all("tags", rows, pk="comment_id")
        return len(rows)

    def tag_counts(self, column: str) -> dict[str, int]:
        """How many comments carry each value of one tag column."""
        if column not in _COUNTABLE:
            raise ValueError(f"not a countable tag column: {column}")
        rows = self.engine.execute(f"SELECT {column}, count(*) FROM tags GROUP BY {column}").fetchall()
        return {str(k): int(v) for k, v in rows}

    def tags(self, comment_id: str) -> Tags | None:
        """The tags of one comment, or None."""
        rows = self.engine.query("SELECT * FROM tags WHERE comment_id = ?", [comment_id])
        return row_tags(rows[0]) if rows else None

    def undecided(self, limit: int = 1000) -> list[tuple[Comment, Tags]]:
        """Tagged comments with no reply record yet and not set aside by deciding, oldest first."""
        return self.tagged(self.undecided_ids(limit))

    def tagged(self, ids: Sequence[str]) -> list[tuple[Comment, Tags]]:
        """These comments with their tags, in the order given; those not stored or not tagged are left out."""
        comments = self.comments(ids)
        tags: dict[str, Tags] = {}
        for chunk, marks in chunks(ids):
            for r in self.engine.query(f"SELECT * FROM tags WHERE comment_id IN ({marks})", chunk):
                tags[r["comment_id"]] = row_tags(r)
        return [(comments[i], tags[i]) for i in ids if i in comments and i in tags]


def _pending(stage: str, quarantined: str) -> str:
    """The FROM .. LIMIT of a stage's waiting comments, oldest first, less those its step set aside.

    The stage as a literal (one of two constants): the partial index of that stage is used only then.
    """
    return (
        f"FROM comments c WHERE c.stage = '{stage}'"
        f" AND c.id NOT IN (SELECT item FROM quarantine WHERE stage = '{quarantined}')"
        " ORDER BY c.created_at, c.id LIMIT ?"
    )
