"""Provide the YouTube platform: normalise comments, and poll and reply through google-api-python-client.

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

import html
import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import google.auth.exceptions
import google_auth_httplib2
import httplib2
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import Error as GoogleApiError
from googleapiclient.errors import HttpError

from listener.errors import (
    AuthFailed,
    BadPayload,
    ConfigError,
    ContentRefused,
    PermanentFailure,
    PlatformError,
    RateLimited,
    Transient,
)
from listener.matching import contains_keyword
from listener.platforms import PlatformSpec, _walk, register
from listener.platforms._common import (
    MAX_NAME,
    metric,
    number_option,
    optional_id,
    optional_mapping,
    optional_str,
    parse_iso,
    require,
    require_id,
    require_mapping,
    require_secrets,
)
from listener.records import Account, Author, Comment, OwnPost, Page
from listener.text import clean_text

log = logging.getLogger(__name__)

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
DEFAULT_ENDPOINT = "https://youtube.googleapis.com/"
DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"
SCOPES = ("https://www.googleapis.com/auth/youtube.force-ssl",)  # comments.insert needs it
PACIFIC = ZoneInfo("America/Los_Angeles")
LIST_COST, INSERT_COST = 1, 50
OWN_PAGE = 50  # our latest videos per own-posts fetch: videos.list takes at most 50 ids
_QUOTA_SPENT = {"quotaExceeded", "dailyLimitExceeded"}
_SLOW_DOWN = {"rateLimitExceeded", "userRateLimitExceeded"}
# Set by the walk on each reply: the channel that started its thread, which says whom a reply answers.
THREAD_AUTHOR = "heard_thread_author"
_LEAD_HANDLE = re.compile(r"\s*@[\w.\-]+")  # YouTube's UI opens a reply to a reply with the person's @handle
REPLY_PAGES = 5  # pages of 100 replies read from one thread at a time (a burst in a poll, or a crash reconcile)
FOLLOW_BATCH = 50  # thread ids in one commentThreads.list(id=...), as YouTube's other id lookups take
PROFILE_BATCH = 50  # channel ids in one channels.list(id=...): YouTube's limit
_CHANNEL_ID = re.compile(r"UC[\w-]{22}")  # a channel id; a comment without one names its author only
SEEN_CAP = 5000  # ids kept at the bound second (~130 KB at most); beyond it some are fetched, not stored, twice
_NO_ACCESS = {"insufficientPermissions", "authError", "accessNotConfigured", "forbidden"}


def normalise(raw: Mapping[str, Any], account: Account) -> Comment:
    """Turn one YouTube ``comment`` resource (top-level or reply) into a Comment.

    :raises BadPayload: the comment has no text (removed) or lacks an id or time.
    """
    comment_id = require_id(raw, "id", "youtube comment")
    where = f"youtube comment {comment_id}"
    snippet = require_mapping(raw, "snippet", where)
    # textOriginal is only guaranteed to the comment's author; textDisplay (plain text here) always.
    text = optional_str(snippet, "textOriginal", where) or clean_text(
        html.unescape(optional_str(snippet, "textDisplay", where))
    )
    if not text.strip():
        raise BadPayload(f"{where}: no text (removed or held)")
    name = optional_str(snippet, "authorDisplayName", where, limit=MAX_NAME)
    author_id = optional_id(optional_mapping(snippet, "authorChannelId", where), "value", f"{where} authorChannelId")
    author_id = author_id or name
    video, parent = optional_id(snippet, "videoId", where), optional_id(snippet, "parentId", where)
    url = (
        f"https://www.youtube.com/watch?v={video}&lc={comment_id}"
        if video
        else f"https://www.youtube.com/channel/{optional_id(snippet, 'channelId', where) or account.id}"
    )
    is_own = author_id == account.id
    said_to_us = not parent or _reply_to_us(text, author_id, optional_id(raw, THREAD_AUTHOR, where), account)
    return Comment(
        platform="youtube",
        native_id=comment_id,
        account=account.handle,
        source=("reply" if said_to_us else "thread") if parent else "comment",
        author=Author(id=author_id, handle=name, name=name),
        text=text,
        url=url,
        created_at=parse_iso(require(snippet, "publishedAt", where), where),
        parent_id=f"youtube:{parent}" if parent else None,
        conversation_id=parent or comment_id,  # a thread's id is its top-level comment's id
        lang=None,
        mentions_us=not is_own and said_to_us,
        is_own=is_own,
        raw=dict(raw),
    )


def _reply_to_us(text: str, author_id: str, thread_author: Any, account: Account) -> bool:
    """Whether a reply under one of our videos answers us rather than another viewer.

    It does when it names us, or (unless it opens by addressing someone else) when it sits in a thread
    we started or is the thread starter's own follow-up. A reply of unknown thread counts as ours:
    hearing one too many is better than missing one.
    """
    handle = "@" + account.handle.removeprefix("@").lower()
    if handle != "@" and contains_keyword(text, handle):  # "@acme", not "@acmefan"
        return True
    if _LEAD_HANDLE.match(text):
        return False  # "@bob same here": said to bob
    return thread_author is None or str(thread_author) in (account.id, author_id)


def normalise_post(raw: Mapping[str, Any], followers: int) -> OwnPost:
    """Turn one of our videos (a ``video`` resource with ``snippet`` and ``statistics``) into an OwnPost."""
    video_id = require_id(raw, "id", "youtube video")
    where = f"youtube video {video_id}"
    stats = optional_mapping(raw, "statistics", where)
    return OwnPost(
        platform="youtube",
        post_id=video_id,
        url=f"https://www.youtube.com/watch?v={video_id}",
        created_at=parse_iso(require(require_mapping(raw, "snippet", where), "publishedAt", where), where),
        followers_at_post=int(followers),
        likes=metric(stats, "likeCount"),
        replies=metric(stats, "commentCount"),
        views=metric(stats, "viewCount"),
    )


def normalise_profile(raw: Mapping[str, Any]) -> tuple[str, str]:
    """Turn one ``channel`` resource (``channels.list(part="snippet")``) into (channel id, description)."""
    channel_id = require_id(raw, "id", "youtube channel")
    where = f"youtube channel {channel_id}"
    return channel_id, optional_str(optional_mapping(raw, "snippet", where), "description", where)


# -- the walk over newest-first threads (pure) -------------------------------------------------


class Walk(_walk.Walk):
    """Where the comments source is: a cycle pages down from the newest thread to ``bound``.

    ``bound`` is the newest ``publishedAt`` the previous cycle saw (or the start time) and ``seen``
    the ids stored at exactly that second (YouTube times are whole seconds, so ties are common).
    A page lists threads; each holds its top-level comment and replies, the items the walk keeps.
    """

    platform = "youtube"
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
        return _comments_of(entry)


def _comments_of(thread: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
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

        :raises BadPayload: the part is not one ``dump`` wrote.
        """
        try:
            state = (json.loads(cursor) if cursor else {}).get("follow") or {}
            threads = {str(t): (str(at), tuple(map(str, ids))) for t, (at, ids) in state.get("threads", {}).items()}
            return cls(threads, state.get("swept"))
        except (ValueError, TypeError, AttributeError) as exc:
            raise BadPayload("youtube cursor: its 'follow' part is not one heard wrote") from exc

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


def _threads_of(body: Mapping[str, Any]) -> list[dict[str, Any]]:
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

    def __init__(self, daily: int, reserve: int, clock: Callable[[], datetime]) -> None:
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


# -- the client --------------------------------------------------------------------------------


class YouTubeClient:
    """A YouTube channel through the Data API v3: bounded requests, quota kept, errors translated."""

    name = "youtube"

    def __init__(
        self,
        service: Any,
        account: Account,
        quota: Quota,
        *,
        page_size: int = 100,
        follow_days: float = 7,
        follow_every: timedelta = timedelta(minutes=10),
        follow_threads: int = 100,
    ) -> None:
        self.service, self.account, self.quota, self.page_size = service, account, quota, page_size
        self.follow_days, self.follow_every, self.follow_threads = follow_days, follow_every, follow_threads

    def quota_used(self) -> int:
        """Units spent so far this Pacific day (as counted by this process)."""
        self.quota.charge(0, writing=True)  # rolls the day over if midnight has passed
        return self.quota.used

    def quota_reset_at(self) -> datetime:
        """When the daily quota resets (midnight Pacific), as an aware UTC time."""
        return self.quota.reset_at()

    def export_state(self) -> dict[str, Any]:
        """The day's quota count, so the next process (and `heard status`) knows it."""
        used = self.quota_used()
        return {
            "day": self.quota.day.isoformat(),
            "used": used,
            "summary": f"quota {used} of {self.quota.daily} units used today; "
            f"resets {self.quota_reset_at().isoformat(timespec='minutes')}",
        }

    def restore_state(self, state: Mapping[str, Any]) -> None:
        """Carry over units spent today by an earlier process."""
        if state.get("day") == self.quota.day.isoformat():
            self.quota.used = max(self.quota.used, int(state.get("used") or 0))

    def sources(self) -> Sequence[str]:
        """The one source: ``comments`` on the channel's videos."""
        return ("comments",)

    def fetch(self, source: str, cursor: str | None, *, since: datetime) -> Page:
        """Fetch one page of comment threads (1 unit), and at a cycle's start the followed threads when due.

        The cursor records where the next call continues and which threads are followed.
        """
        if source != "comments":
            raise ConfigError(f"youtube has no source {source!r}; expected 'comments'")
        walk, now = Walk.load(cursor, since), self.quota.clock()
        follow = Follow.load(cursor).pruned(now, self.follow_days, self.follow_threads)
        request = self.service.commentThreads().list(
            part="snippet,replies",
            allThreadsRelatedToChannelId=self.account.id,
            order="time",
            maxResults=self.page_size,
            pageToken=walk.token,
            textFormat="plainText",
        )
        body = self._call("commentThreads.list", request, LIST_COST)
        threads = [self._with_every_new_reply(t, walk.is_old) for t in _threads_of(body)]
        fresh, after = walk.step(threads, body.get("nextPageToken"))
        if walk.token is None and follow.due(now, self.follow_every):
            fresh, follow = self._read_followed(follow, fresh, now)
        follow = follow.joined(fresh).pruned(now, self.follow_days, self.follow_threads)
        state = {**json.loads(after.dump()), "follow": follow.dump()}
        return Page(tuple(fresh), json.dumps(state, sort_keys=True), more=after.token is not None)

    def _read_followed(
        self, follow: Follow, fresh: list[dict[str, Any]], now: datetime
    ) -> tuple[list[dict[str, Any]], Follow]:
        """Read the followed threads by id (1 unit per 50): ``fresh`` plus their comments not yet returned."""
        returned = {str(item["id"]) for item in fresh}
        items, seen = list(fresh), dict[str, list[_walk.Stamp]]()
        ids = list(follow.threads)
        for start in range(0, len(ids), FOLLOW_BATCH):
            # No maxResults: YouTube refuses it together with ``id``.
            request = self.service.commentThreads().list(
                part="snippet,replies", id=",".join(ids[start : start + FOLLOW_BATCH]), textFormat="plainText"
            )
            for thread in _threads_of(self._call("commentThreads.list", request, LIST_COST)):
                tid = str(thread.get("id"))
                if tid not in follow.threads:
                    continue
                is_old = follow.is_old(tid)
                seen[tid] = []
                for item in _comments_of(self._with_every_new_reply(thread, is_old)):
                    stamp = Walk.stamp(item)
                    seen[tid].append(stamp)
                    if not is_old(stamp) and stamp.id not in returned:
                        items.append(item)
                        returned.add(stamp.id)
        return items, follow.read(seen, now)

    def _with_every_new_reply(self, thread: dict[str, Any], is_old: Callable[[_walk.Stamp], bool]) -> dict[str, Any]:
        """The thread with all its replies when the few it embeds (its newest) may hide more new ones.

        Only a burst of more new replies than a thread embeds costs extra units (1 a page of 100):
        when any embedded reply is older than the bound, every reply it does not embed is older still.
        """
        embedded = (thread.get("replies") or {}).get("comments") or []
        total = (thread.get("snippet") or {}).get("totalReplyCount")
        if not isinstance(embedded, list) or not isinstance(total, int) or total <= len(embedded):
            return thread
        if any(is_old(Walk.stamp(reply)) for reply in embedded):
            return thread
        top = str((thread["snippet"].get("topLevelComment") or {}).get("id"))
        return {**thread, "replies": {"comments": list(self._replies(top))}}

    def _replies(self, top: str) -> Iterator[dict[str, Any]]:
        """Every reply in a thread, a page of 100 at a time (1 unit a page, fetched only as consumed).

        Bounded at REPLY_PAGES pages: neither a burst nor a crash reconcile may eat the day's quota.
        """
        token = None
        for _ in range(REPLY_PAGES):
            request = self.service.comments().list(
                part="snippet", parentId=top, maxResults=100, pageToken=token, textFormat="plainText"
            )
            body = self._call("comments.list", request, LIST_COST)
            items = body.get("items") or []
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise BadPayload(f"youtube comments.list: 'items' of thread {top} is not a list of comments")
            yield from items
            token = body.get("nextPageToken")
            if not token:
                return

    def normalise(self, raw: Mapping[str, Any]) -> Comment:
        """Turn one fetched comment into a Comment."""
        return normalise(raw, self.account)

    def after_store(self, source: str, page: Page) -> None:
        """Nothing to acknowledge on YouTube."""

    def reply(self, comment: Comment, text: str) -> str:
        """Post ``text`` in the comment's thread (comments.insert, 50 units); return the new comment's id.

        YouTube threads are one level deep, so a reply to a reply goes under the thread's top comment,
        addressed ``@name`` as YouTube's own UI does (which is also how ``find_reply`` tells it apart).

        :raises PermanentFailure: the comment is gone or comments are disabled.
        """
        top = comment.conversation_id or comment.native_id
        if top != comment.native_id:
            handle = comment.author.handle if comment.author.handle.startswith("@") else f"@{comment.author.handle}"
            text = text if handle.lower() in text.lower() else f"{handle} {text}"
        request = self.service.comments().insert(
            part="snippet", body={"snippet": {"parentId": top, "textOriginal": text}}
        )
        body = self._call("comments.insert", request, INSERT_COST, writing=True)
        return str(require(body, "id", "youtube comments.insert"))

    def find_reply(self, comment: Comment) -> str | None:
        """Return the id of our reply to ``comment`` in its thread, if there is one (1 unit a page)."""
        top = comment.conversation_id or comment.native_id
        name = comment.author.handle.removeprefix("@").lower()
        for item in self._replies(top):
            snippet = item.get("snippet") or {}
            if (snippet.get("authorChannelId") or {}).get("value") != self.account.id:
                continue
            if parse_iso(snippet.get("publishedAt"), "youtube comment") < comment.created_at:
                continue
            said = str(snippet.get("textOriginal") or snippet.get("textDisplay") or "").lower()
            if top == comment.native_id or f"@{name}" in said:
                return str(item["id"])
        return None

    def own_posts(self, *, since: datetime) -> Sequence[OwnPost]:
        """Our latest videos since ``since`` with their statistics: three list requests, 3 quota units.

        The uploads playlist, not ``search.list``, finds them: a search costs 100 units.
        """
        request = self.service.channels().list(part="statistics,contentDetails", mine=True)
        channels = self._call("channels.list", request, LIST_COST).get("items") or []
        if not channels:
            raise AuthFailed("youtube: these credentials have no channel")
        followers = metric(channels[0].get("statistics") or {}, "subscriberCount")
        uploads = ((channels[0].get("contentDetails") or {}).get("relatedPlaylists") or {}).get("uploads")
        if not uploads:
            return []
        request = self.service.playlistItems().list(part="contentDetails", playlistId=uploads, maxResults=OWN_PAGE)
        items = self._call("playlistItems.list", request, LIST_COST).get("items") or []
        ids = [
            str((i.get("contentDetails") or {}).get("videoId"))
            for i in items
            if isinstance(i, dict) and (i.get("contentDetails") or {}).get("videoId")
        ]
        if not ids:
            return []
        # No maxResults here: YouTube refuses it together with ``id``.
        request = self.service.videos().list(part="statistics,snippet", id=",".join(ids))
        videos = self._call("videos.list", request, LIST_COST).get("items") or []
        posts = [normalise_post(v, followers) for v in videos if isinstance(v, dict)]
        return sorted((p for p in posts if p.created_at >= since), key=lambda p: p.created_at, reverse=True)

    def profiles(self, platform: str, authors: Sequence[Author]) -> Mapping[str, str]:
        """Each commenter's channel description: ``channels.list(id=...)``, 1 unit per 50 channels.

        A channel YouTube does not return (closed, or an id that is not a channel's) has none ("").
        Charged to the poll budget, so the reply reserve stays untouched.
        """
        if platform != self.name:
            return {}
        ids = list(dict.fromkeys(a.id for a in authors if _CHANNEL_ID.fullmatch(a.id)))
        found = {a.id: "" for a in authors if not _CHANNEL_ID.fullmatch(a.id)}  # no channel to ask about
        for start in range(0, len(ids), PROFILE_BATCH):
            chunk = ids[start : start + PROFILE_BATCH]
            # No maxResults: YouTube refuses it together with ``id``.
            request = self.service.channels().list(part="snippet", id=",".join(chunk))
            try:
                body = self._call("channels.list", request, LIST_COST)
            except PlatformError as exc:
                if not start:
                    raise
                log.warning("youtube profile look-ups stopped; the rest are asked later: %s", exc)
                break
            described = dict(normalise_profile(c) for c in body.get("items") or [] if isinstance(c, dict))
            found.update({cid: described.get(cid, "") for cid in chunk})
        return found

    def check(self) -> str:
        """Ask which channel the credentials belong to; return ``@handle (channel id)``."""
        me = self.whoami()
        return f"{me.handle} ({me.id})"

    def whoami(self) -> Account:
        """The channel of the credentials (channels.list mine=true, 1 unit)."""
        body = self._call("channels.list", self.service.channels().list(part="snippet", mine=True), LIST_COST)
        items = body.get("items") or []
        if not items:
            raise AuthFailed("youtube: these credentials have no channel")
        snippet = items[0].get("snippet") or {}
        return Account("youtube", str(items[0]["id"]), str(snippet.get("customUrl") or snippet.get("title") or ""))

    def _call(self, method: str, request: Any, cost: int, *, writing: bool = False) -> dict[str, Any]:
        """Execute one request: charged to the quota first (a failed call still costs), then translated."""
        self.quota.charge(cost, writing=writing)
        with _translated(method, self.quota, writing=writing):
            body = request.execute(num_retries=0)  # the scheduler is the retry loop
        if not isinstance(body, dict):
            raise BadPayload(f"youtube {method}: expected a JSON object")
        return body


def _reasons(exc: HttpError) -> set[str]:
    try:
        errors = json.loads(exc.content.decode())["error"].get("errors") or []
        return {str(e.get("reason")) for e in errors if isinstance(e, dict)}
    except (ValueError, KeyError, AttributeError, TypeError):
        return set()


@contextmanager
def _translated(method: str, quota: Quota, *, writing: bool) -> Iterator[None]:
    """Turn googleapiclient, google-auth and httplib2 errors into heard's hierarchy."""
    try:
        yield
    except HttpError as exc:
        raise _by_status(method, exc, quota, writing) from exc
    except google.auth.exceptions.RefreshError as exc:
        if getattr(exc, "retryable", False):
            raise Transient(f"youtube token refresh: {exc}") from exc
        raise AuthFailed(f"youtube refused the refresh token: {exc}") from exc
    except google.auth.exceptions.TransportError as exc:
        raise Transient(f"youtube token endpoint unreachable: {exc}") from exc
    except (httplib2.HttpLib2Error, OSError) as exc:  # includes socket timeouts and refused connections
        raise Transient(f"youtube {method}: {type(exc).__name__}: {exc}") from exc
    except ValueError as exc:
        raise BadPayload(f"youtube {method}: answer is not JSON") from exc
    except GoogleApiError as exc:
        raise PlatformError(f"youtube {method}: {type(exc).__name__}: {exc}") from exc


def _retry_after(exc: HttpError) -> float:
    """Seconds to wait: Google's Retry-After when it sends one, else a minute."""
    try:
        return max(1.0, float(exc.resp.get("retry-after", 60)))
    except (TypeError, ValueError):
        return 60.0


def _by_status(method: str, exc: HttpError, quota: Quota, writing: bool) -> PlatformError:
    status, reasons = exc.resp.status, _reasons(exc)
    what = f"youtube {method}: {status} {', '.join(sorted(reasons)) or exc.reason}"
    if reasons & _QUOTA_SPENT:
        quota.exhaust()  # never retried blindly: nothing will succeed until the Pacific midnight
        return RateLimited(what, quota.reset_at())
    if status == 429 or reasons & _SLOW_DOWN:
        return RateLimited(what, datetime.now(UTC) + timedelta(seconds=_retry_after(exc)))
    if status == 401 or (status == 403 and (reasons & _NO_ACCESS or not writing)):
        return AuthFailed(what)
    if status >= 500:
        return Transient(what)
    if status == 400 and writing:
        # The comment text is refused (too long, empty, unprocessable): this reply fails, not the account.
        return ContentRefused(what)
    if status in (400, 403, 404):
        return PermanentFailure(what)
    return PlatformError(what)


def connect(
    options: Mapping[str, Any], secrets: Mapping[str, str], *, clock: Callable[[], datetime] | None = None
) -> YouTubeClient:
    """Build a YouTube client from heard.toml options and the OAuth client and refresh token.

    Without ``channel_id`` it asks YouTube which channel the credentials belong to (1 unit).

    :raises ConfigError: a secret is missing or an option is malformed.
    """
    require_secrets("youtube", SECRETS, secrets)
    daily = int(number_option("youtube", options, "daily_quota", 10_000, 1, 10_000_000))
    quota = Quota(
        daily,
        int(number_option("youtube", options, "reply_reserve", min(500, daily // 5), 0, daily)),
        clock or (lambda: datetime.now(UTC)),
    )
    credentials = Credentials(
        token=None,
        refresh_token=secrets["YOUTUBE_REFRESH_TOKEN"],
        client_id=secrets["YOUTUBE_CLIENT_ID"],
        client_secret=secrets["YOUTUBE_CLIENT_SECRET"],
        token_uri=str(options.get("token_uri") or DEFAULT_TOKEN_URI),
        scopes=list(SCOPES),
    )
    # Our own httplib2 with a timeout (the default has none, so a hung socket would hang the job).
    http = google_auth_httplib2.AuthorizedHttp(
        credentials, http=httplib2.Http(timeout=float(number_option("youtube", options, "timeout", 10, 0.01, 300)))
    )
    endpoint = str(options.get("api_endpoint") or DEFAULT_ENDPOINT)
    service = build(
        "youtube",
        "v3",
        http=http,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": endpoint if endpoint.endswith("/") else endpoint + "/"},
    )
    page_size = int(number_option("youtube", options, "page_size", 100, 1, 100))
    channel = str(options.get("channel_id") or "")
    handle = str(options.get("handle") or channel)
    client = YouTubeClient(
        service,
        Account("youtube", channel, handle),
        quota,
        page_size=page_size,
        follow_days=float(number_option("youtube", options, "follow_days", 7, 0, 365)),
        follow_every=timedelta(minutes=number_option("youtube", options, "follow_minutes", 10, 0, 24 * 60)),
        follow_threads=int(number_option("youtube", options, "follow_threads", 100, 0, 1000)),
    )
    if not channel:
        client.account = client.whoami()
    return client


register(
    PlatformSpec(
        name="youtube",
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
    )
)
