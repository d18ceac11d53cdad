"""Provide the Reddit platform: normalise comments, and poll and reply through praw.

Two kinds of source:

- ``inbox``: unread username mentions, comment replies and post replies (``message/unread``).
  The unread flag is the cursor: items are marked read in ``after_store``, only once they are
  stored. Private messages (``t4``) are left unread for a person to read.
- ``subreddit:<name>``: new comments in a subreddit (``r/<name>/comments``) that mention us or
  contain a keyword, walked forward with ``before=<fullname>``. When that answers empty the
  next tick re-checks from the top by ``created_utc``, because Reddit answers empty too when
  the ``before`` comment was deleted.
- ``posts:<name>``: new posts in a subreddit (``r/<name>/new``) whose title or text mentions us or
  contains a keyword, walked the same way.
- ``ours``: our own new comments anywhere (``user/<us>/comments``, sort new), walked the same way:
  a reply a person wrote by hand on reddit.com acknowledges the comment it answers, and the inbox
  never lists what we wrote (option ``own_replies``).

Each ``fetch`` makes one HTTP request (plus praw's token request when it needs one). praw
objects never leave this module: everything returned is Reddit's raw JSON.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import praw
import prawcore
from praw.exceptions import PRAWException, RedditAPIException

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
from listener.matching import compile_keywords, contains_keyword, fold
from listener.platforms import PlatformSpec, register
from listener.platforms._common import (
    MAX_NAME,
    MAX_URL,
    bool_option,
    metric,
    number_option,
    optional_id,
    optional_mapping,
    optional_str,
    parse_epoch,
    require,
    require_id,
    require_mapping,
)
from listener.records import Account, Author, Comment, OwnPost, Page
from listener.text import clean_text

log = logging.getLogger(__name__)

# Inbox types: a comment on our post is on our content (like a top-level comment on our video), not a reply to us.
_SOURCES = {"username_mention": "mention", "comment_reply": "reply", "post_reply": "comment"}
_CONTEXT_LINK = re.compile(r"/comments/([a-z0-9]+)/", re.IGNORECASE)
# Reddit's answers to a reply that can never succeed, whatever we retry.
_PERMANENT = {
    "THREAD_LOCKED",
    "DELETED_COMMENT",
    "TOO_OLD",
    "COMMENT_UNREPLIABLE",
    "DELETED_LINK",
    "USER_BLOCKED",
    "SUBREDDIT_NOTALLOWED",
    "BANNED_FROM_SUBREDDIT",
    "NOT_FOUND",
}
_RATELIMIT_WAIT = re.compile(r"(\d+)\s*(millisecond|second|minute)", re.IGNORECASE)
# Reddit's json.errors codes that refuse the text of a comment, not the account or the target.
_TEXT_ERRORS = {"TOO_LONG", "NO_TEXT", "BAD_STRING", "SPAM_BLOCKED"}
READ_BATCH = 25  # praw's batch size for api/read_message
PROFILE_RESERVE = 20  # requests of the rate-limit window profile look-ups leave to polls and replies
_USERNAME = re.compile(r"[\w-]{1,20}")  # a Reddit username; "[deleted]" is not one
SECRETS = ("REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET", "REDDIT_USERNAME", "REDDIT_PASSWORD")
OPTIONS = (
    "username",
    "subreddits",
    "keywords",
    "user_agent",
    "oauth_url",
    "reddit_url",
    "page_size",
    "timeout",
    "own_replies",
)


def normalise(raw: Mapping[str, Any], account: Account) -> Comment:
    """Turn one Reddit thing (``{"kind": "t1", "data": {...}}``) into a Comment."""
    data = require_mapping(raw, "data", "reddit thing")
    fullname = _fullname(raw, data, "t1")
    where = f"reddit {fullname}"
    author = optional_str(data, "author", where, limit=MAX_NAME) or "[deleted]"
    text = _clean_text(data, where)
    source = _SOURCES.get(optional_str(data, "type", where)) or (
        "mention" if _mentions(text, account.handle) else _listing_source(data, account, where)
    )
    link_id = _link_id(data, where)
    link = optional_str(data, "permalink", where, limit=MAX_URL)
    link = link or optional_str(data, "context", where, limit=MAX_URL).split("?")[0]
    if not link and link_id:
        link = f"/comments/{link_id.removeprefix('t3_')}/_/{optional_id(data, 'id', where) or ''}"
    parent = optional_id(data, "parent_id", where)
    return Comment(
        platform="reddit",
        native_id=fullname,
        account=account.handle,
        source=source,
        author=Author(
            id=optional_id(data, "author_fullname", where) or author,
            handle=author,
            name=author,
            is_bot=False,  # Reddit has no bot flag: the judge reads what the account says
        ),
        text=text,
        url=link if link.startswith("http") else f"https://www.reddit.com{link}",
        created_at=parse_epoch(require(data, "created_utc", where), where),
        parent_id=f"reddit:{parent}" if parent else None,
        conversation_id=link_id or fullname,
        lang=None,
        mentions_us=source in ("mention", "reply", "comment"),
        is_own=author.lower() == account.handle.lower(),
        raw=dict(raw),
    )


def _fullname(raw: Mapping[str, Any], data: Mapping[str, Any], default_kind: str) -> str:
    """A thing's fullname (``t1_abc``): its ``name``, else its ``kind`` and ``id`` joined."""
    where = "reddit thing"
    name = optional_id(data, "name", where)
    return name or f"{optional_id(raw, 'kind', where) or default_kind}_{require_id(data, 'id', where)}"


def _listing_source(data: Mapping[str, Any], account: Account, where: str) -> str:
    """Where a listing comment that does not name us sits: under our own post, or a keyword hit elsewhere.

    Under our post, a top-level comment is on our content; one answering another comment is people
    talking to each other (answers to our own comments come from the inbox as ``comment_reply``).
    """
    if optional_str(data, "link_author", where).lower() != account.handle.lower() or not account.handle:
        return "keyword"
    return "comment" if (optional_id(data, "parent_id", where) or "").startswith("t3_") else "thread"


def _text(data: Mapping[str, Any]) -> str:
    """A comment's body, or a post's title with its text below it (as sent: for matching while fetching)."""
    if "body" in data:
        return str(data.get("body") or "")
    title, selftext = str(data.get("title") or ""), str(data.get("selftext") or "")
    return f"{title}\n\n{selftext}" if title and selftext else title or selftext


def _clean_text(data: Mapping[str, Any], where: str) -> str:
    """``_text`` type-checked and made clean, for normalise."""
    if "body" in data:
        return optional_str(data, "body", where)
    title, selftext = optional_str(data, "title", where), optional_str(data, "selftext", where)
    return clean_text(f"{title}\n\n{selftext}") if title and selftext else title or selftext


def normalise_post(raw: Mapping[str, Any], followers: int) -> OwnPost:
    """Turn one of our submissions (a ``t3`` thing) into an OwnPost: score as likes, comments as replies."""
    data = require_mapping(raw, "data", "reddit submission")
    fullname = optional_id(data, "name", "reddit submission") or f"t3_{require_id(data, 'id', 'reddit submission')}"
    where = f"reddit {fullname}"
    link = optional_str(data, "permalink", where, limit=MAX_URL) or f"/comments/{fullname.removeprefix('t3_')}/"
    return OwnPost(
        platform="reddit",
        post_id=fullname,
        url=link if link.startswith("http") else f"https://www.reddit.com{link}",
        created_at=parse_epoch(require(data, "created_utc", where), where),
        followers_at_post=int(followers),
        # A post starts at score 1, the author's own upvote: that one is not an engagement.
        likes=max(0, metric(data, "score") - 1),
        reposts=metric(data, "num_crossposts"),
        replies=metric(data, "num_comments"),
    )


def normalise_profile(raw: Mapping[str, Any]) -> tuple[str, str]:
    """Turn a ``user/<name>/about`` answer (``{"kind": "t2", "data": {...}}``) into (author id, profile text).

    The author id is the account's fullname (``t2_…``), as comments give it in ``author_fullname``; the
    text is the profile's ``public_description``. A suspended account has neither id nor profile: its name
    and no text.
    """
    where = "reddit user about"
    data = require_mapping(raw, "data", where)
    name = optional_str(data, "name", where, limit=MAX_NAME)
    user_id = optional_id(data, "id", where)
    author_id = f"t2_{user_id}" if user_id else name
    if not author_id:
        raise BadPayload(f"{where}: no id and no name")
    profile = optional_mapping(data, "subreddit", where) if not data.get("is_suspended") else {}
    return author_id, optional_str(profile, "public_description", f"{where} subreddit")


def _mentions(text: str, handle: str) -> bool:
    return contains_keyword(text, f"u/{handle}")


def _link_id(data: Mapping[str, Any], where: str) -> str | None:
    # Subreddit listings carry link_id; inbox items only have it inside their context link.
    link_id = optional_id(data, "link_id", where)
    if link_id:
        return link_id
    found = _CONTEXT_LINK.search(optional_str(data, "context", where) or optional_str(data, "permalink", where))
    return f"t3_{found.group(1)}" if found else None


# -- the listing walk (pure) ---------------------------------------------------------------


@dataclass(frozen=True)
class Walk:
    """Where a subreddit's walk stands; stored as the source's cursor."""

    anchor: str | None  # the newest comment already handled
    utc: float  # its created_utc (or the start time while there is no anchor)
    recover: bool = True  # walk down from the top by time instead of up with before=
    after: str | None = None  # the recovery walk's position while it spans several pages
    top: tuple[str, float] | None = None  # the newest comment seen when the recovery began

    def encode(self) -> str:
        """The cursor text."""
        return json.dumps(
            {
                "v": 1,
                "anchor": self.anchor,
                "utc": self.utc,
                "recover": self.recover,
                "after": self.after,
                "top": self.top,
            },
            separators=(",", ":"),
        )

    @classmethod
    def decode(cls, text: str | None, since: datetime) -> Walk:
        """Read a cursor; none (or an unreadable one) starts at ``since``."""
        try:
            state = json.loads(text or "")
            top = tuple(state["top"]) if state.get("top") else None
            return cls(state["anchor"], float(state["utc"]), bool(state["recover"]), state.get("after"), top)
        except (ValueError, KeyError, TypeError):
            if text:
                log.warning("unreadable reddit cursor %r; starting at %s", text, since)
            return cls(None, since.timestamp())

    def params(self, limit: int) -> dict[str, str | int]:
        """The listing query for the next tick."""
        params: dict[str, str | int] = {"limit": limit}
        if not self.recover and self.anchor:
            params["before"] = self.anchor
        elif self.after:
            params["after"] = self.after
        return params

    def step(
        self, children: Sequence[dict[str, Any]], more: bool, limit: int
    ) -> tuple[list[dict[str, Any]], Walk, bool]:
        """Given one listing page, return the comments newer than the walk, the next walk, and more."""
        if not self.recover:
            if not children:
                # Nothing newer, or the anchor was deleted: the next tick checks by time.
                return [], Walk(self.anchor, self.utc, recover=True), False
            # The newest readable thing anchors the walk; one that cannot be read goes on to normalise,
            # which names what is wrong and sets it aside, instead of stopping the subreddit.
            newest = next((s for s in map(_stamp, children) if s), None)
            after = Walk(*newest) if newest else Walk(self.anchor, self.utc, recover=True)
            return list(children), after, len(children) >= limit
        top = self.top
        if self.after is None and children:
            top = next((s for s in map(_stamp, children) if s), None) or top
        fresh: list[dict[str, Any]] = []
        for child in children:
            stamp = _stamp(child)
            if stamp and (stamp[0] == self.anchor or stamp[1] < self.utc):
                return fresh, self._settle(top), False
            fresh.append(child)
        last = next((s for s in map(_stamp, reversed(children)) if s), None)
        if children and more and last:
            return fresh, Walk(self.anchor, self.utc, True, last[0], top), True
        return fresh, self._settle(top), False

    def _settle(self, top: tuple[str, float] | None) -> Walk:
        if top is None:
            return Walk(self.anchor, self.utc, recover=self.anchor is None)
        return Walk(top[0], top[1], recover=False)


def _stamp(child: Any) -> tuple[str, float] | None:
    """A listed thing's fullname and time, or None when the thing is too broken to read them."""
    data = child.get("data") if isinstance(child, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        return None
    try:
        return data["name"], _utc(data)
    except BadPayload:
        return None


def _utc(data: Mapping[str, Any]) -> float:
    try:
        return float(data["created_utc"])
    except (KeyError, TypeError, ValueError) as exc:
        raise BadPayload(f"reddit {data.get('name')}: missing created_utc") from exc


def _listing(payload: Any, where: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Check a Listing's shape; return its children and its data."""
    data = payload.get("data") if isinstance(payload, dict) and payload.get("kind") == "Listing" else None
    children = data.get("children") if isinstance(data, dict) else None
    if (
        not isinstance(data, dict)
        or not isinstance(children, list)
        or not all(isinstance(c, dict) and isinstance(c.get("data"), dict) and c["data"].get("name") for c in children)
    ):
        raise BadPayload(f"{where}: expected a Listing of things, got {str(payload)[:120]!r}")
    return children, data


# -- rate limits and errors ------------------------------------------------------------------


class _Budget:
    """The rate-limit window as Reddit last reported it in x-ratelimit-* headers."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.remaining: float | None = None
        self.used: int | None = None
        self.reset_at: datetime | None = None

    def update(self, headers: Mapping[str, str]) -> None:
        """Remember the window from one response's headers."""
        try:
            remaining = float(headers["x-ratelimit-remaining"])
            reset = float(headers.get("x-ratelimit-reset") or 0)
            used = int(float(headers.get("x-ratelimit-used") or 0))
        except (KeyError, ValueError):
            return
        self.remaining, self.used = remaining, used
        self.reset_at = _whole_second(self.clock() + timedelta(seconds=reset))

    def check(self) -> None:
        """Refuse to spend a request the window does not have.

        prawcore would sleep until the reset instead, blocking the poller for up to ten minutes.
        """
        if self.remaining is not None and self.remaining < 1 and self.reset_at and self.clock() < self.reset_at:
            raise RateLimited(f"reddit rate limit spent ({self.used} used)", self.reset_at)


class _Requestor(prawcore.Requestor):
    """praw's documented requestor hook: read the rate-limit headers and apply our timeout."""

    def __init__(self, *args: Any, budget: _Budget, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.budget = budget

    def request(self, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        """Issue one HTTP request; prawcore's own fixed 16 s timeout is replaced by ours."""
        response = super().request(*args, timeout=self.timeout, **kwargs)
        self.budget.update(response.headers)
        return response


@contextmanager
def _translated(clock: Callable[[], datetime]) -> Iterator[None]:
    """Turn praw and prawcore errors into heard's hierarchy."""
    try:
        yield
    except PlatformError:
        raise
    except prawcore.TooManyRequests as exc:
        raise RateLimited("reddit said 429 Too Many Requests", _retry_at(exc.response.headers, clock)) from exc
    except (prawcore.InvalidToken, prawcore.Forbidden, prawcore.InsufficientScope, prawcore.OAuthException) as exc:
        raise AuthFailed(f"reddit refused our credentials: {exc}") from exc
    except prawcore.BadJSON as exc:
        raise BadPayload(f"reddit sent a body that is not JSON: {exc.response.text[:80]!r}") from exc
    except (prawcore.ServerError, prawcore.RequestException) as exc:
        raise Transient(f"reddit unavailable: {exc}") from exc
    except (prawcore.NotFound, prawcore.Redirect, prawcore.UnavailableForLegalReasons) as exc:
        raise PermanentFailure(f"reddit: not found: {exc}") from exc
    except prawcore.ResponseException as exc:
        raise _by_status(exc.response.status_code, str(exc)) from exc
    except RedditAPIException as exc:
        raise _api_error([(i.error_type, i.message or "") for i in exc.items], clock) from exc
    except (prawcore.PrawcoreException, PRAWException) as exc:
        raise BadPayload(f"reddit: {type(exc).__name__}: {exc}") from exc


def _by_status(status: int, message: str) -> PlatformError:
    if status in (401, 403):
        return AuthFailed(f"reddit refused our credentials: {message}")
    if status >= 500 or status == 408:
        return Transient(f"reddit unavailable: {message}")
    return PermanentFailure(f"reddit: {message}")


def _retry_at(headers: Mapping[str, str], clock: Callable[[], datetime]) -> datetime:
    """When a 429 lets us try again: Retry-After, else the window's reset, else a minute."""
    for key in ("retry-after", "x-ratelimit-reset"):
        try:
            return _whole_second(clock() + timedelta(seconds=max(1.0, float(headers[key]))))
        except (KeyError, ValueError):
            continue
    return _whole_second(clock() + timedelta(minutes=1))


def _whole_second(moment: datetime) -> datetime:
    # Rounded up: the store keeps whole seconds, and rounding down would resume before the reset.
    return moment if not moment.microsecond else moment.replace(microsecond=0) + timedelta(seconds=1)


def _api_error(errors: Sequence[tuple[str, str]], clock: Callable[[], datetime]) -> PlatformError:
    """Map Reddit's ``json.errors`` (``[code, message, field]``) to our hierarchy."""
    text = "; ".join(f"{code}: {message}" for code, message in errors)
    for code, message in errors:
        if code == "RATELIMIT":
            found = _RATELIMIT_WAIT.search(message)
            seconds = 60.0
            if found:
                unit = found.group(2).lower()
                seconds = int(found.group(1)) * (60 if unit == "minute" else 1 if unit == "second" else 0)
            return RateLimited(f"reddit: {text}", _whole_second(clock() + timedelta(seconds=max(1.0, seconds))))
    if any(code in _TEXT_ERRORS for code, _ in errors):
        return ContentRefused(f"reddit: {text}")
    return PermanentFailure(f"reddit: {text}")


# -- the client --------------------------------------------------------------------------------


class RedditClient:
    """A connected Reddit account: polls the inbox and subreddits, and replies, through praw."""

    name = "reddit"

    def __init__(
        self, options: Mapping[str, Any], secrets: Mapping[str, str], *, clock: Callable[[], datetime] | None = None
    ) -> None:
        missing = [k for k in SECRETS if not secrets.get(k)]
        if missing:
            raise ConfigError(f"reddit: missing secrets {', '.join(missing)}")
        username = str(options.get("username") or secrets["REDDIT_USERNAME"]).removeprefix("u/")
        self.account = Account(platform="reddit", id=username, handle=username)
        self.subreddits = tuple(s.removeprefix("r/") for s in _strings(options, "subreddits"))
        self.keywords = tuple(k for k in _strings(options, "keywords") if k.strip())
        self._keyword = compile_keywords(self.keywords)
        self.page_size = int(number_option("reddit", options, "page_size", 100, 1, 100))
        self.own_replies = bool_option("reddit", options, "own_replies", True)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.budget = _Budget(self.clock)
        self.reddit = praw.Reddit(
            client_id=secrets["REDDIT_CLIENT_ID"],
            client_secret=secrets["REDDIT_CLIENT_SECRET"],
            username=secrets["REDDIT_USERNAME"],
            password=secrets["REDDIT_PASSWORD"],
            user_agent=str(options.get("user_agent") or f"python:heard:0.1 (by /u/{username})"),
            oauth_url=str(options.get("oauth_url") or "https://oauth.reddit.com"),
            reddit_url=str(options.get("reddit_url") or "https://www.reddit.com"),
            check_for_updates=False,
            check_for_async=False,
            ratelimit_seconds=0,  # a RATELIMIT API error comes back to us instead of sleeping
            requestor_class=_Requestor,
            requestor_kwargs={
                "budget": self.budget,
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
            return self._fetch_subreddit(source.removeprefix("posts:"), cursor, since, listing="new", kind="t3")
        if source == "ours":
            return self._fetch_own(cursor, since)
        raise ConfigError(f"reddit: unknown source {source!r}; expected one of {', '.join(self.sources())}")

    def _fetch_inbox(self, cursor: str | None, since: datetime) -> Page:
        # The cursor holds the start time (older unread items are not ours to answer) and, while
        # unread items we leave alone (messages, old items) fill a page, our place below them.
        state = _inbox_state(cursor, since)
        params: dict[str, str | int] = {"mark": "false", "limit": self.page_size}
        if state["after"]:
            params["after"] = state["after"]
        children, data = _listing(self._call("GET", "message/unread/", params=params), "reddit inbox")
        # A broken comment is kept for normalise to set aside (naming the field) rather than fail the page.
        keep = [c for c in children if c.get("kind") == "t1" and (_stamp(c) or ("", math.inf))[1] >= state["floor"]]
        left = [stamp[0] for stamp in map(_stamp, (c for c in children if c not in keep)) if stamp]
        after = None
        if data.get("after"):
            after = left[-1] if left else state["after"]
        cursor_out = json.dumps({"floor": state["floor"], "after": after}, separators=(",", ":"))
        return Page(items=tuple(keep), cursor=cursor_out, more=bool(data.get("after")))

    def _fetch_subreddit(
        self, name: str, cursor: str | None, since: datetime, *, listing: str = "comments", kind: str = "t1"
    ) -> Page:
        walk = Walk.decode(cursor, since)
        payload = self._call("GET", f"r/{name}/{listing}/", params=walk.params(self.page_size))
        children, data = _listing(payload, f"reddit r/{name}/{listing}")
        fresh, walk, more = walk.step(children, bool(data.get("after")), self.page_size)
        hits = tuple(c for c in fresh if c.get("kind") == kind and (_stamp(c) is None or self._is_hit(c["data"])))
        return Page(items=hits, cursor=walk.encode(), more=more)

    def _fetch_own(self, cursor: str | None, since: datetime) -> Page:
        """Our own new comments (each answers a post or a comment), walked like a subreddit's."""
        walk = Walk.decode(cursor, since)
        path = f"user/{self.account.handle}/comments/"
        payload = self._call("GET", path, params={**walk.params(self.page_size), "sort": "new"})
        children, data = _listing(payload, f"reddit {path}")
        fresh, walk, more = walk.step(children, bool(data.get("after")), self.page_size)
        return Page(items=tuple(c for c in fresh if c.get("kind") == "t1"), cursor=walk.encode(), more=more)

    def _is_hit(self, data: Mapping[str, Any]) -> bool:
        text = _text(data)
        return _mentions(text, self.account.handle) or bool(self._keyword and self._keyword.search(fold(text)))

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
        mine, _ = _listing(self._call("GET", path, params={"limit": 100, "sort": "new"}), f"reddit {path}")
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
        children, _ = _listing(payload[1], f"reddit {path}")
        if not target.startswith("t3_"):
            focus = [c for c in children if c["data"]["name"] == target]
            replies = focus[0]["data"].get("replies") if focus else None
            children = _listing(replies, f"reddit {path}")[0] if isinstance(replies, dict) else []
        for child in children:
            data = child["data"]
            if str(data.get("author", "")).lower() == self.account.handle.lower() and data.get("parent_id") == target:
                return str(data["name"])
        return None

    def _link_of(self, fullname: str) -> str:
        children, _ = _listing(self._call("GET", "api/info/", params={"id": fullname}), "reddit api/info")
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
        children, _ = _listing(payload, f"reddit {path}")
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
            if self.budget.remaining is not None and self.budget.remaining < PROFILE_RESERVE:
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
        self.budget.check()
        with _translated(self.clock):
            return self.reddit.request(method=method, path=path, params=params, data=data)


def _inbox_state(cursor: str | None, since: datetime) -> dict[str, Any]:
    try:
        state = json.loads(cursor or "")
        return {"floor": float(state["floor"]), "after": state.get("after")}
    except (ValueError, KeyError, TypeError):
        return {"floor": since.timestamp(), "after": None}


def _strings(options: Mapping[str, Any], key: str) -> list[str]:
    value = options.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"platforms.reddit.{key}: expected a list of strings, got {value!r}")
    return value


def connect(options: Mapping[str, Any], secrets: Mapping[str, str]) -> RedditClient:
    """Build a Reddit client from heard.toml options and secrets (no request is made)."""
    return RedditClient(options, secrets)


register(
    PlatformSpec(
        name="reddit",
        normalise=normalise,
        connect=connect,
        secrets=SECRETS,
        options=OPTIONS,
        help="Reddit through a 'script' app: your inbox (mentions and replies), your own replies and "
        "keyword hits in subreddits. See docs/reddit.md.",
        # Reddit allows 100 requests a minute, but new accounts get RATELIMIT errors on comments fast.
        default_post_rate=20,
        normalise_post=normalise_post,
        reply_limit=10_000,
        normalise_profile=normalise_profile,
    )
)
