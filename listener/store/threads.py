"""Read the company comments keep: their threads, our answers there, what their authors said nearby; a batch at once.

Each look-up takes a batch of comments and answers for every one of them in a few statements, so a decide
pass costs a few queries per thousand comments, not several per comment. The one-comment forms are the
batch forms with a batch of one: there is one definition of each.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from listener.records import Comment, ReplyState
from listener.store.base import StoreBase
from listener.store.codecs import COMMENT_COLUMNS, iso, row_comment

# How many sub-selects one statement unites: under SQLite's default limit of 500 on compound selects.
UNITED = 200
# How many comments one statement asks about (two parameters each): well under every engine's limit.
ASKED = 250
# What context is read as: every column but the platform's raw payload, which no judgement reads (a comment
# read here has ``raw`` empty) and which is most of a row to fetch and decode.
_CONTEXT = ", ".join(c for c in COMMENT_COLUMNS if c != "raw")


class ThreadsStore(StoreBase):
    """Conversation look-ups over the comments table (what the judge reads before deciding)."""

    def thread(self, comment: Comment, limit: int = 200) -> list[Comment]:
        """The comments of this comment's conversation stored before it (same second: lower id), oldest first."""
        return self.threads([comment], limit)[comment.id]

    def threads(self, comments: Sequence[Comment], limit: int = 200) -> dict[str, list[Comment]]:
        """For each comment (by id), up to ``limit`` comments of its conversation stored before it, oldest first."""
        out: dict[str, list[Comment]] = {c.id: [] for c in comments}
        talks: dict[tuple[str, str], list[Comment]] = defaultdict(list)
        for c in comments:
            if c.conversation_id:
                talks[(c.platform, c.conversation_id)].append(c)
        for keys in _pieces(list(talks), UNITED // 2):
            # Per conversation: the ``limit`` latest before its first comment asked about, and all from there
            # to its last one. Together they hold the ``limit`` before each comment asked about.
            parts: list[str] = []
            params: list[Any] = []
            for platform, talk in keys:
                first = iso(min(c.created_at for c in talks[(platform, talk)]))
                last = iso(max(c.created_at for c in talks[(platform, talk)]))
                parts.append(
                    f"SELECT * FROM (SELECT {_CONTEXT} FROM comments WHERE conversation_id = ? AND platform = ?"
                    " AND created_at < ? ORDER BY created_at DESC, id DESC LIMIT ?) AS b"
                )
                parts.append(
                    f"SELECT {_CONTEXT} FROM comments WHERE conversation_id = ? AND platform = ? AND created_at >= ?"
                    " AND created_at <= ?"
                )
                params += [talk, platform, first, limit, talk, platform, first, last]
            found: dict[tuple[str, str], dict[str, Comment]] = defaultdict(dict)
            for row in self.engine.query(" UNION ALL ".join(parts), params):
                found[(row["platform"], row["conversation_id"])][row["id"]] = row_comment(row)
            for key in keys:
                rows = sorted(found[key].values(), key=_order)
                order = [_order(r) for r in rows]
                for c in talks[key]:
                    before = bisect_left(order, _order(c))
                    out[c.id] = rows[max(0, before - limit) : before]
        return out

    def answered_in(self, comment: Comment) -> Mapping[str, str]:
        """Our replies posted by heard in this comment's conversation: remote comment id -> the comment it answered."""
        return self.answered_in_all([comment])[comment.id]

    def answered_in_all(self, comments: Sequence[Comment]) -> dict[str, Mapping[str, str]]:
        """For each comment (by id), our posted replies in its conversation: remote comment id -> what it answered.

        The comments of one conversation share one read-only mapping: a viral post's thousand comments, where we
        answered hundreds, would otherwise each copy all of them.
        """
        talks = {(c.platform, c.conversation_id) for c in comments if c.conversation_id}
        posted: dict[tuple[str, str | None], dict[str, str]] = defaultdict(dict)
        for chunk in _pieces(sorted({talk for _, talk in talks}), ASKED):
            # The conversations' comments first, then each one's reply: SQLite's CROSS JOIN keeps it to that order,
            # where an index on the state alone would have it read every posted reply there ever was.
            rows = self.engine.execute(
                "SELECT c.platform, c.conversation_id, r.remote_id, r.comment_id FROM comments c"
                f" {self.engine.join_in_order} replies r ON r.comment_id = c.id"
                f" WHERE c.conversation_id IN ({_marks(chunk)})"
                " AND r.state = ? AND r.remote_id IS NOT NULL",
                [*chunk, ReplyState.POSTED.value],
            ).fetchall()
            for platform, talk, remote, answered in rows:
                posted[(platform, talk)][f"{platform}:{remote}"] = answered
        shared = {talk: MappingProxyType(found) for talk, found in posted.items()}
        none: Mapping[str, str] = MappingProxyType({})
        return {c.id: shared.get((c.platform, c.conversation_id), none) for c in comments}

    def nearby(self, comment: Comment, window: timedelta) -> list[Comment]:
        """Comments from ``window`` before this one: by its author on its platform, or by its display name elsewhere."""
        return self.nearby_all([comment], window)[comment.id]

    def nearby_all(self, comments: Sequence[Comment], window: timedelta) -> dict[str, list[Comment]]:
        """For each comment (by id), the comments ``nearby`` finds for it, oldest first."""
        by_author: dict[tuple[str, str], list[Comment]] = defaultdict(list)
        # The same name's comments by platform: a comment's "elsewhere" is every platform but its own.
        by_name: dict[str, dict[str, list[Comment]]] = defaultdict(lambda: defaultdict(list))
        seen: set[str] = set()
        for run in _runs(comments, window):
            for chunk in _pieces(run, ASKED):
                names = sorted({c.author.name for c in chunk if c.author.name})
                authors = sorted({c.author.id for c in chunk})
                rows = self.engine.query(
                    f"SELECT {_CONTEXT} FROM comments WHERE created_at >= ? AND created_at <= ? AND"
                    f" (author_id IN ({_marks(authors)}) OR (author_name IN ({_marks(names)}) AND author_name != ''))",
                    [iso(chunk[0].created_at - window), iso(chunk[-1].created_at), *authors, *names],
                )
                for row in rows:
                    if row["id"] in seen:  # read again by the next chunk of the run
                        continue
                    seen.add(row["id"])
                    found = row_comment(row)
                    by_author[(found.platform, found.author.id)].append(found)
                    if found.author.name:
                        by_name[found.author.name][found.platform].append(found)
        cuts = _Cuts()
        out: dict[str, list[Comment]] = {}
        for c in comments:
            since, key = c.created_at - window, _order(c)
            mine = cuts.before(by_author.get((c.platform, c.author.id), []), since, key)
            others = by_name.get(c.author.name, {})
            elsewhere = [e for p, theirs in others.items() if p != c.platform for e in cuts.before(theirs, since, key)]
            out[c.id] = sorted(mine + elsewhere, key=_order) if elsewhere else mine
        return out

    def own_replies_to(self, comment_id: str) -> list[Comment]:
        """Our own comments stored as direct replies to this comment (by heard's polls or a person's hand)."""
        return self.own_replies_to_all([comment_id])[comment_id]

    def own_replies_to_all(self, comment_ids: Sequence[str]) -> dict[str, list[Comment]]:
        """For each comment id, our own comments stored as direct replies to it, oldest first."""
        out: dict[str, list[Comment]] = {i: [] for i in comment_ids}
        for chunk in _pieces(list(dict.fromkeys(comment_ids)), ASKED * 2):
            rows = self.engine.query(
                f"SELECT {_CONTEXT} FROM comments WHERE parent_id IN ({_marks(chunk)}) AND is_own = 1", chunk
            )
            for row in rows:
                out[row["parent_id"]].append(row_comment(row))
        return {i: sorted(found, key=_order) for i, found in out.items()}


# Up to this many comments of one author (or one name on one platform) are filtered for each comment; more are
# cut by bisection: one author's burst of n comments would otherwise be n scans of n (quadratic).
FEW = 32


class _Cuts:
    """The comments of a list in a window before a place, oldest first: a short list filtered, a long one bisected."""

    def __init__(self) -> None:
        self._timelines: dict[int, _Timeline] = {}  # by the list's id: the lists live as long as this

    def before(self, found: list[Comment], since: datetime, place: tuple[datetime, str]) -> list[Comment]:
        """The comments of ``found`` from ``since`` (included) up to ``place`` (excluded), oldest first."""
        if len(found) <= FEW:
            return sorted((e for e in found if since <= e.created_at and _order(e) < place), key=_order)
        timeline = self._timelines.get(id(found))
        if timeline is None:
            timeline = self._timelines[id(found)] = _Timeline(found)
        start = bisect_left(timeline.times, since)
        return timeline.comments[start : bisect_left(timeline.places, place, lo=start)]


class _Timeline:
    """A long list's comments in the store's order, with their times and places, to cut by bisection."""

    def __init__(self, comments: list[Comment]) -> None:
        self.comments = sorted(comments, key=_order)
        self.times = [c.created_at for c in self.comments]
        self.places = [_order(c) for c in self.comments]


def _order(c: Comment) -> tuple[datetime, str]:
    """Where a comment stands in time, as the store orders comments: by when, then by id."""
    return c.created_at, c.id


def _runs(comments: Sequence[Comment], window: timedelta) -> Iterator[list[Comment]]:
    """The comments in time order, cut where two are further apart than ``window``: each run is read in one range."""
    run: list[Comment] = []
    for c in sorted(comments, key=_order):
        if run and c.created_at - run[-1].created_at > window:
            yield run
            run = []
        run.append(c)
    if run:
        yield run


def _pieces(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _marks(items: Sequence[Any]) -> str:
    return ",".join("?" * len(items)) or "NULL"
