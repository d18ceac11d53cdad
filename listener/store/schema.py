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


# m009's triggers, each "name: body": they keep the copies and counts below equal to the rows they copy, whoever
# writes those rows (the store, a bulk import, a person at the sqlite3 prompt).
_M009_TAGGED = (
    "UPDATE comments SET needs_reply = NEW.needs_reply, priority = NEW.priority, stage = CASE WHEN EXISTS"
    " (SELECT 1 FROM replies WHERE comment_id = NEW.comment_id) THEN 'decided' ELSE 'tagged' END"
    " WHERE id = NEW.comment_id;"
)
_M009_TRIGGERS = {
    # A comment stored after its tags or reply (an import in another order) starts where it stands.
    "comments_inserted AFTER INSERT ON comments WHEN EXISTS (SELECT 1 FROM tags WHERE comment_id = NEW.id)"
    " OR EXISTS (SELECT 1 FROM replies WHERE comment_id = NEW.id)": (
        "UPDATE comments SET (needs_reply, priority) ="
        " (SELECT needs_reply, priority FROM tags WHERE comment_id = NEW.id),"
        " reply_state = (SELECT state FROM replies WHERE comment_id = NEW.id),"
        " stage = CASE WHEN NOT EXISTS (SELECT 1 FROM tags WHERE comment_id = NEW.id) THEN 'new'"
        " WHEN EXISTS (SELECT 1 FROM replies WHERE comment_id = NEW.id) THEN 'decided' ELSE 'tagged' END"
        " WHERE id = NEW.id;"
        " UPDATE replies SET platform = NEW.platform, author_id = NEW.author_id WHERE comment_id = NEW.id;"
        " UPDATE authors SET replied = replied + 1 WHERE id = NEW.platform || ':' || NEW.author_id"
        " AND EXISTS (SELECT 1 FROM replies WHERE comment_id = NEW.id AND state = 'posted');"
    ),
    "tags_inserted AFTER INSERT ON tags": _M009_TAGGED,
    # Tagged again (the judge's final needs_reply, or a re-tag): the copy follows.
    "tags_updated AFTER UPDATE ON tags": _M009_TAGGED,
    "tags_deleted AFTER DELETE ON tags": (
        "UPDATE comments SET needs_reply = NULL, priority = NULL, stage = 'new' WHERE id = OLD.comment_id;"
    ),
    "replies_inserted AFTER INSERT ON replies": (
        "UPDATE replies SET (platform, author_id) ="
        " (SELECT platform, author_id FROM comments WHERE id = NEW.comment_id) WHERE comment_id = NEW.comment_id;"
        " UPDATE comments SET reply_state = NEW.state, stage = CASE stage WHEN 'tagged' THEN 'decided' ELSE stage END"
        " WHERE id = NEW.comment_id;"
        " INSERT INTO reply_counts (state, replies) VALUES (NEW.state, 1)"
        " ON CONFLICT (state) DO UPDATE SET replies = replies + 1;"
        " UPDATE authors SET replied = replied + 1 WHERE NEW.state = 'posted'"
        " AND id = (SELECT platform || ':' || author_id FROM comments WHERE id = NEW.comment_id);"
    ),
    "replies_moved AFTER UPDATE OF state ON replies WHEN NEW.state IS NOT OLD.state": (
        "UPDATE comments SET reply_state = NEW.state WHERE id = NEW.comment_id;"
        " UPDATE reply_counts SET replies = replies - 1 WHERE state = OLD.state;"
        " INSERT INTO reply_counts (state, replies) VALUES (NEW.state, 1)"
        " ON CONFLICT (state) DO UPDATE SET replies = replies + 1;"
        " UPDATE authors SET replied = replied + (NEW.state = 'posted') - (OLD.state = 'posted')"
        " WHERE 'posted' IN (NEW.state, OLD.state)"
        " AND id = (SELECT platform || ':' || author_id FROM comments WHERE id = NEW.comment_id);"
    ),
    "replies_deleted AFTER DELETE ON replies": (
        "UPDATE comments SET reply_state = NULL, stage = CASE stage WHEN 'decided' THEN 'tagged' ELSE stage END"
        " WHERE id = OLD.comment_id;"
        " UPDATE reply_counts SET replies = replies - 1 WHERE state = OLD.state;"
        " UPDATE authors SET replied = replied - 1 WHERE OLD.state = 'posted'"
        " AND id = (SELECT platform || ':' || author_id FROM comments WHERE id = OLD.comment_id);"
    ),
    # An author row written after replies to them (an import in another order) starts with their count.
    "authors_inserted AFTER INSERT ON authors WHEN EXISTS (SELECT 1 FROM replies"
    " WHERE platform = NEW.platform AND author_id = NEW.native_id AND state = 'posted')": (
        "UPDATE authors SET replied = (SELECT count(*) FROM replies"
        " WHERE platform = NEW.platform AND author_id = NEW.native_id AND state = 'posted') WHERE id = NEW.id;"
    ),
}
# m009's indexes: each partial one holds only what a recurring pass still has to read.
_M009_INDEXES = (
    "idx_comments_untagged ON comments (created_at, id) WHERE stage = 'new'",
    "idx_comments_undecided ON comments (created_at, id) WHERE stage = 'tagged'",
    # The columns the partial index's own condition reads are in it too, or SQLite reads each row to check them.
    "idx_comments_open ON comments (platform, priority, created_at, id, needs_reply, is_own, reply_state)"
    " WHERE needs_reply = 1 AND is_own = 0"
    " AND (reply_state IS NULL OR reply_state NOT IN ('dismissed', 'posted'))",
    "idx_comments_needing ON comments (reply_state, needs_reply, is_own) WHERE needs_reply = 1 AND is_own = 0",
    "idx_replies_recent ON replies (platform, updated_at) WHERE text IS NOT NULL AND text != ''",
    "idx_replies_recent_to ON replies (platform, author_id, updated_at) WHERE text IS NOT NULL AND text != ''",
    "idx_replies_posted ON replies (platform, state, posted_at)",
    # Replaces m001's index on state alone: also the latest change in each state, in one step.
    "idx_replies_state_updated ON replies (state, updated_at)",
    "idx_replies_posted_to ON replies (platform, author_id, state, posted_at)",
    "idx_quarantine_held ON quarantine (last_seen) WHERE dropped_at IS NULL",
    "idx_quarantine_held_stage ON quarantine (stage, last_seen) WHERE dropped_at IS NULL",
)


@migrations()
def m009_pending(db: sqlite_utils.Database) -> None:
    """Make what each recurring pass reads findable without reading history: markers, copies, counts, indexes.

    A comment carries where it stands (``stage``: new, then tagged, then decided, once it has both tags
    and a reply) and copies of what status and escalation read: its tags' ``needs_reply`` and ``priority``,
    its reply's state (``reply_state``); a reply carries its comment's platform and author; an author how many
    replies we posted them (``replied``); ``reply_counts`` how many replies are in each state.
    """
    for column in (
        "comments ADD COLUMN stage TEXT NOT NULL DEFAULT 'new'",
        "comments ADD COLUMN needs_reply INTEGER",
        "comments ADD COLUMN priority TEXT",
        "comments ADD COLUMN reply_state TEXT",
        "replies ADD COLUMN platform TEXT",
        "replies ADD COLUMN author_id TEXT",
        "authors ADD COLUMN replied INTEGER NOT NULL DEFAULT 0",
    ):
        db.execute(f"ALTER TABLE {column}")
    db.execute("CREATE TABLE reply_counts (state TEXT PRIMARY KEY, replies INTEGER NOT NULL)")
    db.execute(
        "UPDATE comments SET stage = 'tagged',"
        " (needs_reply, priority) = (SELECT t.needs_reply, t.priority FROM tags t WHERE t.comment_id = comments.id)"
        " WHERE id IN (SELECT comment_id FROM tags)"
    )
    db.execute(
        "UPDATE comments SET reply_state = (SELECT r.state FROM replies r WHERE r.comment_id = comments.id),"
        " stage = CASE stage WHEN 'tagged' THEN 'decided' ELSE stage END WHERE id IN (SELECT comment_id FROM replies)"
    )
    db.execute(
        "UPDATE replies SET (platform, author_id) ="
        " (SELECT platform, author_id FROM comments WHERE comments.id = replies.comment_id)"
    )
    db.execute("INSERT INTO reply_counts (state, replies) SELECT state, count(*) FROM replies GROUP BY state")
    db.execute("DROP INDEX idx_replies_state")
    for index in _M009_INDEXES:
        db.execute(f"CREATE INDEX {index}")
    db.execute(
        "UPDATE authors SET replied = (SELECT count(*) FROM replies r WHERE r.platform = authors.platform"
        " AND r.author_id = authors.native_id AND r.state = 'posted')"
        " WHERE id IN (SELECT platform || ':' || author_id FROM replies WHERE state = 'posted')"
    )
    for head, body in _M009_TRIGGERS.items():
        db.execute(f"CREATE TRIGGER {head} BEGIN {body} END")


# Importing the later migrations registers them after these, in order (this file would pass 400 lines); from
# m011 on, each is written once for both engines (schema_both).
from listener.store import schema_later  # noqa: E402, F401, I001
from listener.store import schema_both  # noqa: E402, F401
