"""Provide the migrations after m009, registered after schema.py's own: the same rules (history, never edited)."""

from __future__ import annotations

import sqlite_utils

from listener.store.schema import migrations

# m010's triggers: the serial moves on whatever changes what the queue file shows (a reply, tags, a comment's
# text or its author's names), whoever writes it.
_M010_BUMP = "UPDATE changes SET serial = serial + 1 WHERE name = 'queue';"
_M010_TRIGGERS = (
    "queue_reply_inserted AFTER INSERT ON replies",
    "queue_reply_updated AFTER UPDATE ON replies",
    "queue_reply_deleted AFTER DELETE ON replies",
    "queue_tags_inserted AFTER INSERT ON tags",
    "queue_tags_updated AFTER UPDATE ON tags",
    "queue_comment_edited AFTER UPDATE OF text, url, author_name, author_handle ON comments"
    " WHEN NEW.text IS NOT OLD.text OR NEW.url IS NOT OLD.url OR NEW.author_name IS NOT OLD.author_name"
    " OR NEW.author_handle IS NOT OLD.author_handle",
)


# m010's counts: comments needing a reply by platform, priority and reply state ('' for none), and comments
# stored; each trigger moves a count only when the row's key really changes.
_NEEDING = "needs_reply = 1 AND is_own = 0"
_KEY = "{r}.platform, coalesce({r}.priority, ''), coalesce({r}.reply_state, '')"


def _count(row: str, by: int) -> str:
    return (
        f"INSERT INTO needing_counts (platform, priority, reply_state, comments) VALUES ({_KEY.format(r=row)}, {by})"
        f" ON CONFLICT (platform, priority, reply_state) DO UPDATE SET comments = comments + {by};"
    )


_M010_COUNTS = {
    f"needing_inserted AFTER INSERT ON comments WHEN NEW.{_NEEDING.replace(' AND ', ' AND NEW.')}": _count("NEW", 1),
    "needing_updated AFTER UPDATE OF needs_reply, is_own, reply_state, priority, platform ON comments"
    " WHEN NEW.needs_reply IS NOT OLD.needs_reply OR NEW.is_own IS NOT OLD.is_own"
    " OR NEW.reply_state IS NOT OLD.reply_state OR NEW.priority IS NOT OLD.priority"
    " OR NEW.platform IS NOT OLD.platform": (
        f"INSERT INTO needing_counts (platform, priority, reply_state, comments)"
        f" SELECT {_KEY.format(r='OLD')}, -1 WHERE OLD.{_NEEDING.replace(' AND ', ' AND OLD.')}"
        " ON CONFLICT (platform, priority, reply_state) DO UPDATE SET comments = comments - 1;"
        f" INSERT INTO needing_counts (platform, priority, reply_state, comments)"
        f" SELECT {_KEY.format(r='NEW')}, 1 WHERE NEW.{_NEEDING.replace(' AND ', ' AND NEW.')}"
        " ON CONFLICT (platform, priority, reply_state) DO UPDATE SET comments = comments + 1;"
    ),
    f"needing_deleted AFTER DELETE ON comments WHEN OLD.{_NEEDING.replace(' AND ', ' AND OLD.')}": _count("OLD", -1),
    "comments_counted AFTER INSERT ON comments": "UPDATE counts SET n = n + 1 WHERE name = 'comments';",
    "comments_uncounted AFTER DELETE ON comments": "UPDATE counts SET n = n - 1 WHERE name = 'comments';",
}


@migrations()
def m010_queue_view(db: sqlite_utils.Database) -> None:
    """Let the queue file's and escalation's passes read only what they show or send.

    ``idx_comments_waiting`` holds the comments whose reply waits for a person, by priority and age: the
    file's most urgent items are its first entries. ``changes`` keeps a serial per view that triggers move
    on every write the view depends on. ``comments.next_notice_at`` is when an open comment's next
    escalation notice is due. ``needing_counts`` and ``counts`` keep what `heard status` counts.
    """
    db.execute(
        "CREATE INDEX idx_comments_waiting ON comments (priority, created_at, id)"
        " WHERE reply_state IN ('suggested', 'failed', 'rejected')"
    )
    db.execute("CREATE TABLE changes (name TEXT PRIMARY KEY, serial INTEGER NOT NULL)")
    db.execute("INSERT INTO changes (name, serial) VALUES ('queue', 0)")
    for head in _M010_TRIGGERS:
        db.execute(f"CREATE TRIGGER {head} BEGIN {_M010_BUMP} END")
    # When each open comment's next escalation notice falls due (worked out by escalation from the SLA), so a
    # pass reads only the notices due, never every open comment. Unknown until escalation next looks: NULL.
    db.execute("ALTER TABLE comments ADD COLUMN next_notice_at TEXT")
    db.execute(
        "CREATE INDEX idx_comments_notice ON comments (next_notice_at, id)"
        " WHERE needs_reply = 1 AND is_own = 0 AND (reply_state IS NULL OR reply_state NOT IN ('dismissed', 'posted'))"
    )
    # What `heard status` counts, kept as counts: it reads a few rows, not every comment.
    db.execute(
        "CREATE TABLE needing_counts (platform TEXT NOT NULL, priority TEXT NOT NULL, reply_state TEXT NOT NULL,"
        " comments INTEGER NOT NULL, PRIMARY KEY (platform, priority, reply_state))"
    )
    db.execute(
        f"INSERT INTO needing_counts (platform, priority, reply_state, comments) SELECT {_KEY.format(r='comments')},"
        f" count(*) FROM comments WHERE {_NEEDING} GROUP BY 1, 2, 3"
    )
    db.execute("CREATE TABLE counts (name TEXT PRIMARY KEY, n INTEGER NOT NULL)")
    db.execute("INSERT INTO counts (name, n) SELECT 'comments', count(*) FROM comments")
    for head, body in _M010_COUNTS.items():
        db.execute(f"CREATE TRIGGER {head} BEGIN {body} END")
    # Another priority is another SLA: the notice is worked out again.
    db.execute(
        "CREATE TRIGGER notice_priority_changed AFTER UPDATE OF priority ON comments"
        " WHEN NEW.priority IS NOT OLD.priority BEGIN"
        " UPDATE comments SET next_notice_at = NULL WHERE id = NEW.id; END"
    )
