"""Store comments page by page, idempotently, with their authors, and load them back as records."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from operator import attrgetter
from typing import Any

from listener.quarantine import ITEM_ERRORS, Reject, describe
from listener.records import Comment
from listener.store.authors import AuthorsStore
from listener.store.codecs import COMMENT_COLUMNS, iso, page_values, row_comment, values_lists
from listener.store.keys import OWN_HANDLES
from listener.store.quarantine import QuarantineStore
from listener.store.rows import Saved
from listener.store.sources import SourcesStore

# How many ids one ``IN (...)`` list holds: well under every engine's limit on parameters.
CHUNK = 500
_INSERT_COMMENT = f"INSERT INTO comments ({', '.join(COMMENT_COLUMNS)})"


class CommentsStore(AuthorsStore, SourcesStore, QuarantineStore):
    """The comments table: pages stored with their cursor, comments loaded by id."""

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
            keyed: dict[str, Comment] = {}  # by id: a repeat on the page keeps its first place and its last copy
            for c in comments:
                cid = c.id
                if _encodable(cid, c.parent_id, c.conversation_id):
                    keyed[cid] = c
                else:
                    set_aside.append(_store_reject(c, source, raws, "an id is not valid Unicode"))
            known = self._existing_ids(list(keyed))
            unique = self._threaded({cid: c for cid, c in keyed.items() if cid not in known})
            try:
                with self.transaction():  # a savepoint: a refused row undoes only this attempt
                    stored = self._insert_comments(unique, source, now)
            except ITEM_ERRORS:
                # Find the rows the database refuses, one at a time; the rest of the page is stored.
                stored = []
                for c in unique:
                    try:
                        with self.transaction():
                            stored += self._insert_comments([c], source, now)
                    except ITEM_ERRORS as exc:
                        set_aside.append(_store_reject(c, source, raws, describe(exc)))
            self._set_aside(set_aside, now)
            if touch_source:  # not a retry from quarantine, where no poll happened
                self._source_polled(source, cursor, now=now)
            return Saved(stored, set_aside)

    def _insert_comments(self, unique: Sequence[Comment], source: str, now: datetime) -> list[str]:
        """Insert new comments, their authors, our handles and their "stored" events (inside a transaction).

        One statement per table for the whole page; a comment stored meanwhile by another writer is skipped.
        Return the ids given, in order.
        """
        if not unique:
            return []
        rows = page_values(unique, now)  # each comment's values made once: its authors and events read them too
        for values, params in values_lists(rows):
            self.engine.execute(f"{_INSERT_COMMENT} VALUES {values} ON CONFLICT (id) DO NOTHING", params)
        self._touch_authors(rows)
        handles, known = {c.account for c in unique if c.account}, set(self.own_handles())
        if handles - known:
            self.set_meta(OWN_HANDLES, sorted(handles | known))
        ids = [row[0] for row in rows]
        at, detail = iso(now), json.dumps({"source": source})
        for values, params in values_lists([(at, cid, "stored", detail) for cid in ids]):
            self.engine.execute(f"INSERT INTO events (at, comment_id, kind, detail) VALUES {values}", params)
        return ids

    def _threaded(self, comments: dict[str, Comment]) -> list[Comment]:
        """Give each reply its parent's conversation, so a thread is one conversation on every platform.

        Mastodon names only a status's parent, not its thread's root: a reply to a reply would
        otherwise start a conversation of its own, and our answer two levels up would not be seen.
        ``comments`` are by id; they come back oldest first.
        """
        known = {cid: c.conversation_id for cid, c in comments.items()}
        missing = list({c.parent_id for c in comments.values() if c.parent_id and c.parent_id not in known})
        for chunk, marks in chunks(missing):
            sql = f"SELECT id, conversation_id FROM comments WHERE id IN ({marks})"
            known.update(self.engine.execute(sql, chunk).fetchall())
        out = sorted(comments.values(), key=_created)
        for i, c in enumerate(out):
            root = known.get(c.parent_id) if c.parent_id else None
            if root and root != c.conversation_id:
                out[i] = c = dataclasses.replace(c, conversation_id=root)
                known[c.id] = root
        return out

    def _existing_ids(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk, marks in chunks(ids):
            rows = self.engine.execute(f"SELECT id FROM comments WHERE id IN ({marks})", chunk).fetchall()
            found.update(r[0] for r in rows)
        return found

    def comment(self, comment_id: str) -> Comment | None:
        """Load one stored comment, or None."""
        rows = self.engine.query("SELECT * FROM comments WHERE id = ?", [comment_id])
        return row_comment(rows[0]) if rows else None

    def comments(self, ids: Iterable[str]) -> dict[str, Comment]:
        """Load several stored comments by id."""
        out: dict[str, Comment] = {}
        for chunk, marks in chunks(list(ids)):
            for row in self.engine.query(f"SELECT * FROM comments WHERE id IN ({marks})", chunk):
                out[row["id"]] = row_comment(row)
        return out

    def count_comments(self) -> int:
        """How many comments are stored."""
        return int(self.engine.execute("SELECT n FROM counts WHERE name = 'comments'").fetchone()[0])


_created = attrgetter("created_at")


def chunks(ids: Sequence[str]) -> Iterator[tuple[list[str], str]]:
    """The ids in chunks of at most CHUNK, each with its ``?, ?, …`` placeholders."""
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        yield chunk, ",".join("?" * len(chunk))


def _encodable(*texts: str | None) -> bool:
    """Whether the database can take these texts: a lone surrogate cannot be encoded as UTF-8."""
    try:
        for text in texts:
            if text is not None and not text.isascii():  # ASCII (nearly every id) encodes: no need to try
                text.encode("utf-8")
    except (UnicodeEncodeError, AttributeError):
        return False
    return True


def _store_reject(c: Comment, source: str, raws: Mapping[str, Any] | None, error: str) -> Reject:
    """The quarantine record of a comment the database refused, with what the platform sent for a retry."""
    raw = (raws or {}).get(c.id, c.raw)
    return Reject("store", c.id, error, source, c.text if isinstance(c.text, str) else repr(c.text), raw)
