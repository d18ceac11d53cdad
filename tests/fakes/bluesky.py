"""Fake a Bluesky PDS + AppView on 127.0.0.1: sessions, notifications, posts, threads, rate limits, failures."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections import deque
from datetime import UTC, datetime, timedelta
from typing import Any

from listener.records import Account
from tests.fakes.http import FakeHarness, FakeServer, Request, Response

HANDLE, PASSWORD = "heard.bsky.social", "abcd-efgh-ijkl-mnop"
SECRETS = {"BLUESKY_HANDLE": HANDLE, "BLUESKY_APP_PASSWORD": PASSWORD}
POST = "app.bsky.feed.post"
LIMIT, WINDOW = 3000, 300  # requests per 5 minutes per IP


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _jwt(did: str, scope: str, ttl: float) -> str:
    """A JWT-shaped token: atproto decodes the payload for ``exp`` (nobody checks the signature here)."""
    now = time.time()
    payload = {"scope": scope, "sub": did, "iat": int(now), "exp": int(now + ttl), "jti": f"{now:.6f}"}
    return f"{_b64({'typ': 'at+jwt', 'alg': 'ES256K'})}.{_b64(payload)}.c2ln"


def _xrpc_error(status: int, error: str, message: str) -> Response:
    return Response(status, {"error": error, "message": message})


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _auth(request: Request) -> str:
    """The Authorization header, whatever its case (httplib2 sends it lower-case)."""
    return next((v for k, v in request.headers.items() if k.lower() == "authorization"), "")


class FakeBluesky:
    """A stateful XRPC server: actors, posts, notifications for us, sessions and injected failures."""

    def __init__(self, *, access_ttl: float = 7200.0, timeout: float = 0.5, limit: int = LIMIT) -> None:
        self.me = {"did": "did:plc:heardheardheardheard01", "handle": HANDLE, "displayName": "Heard"}
        self.actors: dict[str, dict[str, Any]] = {self.me["did"]: dict(self.me, description="We listen.")}
        self.posts: dict[str, dict[str, Any]] = {}  # uri -> {uri, cid, author, record, indexedAt}
        self.notifications: list[dict[str, Any]] = []  # oldest first; served newest first
        self.posted: list[dict[str, Any]] = []
        self.followers = 0
        self.access_ttl, self.timeout, self.limit = access_ttl, timeout, limit
        self.tokens: dict[str, str] = {}  # live token -> "access" | "refresh"
        self.logins = self.refreshes = 0
        self.hold = 0.0
        self.seen_at: str | None = None
        self._failures: deque[str] = deque()
        self._window = (0, 0.0)
        self._seq = 0
        self._lock = threading.Lock()
        self.server = FakeServer(self.handle)

    # -- world building -------------------------------------------------------------------------

    def add_actor(self, handle: str, *, name: str = "", description: str = "", labels: list[str] = ()) -> str:
        """Create an account; return its DID."""
        with self._lock:
            did = "did:plc:" + hashlib.sha256(handle.encode()).hexdigest()[:24]
            self.actors[did] = {
                "did": did,
                "handle": handle,
                "displayName": name or handle.split(".")[0].title(),
                "description": description,
                "labels": [
                    {
                        "src": did,
                        "uri": f"at://{did}/app.bsky.actor.profile/self",
                        "val": v,
                        "cts": "2024-01-01T00:00:00.000Z",
                    }
                    for v in labels
                ],
            }
            return did

    def add_post(
        self,
        did: str,
        text: str,
        *,
        reply_to: str | None = None,
        quote_of: str | None = None,
        at: datetime | None = None,
        embed: dict[str, Any] | None = None,
    ) -> str:
        """Store a post; notify us if it mentions, replies to or quotes us; return its uri."""
        with self._lock:
            return self._add(did, text, reply_to, quote_of, at or datetime.now(UTC), embed)

    def _add(
        self,
        did: str,
        text: str,
        reply_to: str | None,
        quote_of: str | None,
        at: datetime,
        embed: dict[str, Any] | None,
    ) -> str:
        self._seq += 1
        rkey = f"3l{self._seq:011d}"
        uri, cid = f"at://{did}/{POST}/{rkey}", "bafyrei" + hashlib.sha256(rkey.encode()).hexdigest()[:52]
        record: dict[str, Any] = {"$type": POST, "text": text, "createdAt": _stamp(at), "langs": ["en"]}
        facets = self._mention_facets(text)
        if facets:
            record["facets"] = facets
        if reply_to:
            parent = self.posts[reply_to]
            root = (parent["record"].get("reply") or {}).get("root") or {"uri": parent["uri"], "cid": parent["cid"]}
            record["reply"] = {"root": root, "parent": {"uri": parent["uri"], "cid": parent["cid"]}}
        if quote_of:
            record["embed"] = {
                "$type": "app.bsky.embed.record",
                "record": {"uri": quote_of, "cid": self.posts[quote_of]["cid"]},
            }
        if embed:
            record["embed"] = embed
        self.posts[uri] = {"uri": uri, "cid": cid, "author": did, "record": record, "indexedAt": _stamp(at)}
        self._notify(self.posts[uri], reply_to, quote_of)
        return uri

    def _mention_facets(self, text: str) -> list[dict[str, Any]]:
        by_handle = {a["handle"]: a["did"] for a in self.actors.values()}
        facets, raw = [], text.encode()
        for word in text.split():
            handle = word.lstrip("@").rstrip(".,!?:;")
            if word.startswith("@") and handle in by_handle:
                start = raw.find(f"@{handle}".encode())
                facets.append(
                    {
                        "index": {"byteStart": start, "byteEnd": start + len(handle.encode()) + 1},
                        "features": [{"$type": "app.bsky.richtext.facet#mention", "did": by_handle[handle]}],
                    }
                )
        return facets

    def _notify(self, post: dict[str, Any], reply_to: str | None, quote_of: str | None) -> None:
        me = self.me["did"]
        if post["author"] == me:
            return
        reason = None
        if reply_to and self.posts[reply_to]["author"] == me:
            reason = "reply"
        elif quote_of and self.posts[quote_of]["author"] == me:
            reason = "quote"
        elif any(f["features"][0]["did"] == me for f in post["record"].get("facets", [])):
            reason = "mention"
        if reason:
            self.notifications.append(
                {
                    "uri": post["uri"],
                    "reason": reason,
                    "seq": self._seq,
                    "indexedAt": post["indexedAt"],
                    "author": post["author"],
                }
            )

    def delete_post(self, uri: str) -> None:
        """Delete a post (its notification stays, without a record, as a deleted post looks)."""
        with self._lock:
            self.posts.pop(uri, None)

    def fail_next(self, kind: str, count: int = 1) -> None:
        """Make the next ``count`` API requests fail: 429, 500, 401, 402, timeout, garbage or expired."""
        with self._lock:
            self._failures.extend([kind] * count)

    def expire_sessions(self) -> None:
        """End every access token early, as a server-side revocation does."""
        with self._lock:
            self.tokens = {t: kind for t, kind in self.tokens.items() if kind == "refresh"}

    def revoke_sessions(self) -> None:
        """End every session, refresh tokens too, as a password change does: only a new login works."""
        with self._lock:
            self.tokens.clear()

    # -- HTTP ------------------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        """Route one XRPC request, with the rate-limit window and injected failures."""
        nsid = request.path.removeprefix("/xrpc/")
        route = getattr(self, "_" + nsid.replace(".", "_"), None)
        with self._lock:
            now = time.time()
            used, reset = self._window if now < self._window[1] else (0, now + WINDOW)
            failure = self._failures.popleft() if self._failures and route else None
            if failure == "429":
                used, reset = self.limit, int(now) + 2  # 1-2 s ahead: long enough for a loaded CI machine
            self._window = (used + 1, reset)
        headers = {
            "ratelimit-limit": str(self.limit),
            "ratelimit-remaining": str(max(0, self.limit - used - 1)),
            "ratelimit-reset": str(int(reset)),
            "ratelimit-policy": f"{self.limit};w={WINDOW}",
        }
        if route is None:
            response = _xrpc_error(501, "MethodNotImplemented", "Method Not Implemented")
        elif used >= self.limit:
            response = _xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded")
            headers["ratelimit-remaining"] = "0"
        elif failure:
            response = self._failure(failure)
        else:
            response = self._authorised(nsid, request) or route(request)
        response.headers.update(headers)
        return response

    def _authorised(self, nsid: str, request: Request) -> Response | None:
        if nsid == "com.atproto.server.createSession":
            return None
        token = _auth(request).removeprefix("Bearer ")
        wanted = "refresh" if nsid == "com.atproto.server.refreshSession" else "access"
        with self._lock:
            kind = self.tokens.get(token)
        if kind == wanted and json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))["exp"] > time.time():
            return None
        if not token:
            return _xrpc_error(401, "AuthenticationRequired", "Authentication Required")
        return _xrpc_error(400, "ExpiredToken", "Token has expired")

    def _failure(self, kind: str) -> Response:
        if kind == "500":
            return _xrpc_error(500, "InternalServerError", "Internal Server Error")
        if kind == "401":
            return _xrpc_error(401, "AuthenticationRequired", "Authentication Required")
        if kind == "402":
            return _xrpc_error(402, "PaymentRequired", "Payment Required")
        if kind == "expired":
            return _xrpc_error(400, "ExpiredToken", "Token has expired")
        if kind == "timeout":
            return Response(200, {"notifications": []}, delay=self.timeout * 2)
        if kind == "garbage":
            return Response(200, raw=b'{"notifications": [{"uri": "at', headers={"Content-Type": "application/json"})
        raise ValueError(f"unknown failure kind {kind!r}")

    def _session(self) -> dict[str, Any]:
        access, refresh = (
            _jwt(self.me["did"], "com.atproto.appPass", self.access_ttl),
            _jwt(self.me["did"], "com.atproto.refresh", 90 * 86400),
        )
        with self._lock:
            self.tokens.update({access: "access", refresh: "refresh"})
        # No didDoc: a real one would send the client off to the PDS it names.
        return {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": self.me["handle"],
            "did": self.me["did"],
            "active": True,
        }

    def _com_atproto_server_createSession(self, request: Request) -> Response:
        body = request.json() or {}
        with self._lock:
            self.logins += 1
        if body.get("identifier") not in (HANDLE, self.me["did"]) or body.get("password") != PASSWORD:
            return _xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        return Response(200, self._session())

    def _com_atproto_server_refreshSession(self, request: Request) -> Response:
        with self._lock:
            self.refreshes += 1
            self.tokens.pop(_auth(request).removeprefix("Bearer "), None)
        return Response(200, self._session())

    def _app_bsky_actor_getProfile(self, request: Request) -> Response:
        actor = request.query.get("actor", "")
        found = [a for a in self.actors.values() if actor in (a["did"], a["handle"])]
        if not found:
            return _xrpc_error(400, "InvalidRequest", "Profile not found")
        followers = self.followers if found[0]["did"] == self.me["did"] else 0
        posts = sum(1 for p in self.posts.values() if p["author"] == found[0]["did"])
        return Response(
            200,
            {
                **found[0],
                "followersCount": followers,
                "followsCount": 0,
                "postsCount": posts,
                "indexedAt": "2024-01-01T00:00:00.000Z",
            },
        )

    def _view(self, post: dict[str, Any]) -> dict[str, Any]:
        author = {k: v for k, v in self.actors[post["author"]].items() if k != "description"}
        counts = {"replyCount": 0, "repostCount": 0, "likeCount": 0, "quoteCount": 0, **post.get("counts", {})}
        return {
            "uri": post["uri"],
            "cid": post["cid"],
            "author": author,
            "record": post["record"],
            **counts,
            "indexedAt": post["indexedAt"],
            "labels": [],
        }

    def _app_bsky_feed_getAuthorFeed(self, request: Request) -> Response:
        """An actor's posts, newest sort time first, with a cursor to older pages.

        ``posts_no_replies`` drops replies to others, as the AppView does; ``posts_with_replies``
        (the default) keeps them, each feed item carrying its ``reply`` root and parent views.
        """
        actor, limit = request.query.get("actor", ""), int(request.query.get("limit", 50))
        if not 1 <= limit <= 100:
            return _xrpc_error(400, "InvalidRequest", "limit must be between 1 and 100")
        no_replies = request.query.get("filter") == "posts_no_replies"
        below = _position(request.query["cursor"]) if request.query.get("cursor") else None
        with self._lock:
            found = [a["did"] for a in self.actors.values() if actor in (a["did"], a["handle"])]
            if not found:
                return _xrpc_error(400, "InvalidRequest", "Profile not found")
            ours = sorted(
                (
                    p
                    for p in self.posts.values()
                    if p["author"] == found[0] and not (no_replies and self._replies_elsewhere(p))
                ),
                key=_feed_key,
                reverse=True,
            )
            ours = [p for p in ours if below is None or _feed_key(p) < below]
            feed = [self._feed_item(p) for p in ours[:limit]]
        body: dict[str, Any] = {"feed": feed}
        if len(ours) > limit:  # like the AppView's: an opaque cursor from the last item's sort time
            body["cursor"] = "::".join(str(v) for v in _feed_key(ours[limit - 1]))
        return Response(200, body)

    def _feed_item(self, post: dict[str, Any]) -> dict[str, Any]:
        item: dict[str, Any] = {"post": self._view(post)}
        reply = post["record"].get("reply") or {}
        refs = {k: self.posts.get((reply.get(k) or {}).get("uri", "")) for k in ("root", "parent")}
        if refs["root"] and refs["parent"]:
            item["reply"] = {k: self._view(v) for k, v in refs.items() if v}
        return item

    def _app_bsky_feed_searchPosts(self, request: Request) -> Response:
        """Posts whose text holds every word of ``q``, newest sort time first (sort=latest), from ``since`` on."""
        q, limit = request.query.get("q", "").strip(), int(request.query.get("limit", 25))
        if not q:
            return _xrpc_error(400, "InvalidRequest", 'Error: Params must have the property "q"')
        if not 1 <= limit <= 100:
            return _xrpc_error(400, "InvalidRequest", "limit must be between 1 and 100")
        since = request.query.get("since")
        floor = datetime.fromisoformat(since.replace("Z", "+00:00")) if since else None
        start = int(request.query.get("cursor") or 0)
        words = q.lower().split()
        with self._lock:
            found = [
                p
                for p in self.posts.values()
                if all(w in p["record"]["text"].lower() for w in words) and (floor is None or _sort_at(p) >= floor)
            ]
            found.sort(key=_sort_at, reverse=True)
            page = [self._view(p) for p in found[start : start + limit]]
        body: dict[str, Any] = {"posts": page, "hitsTotal": len(found)}
        if start + limit < len(found):
            body["cursor"] = str(start + limit)
        return Response(200, body)

    def _replies_elsewhere(self, post: dict[str, Any]) -> bool:
        parent = (post["record"].get("reply") or {}).get("parent", {}).get("uri")
        return bool(parent) and (self.posts.get(parent) or {}).get("author") != post["author"]

    def _app_bsky_notification_listNotifications(self, request: Request) -> Response:
        if "seenAt" in request.query:
            return _xrpc_error(400, "InvalidRequest", "seenAt is unsupported")
        limit = int(request.query.get("limit", 50))
        if not 1 <= limit <= 100:
            return _xrpc_error(400, "InvalidRequest", "limit must be between 1 and 100")
        reasons = set(request.query_all.get("reasons", []))
        below = _position(request.query["cursor"]) if request.query.get("cursor") else None
        with self._lock:
            ordered = sorted(self.notifications, key=_key, reverse=True)  # newest indexedAt first
            found = [
                n for n in ordered if (below is None or _key(n) < below) and (not reasons or n["reason"] in reasons)
            ]
            page, more = found[:limit], len(found) > limit
            items = [self._notification(n) for n in page]
        body: dict[str, Any] = {"notifications": items, "priority": False}
        if more:  # like the AppView's: an opaque cursor from the last item's sort time
            body["cursor"] = f"{page[-1]['indexedAt']}::{page[-1]['seq']}"
        if self.seen_at:
            body["seenAt"] = self.seen_at
        return Response(200, body)

    def _notification(self, note: dict[str, Any]) -> dict[str, Any]:
        post = self.posts.get(note["uri"])
        if post is None:  # deleted: the AppView keeps the notification, but has no record to show
            author = {k: v for k, v in self.actors[note["author"]].items() if k != "description"}
            return {
                "uri": note["uri"],
                "cid": "bafyreideleted",
                "reason": note["reason"],
                "isRead": False,
                "author": author,
                "record": {},
                "indexedAt": note["indexedAt"],
                "labels": [],
            }
        view = self._view(post)
        item = {k: view[k] for k in ("uri", "cid", "author", "record", "indexedAt", "labels")}
        item.update(reason=note["reason"], isRead=bool(self.seen_at and self.seen_at >= post["indexedAt"]))
        if note["reason"] in ("reply", "quote"):
            item["reasonSubject"] = (post["record"].get("reply") or {}).get("parent", {}).get("uri") or (
                post["record"].get("embed") or {}
            ).get("record", {}).get("uri")
        return item

    def _app_bsky_notification_updateSeen(self, request: Request) -> Response:
        self.seen_at = (request.json() or {}).get("seenAt")
        return Response(200, raw=b"", headers={})

    def _com_atproto_repo_createRecord(self, request: Request) -> Response:
        body = request.json() or {}
        record = body.get("record") or {}
        if body.get("repo") != self.me["did"] or body.get("collection") != POST:
            return _xrpc_error(400, "InvalidRequest", "repo and collection must be ours and app.bsky.feed.post")
        if len(record.get("text", "")) > 300 or "createdAt" not in record or record.get("$type") != POST:
            return _xrpc_error(400, "InvalidRecord", "Invalid app.bsky.feed.post record")
        with self._lock:
            uri = self._add(self.me["did"], record["text"], None, None, datetime.now(UTC), None)
            self.posts[uri]["record"] = record  # exactly what the client sent: refs, facets, langs
            parent = (record.get("reply") or {}).get("parent", {}).get("uri")
            self.posted.append({"in_reply_to": parent, "text": record["text"], "uri": uri, "record": record})
            hold = self.hold
        if hold:  # recorded, but the answer is late: a crash now leaves the reply in "posting"
            threading.Event().wait(hold)
        return Response(
            200,
            {
                "uri": uri,
                "cid": self.posts[uri]["cid"],
                "validationStatus": "valid",
                "commit": {"cid": "bafyreicommit", "rev": f"3l{self._seq:011d}"},
            },
        )

    def _app_bsky_feed_getPostThread(self, request: Request) -> Response:
        uri = request.query.get("uri", "")
        with self._lock:
            post = self.posts.get(uri)
            if post is None:
                return _xrpc_error(400, "NotFound", f"Post not found: {uri}")
            replies = [
                p for p in self.posts.values() if (p["record"].get("reply") or {}).get("parent", {}).get("uri") == uri
            ]
            thread = {
                "$type": "app.bsky.feed.defs#threadViewPost",
                "post": self._view(post),
                "replies": [
                    {"$type": "app.bsky.feed.defs#threadViewPost", "post": self._view(p), "replies": []}
                    for p in replies
                ],
            }
        return Response(200, {"thread": thread})

    def _com_atproto_repo_listRecords(self, request: Request) -> Response:
        repo, limit = request.query.get("repo"), int(request.query.get("limit", 50))
        with self._lock:
            ours = [p for p in reversed(self.posts.values()) if p["author"] == repo]
        return Response(
            200, {"records": [{"uri": p["uri"], "cid": p["cid"], "value": p["record"]} for p in ours[:limit]]}
        )


def _sort_at(post: dict[str, Any]) -> datetime:
    """The AppView's sort time: the earlier of createdAt and indexedAt."""
    times = (post["record"]["createdAt"], post["indexedAt"])
    return min(datetime.fromisoformat(t.replace("Z", "+00:00")) for t in times)


def _feed_key(post: dict[str, Any]) -> tuple[str, int]:
    """Where a post sits in an author feed: its sort time, then the sequence in its record key."""
    return (_stamp(_sort_at(post)), int(post["uri"].rsplit("/", 1)[-1].removeprefix("3l")))


def _key(note: dict[str, Any]) -> tuple[str, int]:
    return (note["indexedAt"], note["seq"])


def _position(cursor: str) -> tuple[str, int]:
    at, _, seq = cursor.partition("::")
    return (at, int(seq or 0))


class BlueskyHarness(FakeHarness):
    """The harness contract of tests/fakes/__init__.py for Bluesky."""

    platform = "bluesky"

    def __init__(self, **kwargs: Any) -> None:
        self.fake = FakeBluesky(**kwargs)
        self.account = Account("bluesky", self.fake.me["did"], self.fake.me["handle"])
        self.fan = self.fake.add_actor("alice.bsky.social", name="Alice", description="Coffee and code")
        self.page_size = 100

    def connect_args(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Options and secrets that make ``connect`` talk to this fake."""
        return {"base_url": self.url, "page_size": self.page_size, "timeout": self.fake.timeout}, dict(SECRETS)

    def add_incoming(
        self,
        n: int,
        *,
        text: str | None = None,
        author: str | None = None,
        reply_to_us: bool = False,
        created_at: datetime | None = None,
    ) -> list[str]:
        """Add ``n`` posts aimed at us (mentions, or replies to a new post of ours); return their uris."""
        did = self.fan if author is None else self._author(author)
        parent = self.fake.add_post(self.account.id, "We shipped a thing.", at=created_at) if reply_to_us else None
        body = text or f"@{self.account.handle} hello number {{i}}"
        if reply_to_us and text is None:
            body = "sounds good, number {i}"
        return [self.fake.add_post(did, body.replace("{i}", str(i)), reply_to=parent, at=created_at) for i in range(n)]

    def set_followers(self, count: int) -> None:
        """Set our account's follower count."""
        self.fake.followers = count

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
        """Add a post of ours with these counts; return its uri."""
        uri = self.fake.add_post(self.account.id, "Our news, in a skeet.", at=created_at)
        self.fake.posts[uri]["counts"] = {
            "likeCount": likes,
            "repostCount": reposts,
            "replyCount": replies,
            "quoteCount": quotes,
        }
        return uri

    def reply_as_us(self, parent: str, text: str, *, created_at: datetime | None = None) -> str:
        """A reply our staff wrote by hand in a Bluesky app (not through heard); return its uri."""
        return self.fake.add_post(self.account.id, text, reply_to=parent, at=created_at)

    def _author(self, handle: str) -> str:
        handle = handle if "." in handle else f"{handle}.bsky.social"
        found = [a["did"] for a in self.fake.actors.values() if a["handle"] == handle]
        return found[0] if found else self.fake.add_actor(handle)


def make_harness(**kwargs: Any) -> BlueskyHarness:
    """A fresh, unstarted Bluesky harness."""
    return BlueskyHarness(**kwargs)


def old(hours: float) -> datetime:
    """A moment some hours ago, for backdated posts."""
    return datetime.now(UTC) - timedelta(hours=hours)
