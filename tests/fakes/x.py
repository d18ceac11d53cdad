"""Fake the X API v2 on 127.0.0.1: tweets, mentions, recent search, posting, rate limits and failures."""

from __future__ import annotations

import bisect
import threading
import time
from collections import deque
from datetime import UTC, datetime, timedelta
from typing import Any

from listener.records import Account
from tests.fakes.http import FakeHarness, FakeServer, Request, Response

DEFAULT_FIELDS = ("id", "text", "edit_history_tweet_ids")
# Per-15-minute limits per user, from X's rate-limit table.
LIMITS = {"mentions": 300, "search": 300, "post": 100, "me": 75, "user": 900, "timeline": 900, "quotes": 75}
SECRETS = {
    "X_API_KEY": "fake-key",
    "X_API_SECRET": "fake-secret",
    "X_ACCESS_TOKEN": "1-fake-token",
    "X_ACCESS_TOKEN_SECRET": "fake-token-secret",
}


def _problem(status: int, title: str, detail: str, kind: str = "about:blank") -> Response:
    return Response(status, {"title": title, "detail": detail, "type": kind, "status": status})


class FakeX:
    """A stateful X API v2: tweets by id, users, rate-limit windows and injected failures."""

    def __init__(self, *, window: float = 900.0, limits: dict[str, int] | None = None, timeout: float = 0.5) -> None:
        self.me = {"id": "1000", "username": "heardbot", "name": "Heard"}
        self.users: dict[str, dict[str, Any]] = {
            "1000": dict(
                self.me,
                description="We listen.",
                public_metrics={
                    "followers_count": 0,
                    "following_count": 0,
                    "tweet_count": 0,
                    "listed_count": 0,
                    "like_count": 0,
                    "media_count": 0,
                },
            )
        }
        self.tweets: dict[int, dict[str, Any]] = {}
        self._ids: list[int] = []  # sorted, for newest-first paging
        self._next_id = 1_600_000_000_000_000_000
        self.posted: list[dict[str, Any]] = []
        self.window, self.limits, self.timeout = window, dict(LIMITS, **(limits or {})), timeout
        self._windows: dict[str, tuple[int, float]] = {}  # endpoint -> (used, reset epoch)
        self._failures: deque[str] = deque()
        self.hold = 0.0  # seconds a successful POST /2/tweets is answered late (see hold_replies)
        # Recent search is an index: a tweet shows there only ``search_lag`` seconds after it was written.
        self.search_lag = 0.0
        self.timeline_lag = 0.0  # the same for user timelines (X's are consistent: 0 unless a test says)
        self.max_length: int | None = None  # refuse longer texts with X's 403, as for a too-long tweet
        self.refuse_duplicates = False  # refuse a text we already tweeted, as X does
        self._written: dict[int, float] = {}  # tweet id -> when it was written (time.time())
        self._frozen: tuple[int, float] | None = None  # (timeline reads left, moment they show) from freeze_timeline
        self._lock = threading.Lock()
        self.server = FakeServer(self.handle)

    # -- world building -------------------------------------------------------------------

    def add_user(self, username: str, *, name: str = "", description: str = "") -> str:
        """Create a user; return its id."""
        with self._lock:
            uid = str(2000 + len(self.users))
            self.users[uid] = {
                "id": uid,
                "username": username,
                "name": name or username.title(),
                "description": description,
            }
            return uid

    def add_tweet(
        self,
        author_id: str,
        text: str,
        *,
        created_at: datetime | None = None,
        reply_to: str | None = None,
        quote_of: str | None = None,
        retweet_of: str | None = None,
    ) -> str:
        """Store a tweet (mentions are parsed from @handles in the text); return its id.

        A retweet gets X's ``RT @author: text`` and a ``retweeted`` reference; ``text`` is ignored.
        """
        with self._lock:
            if retweet_of:
                original = self.tweets[int(retweet_of)]
                text = f"RT @{self.users[original['author_id']]['username']}: {original['text']}"
            return self._add(author_id, text, created_at or datetime.now(UTC), reply_to, quote_of, retweet_of)

    def _add(
        self,
        author_id: str,
        text: str,
        created_at: datetime,
        reply_to: str | None,
        quote_of: str | None,
        retweet_of: str | None = None,
    ) -> str:
        self._next_id += 1 + len(self._ids) % 7  # ids grow but are not contiguous, like snowflakes
        tid = self._next_id
        handles = {u["username"].lower(): u for u in self.users.values()}
        mentions = [
            {
                "start": text.find(w),
                "end": text.find(w) + len(w),
                "username": handles[w[1:].lower()]["username"],
                "id": handles[w[1:].lower()]["id"],
            }
            for w in text.split()
            if w.startswith("@") and w[1:].lower() in handles
        ]
        tweet: dict[str, Any] = {
            "id": str(tid),
            "text": text,
            "edit_history_tweet_ids": [str(tid)],
            "author_id": author_id,
            "created_at": created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "conversation_id": str(tid),
            "lang": "en",
            "public_metrics": {
                "retweet_count": 0,
                "reply_count": 0,
                "like_count": 0,
                "quote_count": 0,
                "bookmark_count": 0,
                "impression_count": 0,
            },
        }
        refs = []
        if reply_to:
            parent = self.tweets[int(reply_to)]
            tweet["conversation_id"] = parent["conversation_id"]
            tweet["in_reply_to_user_id"] = parent["author_id"]
            refs.append({"type": "replied_to", "id": reply_to})
        if quote_of:
            refs.append({"type": "quoted", "id": quote_of})
        if retweet_of:
            refs.append({"type": "retweeted", "id": retweet_of})
        if refs:
            tweet["referenced_tweets"] = refs
        if mentions:
            tweet["entities"] = {"mentions": mentions}
        self.tweets[tid] = tweet
        self._written[tid] = time.time()
        self._ids.append(tid)  # ids only grow, so the list stays sorted
        return str(tid)

    def set_metrics(self, tweet_id: str, **counts: int) -> None:
        """Set a tweet's public_metrics, e.g. ``like_count=5``."""
        with self._lock:
            self.tweets[int(tweet_id)]["public_metrics"].update(counts)

    def fail_next(self, kind: str, count: int = 1) -> None:
        """Make the next ``count`` API requests fail: 429, 500, 401, 402, 404, timeout or garbage ("pass": not)."""
        with self._lock:
            self._failures.extend([kind] * count)

    # -- HTTP --------------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        """Route one request, with rate limits and injected failures."""
        endpoint, route = self._route(request)
        if route is None:
            return Response(404, {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]})
        if not request.headers.get("Authorization", "").startswith("OAuth "):
            return _problem(401, "Unauthorized", "Unauthorized")
        with self._lock:
            used, reset = self._windows.get(endpoint, (0, 0.0))
            now = time.time()
            if now >= reset:
                used, reset = 0, now + self.window
            failure = self._failures.popleft() if self._failures else None
            failure = None if failure == "pass" else failure  # "pass" lets one request through, to aim the next
            if failure == "429":
                used, reset = self.limits[endpoint], int(now) + 2  # 1-2 s ahead, even on a loaded machine
            self._windows[endpoint] = (used + 1, reset)
        headers = {
            "x-rate-limit-limit": str(self.limits[endpoint]),
            "x-rate-limit-remaining": str(max(0, self.limits[endpoint] - used - 1)),
            "x-rate-limit-reset": str(int(reset)),
            "api-version": "2.52",
        }
        if used >= self.limits[endpoint]:
            response = Response(
                429, {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}
            )
            headers["x-rate-limit-remaining"] = "0"
        else:
            response = self._failure(failure) if failure else None
            if response is None:
                with self._lock:
                    response = route(request)
                if endpoint == "post" and response.status == 201:
                    response.delay = max(response.delay, self.hold)
        response.headers.update(headers)
        return response

    def _failure(self, kind: str) -> Response:
        if kind == "500":
            return _problem(500, "Internal Server Error", "Something went wrong.")
        if kind == "401":
            return _problem(401, "Unauthorized", "Unauthorized")
        if kind == "402":
            return _problem(
                402,
                "CreditsDepleted",
                "Your enrolled account does not have any credits to fulfill this request.",
                "https://api.twitter.com/2/problems/credits",
            )
        if kind == "404":
            return _problem(
                404,
                "Not Found Error",
                "Could not find the requested resource.",
                "https://api.twitter.com/2/problems/resource-not-found",
            )
        if kind == "timeout":
            return Response(200, {"data": []}, delay=self.timeout * 2)
        if kind == "garbage":
            return Response(200, raw=b'{"data": [{"id": "1", "te', headers={"Content-Type": "application/json"})
        raise ValueError(f"unknown failure kind {kind!r}")

    def _route(self, request: Request) -> tuple[str, Any]:
        parts = request.path.strip("/").split("/")
        if request.method == "GET" and parts == ["2", "users", "me"]:
            return "me", self._users_me
        if request.method == "GET" and len(parts) == 4 and parts[:2] == ["2", "users"] and parts[3] == "mentions":
            return "mentions", self._mentions
        if request.method == "GET" and len(parts) == 4 and parts[:2] == ["2", "users"] and parts[3] == "tweets":
            return "timeline", self._user_tweets
        if request.method == "GET" and len(parts) == 3 and parts[:2] == ["2", "users"] and parts[2] != "me":
            return "user", self._user_by_id
        if request.method == "GET" and parts == ["2", "tweets", "search", "recent"]:
            return "search", self._search
        if request.method == "GET" and len(parts) == 4 and parts[:2] == ["2", "tweets"] and parts[3] == "quote_tweets":
            return "quotes", self._quotes
        if request.method == "POST" and parts == ["2", "tweets"]:
            return "post", self._create
        return "", None

    def _users_me(self, request: Request) -> Response:
        return Response(200, {"data": self._user(self.me["id"], request)})

    def _user_by_id(self, request: Request) -> Response:
        uid = request.path.strip("/").split("/")[2]
        if uid not in self.users:
            return Response(
                200,
                {
                    "errors": [
                        {
                            "value": uid,
                            "detail": f"Could not find user with id: [{uid}].",
                            "title": "Not Found Error",
                            "resource_type": "user",
                            "parameter": "id",
                            "resource_id": uid,
                            "type": "https://api.twitter.com/2/problems/resource-not-found",
                        }
                    ]
                },
            )
        return Response(200, {"data": self._user(uid, request)})

    def _user_tweets(self, request: Request) -> Response:
        """A user's timeline, newest first; ``exclude=replies,retweets`` drops replies and retweets."""
        uid = request.path.strip("/").split("/")[2]
        excluded = set(request.query.get("exclude", "").split(","))

        def keep(t: dict[str, Any]) -> bool:
            kinds = {r["type"] for r in t.get("referenced_tweets", [])}
            return (
                t["author_id"] == uid
                and not ("replies" in excluded and t.get("in_reply_to_user_id"))
                and not ("retweets" in excluded and "retweeted" in kinds)
            )

        if self._frozen:
            reads, moment = self._frozen
            self._frozen = (reads - 1, moment) if reads > 1 else None
            return self._timeline(request, self._visible(keep, time.time() - moment), "pagination_token", 5)
        return self._timeline(request, self._visible(keep, self.timeline_lag), "pagination_token", 5)

    def freeze_timeline(self, reads: int) -> None:
        """The next ``reads`` timeline answers show only tweets written before now (a stale replica)."""
        with self._lock:
            self._frozen = (reads, time.time())

    def _visible(self, keep: Any, lag: float) -> Any:
        """``keep``, restricted to tweets written at least ``lag`` seconds ago."""
        if not lag:
            return keep
        horizon = time.time() - lag
        return lambda t: self._written.get(int(t["id"]), 0.0) <= horizon and keep(t)

    def _mentions(self, request: Request) -> Response:
        uid = request.path.strip("/").split("/")[2]
        return self._timeline(request, lambda t: _mentions(t, uid), "pagination_token", 5)

    def _search(self, request: Request) -> Response:
        query = request.query.get("query", "")
        if not query:
            return _invalid("The `query` query parameter can not be empty")
        return self._timeline(request, self._visible(_matcher(query, self.users), self.search_lag), "next_token", 10)

    def _quotes(self, request: Request) -> Response:
        """Quotes of one tweet, newest first; X takes no since_id here."""
        if "since_id" in request.query:
            return _invalid("The query parameters [since_id] are not valid for this endpoint")
        quoted = request.path.strip("/").split("/")[2]
        return self._timeline(
            request,
            lambda t: any(r["type"] == "quoted" and r["id"] == quoted for r in t.get("referenced_tweets", [])),
            "pagination_token",
            10,
        )

    def _timeline(self, request: Request, keep: Any, token_name: str, low: int) -> Response:
        q = request.query
        wrong = {"pagination_token", "next_token"} - {token_name}
        if wrong & set(q):
            return _invalid(f"The query parameters [{', '.join(wrong & set(q))}] are not valid here")
        size = int(q.get("max_results", 10))
        if not low <= size <= 100:
            return _invalid(f"The `max_results` query parameter value [{size}] is not between {low} and 100")
        hi = len(self._ids)
        if q.get(token_name):
            try:
                hi = bisect.bisect_left(self._ids, int(q[token_name].removeprefix("p"), 16))
            except ValueError:
                return _invalid(f"The `{token_name}` query parameter value is not valid")
        lo = bisect.bisect_right(self._ids, int(q["since_id"])) if q.get("since_id") else 0
        start = q.get("start_time") if not q.get("since_id") else None
        found: list[dict[str, Any]] = []
        more = False
        for tid in reversed(self._ids[lo:hi]):
            tweet = self.tweets[tid]
            if start and tweet["created_at"] < start.replace("Z", ".000Z"):
                break
            if keep(tweet):
                if len(found) == size:
                    more = True
                    break
                found.append(tweet)
        return Response(200, self._page(found, more, request))

    def _page(self, found: list[dict[str, Any]], more: bool, request: Request) -> dict[str, Any]:
        fields = set(DEFAULT_FIELDS) | set(filter(None, request.query.get("tweet.fields", "").split(",")))
        expansions = set(request.query.get("expansions", "").split(","))
        body: dict[str, Any] = {"meta": {"result_count": len(found)}}
        if found:
            body["data"] = [{k: v for k, v in t.items() if k in fields} for t in found]
            body["meta"].update(newest_id=found[0]["id"], oldest_id=found[-1]["id"])
            users, tweets = {}, {}
            for t in found:
                if "author_id" in expansions:
                    users[t["author_id"]] = self._user(t["author_id"], request)
                for ref in t.get("referenced_tweets", []):
                    wanted = {"referenced_tweets.id", "referenced_tweets.id.author_id"} & expansions
                    if wanted and int(ref["id"]) in self.tweets:
                        tweets[ref["id"]] = {k: v for k, v in self.tweets[int(ref["id"])].items() if k in fields}
                    if "referenced_tweets.id.author_id" in expansions and int(ref["id"]) in self.tweets:
                        rid = self.tweets[int(ref["id"])]["author_id"]
                        users[rid] = self._user(rid, request)
            includes = {k: list(v.values()) for k, v in (("users", users), ("tweets", tweets)) if v}
            if includes:
                body["includes"] = includes
        if more:
            body["meta"]["next_token"] = f"p{int(found[-1]['id']):x}"
        return body

    def _user(self, uid: str, request: Request) -> dict[str, Any]:
        fields = {"id", "name", "username"} | set(request.query.get("user.fields", "").split(","))
        return {k: v for k, v in self.users[uid].items() if k in fields}

    def _create(self, request: Request) -> Response:
        body = request.json() or {}
        target = str((body.get("reply") or {}).get("in_reply_to_tweet_id") or "")
        if target and int(target) not in self.tweets:
            return Response(
                403,
                {
                    "detail": "You attempted to reply to a Tweet that is deleted or not visible to you.",
                    "type": "about:blank",
                    "title": "Forbidden",
                    "status": 403,
                },
            )
        text = str(body.get("text", ""))
        if self.max_length is not None and len(text) > self.max_length:
            return _problem(403, "Forbidden", "Your Tweet text is too long. Please make it shorter.")
        if self.refuse_duplicates and any(
            t["author_id"] == self.me["id"] and t["text"] == text for t in self.tweets.values()
        ):
            return _problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
        tid = self._add(self.me["id"], text, datetime.now(UTC), target or None, None)
        self.posted.append({"in_reply_to": target, "text": body.get("text", ""), "id": tid})
        return Response(201, {"data": {"id": tid, "text": body.get("text", ""), "edit_history_tweet_ids": [tid]}})


def _invalid(message: str) -> Response:
    return Response(
        400,
        {
            "errors": [{"parameters": {}, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        },
    )


def _mentions(tweet: dict[str, Any], uid: str) -> bool:
    mentioned = any(m["id"] == uid for m in (tweet.get("entities") or {}).get("mentions", []))
    return tweet["author_id"] != uid and (mentioned or tweet.get("in_reply_to_user_id") == uid)


def _matcher(query: str, users: dict[str, dict[str, Any]]) -> Any:
    """A predicate for the subset of X's query language we need: words, conversation_id:, from:."""
    words, conversation, author = [], None, None
    for term in query.split():
        if term.startswith("conversation_id:"):
            conversation = term.split(":", 1)[1]
        elif term.startswith("from:"):
            name = term.split(":", 1)[1].lower()
            author = next((u["id"] for u in users.values() if u["username"].lower() == name), "none")
        else:
            words.append(term.lower())

    def keep(tweet: dict[str, Any]) -> bool:
        return (
            (conversation is None or tweet["conversation_id"] == conversation)
            and (author is None or tweet["author_id"] == author)
            and all(w in tweet["text"].lower() for w in words)
        )

    return keep


class XHarness(FakeHarness):
    """The harness contract of tests/fakes/__init__.py for X."""

    platform = "x"

    def __init__(self, **kwargs: Any) -> None:
        self.fake = FakeX(**kwargs)
        self.account = Account("x", self.fake.me["id"], self.fake.me["username"])
        self.fan = self.fake.add_user("alice", name="Alice", description="Coffee and code")
        self.keywords = ["acme"]
        self.page_size = 100

    def connect_args(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Options and secrets that make ``connect`` talk to this fake."""
        timeout = max(self.fake.timeout, self.fake.hold + 5) if self.fake.hold else self.fake.timeout
        options = {
            "user_id": self.account.id,
            "username": self.account.handle,
            "keywords": self.keywords,
            "api_base": self.url,
            "page_size": self.page_size,
            "timeout": timeout,
        }
        return options, dict(SECRETS)

    def add_incoming(
        self,
        n: int,
        *,
        text: str | None = None,
        author: str | None = None,
        reply_to_us: bool = False,
        created_at: datetime | None = None,
    ) -> list[str]:
        """Add ``n`` tweets aimed at us (mentions, or replies to our latest tweet); return their ids."""
        author_id = self.fan if author is None else self._author(author)
        ids = []
        parent = None
        if reply_to_us:
            parent = self.fake.add_tweet(self.account.id, "We shipped a thing.", created_at=created_at)
        for i in range(n):
            body = text or f"@{self.account.handle} hello number {i}"
            ids.append(self.fake.add_tweet(author_id, body, created_at=created_at, reply_to=parent))
        return ids

    def set_followers(self, count: int) -> None:
        """Set our account's follower count."""
        self.fake.users[self.account.id]["public_metrics"]["followers_count"] = count

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
        """Add a tweet of ours with these public metrics; return its id."""
        tid = self.fake.add_tweet(self.account.id, "Our news, in a tweet.", created_at=created_at)
        self.fake.set_metrics(
            tid,
            like_count=likes,
            retweet_count=reposts,
            reply_count=replies,
            quote_count=quotes,
            impression_count=views,
        )
        return tid

    def reply_as_us(self, parent: str, text: str, *, created_at: datetime | None = None) -> str:
        """A reply our staff wrote by hand on x.com (not through heard); return its id."""
        return self.fake.add_tweet(self.account.id, text, created_at=created_at, reply_to=parent)

    def _author(self, handle: str) -> str:
        found = [u["id"] for u in self.fake.users.values() if u["username"] == handle]
        return found[0] if found else self.fake.add_user(handle)


def make_harness(**kwargs: Any) -> XHarness:
    """A fresh, unstarted X harness."""
    return XHarness(**kwargs)


def old(hours: float) -> datetime:
    """A moment some hours ago, for backdated tweets."""
    return datetime.now(UTC) - timedelta(hours=hours)
