"""Provide the Reddit client: poll the inbox and subreddits and reply through praw, within the rate limit.

Each ``fetch`` makes one HTTP request (plus praw's token request when it needs one). praw objects
never leave this module: everything returned is Reddit's raw JSON.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import praw
import prawcore
from praw.exceptions import PRAWException, RedditAPIException

from listener.errors import AuthFailed, BadPayload, ConfigError, ContentRefused, PermanentFailure, PlatformError
from listener.matching import compile_keywords, fold
from listener.platforms import _ratelimit
from listener.platforms._common import Clock, metric, require, utc_now, whole_second
from listener.platforms._options import bool_option, heard_version, list_option, number_option, require_secrets
from listener.platforms._translate import by_status
from listener.platforms.reddit import SECRETS, mentions, normalise, normalise_post, normalise_profile, text_of
from listener.platforms.reddit_walk import Inbox, Walk, listing, stamp
from listener.records import Account, Author, Comment, OwnPost, Page

log = logging.getLogger(__name__)

_RATELIMIT_WAIT = re.compile(r"(\d+)\s*(millisecond|second|minute)", re.IGNORECASE)
# Reddit's json.errors codes that refuse the text of a comment, not the account or the target.
_TEXT_ERRORS = {"TOO_LONG", "NO_TEXT", "BAD_STRING", "SPAM_BLOCKED"}
READ_BATCH = 25  # praw's batch size for api/read_message
PROFILE_RESERVE = 20  # requests of the rate-limit window profile look-ups leave to polls and replies
_USERNAME = re.compile(r"[\w-]{1,20}")  # a Reddit username; "[deleted]" is not one
# Reddit's one window for the account, in seconds until its reset.
HEADERS = _ratelimit.Headers("x-ratelimit-remaining", "x-ratelimit-reset", reset_is_delay=True)


class _Requestor(prawcore.Requestor):
    """praw's documented requestor hook: read the rate-limit headers and apply our timeout."""

    def __init__(self, *args: Any, windows: _ratelimit.Windows, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.windows = windows

    def request(self, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        """Issue one HTTP request; prawcore's own fixed 16 s timeout is replaced by ours."""
        response = super().request(*args, timeout=self.timeout, **kwargs)
        self.windows.note("", response.headers)
        return response


@contextmanager
def _translated(clock: Clock) -> Iterator[None]:
    """Turn praw and prawcore errors into heard's hierarchy."""
    try:
        yield
    except PlatformError:
        raise
    except prawcore.TooManyRequests as exc:
        retry_at = _ratelimit.retry_after(exc.response.headers, clock, keys=("retry-after", "x-ratelimit-reset"))
        raise by_status("reddit said 429 Too Many Requests", 429, retry_at=retry_at) from exc
    except (prawcore.InvalidToken, prawcore.Forbidden, prawcore.InsufficientScope, prawcore.OAuthException) as exc:
        raise AuthFailed(f"reddit refused our credentials: {exc}") from exc
    except prawcore.BadJSON as exc:
        raise BadPayload(f"reddit sent a body that is not JSON: {exc.response.text[:80]!r}") from exc
    except (prawcore.ServerError, prawcore.RequestException) as exc:
        raise by_status(f"reddit unavailable: {exc}", 503) from exc
    except (prawcore.NotFound, prawcore.Redirect, prawcore.UnavailableForLegalReasons) as exc:
        raise PermanentFailure(f"reddit: not found: {exc}") from exc
    except prawcore.ResponseException as exc:
        status = exc.response.status_code
        what = f"reddit refused our credentials: {exc}" if status in (401, 403) else f"reddit: {exc}"
        raise by_status(what, status) from exc
    except RedditAPIException as exc:
        raise _api_error([(i.error_type, i.message or "") for i in exc.items], clock) from exc
    except (prawcore.PrawcoreException, PRAWException) as exc:
        raise BadPayload(f"reddit: {type(exc).__name__}: {exc}") from exc


def _api_error(errors: Sequence[tuple[str, str]], clock: Clock) -> PlatformError:
    """Map Reddit's ``json.errors`` (``[code, message, field]``) to our hierarchy."""
    text = "; ".join(f"{code}: {message}" for code, message in errors)
    for code, message in errors:
        if code == "RATELIMIT":
            found = _RATELIMIT_WAIT.search(message)
            seconds = 60.0
            if found:
                unit = found.group(2).lower()
                seconds = int(found.group(1)) * (60 if unit == "minute" else 1 if unit == "second" else 0)
            retry_at = whole_second(clock() + timedelta(seconds=max(1.0, seconds)))
            return by_status(f"reddit: {text}", 429, retry_at=retry_at)
    if any(code in _TEXT_ERRORS for code, _ in errors):
        return ContentRefused(f"reddit: {text}")
    return PermanentFailure(f"reddit: {text}")


class RedditClient:
    """A connected Reddit account: polls the inbox and subreddits, and replies, through praw."""

    name = "reddit"

    def __init__(self, options: Mapping[str, Any], secrets: Mapping[str, str], *, clock: Clock = utc_now) -> None:
        require_secrets("reddit", SECRETS, secrets)
        username = str(options.get("username") or secrets["REDDIT_USERNAME"]).removeprefix("u/")
        self.account = Account(platform="reddit", id=username, handle=username)
        self.subreddits = tuple(
            s.removeprefix("r/") for s in list_option("reddit", options, "subreddits", "subreddits")
        )
        self.keywords = list_option("reddit", options, "keywords", "keywords")
        self._keyword = compile_keywords(self.keywords)
        self.page_size = int(number_option("reddit", options, "page_size", 100, 1, 100))
        self.own_replies = bool_option("reddit", options, "own_replies", True)
        self.clock = clock
        self.windows = _ratelimit.Windows("reddit", HEADERS, clock=clock)
        self.reddit = praw.Reddit(
            client_id=secrets["REDDIT_CLIENT_ID"],
            client_secret=secrets["REDDIT_CLIENT_SECRET"],
            username=secrets["REDDIT_USERNAME"],
            password=secrets["REDDIT_PASSWORD"],
            user_agent=str(options.get("user_agent") or f"python:heard:{heard_version()} (by /u/{username})"),
            oauth_url=str(options.get("oauth_url") or "https://oauth.reddit.com"),
            reddit_url=str(options.get("reddit_url") or "https://www.reddit.com"),
            check_for_updates=False,
            check_for_async=False,
            ratelimit_seconds=0,  # a RATELIMIT API error comes back to us instead of sleeping
            requestor_class=_Requestor,
            requestor_kwargs={
                "windows": self.windows,
                "timeout": float(number_option("reddit", options, "timeout", 16.0, 0.01, 300)),
            },
        )

    def sources(self) -> Sequence[str]:
        """``inbox``, ``subreddit:<name>`` (comments) and ``posts:<name>`` per watched subreddit, then ``ours``."""
        ours = ("ours",) if self.own_replies else ()
        return ("inbox", *(f"subreddit:{s}" for s in self.subreddits), *(f"posts:{s}" for s in self.subreddits), *ours)

    def normalise(self, raw: Mapping[str, Any]) -> Comment:
        """Turn one raw thing from ``fetch`` into a Comment."""
        return normalise(raw, self.account)

    def fetch(self, source: str, cursor: str | None, *, since: datetime) -> Page:
        """Make one request for what is new in a source since ``cursor`` (or ``since``)."""
        if source == "inbox":
            return self._fetch_inbox(cursor, since)
        if source.startswith("subreddit:") and source.removeprefix("subreddit:") in self.subreddits:
            return self._fetch_subreddit(source.removeprefix("subreddit:"), cursor, since)
        if source.startswith("posts:") and source.removeprefix("posts:") in self.subreddits:
            return self._fetch_subreddit(source.removeprefix("posts:"), cursor, since, kind="t3")
        if source == "ours":
            return self._fetch_own(cursor, since)
        raise ConfigError(f"reddit: unknown source {source!r}; expected one of {', '.join(self.sources())}")

    def _fetch_inbox(self, cursor: str | None, since: datetime) -> Page:
        state = Inbox.decode(cursor, since)
        params: dict[str, str | int] = {"mark": "false", "limit": self.page_size}
        if state.after:
            params["after"] = state.after
        children, data = listing(self._call("GET", "message/unread/", params=params), "reddit inbox")
        # A broken comment is kept for normalise to set aside (naming the field) rather than fail the page.
        keep = [c for c in children if c.get("kind") == "t1" and (stamp(c) or ("", math.inf))[1] >= state.floor]
        left = [found[0] for found in map(stamp, (c for c in children if c not in keep)) if found]
        after = (left[-1] if left else state.after) if data.get("after") else None
        # No read ahead: marking this page read (after_store) changes what the unread listing holds next.
        return Page(items=tuple(keep), cursor=Inbox(state.floor, after).encode(), more=bool(data.get("after")))

    def _fetch_subreddit(self, name: str, cursor: str | None, since: datetime, *, kind: str = "t1") -> Page:
        source, path = (
            (f"subreddit:{name}", f"r/{name}/comments") if kind == "t1" else (f"posts:{name}", f"r/{name}/new")
        )
        walk = Walk.decode(source, cursor, since)
        payload = self._call("GET", f"{path}/", params=walk.params(self.page_size))
        children, data = listing(payload, f"reddit {path}")
        fresh, walk, more = walk.step(children, bool(data.get("after")), self.page_size)
        hits = tuple(c for c in fresh if c.get("kind") == kind and (stamp(c) is None or self._is_hit(c["data"])))
        return Page(items=hits, cursor=walk.encode(), more=more, read_ahead=True)

    def _fetch_own(self, cursor: str | None, since: datetime) -> Page:
        """Our own new comments (each answers a post or a comment), walked like a subreddit's."""
        walk = Walk.decode("ours", cursor, since)
        path = f"user/{self.account.handle}/comments/"
        payload = self._call("GET", path, params={**walk.params(self.page_size), "sort": "new"})
        children, data = listing(payload, f"reddit {path}")
        fresh, walk, more = walk.step(children, bool(data.get("after")), self.page_size)
        kept = tuple(c for c in fresh if c.get("kind") == "t1")
        return Page(items=kept, cursor=walk.encode(), more=more, read_ahead=True)

    def _is_hit(self, data: Mapping[str, Any]) -> bool:
        text = text_of(data)
        return mentions(text, self.account.handle) or bool(self._keyword and self._keyword.search(fold(text)))

    def after_store(self, source: str, page: Page) -> None:
        """Mark stored inbox items read (25 per request, as praw does).

        A failure here is logged, not raised: the items stay unread, come back on the next
        poll, are recognised as stored and are marked read then.
        """
        if source != "inbox" or not page.items:
            return
        names = [str(item["data"]["name"]) for item in page.items]
        try:
            for start in range(0, len(names), READ_BATCH):
                self._call("POST", "api/read_message/", data={"id": ",".join(names[start : start + READ_BATCH])})
        except PlatformError as exc:
            log.warning("reddit mark-read failed; items will be fetched again: %s", exc)

    def reply(self, comment: Comment, text: str) -> str:
        """Post ``text`` under the comment (``POST api/comment``); return the new comment's fullname.

        :raises PermanentFailure: the comment is deleted, locked or archived.
        :raises RateLimited: Reddit's own RATELIMIT ("you are doing that too much").
        """
        result = self._call("POST", "api/comment/", data={"thing_id": comment.native_id, "text": text})
        body = result.get("json") if isinstance(result, dict) else None
        if not isinstance(body, dict):
            raise BadPayload(f"reddit api/comment: unexpected answer {str(result)[:120]!r}")
        errors = [(str(e[0]), str(e[1]) if len(e) > 1 else "") for e in body.get("errors") or []]
        if errors:
            raise _api_error(errors, self.clock)
        try:
            return str(body["data"]["things"][0]["data"]["name"])
        except (KeyError, IndexError, TypeError) as exc:
            raise BadPayload(f"reddit api/comment: no new comment in {str(result)[:120]!r}") from exc

    def find_reply(self, comment: Comment) -> str | None:
        """Return the fullname of our reply directly under ``comment``, if one exists.

        Our own newest comments come first: one request, however busy the thread. A reply older than
        our last 100 comments is looked for in the thread itself, newest first.
        """
        target = comment.native_id
        path = f"user/{self.account.handle}/comments/"
        mine, _ = listing(self._call("GET", path, params={"limit": 100, "sort": "new"}), f"reddit {path}")
        for child in mine:
            if child["data"].get("parent_id") == target:
                return str(child["data"]["name"])
        return self._find_in_thread(comment)

    def _find_in_thread(self, comment: Comment) -> str | None:
        target = comment.native_id
        link = comment.conversation_id if str(comment.conversation_id).startswith("t3_") else None
        if target.startswith("t3_"):
            path = f"comments/{target.removeprefix('t3_')}/"
        else:
            link = link or self._link_of(target)
            path = f"comments/{link.removeprefix('t3_')}/_/{target.removeprefix('t1_')}/"
        # sort=new: a reply of ours is recent, so it is in the first page even under a busy comment.
        payload = self._call("GET", path, params={"depth": 2, "limit": 500, "sort": "new"})
        if not isinstance(payload, list) or len(payload) != 2:
            raise BadPayload(f"reddit {path}: expected [submission, comments], got {str(payload)[:120]!r}")
        children, _ = listing(payload[1], f"reddit {path}")
        if not target.startswith("t3_"):
            focus = [c for c in children if c["data"]["name"] == target]
            replies = focus[0]["data"].get("replies") if focus else None
            children = listing(replies, f"reddit {path}")[0] if isinstance(replies, dict) else []
        for child in children:
            data = child["data"]
            if str(data.get("author", "")).lower() == self.account.handle.lower() and data.get("parent_id") == target:
                return str(data["name"])
        return None

    def _link_of(self, fullname: str) -> str:
        children, _ = listing(self._call("GET", "api/info/", params={"id": fullname}), "reddit api/info")
        if not children or not children[0]["data"].get("link_id"):
            raise PermanentFailure(f"reddit {fullname}: not found")
        return str(children[0]["data"]["link_id"])

    def own_posts(self, *, since: datetime) -> Sequence[OwnPost]:
        """Our latest submissions since ``since`` with their score and comments: two requests.

        Followers are the subscribers of our profile (``api/v1/me`` → ``subreddit.subscribers``).
        """
        me = self._call("GET", "api/v1/me")
        followers = metric((me.get("subreddit") if isinstance(me, dict) else None) or {}, "subscribers")
        path = f"user/{self.account.handle}/submitted/"
        payload = self._call("GET", path, params={"limit": 100, "sort": "new"})
        children, _ = listing(payload, f"reddit {path}")
        posts = [normalise_post(c, followers) for c in children if c.get("kind") == "t3"]
        return [p for p in posts if p.created_at >= since]

    def profiles(self, platform: str, authors: Sequence[Author]) -> Mapping[str, str]:
        """Each author's profile text from ``user/<name>/about``: one request an author.

        Deleted, suspended and unknown accounts have none (""). The look-ups stop, leaving the rest for
        later, when the rate-limit window is down to the last PROFILE_RESERVE requests: polls and
        replies need those more.
        """
        if platform != self.name:
            return {}
        found: dict[str, str] = {}
        for author in authors:
            name = author.handle.removeprefix("u/")
            if not _USERNAME.fullmatch(name) or name.lower() == self.account.handle.lower():
                found[author.id] = ""  # "[deleted]", or us: nobody to ask about
                continue
            left = self.windows.remaining()
            if left is not None and left < PROFILE_RESERVE:
                break
            try:
                found[author.id] = normalise_profile(self._call("GET", f"user/{name}/about/"))[1]
            except (PermanentFailure, BadPayload):
                found[author.id] = ""  # the account is gone (404) or shows no profile
            except PlatformError as exc:
                if not found:
                    raise
                log.warning("reddit profile look-ups stopped; the rest are asked later: %s", exc)
                break
        return found

    def check(self) -> str:
        """Fetch our own account (``api/v1/me``); return ``u/<name>``."""
        me = self._call("GET", "api/v1/me")
        return f"u/{require(me, 'name', 'reddit api/v1/me')}"

    def _call(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, data: dict[str, Any] | None = None
    ) -> Any:
        """One request through praw, checked against the rate-limit window and translated."""
        self.windows.admit()
        with _translated(self.clock):
            return self.reddit.request(method=method, path=path, params=params, data=data)
