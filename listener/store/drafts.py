"""Keep the AI drafts made, per comment, model and prompt, so that no draft is paid for twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from listener.store.base import StoreBase
from listener.store.codecs import iso, parse_time


@dataclass(frozen=True)
class Draft:
    """One AI draft as the endpoint wrote it, with the tokens it cost (all its regenerations summed)."""

    comment_id: str
    model: str
    prompt_hash: str
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str
    drafted_at: datetime


class DraftsStore(StoreBase):
    """The drafts table: a cache of the endpoint's answers, and the spend on it."""

    def draft(self, comment_id: str, model: str, prompt_hash: str) -> Draft | None:
        """The draft made for this comment by this model from this prompt, if any."""
        rows = self.engine.query(
            "SELECT * FROM drafts WHERE comment_id = ? AND model = ? AND prompt_hash = ?",
            [comment_id, model, prompt_hash],
        )
        if not rows:
            return None
        r = rows[0]
        drafted = parse_time(r["drafted_at"])
        assert drafted is not None  # written by save_draft, never empty
        return Draft(
            r["comment_id"],
            r["model"],
            r["prompt_hash"],
            r["text"] or "",
            int(r["prompt_tokens"] or 0),
            int(r["completion_tokens"] or 0),
            r["finish_reason"] or "",
            drafted,
        )

    def save_draft(
        self,
        comment_id: str,
        model: str,
        prompt_hash: str,
        text: str,
        *,
        prompt_tokens: int,
        completion_tokens: int,
        finish_reason: str = "",
        now: datetime,
    ) -> None:
        """Keep a draft; one made again from the same prompt replaces the text and adds its tokens."""
        with self.transaction():
            self.engine.execute(
                "INSERT INTO drafts (comment_id, model, prompt_hash, text, prompt_tokens, completion_tokens,"
                " finish_reason, drafted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(comment_id, model, prompt_hash) DO UPDATE"
                " SET text = excluded.text, finish_reason = excluded.finish_reason, drafted_at = excluded.drafted_at,"
                " prompt_tokens = drafts.prompt_tokens + excluded.prompt_tokens,"
                " completion_tokens = drafts.completion_tokens + excluded.completion_tokens",
                [comment_id, model, prompt_hash, text, prompt_tokens, completion_tokens, finish_reason, iso(now)],
            )

    def draft_tokens(self, since: datetime | None = None) -> int:
        """Tokens spent on drafts (prompt and answer) made since a moment, or ever."""
        sql = "SELECT coalesce(sum(prompt_tokens + completion_tokens), 0) FROM drafts"
        params: list[str] = []
        if since is not None:
            sql += " WHERE drafted_at >= ?"
            params.append(iso(since))
        return int(self.engine.execute(sql, params).fetchone()[0])
