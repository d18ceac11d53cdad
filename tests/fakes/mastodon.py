"""Fake a Mastodon instance on 127.0.0.1 for Mastodon.py: notifications, statuses, context, rate limits."""

from __future__ import annotations

import html
import itertools
import threading
import time
from collections import deque
from datetime import UTC, datetime, timedelta
from typing import Any

from listener.records import Account
from tests.fakes.http import FakeServer, Request, Response

TOKEN = "fake-mastodon-token"
HOST = "fake.social"
MAX_CHARACTERS = 500  # the instance's status length limit (configuration.statuses.max_characters)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class FakeMastodon:
    """A stateful Mastodon instance in the shapes of the recorded traffic (Mastodon 4.x)."""

    platform = "mastodon"

    def __init__(
        self, *, window_limit: int = 300, window_seconds: float = 300.0, timeout: float = 0.5, page_max: int = 80
    ) -> None:
        self.window_limit, self.window_seconds, self.timeout, self.page_max = (
            window_limit,
            window_seconds,
            timeout,
            page_max,
        )
        self.lock = threading.RLock()
        self.accounts: dict[str, dict[str, Any]] = {}
        self.statuses: dict[str, dict[str, Any]] = {}
        self.notifications: list[dict[str, Any]] = []  # oldest first; ids grow
        self.posted: list[dict[str, Any]] = []
        self.idempotency: dict[str, str] = {}
        self.failures: deque[str] = deque()
        self.hold = 0.0
        self.filters_types = True  # False: an older server that ignores types[] and sends every kind
        self._status_ids = itertools.count(117_020_577_157_693_549, 7)
        self._notification_ids = itertools.count(21)
        self.window_start, self.used = time.time(), 0
        self.me = self.add_account("heardbot", display_name="Heard", note="<p>We listen.</p>")
        self.fan = self.add_account("alice", display_name="Alice", note="<p>Coffee and code</p>")
        self.server = FakeServer(self.handle)

    # -- world building -------------------------------------------------------------------

    def add_account(
        self, username: str, *, display_name: str = "", note: str = "", bot: bool = False, domain: str | None = None
    ) -> str:
        """Create an account (remote when ``domain`` is given); return its id."""
        with self.lock:
            aid = str(117_020_565_693_913_441 + len(self.accounts))
            acct = f"{username}@{domain}" if domain else username
            self.accounts[aid] = {
                "id": aid,
                "username": username,
                "acct": acct,
                "display_name": display_name,
                "locked": False,
                "bot": bot,
                "discoverable": None,
                "indexable": False,
                "group": False,
                "created_at": "2026-08-01T00:00:00.000Z",
                "note": note,
                "url": f"https://{domain or HOST}/@{username}",
                "uri": f"https://{domain or HOST}/users/{username}",
                "avatar": f"https://{HOST}/avatars/original/missing.png",
                "avatar_static": f"https://{HOST}/avatars/original/missing.png",
                "header": f"https://{HOST}/headers/original/missing.png",
                "header_static": f"https://{HOST}/headers/original/missing.png",
                "followers_count": 1,
                "following_count": 0,
                "statuses_count": 0,
                "last_status_at": None,
                "hide_collections": None,
                "noindex": False,
                "emojis": [],
                "roles": [],
                "fields": [],
            }
            return aid

    def add_status(
        self,
        author_id: str,
        text: str,
        *,
        visibility: str = "public",
        reply_to: str | None = None,
        created_at: datetime | None = None,
        quote_of: str | None = None,
    ) -> str:
        """Store a status; ``@name`` words become mentions, and a quote notifies the quoted author."""
        with self.lock:
            return self._add_status(author_id, text, visibility, reply_to, created_at or datetime.now(UTC), quote_of)

    def _add_status(
        self,
        author_id: str,
        text: str,
        visibility: str,
        reply_to: str | None,
        created_at: datetime,
        quote_of: str | None = None,
    ) -> str:
        sid = str(next(self._status_ids))
        by_acct = {a["acct"].lower(): a for a in self.accounts.values()}
        mentioned = [by_acct[w[1:].lower()] for w in text.split() if w.startswith("@") and w[1:].lower() in by_acct]
        parent = self.statuses.get(reply_to or "")
        author = self.accounts[author_id]
        self.statuses[sid] = {
            "id": sid,
            "created_at": _iso(created_at),
            "in_reply_to_id": reply_to,
            "in_reply_to_account_id": parent["account"]["id"] if parent else None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": visibility,
            "language": "en",
            "uri": f"https://{HOST}/users/{author['username']}/statuses/{sid}",
            "url": f"https://{HOST}/@{author['username']}/{sid}",
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
            "edited_at": None,
            "content": _html(text, by_acct),
            "reblog": None,
            "application": {"name": "heard tests", "website": None},
            "account": author,
            "media_attachments": [],
            "mentions": [
                {"id": a["id"], "username": a["username"], "url": a["url"], "acct": a["acct"]} for a in mentioned
            ],
            "tags": [
                {"name": t, "url": f"https://{HOST}/tags/{t}"}
                for t in dict.fromkeys(w[1:].strip(".,!?").lower() for w in text.split() if w.startswith("#"))
            ],
            "emojis": [],
            "card": None,
            "poll": None,
            "quotes_count": 0,
            "quote": None,
        }
        quoted = self.statuses.get(quote_of or "")
        if quoted:  # Mastodon 4.5: an accepted quote embeds the quoted status and notifies its author
            self.statuses[sid]["quote"] = {"state": "accepted", "quoted_status": dict(quoted)}
            quoted["quotes_count"] += 1
            if quoted["account"]["id"] != author_id:
                self._notify(quoted["account"]["id"], "quote", sid, created_at)
        for account in {a["id"]: a for a in mentioned}.values():
            if account["id"] != author_id:
                self._notify(account["id"], "mention", sid, created_at)
        if parent:
            parent["replies_count"] += 1
        return sid

    def _notify(self, account_id: str, kind: str, status_id: str | None, created_at: datetime) -> None:
        nid = str(next(self._notification_ids))
        status = self.statuses.get(status_id or "")
        self.notifications.append(
            {
                "id": nid,
                "type": kind,
                "created_at": _iso(created_at),
                "group_key": f"ungrouped-{nid}",
                "for": account_id,
                "account": status["account"] if status else self.accounts[self.fan],
                "status_id": status_id,
            }
        )

    def add_favourite(self, status_id: str) -> None:
        """Someone favourited our status: a notification that a mention poll must not return."""
        with self.lock:
            self._notify(self.me, "favourite", status_id, datetime.now(UTC))

    def fail_next(self, kind: str, count: int = 1) -> None:
        """Make the next ``count`` API requests fail: 429, 500, 401, 404, timeout or garbage."""
        with self.lock:
            self.failures.extend([kind] * count)

    # -- HTTP --------------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        """Route one request, with the rate-limit window and injected failures."""
        with self.lock:
            if request.headers.get("Authorization") != f"Bearer {TOKEN}":
                return Response(401, {"error": "The access token is invalid"})
            now = time.time()
            if now - self.window_start >= self.window_seconds:
                self.window_start, self.used = now, 0
            failure = self.failures.popleft() if self.failures else None
            if failure == "429" or self.used >= self.window_limit:
                if failure == "429":
                    self.window_start, self.used = now + 1 - self.window_seconds, self.window_limit
                return Response(429, {"error": "Too many requests"}, self._limits(now))
            self.used += 1
            headers = self._limits(now)
            response = self._failure(failure) if failure else self._route(request)
        if response.status == 200 and request.method == "POST" and request.path == "/api/v1/statuses":
            response.delay = max(response.delay, self.hold)  # recorded above, answered late
        response.headers = {**headers, **response.headers}
        return response

    def _limits(self, now: float) -> dict[str, str]:
        reset = datetime.fromtimestamp(self.window_start + self.window_seconds, UTC)
        return {
            "X-RateLimit-Limit": str(self.window_limit),
            "X-RateLimit-Remaining": str(max(0, self.window_limit - self.used)),
            "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }

    def _failure(self, kind: str) -> Response:
        if kind == "500":
            return Response(500, {"error": "We're sorry, but something went wrong on our end."})
        if kind == "401":
            return Response(401, {"error": "The access token is invalid"})
        if kind == "404":
            return Response(404, {"error": "Record not found"})
        if kind == "timeout":
            return Response(200, [], delay=self.timeout * 2)
        if kind == "garbage":
            return Response(200, raw=b'[{"id": "21", "type": "menti', headers={"Content-Type": "application/json"})
        raise ValueError(f"unknown failure kind {kind!r}")

    def _route(self, request: Request) -> Response:
        path, method = request.path.rstrip("/"), request.method
        if method == "GET" and path == "/api/v1/notifications":
            return self._notifications(request)
        if method == "GET" and path.startswith("/api/v1/timelines/tag/"):
            return self._tag_timeline(path.removeprefix("/api/v1/timelines/tag/").lower(), request)
        if method == "POST" and path == "/api/v1/statuses":
            return self._post_status(request)
        if method == "GET" and path.startswith("/api/v1/statuses/") and path.endswith("/context"):
            return self._context(path.split("/")[4])
        if method == "GET" and path.startswith("/api/v1/statuses/"):
            found = self.statuses.get(path.split("/")[4])
            return Response(200, found) if found else Response(404, {"error": "Record not found"})
        if method == "GET" and path.startswith("/api/v1/accounts/") and path.endswith("/statuses"):
            return self._account_statuses(path.split("/")[4], request)
        if method == "GET" and path == "/api/v1/accounts/verify_credentials":
            return Response(200, self._credential_account())
        if method == "PATCH" and path == "/api/v1/accounts/update_credentials":
            form = request.form()
            if "bot" in form:
                self.accounts[self.me]["bot"] = form["bot"].lower() in ("1", "true")
            return Response(200, self._credential_account())
        return Response(404, {"error": "Record not found"})

    def _tag_timeline(self, tag: str, request: Request) -> Response:
        """Public statuses with the hashtag, newest first, paged like notifications (at most 40)."""
        q = request.query
        limit = max(1, min(40, int(q.get("limit") or 20)))
        found = [
            st
            for st in self.statuses.values()
            if st["visibility"] == "public" and any(t["name"] == tag for t in st["tags"])
        ]
        found.sort(key=lambda st: _num(st["id"]))
        newer = max(_num(q.get("min_id")), _num(q.get("since_id")))
        found = [
            st for st in found if _num(st["id"]) > newer and (not q.get("max_id") or _num(st["id"]) < _num(q["max_id"]))
        ]
        page = found[:limit] if q.get("min_id") else found[-limit:]
        return Response(200, list(reversed(page)))

    def _account_statuses(self, account_id: str, request: Request) -> Response:
        """An account's statuses, newest first, paged like notifications (at most 40).

        ``exclude_replies`` keeps replies to itself, as Mastodon does; we fake no reblogs, so
        ``exclude_reblogs`` has nothing to drop.
        """
        if account_id not in self.accounts:
            return Response(404, {"error": "Record not found"})
        q = request.query
        limit = max(1, min(40, int(q.get("limit") or 20)))
        no_replies = q.get("exclude_replies", "").lower() in ("1", "true")
        newer = max(_num(q.get("min_id")), _num(q.get("since_id")))
        found = [
            s
            for s in sorted(self.statuses.values(), key=lambda st: _num(st["id"]))
            if s["account"]["id"] == account_id
            and not (no_replies and s["in_reply_to_account_id"] not in (None, account_id))
            and _num(s["id"]) > newer
            and (not q.get("max_id") or _num(s["id"]) < _num(q["max_id"]))
        ]
        page = found[:limit] if q.get("min_id") else found[-limit:]
        return Response(200, list(reversed(page)))

    def _credential_account(self) -> dict[str, Any]:
        me = self.accounts[self.me]
        return {
            **me,
            "source": {
                "privacy": "public",
                "sensitive": False,
                "language": "en",
                "note": html.unescape(me["note"]),
                "fields": [],
                "follow_requests_count": 0,
            },
        }

    def _notifications(self, request: Request) -> Response:
        """Mastodon's paging: newest first; min_id returns the page just above it, since_id the newest."""
        q, types = request.query, set(request.query_all.get("types[]", []) if self.filters_types else [])
        excluded = set(request.query_all.get("exclude_types[]", []))
        limit = max(1, min(self.page_max, int(q.get("limit") or 40)))
        mine = [
            n
            for n in self.notifications
            if n["for"] == self.me and (not types or n["type"] in types) and n["type"] not in excluded
        ]
        newer = max(_num(q.get("min_id")), _num(q.get("since_id")))
        mine = [n for n in mine if _num(n["id"]) > newer and (not q.get("max_id") or _num(n["id"]) < _num(q["max_id"]))]
        page = mine[:limit] if q.get("min_id") else mine[-limit:]
        page = list(reversed(page))
        body = [self._notification(n) for n in page]
        headers = {}
        if page:
            base = f"{self.server.url}/api/v1/notifications?"
            kinds = "".join(f"&types%5B%5D={t}" for t in sorted(types))
            headers["Link"] = (
                f'<{base}max_id={page[-1]["id"]}{kinds}>; rel="next", <{base}min_id={page[0]["id"]}{kinds}>; rel="prev"'
            )
        return Response(200, body, headers)

    def _notification(self, n: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in n.items() if k not in ("for", "status_id")}
        out["status"] = self.statuses.get(n["status_id"] or "")  # None once the status is deleted
        return out

    def _post_status(self, request: Request) -> Response:
        form = request.form() if "json" not in request.headers.get("Content-Type", "") else request.json()
        key = request.headers.get("Idempotency-Key")
        if key and key in self.idempotency:
            return Response(200, self.statuses[self.idempotency[key]])
        text, target = str(form.get("status") or ""), form.get("in_reply_to_id") or None
        if not text.strip():
            return Response(422, {"error": "Validation failed: Text can't be blank"})
        if len(text) > MAX_CHARACTERS:
            return Response(422, {"error": f"Validation failed: Text character limit of {MAX_CHARACTERS} exceeded"})
        if target and target not in self.statuses:
            return Response(404, {"error": "Record not found"})
        visibility = form.get("visibility") or "public"
        sid = self._add_status(self.me, text, visibility, target, datetime.now(UTC))
        if key:
            self.idempotency[key] = sid
        self.posted.append({"in_reply_to": target, "text": text, "id": sid, "visibility": visibility})
        return Response(200, self.statuses[sid])

    def _context(self, status_id: str) -> Response:
        if status_id not in self.statuses:
            return Response(404, {"error": "Record not found"})
        ancestors, parent = [], self.statuses[status_id]["in_reply_to_id"]
        while parent and parent in self.statuses:
            ancestors.insert(0, self.statuses[parent])
            parent = self.statuses[parent]["in_reply_to_id"]
        descendants, frontier = [], [status_id]
        while frontier:
            kids = [s for s in self.statuses.values() if s["in_reply_to_id"] in frontier]
            descendants.extend(kids)
            frontier = [s["id"] for s in kids]
        return Response(200, {"ancestors": ancestors, "descendants": descendants})


def _num(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def _html(text: str, by_acct: dict[str, dict[str, Any]]) -> str:
    """Render text as Mastodon does: a paragraph, with h-card links for mentions."""
    words = []
    for word in html.escape(text, quote=False).split(" "):
        account = by_acct.get(word[1:].lower()) if word.startswith("@") else None
        if account:
            word = (
                f'<span class="h-card" translate="no"><a href="{account["url"]}" class="u-url mention">'
                f"@<span>{account['username']}</span></a></span>"
            )
        words.append(word)
    return "<p>" + " ".join(words).replace("\n", "<br />") + "</p>"


class MastodonHarness:
    """The harness contract of tests/fakes/__init__.py for Mastodon."""

    platform = "mastodon"

    def __init__(self, **kwargs: Any) -> None:
        self.fake = FakeMastodon(**kwargs)
        self.me = self.fake.me
        self.account = Account("mastodon", self.me, "heardbot")
        self.page_size = 80
        self._our_status: str | None = None

    def start(self) -> MastodonHarness:
        """Serve on a free port of 127.0.0.1."""
        self.fake.server.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.fake.server.stop()

    def connect_args(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Options and secrets that make ``mastodon.connect`` talk to this fake."""
        timeout = max(self.fake.timeout, self.fake.hold + 5) if self.fake.hold else self.fake.timeout
        return (
            {"api_base_url": self.fake.server.url, "page_size": self.page_size, "timeout": timeout},
            {"MASTODON_ACCESS_TOKEN": TOKEN},
        )

    def add_incoming(
        self,
        n: int,
        *,
        text: str | None = None,
        author: str | None = None,
        reply_to_us: bool = False,
        created_at: datetime | None = None,
        visibility: str = "public",
    ) -> list[str]:
        """Add ``n`` statuses that mention us (or reply to a status of ours); return their status ids."""
        author_id = self._author(author) if author else self.fake.fan
        parent = self.fake.add_status(self.me, "We shipped a thing.") if reply_to_us else None
        ids = []
        for i in range(n):
            body = text or f"@heardbot hello number {i}"
            if "@heardbot" not in body.lower():
                body = f"@heardbot {body}"  # a mention notification needs the mention
            ids.append(
                self.fake.add_status(author_id, body, visibility=visibility, reply_to=parent, created_at=created_at)
            )
            if i % 10 == 9:  # other notification types are interleaved; a mention poll must skip them
                self.fake.add_favourite(parent or self._ours())
        return ids

    def set_followers(self, count: int) -> None:
        """Set our account's follower count."""
        self.fake.accounts[self.me]["followers_count"] = count

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
        """Add a public status of ours with these counts; return its id."""
        sid = self.fake.add_status(self.me, "Our news, in a toot.", created_at=created_at)
        self.fake.statuses[sid].update(favourites_count=likes, reblogs_count=reposts, replies_count=replies)
        return sid

    def reply_as_us(self, parent: str, text: str, *, created_at: datetime | None = None) -> str:
        """A reply our staff wrote by hand in a Mastodon app (not through heard); return its id."""
        return self.fake.add_status(self.me, text, reply_to=parent, created_at=created_at)

    def _ours(self) -> str:
        if not self._our_status:
            self._our_status = self.fake.add_status(self.me, "Our launch post.")
        return self._our_status

    def _author(self, handle: str) -> str:
        found = [a["id"] for a in self.fake.accounts.values() if a["acct"] == handle]
        return found[0] if found else self.fake.add_account(handle, display_name=handle.title())

    def replies(self) -> list[dict[str, Any]]:
        """Replies the fake received: ``{"in_reply_to", "text"}``."""
        with self.fake.lock:
            return [{"in_reply_to": p["in_reply_to"], "text": p["text"]} for p in self.fake.posted]

    def fail_next(self, kind: str, count: int = 1) -> None:
        """Make the next ``count`` requests fail in the given way."""
        self.fake.fail_next(kind, count)

    def hold_replies(self, seconds: float) -> None:
        """Record each reply at once but answer it only after ``seconds`` (0 to stop holding)."""
        self.fake.hold = seconds

    def requests(self, path_contains: str = "") -> int:
        """How many requests reached the fake."""
        return self.fake.server.count(path_contains)


def make_harness(**kwargs: Any) -> MastodonHarness:
    """A fresh, unstarted Mastodon harness."""
    return MastodonHarness(**kwargs)


def old(hours: float) -> datetime:
    """A moment some hours ago, for backdated statuses."""
    return datetime.now(UTC) - timedelta(hours=hours)
