"""Provide the YouTube platform: its walk over comment threads and its quota; ``youtube_client`` talks to the API.

One source, ``comments``: new comment threads and replies on the channel's videos, from
``commentThreads.list(allThreadsRelatedToChannelId=..., order="time")``. Threads come newest
first with a ``nextPageToken`` to older pages, so a poll cycle pages down to the ``publishedAt``
bound the previous cycle reached, then remembers the newest it saw (X's since_id cycle). A new
reply need not lift an old thread back to the top, so threads active in the last ``follow_days``
are also read again by id every ``follow_minutes`` (``Follow``): a reply in one is heard wherever
the thread has sunk.

YouTube has no rate-limit headers but a daily quota (10,000 units by default, reset at midnight
Pacific time; a list costs 1 unit, a reply 50). The client keeps its own count per Pacific day,
refuses a request that would overspend it, and keeps ``reply_reserve`` units that polling may
not touch. ``quota_used()`` and ``quota_reset_at()`` report it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from listener.errors import BadPayload, RateLimited
from listener.platforms import PlatformSpec, _cursor, _reply, _walk, register
from listener.platforms._common import Clock, parse_iso
from listener.platforms.youtube_normalise import THREAD_AUTHOR, normalise, normalise_post, normalise_profile
from listener.records import Comment

if TYPE_CHECKING:
    from listener.platforms.youtube_client import YouTubeClient

SECRETS = ("YOUTUBE_CLIENT_ID", "YOUTUBE_CLIENT_SECRET", "YOUTUBE_REFRESH_TOKEN")
OPTIONS = (
    "channel_id",
    "handle",
    "api_endpoint",
    "token_uri",
    "daily_quota",
    "reply_reserve",
    "page_size",
    "timeout",
    "follow_days",
    "follow_minutes",
    "follow_threads",
)
PACIFIC = ZoneInfo("America/Los_Angeles")
SEEN_CAP = 5000  # ids kept at the bound second (~130 KB at most); beyond it some are fetched, not stored, twice


# -- the walk over newest-first threads (pure) -------------------------------------------------


class Walk(_walk.Walk):
    """Where the comments source is: a cycle pages down from the newest thread to ``bound``.

    ``bound`` is the newest ``publishedAt`` the previous cycle saw (or the start time) and ``seen``
    the ids stored at exactly that second (YouTube times are whole seconds, so ties are common).
    A page lists threads; each holds its top-level comment and replies, the items the walk keeps.
    """

    platform, source = "youtube", "comments"
    ids_key = "newest_ids"
    seen_cap = SEEN_CAP
    whole_seconds = True

    @staticmethod
    def stamp(item: dict[str, Any]) -> _walk.Stamp:
        """A comment's id and ``publishedAt`` (kept in the cursor in ISO form)."""
        at = parse_iso(item["snippet"].get("publishedAt"), f"youtube comment {item['id']}")
        return _walk.Stamp(str(item["id"]), at, at.isoformat())

    @staticmethod
    def items_of(entry: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """The comments of one thread."""
        return comments_of(entry)


def comments_of(thread: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The top-level comment and the replies the thread embeds, each a ``comment`` resource."""
    snippet = thread.get("snippet") or {}
    top = snippet.get("topLevelComment")
    if not isinstance(top, dict) or not top.get("id") or not isinstance(top.get("snippet"), dict):
        raise BadPayload(f"youtube thread {thread.get('id')}: no topLevelComment")
    starter = (top["snippet"].get("authorChannelId") or {}).get("value")
    for comment in [top, *((thread.get("replies") or {}).get("comments") or [])]:
        item = dict(comment)
        item["snippet"] = {
            "videoId": snippet.get("videoId"),
            "channelId": snippet.get("channelId"),
            **(comment.get("snippet") or {}),
        }
        if comment is not top and starter:
            item[THREAD_AUTHOR] = str(starter)
        yield item


def _thread_id(item: Mapping[str, Any]) -> str:
    """The thread a comment belongs to: a thread's id is its top-level comment's id."""
    return str((item.get("snippet") or {}).get("parentId") or item["id"])


@dataclass(frozen=True)
class Follow:
    """Recently active threads, read again by id: the walk alone misses a reply in a thread that has sunk.

    ``threads`` maps a thread's id to the time up to which every comment in it has been returned
    (ISO), with the ids returned at exactly that second; ``swept`` is when they were last read.
    """

    threads: Mapping[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    swept: str | None = None

    @classmethod
    def load(cls, cursor: str | None) -> Follow:
        """Read the ``follow`` part of a comments cursor (none before the first cycle).

        :raises CursorUnreadable: the part is not one ``dump`` wrote.
        """
        if not cursor:
            return cls()
        with _cursor.reading("youtube", "comments", cursor) as whole:
            state = whole.get("follow") or {}
            threads = {str(t): (str(at), tuple(map(str, ids))) for t, (at, ids) in state.get("threads", {}).items()}
            follow = cls(threads, _cursor.text_or_none(state.get("swept")))
            for at, _ in threads.values():
                parse_iso(at, "youtube cursor")
            if follow.swept:
                parse_iso(follow.swept, "youtube cursor")
            return follow

    def dump(self) -> dict[str, Any]:
        """The ``follow`` part of the cursor."""
        state: dict[str, Any] = {"threads": {t: [at, list(ids)] for t, (at, ids) in self.threads.items()}}
        return {**state, "swept": self.swept} if self.swept else state

    def due(self, now: datetime, every: timedelta) -> bool:
        """Whether the followed threads should be read again now."""
        return bool(self.threads) and (not self.swept or now - parse_iso(self.swept, "youtube cursor") >= every)

    def is_old(self, thread: str) -> Callable[[_walk.Stamp], bool]:
        """Whether a comment of a followed thread has already been returned."""
        at, ids = self._at(thread), self.threads[thread][1]
        return lambda stamp: stamp.at < at or (stamp.at == at and stamp.id in ids)

    def joined(self, fresh: Sequence[dict[str, Any]]) -> Follow:
        """Follow the threads the walk has just returned comments of, from what it returned.

        A thread whose top comment is among them was returned whole; otherwise only from its
        oldest returned comment on, so a next read returns the newer ones again (the store ignores them).
        """
        stamps: dict[str, list[_walk.Stamp]] = {}
        whole: set[str] = set()
        for item in fresh:
            thread = _thread_id(item)
            if thread not in self.threads:
                stamps.setdefault(thread, []).append(Walk.stamp(item))
                whole.update([thread] if thread == item["id"] else [])
        added = {t: _edge(s, newest=t in whole) for t, s in stamps.items()}
        return Follow({**self.threads, **added}, self.swept) if added else self

    def read(self, seen: Mapping[str, Sequence[_walk.Stamp]], now: datetime) -> Follow:
        """After a read of every followed thread: each is complete up to its newest comment; gone ones drop."""
        threads = {
            t: _edge([*s, _walk.Stamp("", self._at(t), self.threads[t][0])], newest=True)
            for t, s in seen.items()
            if t in self.threads
        }
        return Follow(threads, now.isoformat())

    def _at(self, thread: str) -> datetime:
        """The time up to which a followed thread has been returned."""
        return parse_iso(self.threads[thread][0], "youtube cursor")

    def pruned(self, now: datetime, days: float, most: int) -> Follow:
        """Only threads active in the last ``days``, at most ``most`` of them (the most recently active)."""
        since = now - timedelta(days=days)
        ats = {t: self._at(t) for t in self.threads}
        recent = sorted((t for t, at in ats.items() if at >= since), key=ats.__getitem__, reverse=True)[:most]
        return Follow({t: self.threads[t] for t in recent}, self.swept) if len(recent) != len(self.threads) else self


def threads_of(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The threads of a commentThreads.list answer.

    :raises BadPayload: ``items`` is not a list of objects.
    """
    threads = body.get("items") or []
    if not isinstance(threads, list) or not all(isinstance(t, dict) for t in threads):
        raise BadPayload("youtube commentThreads.list: 'items' is not a list of threads")
    return threads


def _edge(stamps: Sequence[_walk.Stamp], *, newest: bool) -> tuple[str, tuple[str, ...]]:
    """The newest (or oldest) time among ``stamps`` and the ids of the comments at it."""
    at = (max if newest else min)(s.at for s in stamps)
    first = next(s for s in stamps if s.at == at)
    return first.text, tuple(dict.fromkeys(s.id for s in stamps if s.at == at and s.id))


# -- the quota -----------------------------------------------------------------------------------


class Quota:
    """Units spent this Pacific day, in memory: refuse what would overspend, before YouTube does."""

    def __init__(self, daily: int, reserve: int, clock: Clock) -> None:
        self.daily, self.reserve, self.clock = daily, reserve, clock
        self.used, self.day = 0, self._today()

    def _today(self) -> Any:
        return self.clock().astimezone(PACIFIC).date()

    def reset_at(self) -> datetime:
        """The next midnight in Pacific time, when YouTube resets the quota (as UTC)."""
        midnight = datetime.combine(self._today() + timedelta(days=1), time(0), tzinfo=PACIFIC)
        return midnight.astimezone(UTC)

    def charge(self, cost: int, *, writing: bool) -> None:
        """Count ``cost`` units, or raise RateLimited if the day cannot afford them.

        Polls may not dip into the last ``reserve`` units, so replies can still go out.
        """
        if self._today() != self.day:
            self.used, self.day = 0, self._today()
        limit = self.daily if writing else self.daily - self.reserve
        if self.used + cost > limit:
            raise RateLimited(
                f"youtube quota: {self.used} of {self.daily} units spent today "
                f"({'reply' if writing else 'poll'} budget {limit})",
                self.reset_at(),
            )
        self.used += cost

    def exhaust(self) -> None:
        """YouTube said the quota is spent: believe it until the reset."""
        self.used = max(self.used, self.daily)


def address(text: str, comment: Comment) -> str:
    """The reply as posted: a reply to a reply opens with ``@name``, as YouTube's own UI does.

    YouTube threads are one level deep, so such a reply goes under the thread's top comment and only
    the mention says whom it answers (``find_reply`` looks for it too).
    """
    if (comment.conversation_id or comment.native_id) == comment.native_id:
        return text
    return _reply.opened_with(comment.author.handle, text, anywhere=True)


def connect(options: Mapping[str, Any], secrets: Mapping[str, str], *, clock: Clock | None = None) -> YouTubeClient:
    """Build a YouTube client from heard.toml options and the OAuth client and refresh token (googleapiclient now).

    Without ``channel_id`` it asks YouTube which channel the credentials belong to (1 unit).

    :raises ConfigError: a secret is missing or an option is malformed.
    """
    from listener.platforms import youtube_client

    return youtube_client.connect(options, secrets, clock=clock)


register(
    PlatformSpec(
        name="youtube",
        title="YouTube",
        normalise=normalise,
        connect=connect,
        secrets=SECRETS,
        options=OPTIONS,
        help="YouTube Data API v3: new comments and replies on your channel's videos, answered in-thread. "
        "Keeps within the daily quota. See docs/youtube.md.",
        # 50 units a reply: 20 an hour for a day would be 24,000 units, so the quota is the real cap.
        default_post_rate=20,
        normalise_post=normalise_post,
        reply_limit=10_000,
        normalise_profile=normalise_profile,
        address=address,
    )
)
