"""Fake the YouTube Data API v3 on 127.0.0.1: threads, replies, inserts, channels, OAuth token, quota, failures."""

from __future__ import annotations

import hashlib
import threading
from collections import deque
from datetime import UTC, datetime, timedelta
from typing import Any

from listener.records import Account
from tests.fakes.http import FakeHarness, FakeServer, Request, Response

SECRETS = {
    "YOUTUBE_CLIENT_ID": "fake-client.apps.googleusercontent.com",
    "YOUTUBE_CLIENT_SECRET": "fake-secret",
    "YOUTUBE_REFRESH_TOKEN": "1//fake-refresh-token",
}
COSTS = {
    "commentThreads.list": 1,
    "comments.list": 1,
    "channels.list": 1,
    "comments.insert": 50,
    "playlistItems.list": 1,
    "videos.list": 1,
    "search.list": 100,
}
EMBEDDED_REPLIES = 5  # a thread embeds only a few replies; comments.list(parentId) has them all


def _error(status: int, reason: str, message: str, domain: str = "youtube.commentThread") -> Response:
    return Response(
        status,
        {
            "error": {
                "code": status,
                "message": message,
                "errors": [{"message": message, "domain": domain, "reason": reason}],
            }
        },
    )


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # YouTube times are whole seconds


def _auth(request: Request) -> str:
    """The Authorization header, whatever its case (httplib2 sends it lower-case)."""
    return next((v for k, v in request.headers.items() if k.lower() == "authorization"), "")


class FakeYouTube:
    """A stateful YouTube: channels, videos' comment threads, replies, OAuth tokens and a quota."""

    def __init__(self, *, daily_quota: int = 10_000, timeout: float = 0.5) -> None:
        self.me = {"id": "UCheardheardheardheard01", "title": "Heard", "customUrl": "@heard"}
        self.channels: dict[str, dict[str, str]] = {self.me["id"]: self.me}
        self.video = "dQw4w9WgXcQ"
        self.threads: dict[str, dict[str, Any]] = {}  # id -> {"top": comment, "replies": [comment]}
        self.posted: list[dict[str, Any]] = []
        self.by_id_requests: list[list[str]] = []  # the ids of each commentThreads.list(id=...)
        self.channel_requests: list[list[str]] = []  # the ids of each channels.list(id=...)
        self.subscribers = 0
        self.uploads: list[dict[str, Any]] = []  # our video resources, oldest first
        self.daily_quota, self.timeout, self.spent = daily_quota, timeout, 0
        self.quota_exceeded = False
        self.tokens: set[str] = set()
        self.token_requests = 0
        self.hold = 0.0
        self._failures: deque[str] = deque()
        self._seq = 0
        self._lock = threading.Lock()
        self.server = FakeServer(self.handle)

    # -- world building -------------------------------------------------------------------------

    def add_channel(self, handle: str, *, title: str = "", description: str = "") -> str:
        """Create a commenter's channel (with its description, the channel's bio); return its id."""
        with self._lock:
            cid = "UC" + hashlib.sha256(handle.encode()).hexdigest()[:22]
            self.channels[cid] = {
                "id": cid,
                "title": title or handle.title(),
                "customUrl": f"@{handle}",
                "description": description,
            }
            return cid

    def add_comment(
        self,
        channel: str,
        text: str,
        *,
        parent: str | None = None,
        at: datetime | None = None,
        video: str | None = None,
    ) -> str:
        """Add a top-level comment (or a reply under ``parent``, a thread id); return its id."""
        with self._lock:
            return self._add(channel, text, parent, at or datetime.now(UTC), video or self.video)

    def _add(self, channel: str, text: str, parent: str | None, at: datetime, video: str) -> str:
        self._seq += 1
        suffix = hashlib.sha256(str(self._seq).encode()).hexdigest()[:20]
        cid = f"{parent}.{suffix}" if parent else f"Ugz{suffix}AaABAg"
        author = self.channels[channel]
        comment = {
            "kind": "youtube#comment",
            "etag": f"e{self._seq}",
            "id": cid,
            "snippet": {
                "channelId": self.me["id"],
                "videoId": video,
                "textDisplay": text,
                "textOriginal": text,
                "authorDisplayName": author["customUrl"],
                "authorProfileImageUrl": "https://yt3.ggpht.com/x",
                "authorChannelUrl": f"http://www.youtube.com/{author['customUrl']}",
                "authorChannelId": {"value": channel},
                "canRate": True,
                "viewerRating": "none",
                "likeCount": 0,
                "publishedAt": _stamp(at),
                "updatedAt": _stamp(at),
            },
        }
        if parent:
            comment["snippet"]["parentId"] = parent
            self.threads[parent]["replies"].append(comment)
        else:
            self.threads[cid] = {"top": comment, "replies": [], "seq": self._seq}
        return cid

    def delete_comment(self, cid: str) -> None:
        """Remove a top-level comment and its thread."""
        with self._lock:
            self.threads.pop(cid, None)

    def fail_next(self, kind: str, count: int = 1) -> None:
        """Make the next ``count`` API requests fail: 429, 500, 401, 402, quota, timeout or garbage."""
        with self._lock:
            self._failures.extend([kind] * count)

    # -- HTTP ------------------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        """Route one request: the token endpoint, or an API method charged to the quota."""
        if request.path == "/token":
            return self._token(request)
        method = self._method(request)
        if method is None:
            return _error(404, "notFound", "Not Found", "global")
        if _auth(request).removeprefix("Bearer ") not in self.tokens:
            return _error(401, "authError", "Invalid Credentials", "global")
        with self._lock:
            failure = self._failures.popleft() if self._failures else None
            spent_out = self.quota_exceeded or failure == "quota" or self.spent + COSTS[method] > self.daily_quota
            self.spent += COSTS[method]
        if spent_out:
            return _error(
                403,
                "quotaExceeded",
                "The request cannot be completed because you have exceeded "
                'your <a href="/youtube/v3/getting-started#quota">quota</a>.',
                "youtube.quota",
            )
        if failure:
            return self._failure(failure)
        route = {
            "commentThreads.list": self._threads,
            "comments.list": self._replies,
            "comments.insert": self._insert,
            "channels.list": self._channels,
            "playlistItems.list": self._playlist_items,
            "videos.list": self._videos,
            "search.list": self._search,
        }[method]
        return route(request)

    def _method(self, request: Request) -> str | None:
        resource = request.path.removeprefix("/youtube/v3/")
        if request.method == "GET" and resource in (
            "commentThreads",
            "comments",
            "channels",
            "playlistItems",
            "videos",
            "search",
        ):
            return f"{resource}.list"
        if request.method == "POST" and resource == "comments":
            return "comments.insert"
        return None

    def _failure(self, kind: str) -> Response:
        if kind == "500":
            return _error(500, "backendError", "Backend Error", "global")
        if kind == "401":
            return _error(401, "authError", "Invalid Credentials", "global")
        if kind == "402":  # YouTube has no 402; the nearest "you may not spend" is a forbidden
            return _error(403, "forbidden", "The request is not properly authorized.", "youtube.commentThread")
        if kind == "429":
            response = _error(429, "rateLimitExceeded", "Too many requests", "youtube.quota")
            response.headers["Retry-After"] = "1"
            return response
        if kind == "timeout":
            return Response(200, {"items": []}, delay=self.timeout * 2)
        if kind == "garbage":
            return Response(200, raw=b'{"items": [{"id": "Ug', headers={"Content-Type": "application/json"})
        raise ValueError(f"unknown failure kind {kind!r}")

    def _token(self, request: Request) -> Response:
        form = request.form()
        with self._lock:
            self.token_requests += 1
        if (
            form.get("grant_type") != "refresh_token"
            or form.get("refresh_token") != SECRETS["YOUTUBE_REFRESH_TOKEN"]
            or form.get("client_id") != SECRETS["YOUTUBE_CLIENT_ID"]
        ):
            return Response(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
        token = f"ya29.fake-{self.token_requests}"
        with self._lock:
            self.tokens.add(token)
        return Response(
            200,
            {
                "access_token": token,
                "expires_in": 3599,
                "token_type": "Bearer",
                "scope": "https://www.googleapis.com/auth/youtube.force-ssl",
            },
        )

    def _page(self, kind: str, items: list[dict[str, Any]], request: Request) -> Response:
        size = int(request.query.get("maxResults", 20))
        if not 1 <= size <= 100:
            return _error(400, "invalidParameter", "maxResults must be between 1 and 100", "youtube.parameter")
        start = 0
        if request.query.get("pageToken"):
            try:
                start = int(request.query["pageToken"].removeprefix("QURTSl9p"), 16)
            except ValueError:
                return _error(400, "invalidPageToken", "The page token is not valid.", "youtube.parameter")
        body: dict[str, Any] = {
            "kind": f"youtube#{kind}ListResponse",
            "etag": "x",
            "pageInfo": {"totalResults": len(items), "resultsPerPage": size},
            "items": items[start : start + size],
        }
        if start + size < len(items):
            body["nextPageToken"] = f"QURTSl9p{start + size:x}"
        return Response(200, body)

    def _threads(self, request: Request) -> Response:
        if "id" in request.query:
            return self._threads_by_id(request)
        if request.query.get("allThreadsRelatedToChannelId") != self.me["id"]:
            return _error(403, "forbidden", "The channel's comments cannot be listed with these credentials.")
        parts = set(request.query.get("part", "").split(","))
        with self._lock:
            # Newest top-level comment first. A page token is a position, as YouTube's are opaque
            # but stable while paging; new threads arriving meanwhile shift later pages down.
            ordered = sorted(self.threads.items(), key=lambda kv: kv[1]["seq"], reverse=True)
            items = [self._thread(tid, t, "replies" in parts) for tid, t in ordered]
        return self._page("commentThread", items, request)

    def _threads_by_id(self, request: Request) -> Response:
        if "maxResults" in request.query or "pageToken" in request.query:
            return _error(
                400, "incompatibleParameters", "maxResults and pageToken cannot be used with id.", "youtube.parameter"
            )
        ids = [i for i in request.query["id"].split(",") if i]
        if not 1 <= len(ids) <= 50:
            return _error(400, "invalidParameter", "id takes 1 to 50 thread ids.", "youtube.parameter")
        parts = set(request.query.get("part", "").split(","))
        with self._lock:
            self.by_id_requests.append(ids)
            # Unknown or deleted ids are left out of the answer, as YouTube does.
            items = [self._thread(i, self.threads[i], "replies" in parts) for i in ids if i in self.threads]
        return Response(
            200,
            {
                "kind": "youtube#commentThreadListResponse",
                "etag": "x",
                "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
                "items": items,
            },
        )

    def _thread(self, tid: str, thread: dict[str, Any], with_replies: bool) -> dict[str, Any]:
        item: dict[str, Any] = {
            "kind": "youtube#commentThread",
            "etag": "t",
            "id": tid,
            "snippet": {
                "channelId": self.me["id"],
                "videoId": thread["top"]["snippet"]["videoId"],
                "topLevelComment": thread["top"],
                "canReply": True,
                "totalReplyCount": len(thread["replies"]),
                "isPublic": True,
            },
        }
        if with_replies and thread["replies"]:
            item["replies"] = {"comments": thread["replies"][-EMBEDDED_REPLIES:][::-1]}
        return item

    def _replies(self, request: Request) -> Response:
        parent = request.query.get("parentId", "")
        with self._lock:
            if parent not in self.threads:
                return _error(
                    404, "commentNotFound", "The comment identified by parentId could not be found.", "youtube.comment"
                )
            items = list(self.threads[parent]["replies"])
        return self._page("comment", items, request)

    def _insert(self, request: Request) -> Response:
        if request.query.get("part") != "snippet":
            return _error(400, "invalidPart", "part must be snippet", "youtube.parameter")
        snippet = (request.json() or {}).get("snippet") or {}
        parent, text = snippet.get("parentId"), snippet.get("textOriginal", "")
        with self._lock:
            if parent not in self.threads:
                return _error(404, "parentCommentNotFound", "The parent comment could not be found.", "youtube.comment")
            if not text or len(text) > 10_000:
                return _error(400, "commentTextRequired", "The comment text is missing or too long.", "youtube.comment")
            # A reply to a reply sits under the top comment, addressed "@name": that names its target.
            named = [
                r["id"]
                for r in self.threads[parent]["replies"]
                if text.lower().startswith(r["snippet"]["authorDisplayName"].lower() + " ")
            ]
            cid = self._add(self.me["id"], text, parent, datetime.now(UTC), self.video)
            self.posted.append({"in_reply_to": named[-1] if named else parent, "text": text, "id": cid})
            comment, hold = self.threads[parent]["replies"][-1], self.hold
        if hold:  # recorded, but the answer is late: a crash now leaves the reply in "posting"
            threading.Event().wait(hold)
        return Response(200, comment)

    def add_video(self, *, at: datetime | None = None, **statistics: int) -> str:
        """Upload a video of ours with these statistics (``likeCount=3``); return its id."""
        with self._lock:
            self._seq += 1
            vid = hashlib.sha256(f"video{self._seq}".encode()).hexdigest()[:11]
            self.uploads.append(
                {
                    "kind": "youtube#video",
                    "etag": f"v{self._seq}",
                    "id": vid,
                    "snippet": {
                        "publishedAt": _stamp(at or datetime.now(UTC)),
                        "channelId": self.me["id"],
                        "title": "Our news",
                        "description": "",
                        "channelTitle": self.me["title"],
                        "categoryId": "22",
                        "liveBroadcastContent": "none",
                    },
                    # YouTube sends every count as a string.
                    "statistics": {
                        "viewCount": "0",
                        "likeCount": "0",
                        "favoriteCount": "0",
                        "commentCount": "0",
                        **{k: str(v) for k, v in statistics.items()},
                    },
                }
            )
            return vid

    def _uploads_playlist(self) -> str:
        return "UU" + self.me["id"][2:]

    def _playlist_items(self, request: Request) -> Response:
        if request.query.get("playlistId") != self._uploads_playlist():
            return _error(
                404,
                "playlistNotFound",
                "The playlist identified with the request's playlistId parameter cannot be found.",
                "youtube.playlistItem",
            )
        parts = set(request.query.get("part", "").split(","))
        with self._lock:
            items = [
                {
                    "kind": "youtube#playlistItem",
                    "etag": "p",
                    "id": f"UEx{v['id']}",
                    **(
                        {"contentDetails": {"videoId": v["id"], "videoPublishedAt": v["snippet"]["publishedAt"]}}
                        if "contentDetails" in parts
                        else {}
                    ),
                }
                for v in reversed(self.uploads)
            ]
        return self._page("playlistItem", items, request)

    def _videos(self, request: Request) -> Response:
        if "maxResults" in request.query and "id" in request.query:
            return _error(400, "unsupportedParameter", "maxResults is not supported with id.", "youtube.parameter")
        ids = request.query.get("id", "").split(",")
        if len(ids) > 50:
            return _error(400, "invalidParameter", "Too many ids (at most 50).", "youtube.parameter")
        parts = set(request.query.get("part", "").split(","))
        with self._lock:
            found = [
                {k: v for k, v in video.items() if k in parts | {"kind", "etag", "id"}}
                for vid in ids
                for video in self.uploads
                if video["id"] == vid
            ]
        return Response(
            200,
            {
                "kind": "youtube#videoListResponse",
                "etag": "x",
                "pageInfo": {"totalResults": len(found), "resultsPerPage": len(found)},
                "items": found,
            },
        )

    def _search(self, request: Request) -> Response:
        return Response(200, {"kind": "youtube#searchListResponse", "etag": "x", "items": []})

    def _channels_by_id(self, request: Request) -> Response:
        """``channels.list(part=snippet, id=a,b,...)``: up to 50 channels; unknown ids are simply left out."""
        ids = request.query["id"].split(",")
        if len(ids) > 50 or "maxResults" in request.query:
            return _error(400, "invalidParameter", "Too many ids, or maxResults with id.", "youtube.parameter")
        self.channel_requests.append(ids)
        found = [self.channels[c] for c in ids if c in self.channels]
        items = [
            {
                "kind": "youtube#channel",
                "etag": f"c{c['id'][-4:]}",
                "id": c["id"],
                "snippet": {
                    "title": c["title"],
                    "description": c.get("description", ""),
                    "customUrl": c["customUrl"].lower(),
                    "publishedAt": "2020-01-01T00:00:00Z",
                    "localized": {"title": c["title"], "description": c.get("description", "")},
                },
            }
            for c in found
        ]
        page = {"totalResults": len(items), "resultsPerPage": len(items)}
        return Response(200, {"kind": "youtube#channelListResponse", "etag": "x", "pageInfo": page, "items": items})

    def _channels(self, request: Request) -> Response:
        if request.query.get("id"):
            return self._channels_by_id(request)
        if request.query.get("mine") != "true":
            return _error(400, "missingParameter", "No filter selected.", "youtube.parameter")
        parts = set(request.query.get("part", "").split(","))
        item: dict[str, Any] = {
            "kind": "youtube#channel",
            "etag": "c",
            "id": self.me["id"],
            "snippet": {
                "title": self.me["title"],
                "customUrl": self.me["customUrl"],
                "description": "",
                "publishedAt": "2020-01-01T00:00:00Z",
            },
        }
        if "statistics" in parts:
            item["statistics"] = {
                "viewCount": "0",
                "subscriberCount": str(self.subscribers),
                "hiddenSubscriberCount": False,
                "videoCount": str(len(self.uploads)),
            }
        if "contentDetails" in parts:
            item["contentDetails"] = {"relatedPlaylists": {"likes": "", "uploads": self._uploads_playlist()}}
        if "snippet" not in parts:
            del item["snippet"]
        return Response(
            200,
            {
                "kind": "youtube#channelListResponse",
                "etag": "x",
                "pageInfo": {"totalResults": 1, "resultsPerPage": 5},
                "items": [item],
            },
        )


class YouTubeHarness(FakeHarness):
    """The harness contract of tests/fakes/__init__.py for YouTube."""

    platform = "youtube"

    def __init__(self, **kwargs: Any) -> None:
        self.fake = FakeYouTube(**kwargs)
        self.account = Account("youtube", self.fake.me["id"], self.fake.me["customUrl"])
        self.fan = self.fake.add_channel("alice", title="Alice")
        self.page_size = 100

    def connect_args(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Options and secrets that make ``connect`` talk to this fake."""
        return {
            "channel_id": self.account.id,
            "handle": self.account.handle,
            "api_endpoint": self.url + "/",
            "token_uri": self.url + "/token",
            "page_size": self.page_size,
            "timeout": self.fake.timeout,
            "daily_quota": self.fake.daily_quota,
        }, dict(SECRETS)

    def add_incoming(
        self,
        n: int,
        *,
        text: str | None = None,
        author: str | None = None,
        reply_to_us: bool = False,
        created_at: datetime | None = None,
    ) -> list[str]:
        """Add ``n`` comments on our video (or replies in a thread we started); return their ids."""
        channel = self.fan if author is None else self._author(author)
        parent = self.fake.add_comment(self.account.id, "Thanks for watching!", at=created_at) if reply_to_us else None
        return [
            self.fake.add_comment(channel, text or f"great video, number {i}", parent=parent, at=created_at)
            for i in range(n)
        ]

    def set_followers(self, count: int) -> None:
        """Set our channel's subscriber count."""
        self.fake.subscribers = count

    def add_own_post(
        self,
        *,
        likes: int = 0,
        reposts: int = 0,
        replies: int = 0,
        quotes: int = 0,
        views: int = 0,
        created_at: datetime | None = None,
    ) -> str:
        """Upload a video of ours (YouTube has no reposts or quotes); return its id."""
        return self.fake.add_video(at=created_at, likeCount=likes, commentCount=replies, viewCount=views)

    def _author(self, handle: str) -> str:
        found = [c["id"] for c in self.fake.channels.values() if c["customUrl"] == f"@{handle}"]
        return found[0] if found else self.fake.add_channel(handle)


def make_harness(**kwargs: Any) -> YouTubeHarness:
    """A fresh, unstarted YouTube harness."""
    return YouTubeHarness(**kwargs)


def old(hours: float) -> datetime:
    """A moment some hours ago, for backdated comments."""
    return datetime.now(UTC) - timedelta(hours=hours)
