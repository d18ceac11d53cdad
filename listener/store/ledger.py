"""Read the ledger: which comments still need a reply, how many are acknowledged, and every decision made."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from listener.records import ACKNOWLEDGED, PRIORITIES, WAITING, ReplyState
from listener.store.base import StoreBase
from listener.store.codecs import iso, row_awaiting, states_sql
from listener.store.comments import chunks
from listener.store.rows import Awaiting

# SQL list of the acknowledged states, built from the one definition in listener.records.
_ACKED = states_sql(ACKNOWLEDGED)
# The one SQL definition of "needs a reply", for status, escalation and the report (c is the comment, whose
# needs_reply and reply_state copy its tags' and its reply's, kept so by schema m009's triggers): what the
# judge decided, and never one of our own comments. Neither the tagger nor the judge marks our own comment as
# needing a reply; saying so here keeps every count equal on a database they did not write.
NEEDS_REPLY = "(c.needs_reply = 1 AND c.is_own = 0)"
# The one SQL definition of "open": needs a reply and is not acknowledged. Spelled term for term as the partial
# index idx_comments_open, which then holds exactly the open comments (a test checks that it is used).
OPEN = f"{NEEDS_REPLY} AND (c.reply_state IS NULL OR c.reply_state NOT IN ({_ACKED}))"


# What the ledger's Awaiting records are read from: every open comment with its tags and reply.
_AWAITING = (
    "SELECT c.id, c.platform, c.author_handle, c.text, c.url, c.created_at, t.intent, t.sentiment, t.priority,"
    " r.state, r.text AS reply_text FROM comments c JOIN tags t ON t.comment_id = c.id"
    f" LEFT JOIN replies r ON r.comment_id = c.id WHERE {OPEN}"
)


@dataclass(frozen=True)
class OpenComment:
    """An open comment as much as its due time needs: its platform, its priority, when it was written."""

    id: str
    platform: str
    priority: str
    created_at: datetime


class LedgerStore(StoreBase):
    """Comments joined with their tags and reply: what waits, what is done, and why."""

    def awaiting(self, ids: Sequence[str] | None = None) -> list[Awaiting]:
        """Comments needing a reply and not acknowledged (all, or those of ``ids``), oldest first, with tags, reply."""
        if ids is None:
            return [row_awaiting(r) for r in self.engine.query(f"{_AWAITING} ORDER BY c.created_at")]
        found = [
            row_awaiting(r)
            for chunk, marks in chunks(ids)
            for r in self.engine.query(f"{_AWAITING} AND c.id IN ({marks})", chunk)
        ]
        return sorted(found, key=lambda a: a.created_at)

    def open_groups(self) -> dict[tuple[str, str], int]:
        """How many comments are open on each platform at each priority (from the counts schema m010 keeps)."""
        rows = self.engine.execute(
            f"SELECT platform, priority, sum(comments) FROM needing_counts WHERE reply_state NOT IN ({_ACKED})"
            " GROUP BY platform, priority HAVING sum(comments) > 0"
        ).fetchall()
        # A comment with no priority is counted under "" (a key cannot hold NULL); count_open reads it as none.
        return {(platform, priority): int(n) for platform, priority, n in rows}

    def open_comments(self, group: tuple[str, str] | None = None, *, limit: int | None = None) -> list[OpenComment]:
        """Open comments with what their due times are worked out from: all, or the oldest of one platform and priority.

        All are in order of platform, priority and age, as their index holds them, so no row is read.
        """
        sql = f"SELECT c.id, c.platform, c.priority, c.created_at FROM comments c WHERE {OPEN}"
        params: list[str | int] = []
        if group is not None:
            match, values = in_group(group)
            sql += f" AND {match}"
            params += values
        sql += " ORDER BY c.platform, c.priority, c.created_at"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = self.engine.execute(sql, params).fetchall()
        return [OpenComment(i, platform, priority, datetime.fromisoformat(at)) for i, platform, priority, at in rows]

    def count_open(self, group: tuple[str, str], *, written_by: datetime) -> int:
        """How many comments of one platform and priority written at or before ``written_by`` are open.

        The group's kept count, less those written since: a count of the newest, never of the whole backlog.
        """
        match, values = in_group(group)
        newer = self.engine.execute(
            f"SELECT count(*) FROM comments c WHERE {OPEN} AND {match} AND c.created_at > ?",
            [*values, iso(written_by)],
        ).fetchone()
        return self.open_groups().get(group, 0) - int(newer[0])

    def ledger_counts(self) -> dict[str, int]:
        """Counts of comments needing a reply, by whether they are acknowledged (from the counts m010 keeps)."""
        rows = self.engine.execute("SELECT reply_state, sum(comments) FROM needing_counts GROUP BY reply_state")
        counts = {"open": 0, "acknowledged": 0}
        for state, n in rows.fetchall():
            counts["acknowledged" if state in ACKNOWLEDGED else "open"] += int(n)
        return counts

    def queue_rows(self, states: Sequence[str]) -> list[dict[str, Any]]:
        """Replies in ``states`` joined with their comment, tags, parent text and author history (their counts)."""
        marks = ",".join("?" * len(states))
        rows = self.engine.query(f"{_QUEUE_ROW} WHERE r.state IN ({marks}) ORDER BY c.created_at, c.id", list(states))
        return [_queue_row(r) for r in rows]

    def waiting_rows(self, limit: int) -> list[dict[str, Any]]:
        """The ``limit`` most urgent items waiting for a person (priority, then age), as ``queue_rows`` has them.

        Read in the order of their index, a priority at a time: the first ``limit`` entries, never the rest.
        """
        found: list[dict[str, Any]] = []
        known = ", ".join(f"'{p}'" for p in PRIORITIES)
        # Known priorities in their order, then any other (or none), all of which rank last together.
        for match, params in [*((" = ?", [p]) for p in PRIORITIES), (f" IS NULL OR c.priority NOT IN ({known})", [])]:
            if len(found) >= limit:
                break
            found += self.engine.query(
                f"{_QUEUE_ROW} WHERE {WAITING_SQL} AND (c.priority{match}) ORDER BY c.created_at, c.id LIMIT ?",
                [*params, limit - len(found)],
            )
        return [_queue_row(r) for r in found]

    def waiting_count(self) -> int:
        """How many items wait for a person, from the counts kept per reply state."""
        marks = ",".join("?" * len(WAITING))
        row = self.engine.execute(
            f"SELECT coalesce(sum(replies), 0) FROM reply_counts WHERE state IN ({marks})", sorted(WAITING)
        ).fetchone()
        return int(row[0])

    def queue_serial(self) -> int:
        """A number that moves whenever anything the queue file shows may have changed (kept by triggers)."""
        row = self.engine.execute("SELECT serial FROM changes WHERE name = 'queue'").fetchone()
        return int(row[0]) if row else 0

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


def in_group(group: tuple[str, str | None]) -> tuple[str, list[str]]:
    """The SQL condition (on ``c``) and parameters of one platform and priority; "" or None is no priority.

    Spelled with ``=`` rather than a null-safe comparison, which PostgreSQL cannot look up in an index.
    """
    platform, priority = group
    if not priority:
        return "c.platform = ? AND c.priority IS NULL", [platform]
    return "c.platform = ? AND c.priority = ?", [platform, priority]


# A queue item's row: its reply, comment, tags, parent text and author history (their kept counts).
_QUEUE_ROW = (
    "SELECT r.comment_id, r.state, r.text AS reply_text, r.alternatives, r.reason, r.error, r.draft_source,"
    " c.platform, c.author_handle, c.author_name, c.url, c.text, c.created_at,"
    " p.text AS parent_text, t.intent, t.intent_score, t.sentiment, t.sentiment_score,"
    " t.priority, t.is_question, a.comments AS author_comments, coalesce(a.replied, 0) AS author_replied"
    " FROM comments c JOIN replies r ON r.comment_id = c.id"
    " JOIN tags t ON t.comment_id = c.id"
    " LEFT JOIN comments p ON p.id = c.parent_id"
    " LEFT JOIN authors a ON a.id = c.platform || ':' || c.author_id"
)
# Spelled as idx_comments_waiting's condition (schema m010), so that index is the one read.
WAITING_SQL = "c.reply_state IN ('suggested', 'failed', 'rejected')"


def _queue_row(r: dict[str, Any]) -> dict[str, Any]:
    return {**r, "alternatives": json.loads(r["alternatives"]) if r["alternatives"] else []}


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
