"""Provide the SQLite schema as ordered, named migrations, each never edited once applied.

A migration is history: it spells the names and texts of its day, not today's constants.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("heard")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    """Create the first schema."""
    db.table("comments").create(
        {
            "id": str,
            "platform": str,
            "native_id": str,
            "account": str,
            "source": str,
            "author_id": str,
            "author_handle": str,
            "author_name": str,
            "author_is_bot": int,
            "author_bio": str,
            "text": str,
            "url": str,
            "created_at": str,
            "fetched_at": str,
            "parent_id": str,
            "conversation_id": str,
            "lang": str,
            "mentions_us": int,
            "is_own": int,
            "raw": str,
        },
        pk="id",
    )
    db.table("comments").create_index(["created_at"])
    db.table("comments").create_index(["platform", "author_id"])
    db.table("authors").create(
        {
            "id": str,
            "platform": str,
            "native_id": str,
            "handle": str,
            "name": str,
            "is_bot": int,
            "bio": str,
            "first_seen": str,
            "last_seen": str,
            "comments": int,
            "opted_out": int,
        },
        pk="id",
    )
    db.table("tags").create(
        {
            "comment_id": str,
            "sentiment": str,
            "sentiment_score": float,
            "is_question": int,
            "question_score": float,
            "intent": str,
            "intent_score": float,
            "spam_score": float,
            "bot_score": float,
            "needs_reply": int,
            "priority": str,
            "lang": str,
            "model_version": str,
            "tagged_at": str,
        },
        pk="comment_id",
        foreign_keys=[("comment_id", "comments", "id")],
    )
    db.table("replies").create(
        {
            "comment_id": str,
            "state": str,
            "text": str,
            "suggested_text": str,
            "alternatives": str,
            "template": str,
            "reason": str,
            "idempotency_key": str,
            "remote_id": str,
            "attempts": int,
            "error": str,
            "retry_at": str,
            "decided_by": str,
            "edit_ratio": float,
            "created_at": str,
            "updated_at": str,
            "posted_at": str,
            "acknowledged_at": str,
        },
        pk="comment_id",
        foreign_keys=[("comment_id", "comments", "id")],
    )
    db.table("replies").create_index(["state"])
    db.table("events").create(
        {"id": int, "at": str, "comment_id": str, "kind": str, "from_state": str, "to_state": str, "detail": str},
        pk="id",
    )
    db.table("events").create_index(["comment_id"])
    db.table("cursors").create(
        {
            "source": str,
            "cursor": str,
            "updated_at": str,
            "last_success": str,
            "last_error": str,
            "errors": int,
            "paused_until": str,
        },
        pk="source",
    )
    db.table("notices").create(
        {"comment_id": str, "step": int, "sent_at": str, "channel": str},
        pk=("comment_id", "step"),
    )
    db.table("meta").create({"key": str, "value": str}, pk="key")
    # The audit trail is append-only: the database itself refuses edits and deletes.
    db.execute(
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
        "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"
    )
    db.execute(
        "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
        "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"
    )


@migrations()
def m002_own_posts(db: sqlite_utils.Database) -> None:
    """Add own_posts: the user's own posts with their public metrics, for audience health."""
    db.table("own_posts").create(
        {
            "id": str,
            "platform": str,
            "post_id": str,
            "url": str,
            "created_at": str,
            "followers_at_post": int,
            "likes": int,
            "reposts": int,
            "replies": int,
            "quotes": int,
            "views": int,
            "fetched_at": str,
        },
        pk="id",
    )
    db.table("own_posts").create_index(["created_at"])


@migrations()
def m003_judgement(db: sqlite_utils.Database) -> None:
    """Add what the judge records (skip reason, duplicate of) and the indexes its thread look-ups need."""
    db.table("replies").add_column("skip_reason", str)
    db.table("replies").add_column("duplicate_of", str)
    db.table("comments").create_index(["conversation_id", "created_at"])
    db.table("comments").create_index(["parent_id"])
    # needs_reply now means what the judge decided: what policy skipped never needed a reply.
    db.execute(
        "UPDATE tags SET needs_reply = 0 WHERE comment_id IN"
        " (SELECT comment_id FROM replies WHERE state = 'dismissed' AND decided_by = 'policy')"
    )


@migrations()
def m004_author_profiles(db: sqlite_utils.Database) -> None:
    """Add when each author's profile was last looked up (Reddit and YouTube comments carry no bio)."""
    db.table("authors").add_column("profile_checked_at", str)
    db.table("authors").create_index(["platform", "profile_checked_at"])


@migrations()
def m005_quarantine(db: sqlite_utils.Database) -> None:
    """Add quarantine: items a stage set aside (with why, when and how often) so the rest moves on."""
    db.table("quarantine").create(
        {
            "id": str,
            "stage": str,
            "item": str,
            "source": str,
            "excerpt": str,
            "error": str,
            "raw": str,
            "first_seen": str,
            "last_seen": str,
            "count": int,
            "dropped_at": str,  # a person dropped it: still kept out of its stage, no longer shown or alerted
        },
        pk="id",
    )
    db.table("quarantine").create_index(["stage", "item"], unique=True)


@migrations()
def m006_error_kinds(db: sqlite_utils.Database) -> None:
    """Record what kind of failure a source's last error was, and give each posting pause its kind and start."""
    db.table("cursors").add_column("error_kind", str)
    # Failures recorded before: classified once from the texts poll.py wrote then, never parsed again.
    db.execute(
        "UPDATE cursors SET error_kind = CASE"
        " WHEN last_error LIKE 'credentials refused%' THEN 'auth'"
        " WHEN last_error LIKE 'rate limited%' THEN 'rate_limited'"
        " WHEN last_error LIKE 'CreditsExhausted:%' THEN 'credits'"
        " WHEN last_error LIKE 'Transient:%' THEN 'transient'"
        " WHEN last_error LIKE 'BadPayload:%' THEN 'payload'"
        " ELSE 'other' END WHERE last_error IS NOT NULL"
    )
    for key, value in db.execute("SELECT key, value FROM meta WHERE key LIKE 'pause:post:%'").fetchall():
        pause = json.loads(value)
        if not isinstance(pause, dict) or not pause.get("until"):  # a pause with no end never held anything
            db.execute("DELETE FROM meta WHERE key = ?", [key])
            continue
        # The kind was the error type of the alert event responders/post.py logged with the pause.
        event = db.execute(
            "SELECT at, json_extract(detail, '$.error_type') FROM events WHERE kind = 'alert'"
            " AND json_extract(detail, '$.platform') = ? ORDER BY id DESC LIMIT 1",
            [key.removeprefix("pause:post:")],
        ).fetchone()
        pause["kind"] = "credits" if event and event[1] == "CreditsExhausted" else "auth"
        # Without its event, it began the hour before it ends (how long post.py paused then).
        began = datetime.fromisoformat(pause["until"]) - timedelta(hours=1)
        pause["since"] = event[0] if event else began.isoformat(timespec="microseconds")
        db.execute("UPDATE meta SET value = ? WHERE key = ?", [json.dumps(pause), key])


@migrations()
def m007_draft_source(db: sqlite_utils.Database) -> None:
    """Record where each reply's draft came from: faq, template, ai or holding (null: no draft)."""
    db.table("replies").add_column("draft_source", str)


@migrations()
def m008_drafts(db: sqlite_utils.Database) -> None:
    """Add drafts: each AI draft made, per comment, model and prompt, with the tokens it cost."""
    db.table("drafts").create(
        {
            "comment_id": str,
            "model": str,
            "prompt_hash": str,
            "text": str,
            "prompt_tokens": int,
            "completion_tokens": int,
            "finish_reason": str,  # "length": the answer stopped at max_tokens, mid-sentence
            "drafted_at": str,
        },
        pk=("comment_id", "model", "prompt_hash"),
        foreign_keys=[("comment_id", "comments", "id")],
    )
    db.table("drafts").create_index(["drafted_at"])
