"""Read the ledger: which comments still need a reply, how many are acknowledged, and every decision made."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from listener.records import ACKNOWLEDGED, ReplyState
from listener.store.base import StoreBase
from listener.store.codecs import row_awaiting, states_sql
from listener.store.rows import Awaiting

# SQL list of the acknowledged states, built from the one definition in listener.records.
_ACKED = states_sql(ACKNOWLEDGED)
# The one SQL definition of "needs a reply", for status, escalation and the report (c is the comment, t its
# tags): what the judge decided, and never one of our own comments. Neither the tagger nor the judge marks
# our own comment as needing a reply; saying so here keeps every count equal on a database they did not write.
NEEDS_REPLY = "(t.needs_reply = 1 AND c.is_own = 0)"


class LedgerStore(StoreBase):
    """Comments joined with their tags and reply: what waits, what is done, and why."""

    def awaiting(self) -> list[Awaiting]:
        """Comments that need a reply and are not acknowledged, oldest first, with tags and reply."""
        rows = self.engine.query(
            "SELECT c.id, c.platform, c.author_handle, c.text, c.url, c.created_at, t.intent,"
            " t.sentiment, t.priority, r.state, r.text AS reply_text"
            " FROM comments c JOIN tags t ON t.comment_id = c.id"
            " LEFT JOIN replies r ON r.comment_id = c.id"
            f" WHERE {NEEDS_REPLY} AND (r.state IS NULL OR r.state NOT IN ({_ACKED}))"
            " ORDER BY c.created_at"
        )
        return [row_awaiting(r) for r in rows]

    def ledger_counts(self) -> dict[str, int]:
        """Counts of comments needing a reply, by whether they are acknowledged."""
        rows = self.engine.execute(
            f"SELECT CASE WHEN r.state IN ({_ACKED}) THEN 'acknowledged' ELSE 'open' END,"
            " count(*) FROM comments c JOIN tags t ON t.comment_id = c.id"
            f" LEFT JOIN replies r ON r.comment_id = c.id WHERE {NEEDS_REPLY} GROUP BY 1"
        ).fetchall()
        counts = {"open": 0, "acknowledged": 0}
        counts.update({k: int(v) for k, v in rows})
        return counts

    def queue_rows(self, states: Sequence[str]) -> list[dict[str, Any]]:
        """Replies in ``states`` joined with their comment, tags, parent text and author history."""
        marks = ",".join("?" * len(states))
        rows = self.engine.query(
            "SELECT r.comment_id, r.state, r.text AS reply_text, r.alternatives, r.reason, r.error, r.draft_source,"
            " c.platform, c.author_handle, c.author_name, c.url, c.text, c.created_at,"
            " p.text AS parent_text, t.intent, t.intent_score, t.sentiment, t.sentiment_score,"
            " t.priority, t.is_question, a.comments AS author_comments,"
            " (SELECT count(*) FROM replies r2 JOIN comments c2 ON c2.id = r2.comment_id"
            "   WHERE c2.platform = c.platform AND c2.author_id = c.author_id"
            "   AND r2.state = ?) AS author_replied"
            " FROM replies r JOIN comments c ON c.id = r.comment_id"
            " JOIN tags t ON t.comment_id = c.id"
            " LEFT JOIN comments p ON p.id = c.parent_id"
            " LEFT JOIN authors a ON a.id = c.platform || ':' || c.author_id"
            f" WHERE r.state IN ({marks}) ORDER BY c.created_at",
            [ReplyState.POSTED.value, *states],
        )
        return [{**r, "alternatives": json.loads(r["alternatives"]) if r["alternatives"] else []} for r in rows]

    def decisions(self) -> list[dict[str, Any]]:
        """Every comment with its tags and decision, oldest first, in the schema of docs/replay.md."""
        rows = self.engine.query(
            "SELECT c.id, c.platform, c.source, c.author_handle, c.text, c.created_at, t.sentiment,"
            " t.sentiment_score, t.is_question, t.intent, t.spam_score, t.bot_score, t.needs_reply, t.priority,"
            " t.lang, t.model_version, r.state, r.reason, r.skip_reason, r.duplicate_of, r.decided_by,"
            " r.draft_source, r.text AS reply FROM comments c LEFT JOIN tags t ON t.comment_id = c.id"
            " LEFT JOIN replies r ON r.comment_id = c.id ORDER BY c.created_at, c.id"
        )
        return [_decision(r) for r in rows]


def _decision(r: dict[str, Any]) -> dict[str, Any]:
    """One comment's decision in the documented replay schema."""
    skipped = r["state"] == ReplyState.DISMISSED and r["decided_by"] == "policy"
    tagged = r["sentiment"] is not None
    return {
        "id": r["id"],
        "platform": r["platform"],
        "source": r["source"],
        "author": r["author_handle"],
        "created_at": r["created_at"],
        "text": r["text"],
        "decision": "skipped" if skipped else (r["state"] or "undecided"),
        "decided_by": r["decided_by"],
        "reason": {"code": r["skip_reason"] if skipped else None, "text": r["reason"] or ""},
        "priority": r["priority"],
        "tags": {
            "is_question": bool(r["is_question"]) if tagged else None,
            "sentiment": r["sentiment"],
            "sentiment_score": r["sentiment_score"],
            "intent": r["intent"],
            "needs_reply": bool(r["needs_reply"]) if tagged else None,
            "lang": r["lang"],
            "spam_score": r["spam_score"],
            "bot_score": r["bot_score"],
            "model_version": r["model_version"],
        },
        "reply": "" if skipped else (r["reply"] or ""),
        "draft": None if skipped or not r["reply"] else r["draft_source"],
        "auto": r["decided_by"] == "rule",
        "duplicate_of": r["duplicate_of"],
    }
