"""Provide the SQLite store: migrations, idempotent inserts, cursors, reply states and the audit trail.

All SQL lives in this module so that another backend can replace it without touching the rest.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from listener.errors import StoreError
from listener.quarantine import ITEM_ERRORS, RAW_STAGES, Reject, clean, describe, dump, excerpt
from listener.records import ACKNOWLEDGED, Author, Comment, Tags

migrations = Migrations("heard")
# SQL lists of reply states, built from the one definition in listener.records.
_ACKED = ", ".join(f"'{s.value}'" for s in sorted(ACKNOWLEDGED))
# The meta key holding our own handles (what look-alike accounts are compared with).
OWN_HANDLES = "own_handles"


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


def _connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    """One connection, used by one thread at a time: the service runs its jobs on a single worker."""
    if not read_only:
        return sqlite3.connect(path, check_same_thread=False, timeout=10)
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=10)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        # A WAL database in a folder we cannot write has no -shm to share: read the file as it stands.
        return sqlite3.connect(f"{uri}&immutable=1", uri=True, check_same_thread=False, timeout=10)


def describe_fault(path: Path | str, exc: BaseException) -> str:
    """One line for a database fault: what happened, to which file, and what to do about it."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return (
            f"{path}: the database is locked by another process (a running `heard run`, or a program"
            " holding it open) and stayed locked for 10 s; try again, or stop that process first"
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return (
            f"{path}: the database file is damaged or is not a heard database ({exc}); restore it from a"
            " backup, or move it aside to start a new one"
        )
    if "full" in text or isinstance(exc, OSError) and exc.errno == 28:
        return f"{path}: the disk holding the database is full; free some space, then run the command again"
    if "readonly" in text or "read-only" in text or isinstance(exc, PermissionError):
        return (
            f"{path}: the database (or its folder) is read-only; run this command as a user who can write"
            " both, or use a read-only command (status, queue, report)"
        )
    if "unable to open" in text:
        return f"{path}: cannot open the database file; check that its folder exists and can be written"
    return f"{path}: database error: {exc}"


def iso(moment: datetime) -> str:
    """Format a datetime as the UTC ISO-8601 text stored in every time column."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse_time(text: str | None) -> datetime | None:
    """Parse a stored time column back into an aware datetime."""
    return datetime.fromisoformat(text) if text else None


@dataclasses.dataclass(frozen=True)
class Saved:
    """What storing one page did: the new comment ids, and what was set aside (with why)."""

    new: list[str]
    set_aside: list[Reject]


class Store:
    """heard's database: every read and write of state goes through here."""

    def __init__(self, path: str | Path) -> None:
        path = Path(path)
        self.path = path
        # A file heard may not write (a backup, another user's) still answers status, queue and report.
        self.read_only = path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))
        try:
            if not self.read_only:
                path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite_utils.Database(_connect(path, read_only=self.read_only))
            self.db.execute("PRAGMA busy_timeout=10000")
            if self.read_only:
                if migrations.pending(self.db):
                    raise StoreError(
                        f"{path}: this database is read-only and needs upgrading to this version of heard;"
                        " run any writable command (e.g. `heard poll`) once as a user who can write it"
                    )
            else:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
                migrations.apply(self.db)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(describe_fault(path, exc)) from exc

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several writes into one atomic transaction that holds the write lock from its start.

        sqlite-utils' ``atomic()`` begins a deferred transaction: one that reads, then writes, fails at
        once with "database is locked" if another process (the service, a CLI command) committed in
        between, whatever the busy timeout. BEGIN IMMEDIATE waits for the write lock first instead.
        """
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():  # nested: a savepoint inside the open transaction
                yield
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            conn.rollback()
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            conn.rollback()
            raise

    # -- comments and authors -------------------------------------------------

    def save_page(self, source: str, comments: Sequence[Comment], cursor: str | None, *, now: datetime) -> list[str]:
        """Store new comments and advance the source's cursor in one transaction; return new ids."""
        return self.store_page(source, comments, cursor, now=now).new

    def store_page(
        self,
        source: str,
        comments: Sequence[Comment],
        cursor: str | None,
        *,
        now: datetime,
        rejects: Sequence[Reject] = (),
        raws: Mapping[str, Any] | None = None,
        touch_source: bool = True,
    ) -> Saved:
        """Store new comments, set aside ``rejects`` and any comment the database refuses, and advance the cursor.

        All in one transaction: an item set aside is recorded, so the cursor may move past it. A
        comment the database refuses (a lone surrogate, say) is quarantined alone with its raw payload
        from ``raws`` (comment id -> what the platform sent), so it can be retried once it can be read.
        """
        with self.transaction():
            set_aside = list(rejects)
            keyed: list[Comment] = []
            for c in comments:
                if _encodable(c.id, c.parent_id, c.conversation_id):
                    keyed.append(c)
                else:
                    set_aside.append(_store_reject(c, source, raws, "an id is not valid Unicode"))
            known = self._existing_ids([c.id for c in keyed])
            unique = self._threaded(list({c.id: c for c in keyed if c.id not in known}.values()))
            try:
                with self.transaction():  # a savepoint: a refused row undoes only this attempt
                    self._insert_comments(unique, source, now)
                stored = unique
            except ITEM_ERRORS:
                # Find the rows the database refuses, one at a time; the rest of the page is stored.
                stored = []
                for c in unique:
                    try:
                        with self.transaction():
                            self._insert_comments([c], source, now)
                        stored.append(c)
                    except ITEM_ERRORS as exc:
                        set_aside.append(_store_reject(c, source, raws, describe(exc)))
            self._set_aside(set_aside, now)
            if not touch_source:  # a retry from quarantine: no poll happened
                return Saved([c.id for c in stored], set_aside)
            row: dict[str, Any] = {
                "source": source,
                "updated_at": iso(now),
                "last_success": iso(now),
                "errors": 0,
                "last_error": None,
            }
            if cursor is not None:
                row["cursor"] = cursor
            self.db.table("cursors").upsert(row, pk="source")
            return Saved([c.id for c in stored], set_aside)

    def _insert_comments(self, unique: Sequence[Comment], source: str, now: datetime) -> None:
        """Insert new comments, their authors, our handles and their "stored" events (inside a transaction)."""
        self.db.table("comments").insert_all((_comment_row(c, now) for c in unique), pk="id", ignore=True)
        for c in unique:
            self._touch_author(c.platform, c.author, c.created_at)
        handles, known = {c.account for c in unique if c.account}, set(self.own_handles())
        if handles - known:
            self.set_meta(OWN_HANDLES, sorted(handles | known))
        detail = json.dumps({"source": source})
        self.db.table("events").insert_all(
            {
                "at": iso(now),
                "comment_id": c.id,
                "kind": "stored",
                "from_state": None,
                "to_state": None,
                "detail": detail,
            }
            for c in unique
        )

    def _threaded(self, comments: list[Comment]) -> list[Comment]:
        """Give each reply its parent's conversation, so a thread is one conversation on every platform.

        Mastodon names only a status's parent, not its thread's root: a reply to a reply would
        otherwise start a conversation of its own, and our answer two levels up would not be seen.
        """
        parents = {c.parent_id for c in comments if c.parent_id}
        known = {c.id: c.conversation_id for c in comments}
        missing = [p for p in parents if p not in known]
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            marks = ",".join("?" * len(chunk))
            known.update(self.db.execute(f"SELECT id, conversation_id FROM comments WHERE id IN ({marks})", chunk))
        out: list[Comment] = []
        for c in sorted(comments, key=lambda c: c.created_at):
            root = known.get(c.parent_id) if c.parent_id else None
            if root and root != c.conversation_id:
                c = dataclasses.replace(c, conversation_id=root)
                known[c.id] = root
            out.append(c)
        return out

    def _existing_ids(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.db.execute(f"SELECT id FROM comments WHERE id IN ({marks})", chunk))
        return found

    def _touch_author(self, platform: str, author: Author, seen: datetime) -> None:
        key = f"{platform}:{author.id}"
        # The author row's opt-out is an explicit one (a person's); a bio marker is read by the judge.
        opted_out = 0
        self.db.execute(
            "INSERT INTO authors (id, platform, native_id, handle, name, is_bot, bio, first_seen,"
            " last_seen, comments, opted_out) VALUES (?,?,?,?,?,?,?,?,?,1,?)"
            " ON CONFLICT(id) DO UPDATE SET handle=excluded.handle, name=excluded.name,"
            # A comment without a bio (Reddit, YouTube) keeps the one already known (a looked-up profile).
            " is_bot=max(is_bot, excluded.is_bot),"
            " bio=CASE WHEN coalesce(excluded.bio, '') != '' THEN excluded.bio ELSE bio END,"
            " first_seen=min(first_seen, excluded.first_seen),"
            " last_seen=max(last_seen, excluded.last_seen), comments=comments+1,"
            " opted_out=max(opted_out, excluded.opted_out)",
            [
                key,
                platform,
                author.id,
                author.handle,
                author.name,
                int(author.is_bot),
                author.bio,
                iso(seen),
                iso(seen),
                opted_out,
            ],
        )

    def comment(self, comment_id: str) -> Comment | None:
        """Load one stored comment, or None."""
        rows = list(self.db.table("comments").rows_where("id = ?", [comment_id]))
        return _row_comment(rows[0]) if rows else None

    def comments(self, ids: Iterable[str]) -> dict[str, Comment]:
        """Load several stored comments by id."""
        ids = list(ids)
        out: dict[str, Comment] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.db.table("comments").rows_where(f"id IN ({marks})", chunk):
                out[row["id"]] = _row_comment(row)
        return out

    def count_comments(self) -> int:
        """How many comments are stored."""
        return self.db.table("comments").count

    def author(self, platform: str, author_id: str) -> dict[str, Any] | None:
        """The stored author row (counts, first/last seen, opt-out, bio, profile_checked_at), or None."""
        rows = list(self.db.table("authors").rows_where("id = ?", [f"{platform}:{author_id}"]))
        return rows[0] if rows else None

    def profiles_due(self, platform: str, *, checked_before: datetime, limit: int) -> list[Author]:
        """Authors never looked up, or not since ``checked_before`` but who wrote since; most recently seen first."""
        rows = self.db.execute_returning_dicts(
            "SELECT native_id, handle, name, is_bot FROM authors WHERE platform = ? AND (profile_checked_at IS NULL"
            " OR (profile_checked_at < ? AND last_seen > profile_checked_at)) ORDER BY last_seen DESC, id LIMIT ?",
            [platform, iso(checked_before), limit],
        )
        return [Author(r["native_id"], r["handle"] or "", r["name"] or "", bool(r["is_bot"])) for r in rows]

    def save_profiles(self, platform: str, profiles: Mapping[str, str], *, now: datetime) -> None:
        """Store looked-up profile texts as the authors' bios ("" too: the profile is what the platform says now)."""
        with self.transaction():
            self.db.conn.executemany(
                "UPDATE authors SET bio = ?, profile_checked_at = ? WHERE id = ?",
                [(text, iso(now), f"{platform}:{author_id}") for author_id, text in profiles.items()],
            )

    def set_opted_out(self, platform: str, author_id: str, *, now: datetime, why: str) -> None:
        """Record that an author asked us not to answer them."""
        with self.transaction():
            self.db.execute("UPDATE authors SET opted_out = 1 WHERE id = ?", [f"{platform}:{author_id}"])
            self._event(now, None, "opted_out", None, None, {"author": f"{platform}:{author_id}", "why": why})

    # -- threads and people ---------------------------------------------------

    def thread(self, comment: Comment, limit: int = 200) -> list[Comment]:
        """The comments of this comment's conversation stored before it (same second: lower id), oldest first."""
        if not comment.conversation_id:
            return []
        at = iso(comment.created_at)
        rows = self.db.execute_returning_dicts(
            "SELECT * FROM comments WHERE conversation_id = ? AND platform = ? AND id != ?"
            " AND (created_at < ? OR (created_at = ? AND id < ?)) ORDER BY created_at DESC LIMIT ?",
            [comment.conversation_id, comment.platform, comment.id, at, at, comment.id, limit],
        )
        return [_row_comment(r) for r in reversed(rows)]

    def answered_in(self, comment: Comment) -> dict[str, str]:
        """Our replies posted by heard in this comment's conversation: remote comment id -> the comment it answered."""
        if not comment.conversation_id:
            return {}
        rows = self.db.execute(
            "SELECT r.remote_id, r.comment_id FROM replies r JOIN comments c ON c.id = r.comment_id"
            " WHERE c.conversation_id = ? AND c.platform = ? AND r.state = 'posted' AND r.remote_id IS NOT NULL",
            [comment.conversation_id, comment.platform],
        ).fetchall()
        return {f"{comment.platform}:{remote}": answered for remote, answered in rows}

    def nearby(self, comment: Comment, window: timedelta) -> list[Comment]:
        """Comments from ``window`` before this one: by its author on its platform, or by its display name elsewhere."""
        at = iso(comment.created_at)
        rows = self.db.execute_returning_dicts(
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
        return [_row_comment(r) for r in rows]

    def own_replies_to(self, comment_id: str) -> list[Comment]:
        """Our own comments stored as direct replies to this comment (by heard's polls or a person's hand)."""
        rows = self.db.execute_returning_dicts(
            "SELECT * FROM comments WHERE parent_id = ? AND is_own = 1 ORDER BY created_at", [comment_id]
        )
        return [_row_comment(r) for r in rows]

    def own_handles(self) -> list[str]:
        """Our own handles, one per platform account comments were stored for."""
        return sorted(self.meta(OWN_HANDLES, []))

    # -- tags -----------------------------------------------------------------

    def untagged(self, limit: int = 1000) -> list[Comment]:
        """Comments that have no tags yet and are not set aside by tagging, oldest first."""
        rows = self.db.execute_returning_dicts(
            "SELECT c.* FROM comments c LEFT JOIN tags t ON t.comment_id = c.id WHERE t.comment_id IS NULL"
            " AND c.id NOT IN (SELECT item FROM quarantine WHERE stage = 'tag') ORDER BY c.created_at, c.id LIMIT ?",
            [limit],
        )
        return [_row_comment(r) for r in rows]

    def save_tags(self, tags: Iterable[Tags], *, now: datetime) -> int:
        """Store tags (replacing older ones for the same comment); return how many."""
        rows = [_tags_row(t, now) for t in tags]
        with self.transaction():
            self.db.table("tags").upsert_all(rows, pk="comment_id")
        return len(rows)

    def tag_counts(self, column: str) -> dict[str, int]:
        """How many comments carry each value of one tag column."""
        if column not in ("intent", "sentiment", "priority", "lang", "needs_reply", "is_question"):
            raise ValueError(f"not a countable tag column: {column}")
        rows = self.db.execute(f"SELECT {column}, count(*) FROM tags GROUP BY {column}").fetchall()
        return {str(k): int(v) for k, v in rows}

    def tags(self, comment_id: str) -> Tags | None:
        """The tags of one comment, or None."""
        rows = list(self.db.table("tags").rows_where("comment_id = ?", [comment_id]))
        return _row_tags(rows[0]) if rows else None

    # -- replies ---------------------------------------------------------------

    def undecided(self, limit: int = 1000) -> list[tuple[Comment, Tags]]:
        """Tagged comments with no reply record yet and not set aside by deciding, oldest first."""
        ids = [
            r[0]
            for r in self.db.execute(
                "SELECT c.id FROM comments c JOIN tags t ON t.comment_id = c.id"
                " LEFT JOIN replies r ON r.comment_id = c.id WHERE r.comment_id IS NULL"
                " AND c.id NOT IN (SELECT item FROM quarantine WHERE stage = 'decide')"
                " ORDER BY c.created_at, c.id LIMIT ?",
                [limit],
            ).fetchall()
        ]
        return self.tagged(ids)

    def tagged(self, ids: Sequence[str]) -> list[tuple[Comment, Tags]]:
        """These comments with their tags, in the order given; those not stored or not tagged are left out."""
        comments = self.comments(ids)
        tags = {t.comment_id: t for t in self._tags_for(ids)}
        return [(comments[i], tags[i]) for i in ids if i in comments and i in tags]

    def _tags_for(self, ids: Sequence[str]) -> list[Tags]:
        out: list[Tags] = []
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            out += [_row_tags(r) for r in self.db.table("tags").rows_where(f"comment_id IN ({marks})", chunk)]
        return out

    def create_reply(self, comment_id: str, state: str, *, now: datetime, **fields: Any) -> bool:
        """Create the one reply record of a comment; False if it already has one."""
        row = {
            "comment_id": comment_id,
            "state": state,
            "attempts": 0,
            "created_at": iso(now),
            "updated_at": iso(now),
            **_encode(fields),
        }
        with self.transaction():
            cursor = self.db.execute(
                f"INSERT OR IGNORE INTO replies ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                list(row.values()),
            )
            if cursor.rowcount:
                self._event(now, comment_id, "transition", None, state, _event_detail(fields))
            return bool(cursor.rowcount)

    def move_reply(self, comment_id: str, expected: Sequence[str], state: str, *, now: datetime, **fields: Any) -> bool:
        """Move a reply to ``state`` only if it is in one of ``expected`` (compare-and-set)."""
        sets = {"state": state, "updated_at": iso(now), **_encode(fields)}
        marks = ",".join("?" * len(expected))
        with self.transaction():
            before = self.reply(comment_id)
            cursor = self.db.execute(
                f"UPDATE replies SET {', '.join(f'{k} = ?' for k in sets)} WHERE comment_id = ? AND state IN ({marks})",
                [*sets.values(), comment_id, *expected],
            )
            if cursor.rowcount:
                self._event(
                    now, comment_id, "transition", before["state"] if before else None, state, _event_detail(fields)
                )
            return bool(cursor.rowcount)

    def update_reply(self, comment_id: str, *, now: datetime, **fields: Any) -> None:
        """Change a reply's fields without changing its state (e.g. the text a person edited)."""
        sets = {"updated_at": iso(now), **_encode(fields)}
        with self.transaction():
            self.db.execute(
                f"UPDATE replies SET {', '.join(f'{k} = ?' for k in sets)} WHERE comment_id = ?",
                [*sets.values(), comment_id],
            )
            self._event(now, comment_id, "edited", None, None, _event_detail(fields))

    def reply(self, comment_id: str) -> dict[str, Any] | None:
        """The reply record of a comment, with JSON columns decoded, or None."""
        rows = list(self.db.table("replies").rows_where("comment_id = ?", [comment_id]))
        return _decode_reply(rows[0]) if rows else None

    def replies(self, states: Sequence[str], limit: int | None = None) -> list[dict[str, Any]]:
        """Reply records in any of ``states``, oldest comment first."""
        marks = ",".join("?" * len(states))
        sql = (
            f"SELECT r.* FROM replies r JOIN comments c ON c.id = r.comment_id"
            f" WHERE r.state IN ({marks}) ORDER BY c.created_at"
        )
        params: list[Any] = list(states)
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_decode_reply(r) for r in self.db.execute_returning_dicts(sql, params)]

    def queue_rows(self, states: Sequence[str]) -> list[dict[str, Any]]:
        """Replies in ``states`` joined with their comment, tags, parent text and author history."""
        marks = ",".join("?" * len(states))
        rows = self.db.execute_returning_dicts(
            "SELECT r.comment_id, r.state, r.text AS reply_text, r.alternatives, r.reason, r.error,"
            " c.platform, c.author_handle, c.author_name, c.url, c.text, c.created_at,"
            " p.text AS parent_text, t.intent, t.intent_score, t.sentiment, t.sentiment_score,"
            " t.priority, t.is_question, a.comments AS author_comments,"
            " (SELECT count(*) FROM replies r2 JOIN comments c2 ON c2.id = r2.comment_id"
            "   WHERE c2.platform = c.platform AND c2.author_id = c.author_id"
            "   AND r2.state = 'posted') AS author_replied"
            " FROM replies r JOIN comments c ON c.id = r.comment_id"
            " JOIN tags t ON t.comment_id = c.id"
            " LEFT JOIN comments p ON p.id = c.parent_id"
            " LEFT JOIN authors a ON a.id = c.platform || ':' || c.author_id"
            f" WHERE r.state IN ({marks}) ORDER BY c.created_at",
            list(states),
        )
        return [_decode_reply(r) for r in rows]

    def decisions(self) -> list[dict[str, Any]]:
        """Every comment with its tags and decision, oldest first, in the schema of docs/replay.md."""
        rows = self.db.execute_returning_dicts(
            "SELECT c.id, c.platform, c.source, c.author_handle, c.text, c.created_at, t.sentiment,"
            " t.sentiment_score, t.is_question, t.intent, t.spam_score, t.bot_score, t.needs_reply, t.priority,"
            " t.lang, t.model_version, r.state, r.reason, r.skip_reason, r.duplicate_of, r.decided_by,"
            " r.text AS reply FROM comments c LEFT JOIN tags t ON t.comment_id = c.id"
            " LEFT JOIN replies r ON r.comment_id = c.id ORDER BY c.created_at, c.id"
        )
        return [_decision(r) for r in rows]

    def recent_replies_to(self, platform: str, author_id: str, limit: int = 5) -> list[dict[str, Any]]:
        """Our latest replies (any state with text) to one author, newest first."""
        rows = self.db.execute_returning_dicts(
            "SELECT r.* FROM replies r JOIN comments c ON c.id = r.comment_id"
            " WHERE c.platform = ? AND c.author_id = ? AND r.text IS NOT NULL AND r.text != ''"
            " ORDER BY r.updated_at DESC LIMIT ?",
            [platform, author_id, limit],
        )
        return [_decode_reply(r) for r in rows]

    def recent_reply_texts(self, platform: str, limit: int = 200) -> list[str]:
        """The texts of our latest queued or posted replies on one platform, newest first."""
        rows = self.db.execute(
            "SELECT r.text FROM replies r JOIN comments c ON c.id = r.comment_id"
            " WHERE c.platform = ? AND r.state IN ('suggested','approved','posting','posted')"
            " AND r.text IS NOT NULL AND r.text != '' ORDER BY r.updated_at DESC LIMIT ?",
            [platform, limit],
        ).fetchall()
        return [r[0] for r in rows]

    def last_reply_to_author(self, platform: str, author_id: str) -> datetime | None:
        """When we last posted a reply to this author, if ever."""
        row = self.db.execute(
            "SELECT max(r.posted_at) FROM replies r JOIN comments c ON c.id = r.comment_id"
            " WHERE c.platform = ? AND c.author_id = ? AND r.state = 'posted'",
            [platform, author_id],
        ).fetchone()
        return parse_time(row[0]) if row and row[0] else None

    def posted_since(self, platform: str, since: datetime) -> int:
        """How many replies we posted on a platform since a moment (for our own rate cap)."""
        row = self.db.execute(
            "SELECT count(*) FROM replies r JOIN comments c ON c.id = r.comment_id"
            " WHERE c.platform = ? AND r.state = 'posted' AND r.posted_at >= ?",
            [platform, iso(since)],
        ).fetchone()
        return int(row[0])

    # -- ledger ------------------------------------------------------------------

    def awaiting(self) -> list[dict[str, Any]]:
        """Comments that need a reply and are not acknowledged, oldest first, with tags and reply."""
        return self.db.execute_returning_dicts(
            "SELECT c.id, c.platform, c.author_handle, c.text, c.url, c.created_at, t.intent,"
            " t.sentiment, t.priority, r.state, r.text AS reply_text"
            " FROM comments c JOIN tags t ON t.comment_id = c.id"
            " LEFT JOIN replies r ON r.comment_id = c.id"
            f" WHERE t.needs_reply = 1 AND (r.state IS NULL OR r.state NOT IN ({_ACKED}))"
            " ORDER BY c.created_at"
        )

    def ledger_counts(self) -> dict[str, int]:
        """Counts of comments needing a reply, by whether they are acknowledged."""
        rows = self.db.execute(
            f"SELECT CASE WHEN r.state IN ({_ACKED}) THEN 'acknowledged' ELSE 'open' END,"
            " count(*) FROM comments c JOIN tags t ON t.comment_id = c.id"
            " LEFT JOIN replies r ON r.comment_id = c.id WHERE t.needs_reply = 1 GROUP BY 1"
        ).fetchall()
        counts = {"open": 0, "acknowledged": 0}
        counts.update({k: int(v) for k, v in rows})
        return counts

    def state_counts(self) -> dict[str, int]:
        """How many reply records are in each state."""
        return {k: int(v) for k, v in self.db.execute("SELECT state, count(*) FROM replies GROUP BY state").fetchall()}

    def notice_sent(self, comment_id: str, step: int) -> bool:
        """Whether the escalation notice for this step was already delivered."""
        return bool(
            self.db.execute("SELECT 1 FROM notices WHERE comment_id = ? AND step = ?", [comment_id, step]).fetchone()
        )

    def record_notices(self, keys: Iterable[tuple[str, int]], channel: str, *, now: datetime) -> None:
        """Remember that these (comment, step) notices were delivered."""
        with self.transaction():
            self.db.table("notices").insert_all(
                ({"comment_id": c, "step": s, "sent_at": iso(now), "channel": channel} for c, s in keys),
                pk=("comment_id", "step"),
                ignore=True,
            )

    # -- cursors and health --------------------------------------------------------

    def cursor(self, source: str) -> dict[str, Any] | None:
        """The cursor row of a source, or None before its first successful poll."""
        rows = list(self.db.table("cursors").rows_where("source = ?", [source]))
        return rows[0] if rows else None

    def reset_cursor(self, source: str) -> None:
        """Forget a source's position so its next poll starts over (the store drops repeats)."""
        with self.transaction():
            self.db.execute("UPDATE cursors SET cursor = NULL WHERE source = ?", [source])

    def cursors(self) -> list[dict[str, Any]]:
        """Every source's cursor row."""
        return list(self.db.table("cursors").rows_where(order_by="source"))

    def source_failed(self, source: str, error: str, *, now: datetime, paused_until: datetime | None = None) -> None:
        """Record a failed poll (and a pause, if the platform asked for one)."""
        with self.transaction():
            self.db.execute(
                "INSERT INTO cursors (source, updated_at, last_error, errors, paused_until)"
                " VALUES (?,?,?,1,?) ON CONFLICT(source) DO UPDATE SET updated_at=excluded.updated_at,"
                " last_error=excluded.last_error, errors=errors+1, paused_until=excluded.paused_until",
                [source, iso(now), error, paused_until and iso(paused_until)],
            )
            self._event(now, None, "poll_failed", None, None, {"source": source, "error": error})

    def resume(self, platform: str, *, now: datetime) -> dict[str, int]:
        """Lift every pause on a platform (its sources, its posting, its waiting replies); say what moved."""
        with self.transaction():
            sources = self.db.execute(
                "UPDATE cursors SET paused_until = NULL WHERE substr(source, 1, ?) = ? AND paused_until IS NOT NULL",
                [len(platform) + 1, f"{platform}:"],
            ).rowcount
            posting = self.db.execute("DELETE FROM meta WHERE key = ?", [f"pause:post:{platform}"]).rowcount
            replies = self.db.execute(
                "UPDATE replies SET retry_at = NULL WHERE state IN ('approved', 'posting') AND retry_at IS NOT NULL"
                " AND comment_id IN (SELECT id FROM comments WHERE platform = ?)",
                [platform],
            ).rowcount
            moved = {"sources": sources, "posting": posting, "replies": replies}
            self._event(now, None, "resumed", None, None, {"platform": platform, **moved})
        return moved

    def set_meta(self, key: str, value: Any) -> None:
        """Store a small JSON value (heartbeat, pauses) under a key."""
        self.db.table("meta").upsert({"key": key, "value": json.dumps(value)}, pk="key")

    def meta(self, key: str, default: Any = None) -> Any:
        """Read a value stored with set_meta."""
        rows = list(self.db.table("meta").rows_where("key = ?", [key]))
        return json.loads(rows[0]["value"]) if rows else default

    # -- events ------------------------------------------------------------------------

    def log_event(self, kind: str, *, now: datetime, comment_id: str | None = None, **detail: Any) -> None:
        """Append one event to the audit trail."""
        with self.transaction():
            self._event(now, comment_id, kind, None, None, detail)

    def events(self, comment_id: str | None = None) -> list[dict[str, Any]]:
        """The audit trail, oldest first (optionally for one comment)."""
        where, params = ("comment_id = ?", [comment_id]) if comment_id else (None, None)
        return list(self.db.table("events").rows_where(where, params, order_by="id"))

    def _event(
        self,
        now: datetime,
        comment_id: str | None,
        kind: str,
        before: str | None,
        after: str | None,
        detail: dict[str, Any],
    ) -> None:
        self.db.table("events").insert(
            {
                "at": iso(now),
                "comment_id": comment_id,
                "kind": kind,
                "from_state": before,
                "to_state": after,
                "detail": json.dumps(detail, default=str, sort_keys=True),
            }
        )

    # -- quarantine ----------------------------------------------------------------------

    def set_aside(self, rejects: Iterable[Reject], *, now: datetime) -> None:
        """Quarantine items a stage could not handle; an item set aside again counts once more."""
        with self.transaction():
            self._set_aside(list(rejects), now)

    def _set_aside(self, rejects: Sequence[Reject], now: datetime) -> None:
        for r in rejects:
            item = clean(r.item, 500)
            self.db.execute(
                "INSERT INTO quarantine (id, stage, item, source, excerpt, error, raw, first_seen, last_seen, count)"
                " VALUES (?,?,?,?,?,?,?,?,?,1) ON CONFLICT(id) DO UPDATE SET source=excluded.source,"
                " excerpt=excluded.excerpt, error=excluded.error, raw=coalesce(excluded.raw, raw),"
                " last_seen=excluded.last_seen, count=count+1",
                [
                    f"{r.stage}:{item}",
                    r.stage,
                    item,
                    r.source and clean(r.source),
                    excerpt(r.excerpt),
                    clean(r.error, 2000),
                    None if r.raw is None else dump(r.raw),
                    iso(now),
                    iso(now),
                ],
            )
            comment = item if r.stage not in RAW_STAGES else None
            self._event(now, comment, "quarantined", None, None, {"stage": r.stage, "item": item, "error": r.error})

    def quarantined(
        self, stage: str | None = None, *, refs: Iterable[str] | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Items set aside and not dropped (all, of one stage, or named by quarantine id or item id), newest first."""
        where, params = ["dropped_at IS NULL"], []
        if stage:
            where.append("stage = ?")
            params.append(stage)
        if refs is not None:
            where.append("(id IN (SELECT value FROM json_each(?)) OR item IN (SELECT value FROM json_each(?)))")
            params += [json.dumps(list(refs))] * 2
        sql = f"SELECT * FROM quarantine WHERE {' AND '.join(where)} ORDER BY last_seen DESC, id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        rows = self.db.execute_returning_dicts(sql, params)
        return [{**r, "raw": json.loads(r["raw"]) if r["raw"] else None} for r in rows]

    def quarantine_counts(self) -> dict[str, int]:
        """How many items each stage has set aside (not counting those a person dropped)."""
        rows = self.db.execute(
            "SELECT stage, count(*) FROM quarantine WHERE dropped_at IS NULL GROUP BY stage"
        ).fetchall()
        return {str(k): int(v) for k, v in rows}

    def release(self, ids: Iterable[str], *, now: datetime, why: str) -> int:
        """Take items out of quarantine once their stage has handled them; return how many."""
        return self._unquarantine(ids, now=now, why=why, drop=False)

    def drop_quarantined(self, ids: Iterable[str], *, now: datetime) -> int:
        """Mark items as dropped by a person: kept out of their stage for good, no longer listed or alerted."""
        return self._unquarantine(ids, now=now, why="dropped by a person", drop=True)

    def _unquarantine(self, ids: Iterable[str], *, now: datetime, why: str, drop: bool) -> int:
        with self.transaction():
            gone = 0
            for qid in list(ids):
                row = self.db.execute("SELECT stage, item FROM quarantine WHERE id = ?", [qid]).fetchone()
                if row is None:
                    continue
                if drop:
                    self.db.execute("UPDATE quarantine SET dropped_at = ? WHERE id = ?", [iso(now), qid])
                else:
                    self.db.execute("DELETE FROM quarantine WHERE id = ?", [qid])
                comment = row[1] if row[0] not in RAW_STAGES else None
                kind = "dropped" if drop else "released"
                self._event(now, comment, kind, None, None, {"stage": row[0], "item": row[1], "why": why})
                gone += 1
        return gone

    # -- report --------------------------------------------------------------------------

    def report_rows(self, start: datetime | None, end: datetime) -> list[dict[str, Any]]:
        """Read every comment created in [start, end] with its tags, reply and author's first sighting."""
        return self.db.execute_returning_dicts(
            "SELECT c.id, c.platform, c.author_id, c.author_handle, c.author_is_bot, c.text, c.url,"
            " c.created_at, c.is_own, t.sentiment, t.intent, t.is_question, t.needs_reply,"
            " r.state, r.decided_by, r.posted_at, r.edit_ratio, r.text AS reply_text,"
            " coalesce(r.suggested_text, '') != '' AS had_suggestion, a.first_seen"
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
            row = _encode({"fetched_at": now, **post})
            row["id"] = f"{row['platform']}:{row['post_id']}"
            rows.append([row.get(c) for c in _OWN_POST_COLUMNS])
        refreshed = ", ".join(f"{c}=excluded.{c}" for c in _OWN_POST_COLUMNS if c not in ("id", "followers_at_post"))
        with self.transaction():
            self.db.conn.executemany(
                f"INSERT INTO own_posts ({', '.join(_OWN_POST_COLUMNS)})"
                f" VALUES ({', '.join('?' * len(_OWN_POST_COLUMNS))}) ON CONFLICT(id) DO UPDATE SET {refreshed},"
                " followers_at_post=coalesce(nullif(own_posts.followers_at_post, 0), excluded.followers_at_post)",
                rows,
            )
        return len(rows)

    def own_posts(self, start: datetime | None, end: datetime) -> list[dict[str, Any]]:
        """Read the user's own posts created in [start, end], oldest first."""
        return self.db.execute_returning_dicts(
            "SELECT * FROM own_posts WHERE created_at >= ? AND created_at <= ? ORDER BY created_at",
            [iso(start) if start else "", iso(end)],
        )

    # -- operational alerts (added for the service) ---------------------------------------

    def sync_alerts(self, current: dict[str, str], *, now: datetime) -> None:
        """Raise the alerts in ``current`` (key -> message) that are new; clear active ones not in it.

        Alerts live in meta ``alerts`` (key -> since, message, announced_at, cleared_at,
        recovery_announced_at); a fully recovered and announced alert is forgotten.
        """
        with self.transaction():
            rows = self.meta("alerts", {})
            for key, message in current.items():
                row = rows.get(key)
                if row is None:
                    rows[key] = {
                        "message": message,
                        "since": iso(now),
                        "announced_at": None,
                        "cleared_at": None,
                        "recovery_announced_at": None,
                    }
                    self._event(now, None, "alert_raised", None, None, {"key": key, "message": message})
                else:
                    # Back before its recovery was announced: the first announcement still stands.
                    row.update(message=message, cleared_at=None)
            for key, row in list(rows.items()):
                if key in current or row["cleared_at"]:
                    continue
                self._event(now, None, "alert_cleared", None, None, {"key": key})
                if row["announced_at"]:
                    row["cleared_at"] = iso(now)
                else:  # it came and went between announcements: nothing to take back
                    del rows[key]
            self.set_meta("alerts", rows)

    def alerts(self) -> list[dict[str, Any]]:
        """Active alerts (raised and not cleared), oldest first, each with its ``key``."""
        rows = self.meta("alerts", {})
        return sorted(
            ({"key": k, **r} for k, r in rows.items() if not r["cleared_at"]), key=lambda r: (r["since"], r["key"])
        )

    def unannounced_alerts(self) -> list[dict[str, Any]]:
        """Alerts whose raising or recovery has not been announced yet."""
        rows = self.meta("alerts", {})
        return sorted(
            (
                {"key": k, **r}
                for k, r in rows.items()
                if not r["announced_at"] or (r["cleared_at"] and not r["recovery_announced_at"])
            ),
            key=lambda r: (r["since"], r["key"]),
        )

    def alerts_announced(self, keys: Iterable[tuple[str, bool]], *, now: datetime) -> None:
        """Record that these (key, recovered) announcements were delivered; forget recovered ones."""
        with self.transaction():
            rows = self.meta("alerts", {})
            for key, recovered in keys:
                if key not in rows:
                    continue
                if recovered:
                    del rows[key]
                else:
                    rows[key]["announced_at"] = iso(now)
            self.set_meta("alerts", rows)

    def meta_prefixed(self, prefix: str) -> dict[str, Any]:
        """Every meta value whose key starts with ``prefix``."""
        rows = self.db.execute(
            "SELECT key, value FROM meta WHERE substr(key, 1, ?) = ?", [len(prefix), prefix]
        ).fetchall()
        return {k: json.loads(v) for k, v in rows}

    def last_event(self, kind: str, field: str, value: str) -> dict[str, Any] | None:
        """Return the newest event of ``kind`` whose detail has ``field`` equal to ``value``."""
        rows = self.db.execute_returning_dicts(
            "SELECT * FROM events WHERE kind = ? AND json_extract(detail, '$.' || ?) = ? ORDER BY id DESC LIMIT 1",
            [kind, field, value],
        )
        return rows[0] if rows else None

    def stuck_replies(self, *, before: datetime, now: datetime) -> list[dict[str, Any]]:
        """Approved or posting replies untouched since ``before`` and not waiting for a retry time."""
        return self.db.execute_returning_dicts(
            "SELECT r.comment_id, r.state, r.updated_at, r.error, c.platform FROM replies r"
            " JOIN comments c ON c.id = r.comment_id WHERE r.state IN ('approved','posting')"
            " AND r.updated_at < ? AND (r.retry_at IS NULL OR r.retry_at <= ?) ORDER BY r.updated_at",
            [iso(before), iso(now)],
        )

    def notices_sent(self) -> list[dict[str, Any]]:
        """Every delivered escalation notice, in the order sent."""
        return list(self.db.table("notices").rows_where(order_by="sent_at, comment_id, step"))


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


def _decision(r: dict[str, Any]) -> dict[str, Any]:
    """One comment's decision in the documented replay schema."""
    skipped = r["state"] == "dismissed" and r["decided_by"] == "policy"
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
        "auto": r["decided_by"] == "rule",
        "duplicate_of": r["duplicate_of"],
    }


def _encode(fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, datetime):
            value = iso(value)
        elif isinstance(value, list | tuple | dict):
            value = json.dumps(value)
        out[key] = value
    return out


# Fields the audit trail keeps only as "changed": the drafts heard offered, which the replies table holds.
_ELIDED = frozenset({"alternatives", "suggested_text"})


def _event_detail(fields: dict[str, Any]) -> dict[str, Any]:
    # The trail records what changed and why, with the reply text as it was at that move: the replies
    # table holds only the latest text, so an edit or an approval is auditable only from here.
    return {k: ("…" if k in _ELIDED else v) for k, v in _encode(fields).items() if v is not None}


def _decode_reply(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["alternatives"] = json.loads(row["alternatives"]) if row.get("alternatives") else []
    return row


def _comment_row(c: Comment, now: datetime) -> dict[str, Any]:
    return {
        "id": c.id,
        "platform": c.platform,
        "native_id": c.native_id,
        "account": c.account,
        "source": c.source,
        "author_id": c.author.id,
        "author_handle": c.author.handle,
        "author_name": c.author.name,
        "author_is_bot": int(c.author.is_bot),
        "author_bio": c.author.bio,
        "text": c.text,
        "url": c.url,
        "created_at": iso(c.created_at),
        "fetched_at": iso(now),
        "parent_id": c.parent_id,
        "conversation_id": c.conversation_id,
        "lang": c.lang,
        "mentions_us": int(c.mentions_us),
        "is_own": int(c.is_own),
        "raw": json.dumps(c.raw, sort_keys=True),
    }


def _row_comment(r: dict[str, Any]) -> Comment:
    return Comment(
        platform=r["platform"],
        native_id=r["native_id"],
        account=r["account"],
        source=r["source"],
        author=Author(
            id=r["author_id"],
            handle=r["author_handle"],
            name=r["author_name"] or "",
            is_bot=bool(r["author_is_bot"]),
            bio=r["author_bio"] or "",
        ),
        text=r["text"],
        url=r["url"],
        created_at=datetime.fromisoformat(r["created_at"]),
        parent_id=r["parent_id"],
        conversation_id=r["conversation_id"],
        lang=r["lang"],
        mentions_us=bool(r["mentions_us"]),
        is_own=bool(r["is_own"]),
        raw=json.loads(r["raw"]) if r.get("raw") else {},
    )


def _tags_row(t: Tags, now: datetime) -> dict[str, Any]:
    return {
        "comment_id": t.comment_id,
        "sentiment": t.sentiment,
        "sentiment_score": t.sentiment_score,
        "is_question": int(t.is_question),
        "question_score": t.question_score,
        "intent": t.intent,
        "intent_score": t.intent_score,
        "spam_score": t.spam_score,
        "bot_score": t.bot_score,
        "needs_reply": int(t.needs_reply),
        "priority": t.priority,
        "lang": t.lang,
        "model_version": t.model_version,
        "tagged_at": iso(now),
    }


def _row_tags(r: dict[str, Any]) -> Tags:
    return Tags(
        comment_id=r["comment_id"],
        sentiment=r["sentiment"],
        sentiment_score=r["sentiment_score"],
        is_question=bool(r["is_question"]),
        question_score=r["question_score"],
        intent=r["intent"],
        intent_score=r["intent_score"],
        spam_score=r["spam_score"],
        bot_score=r["bot_score"],
        needs_reply=bool(r["needs_reply"]),
        priority=r["priority"],
        lang=r["lang"],
        model_version=r["model_version"],
    )


def _encodable(*texts: str | None) -> bool:
    """Whether SQLite can take these texts: a lone surrogate cannot be encoded as UTF-8."""
    try:
        for text in texts:
            if text is not None:
                text.encode("utf-8")
    except (UnicodeEncodeError, AttributeError):
        return False
    return True


def _store_reject(c: Comment, source: str, raws: Mapping[str, Any] | None, error: str) -> Reject:
    """The quarantine record of a comment the database refused, with what the platform sent for a retry."""
    raw = (raws or {}).get(c.id, c.raw)
    return Reject("store", c.id, error, source, c.text if isinstance(c.text, str) else repr(c.text), raw)
