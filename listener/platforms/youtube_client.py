"""Provide the YouTube client: poll and reply through google-api-python-client, within the day's quota."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import google_auth_httplib2
import httplib2
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build

from listener.errors import AuthFailed, BadPayload, ConfigError, PlatformError
from listener.platforms import _cursor, _walk
from listener.platforms._common import Clock, metric, parse_iso, require, utc_now
from listener.platforms._options import number_option, require_secrets, text_option
from listener.platforms.youtube import SECRETS, Follow, Quota, Walk, address, comments_of, threads_of
from listener.platforms.youtube_errors import translated
from listener.platforms.youtube_normalise import normalise, normalise_post, normalise_profile
from listener.records import Account, Author, Comment, OwnPost, Page

log = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://youtube.googleapis.com/"
DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"
SCOPES = ("https://www.googleapis.com/auth/youtube.force-ssl",)  # comments.insert needs it
LIST_COST, INSERT_COST = 1, 50
OWN_PAGE = 50  # our latest videos per own-posts fetch: videos.list takes at most 50 ids
REPLY_PAGES = 5  # pages of 100 replies read from one thread at a time (a burst in a poll, or a crash reconcile)
FOLLOW_BATCH = 50  # thread ids in one commentThreads.list(id=...), as YouTube's other id lookups take
PROFILE_BATCH = 50  # channel ids in one channels.list(id=...): YouTube's limit
_CHANNEL_ID = re.compile(r"UC[\w-]{22}")  # a channel id; a comment without one names its author only


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
        threads = [self._with_every_new_reply(t, walk.is_old) for t in threads_of(body)]
        fresh, after = walk.step(threads, body.get("nextPageToken"))
        if walk.token is None and follow.due(now, self.follow_every):
            fresh, follow = self._read_followed(follow, fresh, now)
        follow = follow.joined(fresh).pruned(now, self.follow_days, self.follow_threads)
        state = {**json.loads(after.dump()), "follow": follow.dump()}
        return Page(tuple(fresh), _cursor.dump(state), more=after.token is not None, read_ahead=True)

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
            for thread in threads_of(self._call("commentThreads.list", request, LIST_COST)):
                tid = str(thread.get("id"))
                if tid not in follow.threads:
                    continue
                is_old = follow.is_old(tid)
                seen[tid] = []
                for item in comments_of(self._with_every_new_reply(thread, is_old)):
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
        request = self.service.comments().insert(
            part="snippet", body={"snippet": {"parentId": top, "textOriginal": address(text, comment)}}
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
        with translated(method, self.quota, writing=writing):
            body = request.execute(num_retries=0)  # the scheduler is the retry loop
        if not isinstance(body, dict):
            raise BadPayload(f"youtube {method}: expected a JSON object")
        return body


def connect(options: Mapping[str, Any], secrets: Mapping[str, str], *, clock: Clock | None = None) -> YouTubeClient:
    """Build a YouTube client from heard.toml options and the OAuth client and refresh token.

    Without ``channel_id`` it asks YouTube which channel the credentials belong to (1 unit).

    :raises ConfigError: a secret is missing or an option is malformed.
    """
    require_secrets("youtube", SECRETS, secrets)
    daily = int(number_option("youtube", options, "daily_quota", 10_000, 1, 10_000_000))
    quota = Quota(
        daily,
        int(number_option("youtube", options, "reply_reserve", min(500, daily // 5), 0, daily)),
        clock or utc_now,
    )
    credentials = Credentials(
        token=None,
        refresh_token=secrets["YOUTUBE_REFRESH_TOKEN"],
        client_id=secrets["YOUTUBE_CLIENT_ID"],
        client_secret=secrets["YOUTUBE_CLIENT_SECRET"],
        token_uri=text_option("youtube", options, "token_uri", DEFAULT_TOKEN_URI),
        scopes=list(SCOPES),
    )
    # Our own httplib2 with a timeout (the default has none, so a hung socket would hang the job).
    http = google_auth_httplib2.AuthorizedHttp(
        credentials, http=httplib2.Http(timeout=float(number_option("youtube", options, "timeout", 10, 0.01, 300)))
    )
    endpoint = text_option("youtube", options, "api_endpoint", DEFAULT_ENDPOINT)
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
