"""A stateful fake of Reddit's OAuth API on 127.0.0.1, in the shapes of the recorded traffic."""

from __future__ import annotations

import base64
import itertools
import math
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from listener.records import Account
from tests.fakes.http import FakeServer, Request, Response

CLIENT_ID, CLIENT_SECRET, PASSWORD = "fake-client-id", "fake-client-secret", "fake-password"
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int) -> str:
    out = ""
    while number:
        number, digit = divmod(number, 36)
        out = _B36[digit] + out
    return out or "0"


class RedditFake:
    """Reddit as praw sees it: token, inbox, subreddit listings, comments, rate-limit window."""

    platform = "reddit"

    def __init__(
        self,
        *,
        username: str = "heard_bot",
        subreddits: tuple[str, ...] = ("acme",),
        keywords: tuple[str, ...] = ("acme",),
        window_seconds: float = 10.0,
        window_limit: int = 100_000,
        retry_after: float = 2.0,
        timeout_delay: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.username, self.subreddits, self.keywords = username, subreddits, keywords
        self.window_seconds, self.window_limit = window_seconds, window_limit
        self.retry_after, self.timeout_delay, self.clock = retry_after, timeout_delay, clock
        self.account = Account(platform="reddit", id=username, handle=username)
        self.server = FakeServer(self.handle)
        self.lock = threading.RLock()
        self.things: dict[str, dict[str, Any]] = {}  # fullname -> data
        self.children: dict[str, list[str]] = {}  # parent fullname -> reply fullnames
        self.inbox: list[str] = []  # oldest first
        self.unread: set[str] = set()
        self.listings: dict[str, list[str]] = {s.lower(): [] for s in subreddits}  # oldest first
        self.new_posts: dict[str, list[str]] = {s.lower(): [] for s in subreddits}  # r/<sub>/new, oldest first
        self.locked: set[str] = set()
        self.read_log: list[list[str]] = []
        self.read_hook: Callable[[list[str]], None] | None = None
        self.posted: list[dict[str, str]] = []
        self.failures: deque[str] = deque()
        self.hold = 0.0  # seconds a successful POST api/comment is answered late (see hold_replies)
        self.tree_limit = 500  # replies a comment tree lists before a "more" stub, as Reddit's limit caps it
        self.tokens: set[str] = set()
        self.revoked = False
        self.window_start, self.used = clock(), 0
        self.followers = 0  # subscribers of our profile (u_<name>)
        self.submitted: list[str] = []  # our submissions, oldest first
        self.mine: list[str] = []  # our comments, by heard or by hand, oldest first (user/<us>/comments)
        self.profiles: dict[str, str] = {}  # username -> profile text (public_description)
        self.suspended: set[str] = set()  # usernames whose about answers as suspended
        self.about_failures = 0  # user/<name>/about requests still to answer with a 500
        self._ids = itertools.count(36**6)
        self.post_id = self._new_submission("acme")

    # -- harness contract ------------------------------------------------------------------

    def start(self) -> RedditFake:
        """Serve on a free port of 127.0.0.1."""
        self.server.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.server.stop()

    def connect_args(self, **options: Any) -> tuple[dict[str, Any], dict[str, str]]:
        """Options and secrets that make ``reddit.connect`` talk to this fake."""
        base = {
            "oauth_url": self.server.url,
            "reddit_url": self.server.url,
            "subreddits": list(self.subreddits),
            "keywords": list(self.keywords),
            "user_agent": "python:heard-tests:0.1 (by /u/heard_bot)",
            "page_size": 100,
            "timeout": self.hold + 5 if self.hold else min(5.0, self.timeout_delay / 2),
        }
        return {**base, **options}, {
            "REDDIT_CLIENT_ID": CLIENT_ID,
            "REDDIT_CLIENT_SECRET": CLIENT_SECRET,
            "REDDIT_USERNAME": self.username,
            "REDDIT_PASSWORD": PASSWORD,
        }

    def add_incoming(
        self,
        n: int,
        *,
        text: str | None = None,
        author: str | None = None,
        reply_to_us: bool = False,
        created: float | None = None,
        parent: str | None = None,
    ) -> list[str]:
        """Add n unread inbox items aimed at us: mentions, or replies to a comment of ours (``parent`` or a new one)."""
        with self.lock:
            if reply_to_us and parent is None:
                parent = self.comment(self.post_id, "our earlier answer", author=self.username)
            names = []
            for i in range(n):
                body = text or f"hey u/{self.username}, question {len(self.inbox) + i}?"
                name = self.comment(
                    parent or self.post_id, body, author=author or f"user{i % 50}", created=created, listed=False
                )
                data = self.things[name]
                data.update(
                    type="comment_reply" if parent else "username_mention",
                    dest=self.username,
                    subject="comment reply" if parent else "username mention",
                    was_comment=True,
                    context=data.pop("permalink") + "?context=3",
                )
                self.inbox.append(name)
                self.unread.add(name)
                names.append(name)
            return names

    def reply_as_us(self, parent: str, text: str, *, created: float | None = None) -> str:
        """A reply our staff wrote by hand on reddit.com (not through heard); return its fullname."""
        with self.lock:
            sub = self.things[parent].get("subreddit")
            return self.comment(parent, text, author=self.username, sub=sub, created=created)

    def replies(self) -> list[dict[str, str]]:
        """Replies the fake received: ``{"in_reply_to", "text", "name"}``."""
        with self.lock:
            return list(self.posted)

    def fail_next(self, kind: str, count: int = 1) -> None:
        """Make the next ``count`` API requests fail: 429, 500, 401, 402/403, timeout, garbage, RATELIMIT."""
        with self.lock:
            self.failures.extend([kind] * count)

    def requests(self, path_contains: str = "") -> int:
        """How many requests reached the fake."""
        return self.server.count(path_contains)

    def hold_replies(self, seconds: float) -> None:
        """Record each reply at once but answer it only after ``seconds`` (0 to stop holding)."""
        self.hold = seconds

    # -- seeding ------------------------------------------------------------------------------

    def _new_id(self) -> str:
        return _base36(next(self._ids))

    def _new_submission(self, sub: str, *, author: str = "someone", created: float | None = None) -> str:
        name = f"t3_{self._new_id()}"
        self.things[name] = {
            "id": name[3:],
            "name": name,
            "title": "Launch day",
            "selftext": "",
            "author": author,
            "author_fullname": f"t2_{author.lower()}",
            "subreddit": sub,
            "subreddit_name_prefixed": f"r/{sub}",
            "created": created or self.clock(),
            "created_utc": created or self.clock(),
            "score": 1,
            "ups": 1,
            "upvote_ratio": 1.0,
            "num_comments": 0,
            "num_crossposts": 0,
            "view_count": None,
            "is_self": True,
            "permalink": f"/r/{sub}/comments/{name[3:]}/launch_day/",
            "url": f"https://www.reddit.com/r/{sub}/comments/{name[3:]}/launch_day/",
        }
        return name

    def set_followers(self, count: int) -> None:
        """Set how many people follow our profile."""
        self.followers = count

    def fail_profiles(self, count: int) -> None:
        """Answer the next ``count`` ``user/<name>/about`` requests with a 500 (other requests succeed)."""
        with self.lock:
            self.about_failures += count

    def set_profile(self, username: str, text: str = "", *, suspended: bool = False) -> None:
        """Give a user a profile text (``user/<name>/about``), or suspend the account."""
        with self.lock:
            self.profiles[username] = text
            if suspended:
                self.suspended.add(username)

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
        """Add a submission of ours: ``likes`` upvotes on top of our own, ``replies`` comments; return it."""
        with self.lock:
            name = self._new_submission(
                self.subreddits[0], author=self.username, created=created_at.timestamp() if created_at else None
            )
            self.things[name].update(score=likes + 1, ups=likes + 1, num_comments=replies, num_crossposts=reposts)
            self.submitted.append(name)
            return name

    def comment(
        self,
        parent: str,
        body: str,
        *,
        author: str,
        sub: str | None = None,
        created: float | None = None,
        listed: bool = True,
    ) -> str:
        """Add a comment under ``parent``; listed comments appear in their subreddit's listing."""
        with self.lock:
            sub = sub or self.subreddits[0]
            link = parent if parent.startswith("t3_") else self.things[parent]["link_id"]
            cid = self._new_id()
            name = f"t1_{cid}"
            self.things[name] = {
                "id": cid,
                "name": name,
                "author": author,
                "author_fullname": f"t2_{author.lower()}",
                "body": body,
                "body_html": f'<div class="md"><p>{body}</p></div>',
                "parent_id": parent,
                "link_id": link,
                "subreddit": sub,
                "subreddit_name_prefixed": f"r/{sub}",
                "created": created or self.clock(),
                "created_utc": created or self.clock(),
                "link_title": "Launch day",
                "score": 1,
                "distinguished": None,
                "replies": "",
                "permalink": f"/r/{sub}/comments/{link[3:]}/launch_day/{cid}/",
            }
            self.children.setdefault(parent, []).append(name)
            if author == self.username:
                self.mine.append(name)
            if listed:
                self.listings.setdefault(sub.lower(), []).append(name)
            return name

    def add_subreddit_post(
        self, title: str, selftext: str = "", *, sub: str | None = None, author: str = "someone"
    ) -> str:
        """Add a new post to a subreddit's ``new`` listing; return its fullname."""
        with self.lock:
            sub = sub or self.subreddits[0]
            name = self._new_submission(sub, author=author)
            self.things[name].update(title=title, selftext=selftext, is_self=bool(selftext))
            self.new_posts.setdefault(sub.lower(), []).append(name)
            return name

    def add_subreddit_comments(
        self, n: int, *, sub: str | None = None, text: Callable[[int], str] | None = None, created: float | None = None
    ) -> list[str]:
        """Add n comments to a subreddit's listing; ``text(i)`` chooses each body."""
        return [
            self.comment(
                self.post_id, text(i) if text else f"comment {i}", author=f"user{i % 50}", sub=sub, created=created
            )
            for i in range(n)
        ]

    def lock_thread(self, name: str) -> None:
        """Lock a comment: replies to it are refused with THREAD_LOCKED."""
        with self.lock:
            self.locked.add(name)

    def delete(self, name: str) -> None:
        """Remove a comment: it leaves every listing, and ``before=`` it answers empty."""
        with self.lock:
            for listing in self.listings.values():
                if name in listing:
                    listing.remove(name)
            self.things[name].update(author="[deleted]", body="[deleted]", deleted=True)

    # -- routing ----------------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        """Answer one request."""
        with self.lock:
            if request.path == "/api/v1/access_token":
                return self._token(request)
            if not self._authorised(request):
                return Response(
                    401,
                    {"message": "Unauthorized", "error": 401},
                    {"www-authenticate": 'Bearer realm="reddit", error="invalid_token"'},
                )
            self._roll_window()
            failure = self._failure()
            if failure is not None:
                return failure
            if self.used >= self.window_limit:
                return Response(429, {"message": "Too Many Requests", "error": 429}, self._limit_headers())
            self.used += 1
            response = self._route(request)
            response.headers.update(self._limit_headers())
            return response

    def _route(self, request: Request) -> Response:
        path, query = request.path.rstrip("/"), request.query
        if path == "/api/v1/me":
            return Response(200, self._me())
        if path == f"/user/{self.username}/comments":
            return Response(200, self._listing(list(reversed(self.mine)), query))
        if path == f"/user/{self.username}/submitted":
            return Response(200, self._listing(list(reversed(self.submitted)), query))
        if path.startswith("/user/") and path.endswith("/about"):
            return self._about(path.split("/")[2])
        if path in ("/message/unread", "/message/mentions", "/message/inbox"):
            listing = self._listing(self._inbox_view(path), query)
            for child in listing["data"]["children"]:
                child["data"].pop("link_id", None)  # inbox items only carry it inside "context"
            return Response(200, listing)
        if path.startswith("/r/") and path.endswith("/comments"):
            names = self.listings.get(path.split("/")[2].lower(), [])
            return Response(200, self._listing(list(reversed(names)), query))
        if path.startswith("/r/") and path.endswith("/new"):
            names = self.new_posts.get(path.split("/")[2].lower(), [])
            return Response(200, self._listing(list(reversed(names)), query))
        if path == "/api/comment" and request.method == "POST":
            return self._post_comment(request.form())
        if path == "/api/read_message" and request.method == "POST":
            return self._read(request.form())
        if path == "/api/info":
            names = [n for n in query.get("id", "").split(",") if n in self.things]
            return Response(200, self._listing(names, {"limit": "100"}))
        if path.startswith("/comments/"):
            return self._tree(path.split("/"))
        return Response(404, {"message": "Not Found", "error": 404})

    def _about(self, name: str) -> Response:
        """``user/<name>/about`` as Reddit answers it: the account with its profile; suspended, or 404 if unknown."""
        if self.about_failures:
            self.about_failures -= 1
            return Response(500, raw=b"<html><body>all our servers are busy</body></html>")
        known = name in self.profiles or any(t.get("author") == name for t in self.things.values())
        if not known:
            return Response(404, {"message": "Not Found", "error": 404})
        if name in self.suspended:
            return Response(200, {"kind": "t2", "data": {"name": name, "is_suspended": True, "total_karma": 0}})
        data = {
            "id": name.lower(),  # comments' author_fullname is t2_<this>
            "name": name,
            "created_utc": 1.0e9,
            "link_karma": 1,
            "comment_karma": 1,
            "subreddit": {
                "display_name": f"u_{name}",
                "display_name_prefixed": f"u/{name}",
                "name": f"t5_{name.lower()}",
                "subreddit_type": "user",
                "url": f"/user/{name}/",
                "subscribers": 0,
                "public_description": self.profiles.get(name, ""),
                "title": "",
            },
        }
        return Response(200, {"kind": "t2", "data": data})

    def _me(self) -> dict[str, Any]:
        """``api/v1/me`` as Reddit answers it: the account, with its profile subreddit."""
        return {
            "name": self.username,
            "id": "bot1",
            "created_utc": 1.0e9,
            "link_karma": 1,
            "comment_karma": 1,
            "subreddit": {
                "display_name": f"u_{self.username}",
                "display_name_prefixed": f"u/{self.username}",
                "name": "t5_bot1",
                "subreddit_type": "user",
                "url": f"/user/{self.username}/",
                "subscribers": self.followers,
                "public_description": "",
                "title": "",
            },
        }

    def _token(self, request: Request) -> Response:
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("Authorization") != expected or self.revoked or self._consume("401"):
            self.revoked = False
            return Response(401, {"message": "Unauthorized", "error": 401})
        form = request.form()
        if (
            form.get("grant_type") != "password"
            or form.get("username") != self.username
            or form.get("password") != PASSWORD
        ):
            return Response(200, {"error": "invalid_grant"})  # what Reddit answers, with a 200
        token = secrets.token_hex(8)
        self.tokens.add(token)
        return Response(200, {"access_token": token, "token_type": "bearer", "expires_in": 86400, "scope": "*"})

    def _authorised(self, request: Request) -> bool:
        auth = request.headers.get("Authorization", "")
        return auth.startswith("bearer ") and auth.removeprefix("bearer ") in self.tokens

    def _consume(self, kind: str) -> bool:
        if self.failures and self.failures[0] == kind:
            self.failures.popleft()
            return True
        return False

    def _failure(self) -> Response | None:
        if not self.failures:
            return None
        kind = self.failures.popleft()
        headers = self._limit_headers()
        if kind == "429":
            return Response(
                429, {"message": "Too Many Requests", "error": 429}, {**headers, "retry-after": str(self.retry_after)}
            )
        if kind == "500":
            return Response(500, raw=b"<html><body>all our servers are busy</body></html>", headers=headers)
        if kind == "401":
            self.tokens.clear()  # the grant was revoked: the token refresh is refused as well
            self.revoked = True
            return Response(
                401,
                {"message": "Unauthorized", "error": 401},
                {"www-authenticate": 'Bearer realm="reddit", error="invalid_token"'},
            )
        if kind in ("402", "403"):
            return Response(403, {"message": "Forbidden", "error": 403}, headers)
        if kind == "timeout":
            return Response(200, self._listing([], {}), headers, delay=self.timeout_delay)
        if kind == "RATELIMIT":  # Reddit's API error for posting too fast, sent with a 200
            return Response(
                200,
                {
                    "json": {
                        "errors": [
                            [
                                "RATELIMIT",
                                (
                                    "Looks like you've been doing that a lot. Take a break for 3 minutes before "
                                    "trying again."
                                ),
                                "ratelimit",
                            ]
                        ]
                    }
                },
                headers,
            )
        if kind == "garbage":
            return Response(200, raw=b'{"kind": "Listing", "data": {"children": [tru', headers=headers)
        raise ValueError(f"unknown failure kind {kind!r}")

    def _roll_window(self) -> None:
        if self.clock() - self.window_start >= self.window_seconds:
            self.window_start, self.used = self.clock(), 0

    def _limit_headers(self) -> dict[str, str]:
        elapsed = self.clock() - self.window_start
        return {
            "x-ratelimit-used": str(self.used),
            "x-ratelimit-remaining": f"{max(0, self.window_limit - self.used):.1f}",
            "x-ratelimit-reset": str(max(0, math.ceil(self.window_seconds - elapsed))),
        }

    # -- listings -------------------------------------------------------------------------------

    def _inbox_view(self, path: str) -> list[str]:
        newest_first = list(reversed(self.inbox))
        if path == "/message/unread":
            return [n for n in newest_first if n in self.unread]
        if path == "/message/mentions":
            return [n for n in newest_first if self.things[n].get("type") == "username_mention"]
        return newest_first

    def _thing(self, name: str) -> dict[str, Any]:
        data = dict(self.things[name])
        if name in self.inbox:
            data["new"] = name in self.unread
        return {"kind": name[:2], "data": data}

    def _listing(self, names: list[str], query: dict[str, str]) -> dict[str, Any]:
        """A Listing over newest-first ``names`` honouring after / before / limit like Reddit."""
        limit = max(1, min(100, int(query.get("limit") or 25)))
        start, end = 0, limit
        if query.get("after"):
            if query["after"] not in names:
                return {"kind": "Listing", "data": {"after": None, "before": None, "dist": 0, "children": []}}
            start = names.index(query["after"]) + 1
            end = start + limit
        elif query.get("before"):
            if query["before"] not in names:
                return {"kind": "Listing", "data": {"after": None, "before": None, "dist": 0, "children": []}}
            end = names.index(query["before"])
            start = max(0, end - limit)
        page = names[start:end]
        return {
            "kind": "Listing",
            "data": {
                "after": page[-1] if page and end < len(names) else None,
                "before": page[0] if page and start > 0 else None,
                "dist": len(page),
                "modhash": None,
                "geo_filter": "",
                "children": [self._thing(n) for n in page],
            },
        }

    # -- writes -----------------------------------------------------------------------------------

    def _post_comment(self, form: dict[str, str]) -> Response:
        parent, text = form.get("thing_id", ""), form.get("text", "")
        data = self.things.get(parent)
        errors = []
        if data is None or data.get("deleted"):
            errors = [["DELETED_COMMENT", "that comment has been deleted", "parent"]]
        elif parent in self.locked:
            errors = [["THREAD_LOCKED", "Comments are locked.", "parent"]]
        elif len(text) > 10_000:
            errors = [["TOO_LONG", "this is too long (max: 10000)", "text"]]
        if errors:
            return Response(200, {"json": {"errors": errors}})
        name = self.comment(parent, text, author=self.username, sub=data.get("subreddit"))
        self.posted.append({"in_reply_to": parent, "text": text, "name": name})
        return Response(200, {"json": {"errors": [], "data": {"things": [self._thing(name)]}}}, delay=self.hold)

    def _read(self, form: dict[str, str]) -> Response:
        names = [n for n in form.get("id", "").split(",") if n]
        if self.read_hook:
            self.read_hook(names)
        self.read_log.append(names)
        self.unread.difference_update(names)
        return Response(200, {})

    def _tree(self, parts: list[str]) -> Response:
        """``/comments/<link>[/<slug>/<comment>]``: [submission, focused comment with its replies]."""
        link = f"t3_{parts[2]}"
        focus = f"t1_{parts[4]}" if len(parts) > 4 and parts[4] else None
        if link not in self.things or (focus and focus not in self.things):
            return Response(404, {"message": "Not Found", "error": 404})
        top = [focus] if focus else self.children.get(link, [])
        return Response(200, [self._listing([link], {}), self._listing_of(top, depth=2)])

    def _listing_of(self, names: list[str], depth: int) -> dict[str, Any]:
        children: list[dict[str, Any]] = []
        newest_first = list(reversed(names))  # sort=new
        for name in newest_first[: self.tree_limit]:
            thing = self._thing(name)
            kids = self.children.get(name, [])
            thing["data"]["replies"] = self._listing_of(kids, depth - 1) if kids and depth > 1 else ""
            children.append(thing)
        rest = newest_first[self.tree_limit :]
        if rest:  # what Reddit leaves out of a tree it lists as one "more" stub
            ids = [n.removeprefix("t1_") for n in rest]
            more = {"count": len(rest), "name": f"t1_{ids[0]}", "id": ids[0], "depth": 0, "children": ids}
            children.append({"kind": "more", "data": {**more, "parent_id": self.things[rest[0]].get("parent_id")}})
        return {"kind": "Listing", "data": {"after": None, "before": None, "children": children}}


def make_harness(**kwargs: Any) -> RedditFake:
    """The Reddit fake, in the shape the end-to-end suite expects (see ``tests/fakes``)."""
    return RedditFake(**kwargs)
