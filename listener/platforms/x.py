"""Provide the X (API v2) platform: normalise tweets, and poll and reply through tweepy."""

from __future__ import annotations

import html
import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import tweepy

from listener.errors import (
    AuthFailed,
    BadPayload,
    ConfigError,
    ContentRefused,
    CreditsExhausted,
    PermanentFailure,
    PlatformError,
    RateLimited,
    Transient,
)
from listener.platforms import PlatformSpec, _length, register
from listener.platforms._common import (
    MAX_NAME,
    bool_option,
    metric,
    number_option,
    optional_id,
    optional_mapping,
    optional_mappings,
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

API_BASE = "https://api.twitter.com"
SECRETS = ("X_API_KEY", "X_API_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET")
OPTIONS = (
    "user_id",
    "username",
    "keywords",
    "api_base",
    "page_size",
    "timeout",
    "quotes_days",
    "quotes_minutes",
    "quotes_tweets",
    "own_replies",
)
TWEET_FIELDS = "author_id,created_at,conversation_id,in_reply_to_user_id,referenced_tweets,lang,public_metrics,entities"
# ``affiliation`` carries the label X shows on accounts marked automated ("Automated by @owner").
USER_FIELDS = "username,name,description,affiliation"
# The referenced tweets' authors tell normalise whether a quote or reply is aimed at us.
EXPANSIONS = "author_id,referenced_tweets.id.author_id"
OWN_TWEET_FIELDS = "created_at,public_metrics"
OWN_PAGE = 100  # our latest tweets per own-posts fetch: one request's worth
QUOTE_PAGES = 2  # pages of 100 quotes read from one tweet per read: a viral tweet must not eat the window
# Words in X's 403/400 detail that mean "this target cannot be answered", not "bad credentials".
_UNANSWERABLE = re.compile(r"deleted|not visible|not allowed|reply|conversation", re.IGNORECASE)
# Words in X's detail that mean "this text is refused" (too long, a duplicate): the reply fails, not the account.
_TEXT_REFUSED = re.compile(r"duplicate|too long|shorter|length|exceed|characters|text", re.IGNORECASE)
# X's problem types that really are about our app or credentials, whatever the detail says.
_AUTH_PROBLEM = re.compile(r"oauth|authentication|client-forbidden|client-not-enrolled", re.IGNORECASE)


def normalise(raw: Mapping[str, Any], account: Account) -> Comment:
    """Turn one tweet in the API v2 single-tweet shape (``data`` + ``includes.users``) into a Comment."""
    tweet = require_mapping(raw, "data", "x tweet")
    tweet_id = require_id(tweet, "id", "x tweet")
    where = f"x tweet {tweet_id}"
    author_id = require_id(tweet, "author_id", where)
    includes = optional_mapping(raw, "includes", where)
    users = {optional_id(u, "id", f"{where} user"): u for u in optional_mappings(includes, "users", where)}
    user = users.get(author_id, {})
    who = f"{where} user {author_id}"
    handle = optional_str(user, "username", who, limit=MAX_NAME) or author_id
    mentions = optional_mappings(optional_mapping(tweet, "entities", where), "mentions", f"{where} entities")
    mentioned = {optional_id(m, "id", f"{where} mention") or "" for m in mentions} | {
        "@" + optional_str(m, "username", f"{where} mention").lower() for m in mentions
    }
    # X sends &, < and > escaped as HTML entities in v2 text.
    text = clean_text(html.unescape(optional_str(tweet, "text", where)))
    mentions_us = account.id in mentioned or f"@{account.handle.lower()}" in (
        mentioned | {w.lower().rstrip(".,:;!?") for w in text.split() if w.startswith("@")}
    )
    refs = _references(tweet, where)
    ours = _our_tweet_ids(tweet, includes, account)
    quotes_us = refs.get("quoted") in ours
    replies_to_us = optional_id(tweet, "in_reply_to_user_id", where) == account.id or refs.get("replied_to") in ours
    if "retweeted" in refs:
        # A retweet says nothing to anyone: its "RT @us:" text is our own words passed on.
        mentions_us = quotes_us = replies_to_us = False
        source = "keyword"
    elif replies_to_us:
        source = "reply"
    elif mentions_us or quotes_us:
        source = "mention"
    else:
        source = "keyword"
    return Comment(
        platform="x",
        native_id=tweet_id,
        account=account.handle,
        source=source,
        author=Author(
            id=author_id,
            handle=handle,
            name=optional_str(user, "name", who, limit=MAX_NAME),
            bio=optional_str(user, "description", who),
            is_bot=_automated_label(user, who),
        ),
        text=text,
        url=f"https://x.com/{handle}/status/{tweet_id}",
        created_at=parse_iso(require(tweet, "created_at", where), where),
        parent_id=f"x:{refs['replied_to']}" if "replied_to" in refs else None,
        conversation_id=optional_id(tweet, "conversation_id", where) or tweet_id,
        lang=optional_str(tweet, "lang", where, limit=MAX_NAME) or None,
        mentions_us=mentions_us or replies_to_us or quotes_us,
        is_own=author_id == account.id,
        raw=dict(raw),
    )


def _automated_label(user: Mapping[str, Any], who: str) -> bool:
    """Whether X labels the account automated: its ``affiliation`` reads "Automated by @owner"."""
    label = optional_str(optional_mapping(user, "affiliation", who), "description", f"{who} affiliation")
    return label.lower().startswith("automated")


def _references(tweet: Mapping[str, Any], where: str) -> dict[str, str]:
    """The tweets this one answers, quotes or retweets: type (``replied_to``, ...) -> tweet id."""
    refs = {}
    for ref in optional_mappings(tweet, "referenced_tweets", where):
        kind, ref_id = optional_str(ref, "type", f"{where} reference"), optional_id(ref, "id", f"{where} reference")
        if ref_id:
            refs[kind] = ref_id
    return refs


def normalise_post(raw: Mapping[str, Any], followers: int) -> OwnPost:
    """Turn one of our tweets (API v2, with ``created_at`` and ``public_metrics``) into an OwnPost."""
    tweet_id = require_id(raw, "id", "x tweet")
    where = f"x tweet {tweet_id}"
    counts = optional_mapping(raw, "public_metrics", where)
    return OwnPost(
        platform="x",
        post_id=tweet_id,
        url=f"https://x.com/i/web/status/{tweet_id}",  # resolves without knowing the handle
        created_at=parse_iso(require(raw, "created_at", where), where),
        followers_at_post=int(followers),
        likes=metric(counts, "like_count"),
        reposts=metric(counts, "retweet_count"),
        replies=metric(counts, "reply_count"),
        quotes=metric(counts, "quote_count"),
        views=metric(counts, "impression_count"),
    )


def _our_tweet_ids(tweet: Mapping[str, Any], includes: Mapping[str, Any], account: Account) -> set[str]:
    """Ids of the tweets this one references that we wrote (from includes.tweets or its link entities)."""
    where = "x included tweet"
    ours = {
        optional_id(t, "id", where) or ""
        for t in optional_mappings(includes, "tweets", where)
        if optional_id(t, "author_id", where) == account.id
    } - {""}
    link = re.compile(rf"(?:twitter|x)\.com/{re.escape(account.handle)}/status/(\d+)", re.IGNORECASE)
    for url in optional_mappings(optional_mapping(tweet, "entities", "x tweet"), "urls", "x tweet entities"):
        ours.update(link.findall(optional_str(url, "expanded_url", "x url")))
    return ours


class _RebasedSession(requests.Session):
    """A requests session that sends tweepy's fixed ``https://api.twitter.com`` calls to another base."""

    def __init__(self, base: str, timeout: float) -> None:
        super().__init__()
        self.base, self.timeout = base.rstrip("/"), timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        """Rewrite the host and add a timeout (tweepy sends none, so a hung socket would hang the job)."""
        method, url = (v.decode() if isinstance(v, bytes) else v for v in (method, url))
        if url.startswith(API_BASE):
            url = self.base + url[len(API_BASE) :]
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, *args, **kwargs)


@dataclass
class _Window:
    """What the last response told us about one endpoint's rate-limit window."""

    limit: int
    remaining: int
    reset: float
    last: float


@dataclass(frozen=True)
class _Cycle:
    """Where a source is: X pages newest-first, so one poll cycle pages down from the newest tweet.

    ``since_id`` bounds the cycle (the previous cycle's newest id); before any is known, ``floor``
    (an ISO time) does instead. ``token`` is the next page of the cycle in progress and ``newest`` the
    first page's newest id, which becomes ``since_id`` when the cycle ends.
    """

    since_id: str | None = None
    floor: str | None = None
    token: str | None = None
    newest: str | None = None

    @classmethod
    def load(cls, cursor: str) -> _Cycle:
        """Read a cursor string written by ``dump``."""
        try:
            state = json.loads(cursor)
            return cls(**{k: (str(v) if v is not None else None) for k, v in state.items()})
        except (ValueError, TypeError) as exc:
            raise BadPayload(f"x cursor {cursor!r} is not ours") from exc

    def dump(self) -> str:
        """The cursor string stored in the database."""
        return json.dumps({k: v for k, v in asdict(self).items() if v is not None}, sort_keys=True)


@dataclass(frozen=True)
class _Quotes:
    """Where the ``quotes`` source is: the newest quote seen of each of our recent tweets.

    A quote that does not name us is not in the mentions timeline, so our tweets of the last
    ``quotes_days`` are read for quotes every ``quotes_minutes``. ``floor`` is when heard started
    listening: a tweet first met is read only for quotes from then on. ``swept`` is the last read.
    """

    floor: str
    swept: str | None = None
    seen: Mapping[str, str] = field(default_factory=dict)  # our tweet id -> newest quote id read

    @classmethod
    def load(cls, cursor: str) -> _Quotes:
        """Read a cursor string written by ``dump``."""
        try:
            state = json.loads(cursor)
            return cls(str(state["floor"]), state.get("swept"), {str(k): str(v) for k, v in state["seen"].items()})
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise BadPayload("x quotes cursor is not one heard wrote") from exc

    def dump(self) -> str:
        """The cursor string stored in the database."""
        return json.dumps({"floor": self.floor, "swept": self.swept, "seen": dict(self.seen)}, sort_keys=True)

    def due(self, now: datetime, every: timedelta) -> bool:
        """Whether our tweets should be read for quotes now."""
        return not self.swept or now - parse_iso(self.swept, "x quotes cursor") >= every


class XClient:
    """The X platform through tweepy.Client: one bounded request per call, errors translated."""

    name = "x"

    def __init__(
        self,
        api: tweepy.Client,
        account: Account,
        *,
        keywords: Sequence[str] = (),
        page_size: int = 100,
        clock: Callable[[], float] = time.time,
        quotes_days: float = 3,
        quotes_every: timedelta = timedelta(minutes=15),
        quotes_tweets: int = 20,
        own_replies: bool = True,
    ) -> None:
        self.api, self.account, self.keywords = api, account, tuple(keywords)
        self.own_replies = own_replies
        self.page_size, self.clock = page_size, clock
        self.quotes_days, self.quotes_every, self.quotes_tweets = quotes_days, quotes_every, quotes_tweets
        self._windows: dict[str, _Window] = {}

    def sources(self) -> Sequence[str]:
        """``mentions``, ``search:<query>`` per keyword query, then ``quotes`` and ``ours`` unless turned off."""
        quotes = ("quotes",) if self.quotes_days > 0 and self.quotes_tweets > 0 else ()
        ours = ("ours",) if self.own_replies else ()
        return ("mentions", *(f"search:{k}" for k in self.keywords), *quotes, *ours)

    def fetch(self, source: str, cursor: str | None, *, since: datetime) -> Page:
        """Fetch one page of the current cycle; the cursor records where the next call continues."""
        if source == "quotes":
            return self._fetch_quotes(cursor, since)
        cycle = _Cycle.load(cursor) if cursor else _Cycle(floor=since.astimezone(UTC).isoformat())
        try:
            body = self._page_request(source, cycle)
        except PermanentFailure:
            if not cycle.token:
                raise
            # An expired page token: start the cycle again from its bound; the store drops repeats.
            log.warning("x stale page token source=%s; restarting the cycle", source)
            return Page((), replace(cycle, token=None, newest=None).dump(), more=True)
        page = _advance(cycle, body)
        if source == "ours":
            # Our root tweets are the own-posts report's; a reply of ours is what acknowledges a comment.
            page = replace(page, items=tuple(i for i in page.items if _replies_to_someone(i["data"])))
        return page

    def _page_request(self, source: str, cycle: _Cycle) -> dict[str, Any]:
        params: dict[str, Any] = {
            "since_id": cycle.since_id,
            "tweet_fields": TWEET_FIELDS,
            "expansions": EXPANSIONS,
            "user_fields": USER_FIELDS,
            "user_auth": True,
        }
        if source == "mentions":
            return self._call(
                "mentions",
                self.api.get_users_mentions,
                self.account.id,
                max_results=_clamp(self.page_size, 5),
                pagination_token=cycle.token,
                **params,
            )
        if source.startswith("search:") and source[7:]:
            return self._call(
                "search",
                self.api.search_recent_tweets,
                source[7:],
                max_results=_clamp(self.page_size, 10),
                next_token=cycle.token,
                **params,
            )
        if source == "ours":
            # Our own replies, by heard or by a person on x.com: the mentions timeline never has them.
            return self._call(
                "timeline",
                self.api.get_users_tweets,
                self.account.id,
                max_results=_clamp(self.page_size, 5),
                pagination_token=cycle.token,
                exclude="retweets",
                **params,
            )
        raise ConfigError(f"x has no source {source!r}; expected 'mentions', 'search:<query>', 'quotes' or 'ours'")

    def _fetch_quotes(self, cursor: str | None, since: datetime) -> Page:
        """Read our recent tweets for new quotes when due (1 timeline request, then 1 a tweet); else nothing."""
        state = _Quotes.load(cursor) if cursor else _Quotes(floor=since.astimezone(UTC).isoformat())
        now = _at(self.clock())
        if not state.due(now, self.quotes_every):
            return Page((), state.dump(), more=False)
        body = self._call(
            "timeline",
            self.api.get_users_tweets,
            self.account.id,
            max_results=max(5, min(100, self.quotes_tweets)),
            exclude="replies,retweets",
            tweet_fields="created_at",
            start_time=_rfc3339(now - timedelta(days=self.quotes_days)),
            user_auth=True,
        )
        floor = parse_iso(state.floor, "x quotes cursor")
        items: list[dict[str, Any]] = []
        seen: dict[str, str] = {}
        for tweet in _tweets(body)[: self.quotes_tweets]:
            tid = str(tweet["id"])
            try:
                newest, quotes = self._quotes_of(tid, state.seen.get(tid), floor)
            except PermanentFailure as exc:
                # One tweet X will not list (deleted meanwhile, say) must not hold back the others.
                log.warning("x quotes of %s skipped: %s", tid, exc)
                newest, quotes = None, []
            items.extend(quotes)
            seen[tid] = newest or state.seen.get(tid) or ""
        return Page(tuple(items), replace(state, swept=now.isoformat(), seen=seen).dump(), more=False)

    def _quotes_of(self, tweet_id: str, after: str | None, floor: datetime) -> tuple[str | None, list[dict[str, Any]]]:
        """The newest quote id of one tweet and its quotes newer than ``after`` (or, first met, than ``floor``).

        Quotes come newest first, so reading stops at the first one already had; at most QUOTE_PAGES pages.
        """
        newest, token = None, None
        kept: list[dict[str, Any]] = []
        for _ in range(QUOTE_PAGES):
            body = self._call(
                "quotes",
                self.api.get_quote_tweets,
                tweet_id,
                max_results=100,
                pagination_token=token,
                tweet_fields=TWEET_FIELDS,
                expansions=EXPANSIONS,
                user_fields=USER_FIELDS,
                user_auth=True,
            )
            tweets = _tweets(body)
            newest = newest or (str(tweets[0]["id"]) if tweets else None)
            fresh = [t for t in tweets if _newer(t, after, floor)]
            kept.extend(_items(fresh, body.get("includes") or {}))
            token = (body.get("meta") or {}).get("next_token")
            if not token or len(fresh) < len(tweets):
                break
        return newest, kept

    def normalise(self, raw: Mapping[str, Any]) -> Comment:
        """Turn one fetched item into a Comment."""
        return normalise(raw, self.account)

    def after_store(self, source: str, page: Page) -> None:
        """Nothing to acknowledge on X."""

    def reply(self, comment: Comment, text: str) -> str:
        """Post ``text`` as a reply to ``comment``; return the new tweet's id.

        :raises PermanentFailure: the tweet is deleted, hidden from us, or refuses replies.
        """
        body = self._call(
            "post",
            self.api.create_tweet,
            text=text,
            in_reply_to_tweet_id=comment.native_id,
            user_auth=True,
            writing=True,
        )
        return str(require(body.get("data"), "id", "x reply"))

    def find_reply(self, comment: Comment) -> str | None:
        """Read our own timeline since ``comment`` for our tweet that replies to it; return its id or None.

        Our timeline (GET /2/users/:id/tweets) shows a tweet as soon as it is written; recent search
        is an index that can lag by tens of seconds, and trusting it after a crash posted copies.
        """
        token = None
        for _ in range(10):  # bounded: reconciling a crash must not become an endless crawl
            body = self._call(
                "timeline",
                self.api.get_users_tweets,
                self.account.id,
                since_id=comment.native_id,
                max_results=100,
                pagination_token=token,
                exclude="retweets",
                tweet_fields="referenced_tweets,author_id",
                user_auth=True,
            )
            for tweet in _tweets(body):
                refs = tweet.get("referenced_tweets") or []
                if any(r.get("type") == "replied_to" and str(r.get("id")) == comment.native_id for r in refs):
                    return str(tweet["id"])
            token = (body.get("meta") or {}).get("next_token")
            if not token:
                break
        return None

    def own_posts(self, *, since: datetime) -> Sequence[OwnPost]:
        """Our latest tweets since ``since`` (no replies or retweets) with their metrics: two requests."""
        user = self._call("user", self.api.get_user, id=self.account.id, user_fields="public_metrics", user_auth=True)
        followers = metric((require(user, "data", "x user").get("public_metrics") or {}), "followers_count")
        body = self._call(
            "timeline",
            self.api.get_users_tweets,
            self.account.id,
            max_results=OWN_PAGE,
            exclude="replies,retweets",
            tweet_fields=OWN_TWEET_FIELDS,
            start_time=_rfc3339(since),
            user_auth=True,
        )
        return [normalise_post(t, followers) for t in _tweets(body)]

    def check(self) -> str:
        """Ask X who we are; return ``@username (id)``."""
        me = self.whoami()
        return f"@{me.handle} ({me.id})"

    def whoami(self) -> Account:
        """The account the credentials belong to (GET /2/users/me)."""
        body = self._call("me", self.api.get_me, user_auth=True)
        data = require(body, "data", "x users/me")
        return Account("x", str(require(data, "id", "x users/me")), str(require(data, "username", "x users/me")))

    # -- the boundary: rate limits and error translation -------------------------------------

    def _call(
        self, endpoint: str, method: Callable[..., Any], *args: Any, writing: bool = False, **params: Any
    ) -> dict[str, Any]:
        self._admit(endpoint)
        try:
            response = method(*args, **params)
        except tweepy.HTTPException as exc:
            self._note(endpoint, exc.response)
            raise self._translate(endpoint, exc, writing) from exc
        except requests.RequestException as exc:
            raise Transient(f"x {endpoint}: {type(exc).__name__}") from exc
        self._note(endpoint, response)
        try:
            body = response.json()
        except ValueError as exc:
            raise BadPayload(f"x {endpoint}: response is not JSON") from exc
        if not isinstance(body, dict):
            raise BadPayload(f"x {endpoint}: expected a JSON object, got {type(body).__name__}")
        return body

    def _admit(self, endpoint: str) -> None:
        """Refuse a call the window cannot afford, before X has to say 429."""
        window, now = self._windows.get(endpoint), self.clock()
        if window is None or now >= window.reset:
            return
        if window.remaining <= 0:
            raise RateLimited(f"x {endpoint}: window spent", _at(window.reset))
        # In the last tenth of the budget, spread the rest over the window so paging cannot spend it
        # all at once and leave the source blind until the reset.
        if window.remaining <= window.limit // 10:
            gap = (window.reset - now) / window.remaining
            if now - window.last < gap:
                raise RateLimited(f"x {endpoint}: pacing the last requests", _at(window.last + gap))

    def _note(self, endpoint: str, response: Any) -> None:
        headers = getattr(response, "headers", None) or {}
        try:
            self._windows[endpoint] = _Window(
                int(headers["x-rate-limit-limit"]),
                int(headers["x-rate-limit-remaining"]),
                float(headers["x-rate-limit-reset"]),
                self.clock(),
            )
        except (KeyError, ValueError):
            pass  # no or odd headers: keep what we knew; X's 429 still stops us

    def _translate(self, endpoint: str, exc: tweepy.HTTPException, writing: bool) -> PlatformError:
        status, what = exc.response.status_code, f"x {endpoint}: {exc}".replace("\n", " ")
        if status == 429:
            reset = getattr(exc, "reset_time", None) or self.clock() + 60
            self._windows[endpoint] = _Window(1, 0, float(reset), self.clock())
            return RateLimited(what, _at(reset))
        if status == 402:
            return CreditsExhausted(what)
        if status in (400, 403) and writing and not _AUTH_PROBLEM.search(_problem_type(exc)):
            detail = " ".join(str(m) for m in exc.api_messages) or str(exc)
            if _TEXT_REFUSED.search(detail):
                return ContentRefused(what, duplicate="duplicate" in detail.lower())
        if status in (400, 403, 404) and writing and (status != 403 or _UNANSWERABLE.search(str(exc))):
            return PermanentFailure(what)
        if status in (401, 403):
            return AuthFailed(what)
        if status >= 500:
            return Transient(what)
        return PermanentFailure(what) if status in (400, 404) else PlatformError(what)


def _problem_type(exc: tweepy.HTTPException) -> str:
    """The ``type`` of X's problem answer (e.g. ``.../problems/oauth1-permissions``), or ""."""
    try:
        body = exc.response.json()
    except ValueError:
        return ""
    return str(body.get("type") or "") if isinstance(body, dict) else ""


def _advance(cycle: _Cycle, body: Mapping[str, Any]) -> Page:
    """Turn one response into a Page and the cycle's next position."""
    tweets, meta = _tweets(body), body.get("meta") or {}
    newest = cycle.newest if cycle.token else meta.get("newest_id")
    kept = tweets
    if cycle.since_id is None and cycle.floor:
        floor = parse_iso(cycle.floor, "x cursor floor")
        kept = [t for t in tweets if _not_before(t, floor)]
    token = meta.get("next_token") if len(kept) == len(tweets) else None  # below the floor: cycle done
    if token:
        after = replace(cycle, token=str(token), newest=str(newest) if newest else None)
    else:
        since_id = str(newest) if newest else cycle.since_id
        after = _Cycle(since_id=since_id, floor=None if since_id else cycle.floor)
    return Page(tuple(_items(kept, body.get("includes") or {})), after.dump(), more=bool(token))


def _not_before(tweet: Mapping[str, Any], floor: datetime) -> bool:
    """Whether a tweet is at or after ``floor``; one whose time is unreadable is kept for normalise to set aside."""
    try:
        return parse_iso(require(tweet, "created_at", "x tweet"), "x tweet") >= floor
    except BadPayload:
        return True  # one broken tweet must not fail the page: normalise names it and quarantine keeps it


def _newer(tweet: Mapping[str, Any], after: str | None, floor: datetime) -> bool:
    """Whether a quote is new: above the newest id already read, or (none read yet) at or after ``floor``."""
    if after:
        try:
            return int(tweet["id"]) > int(after)  # X ids are snowflakes: they grow with time
        except ValueError as exc:
            raise BadPayload(f"x tweet id {tweet['id']!r} is not a number") from exc
    return parse_iso(require(tweet, "created_at", "x tweet"), "x tweet") >= floor


def _replies_to_someone(tweet: Mapping[str, Any]) -> bool:
    """Whether a tweet answers another tweet (``referenced_tweets`` has ``replied_to``)."""
    return any(r.get("type") == "replied_to" for r in tweet.get("referenced_tweets") or [])


def _tweets(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    data = body.get("data") or []
    if not isinstance(data, list) or not all(isinstance(t, dict) and t.get("id") for t in data):
        raise BadPayload("x: 'data' is not a list of tweets")
    return data


def _items(tweets: list[dict[str, Any]], includes: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Cut a page into single-tweet payloads, each with the users and tweets it refers to."""
    users = {str(u.get("id")): u for u in includes.get("users") or [] if isinstance(u, dict)}
    referenced = {str(t.get("id")): t for t in includes.get("tweets") or [] if isinstance(t, dict)}
    for tweet in tweets:
        listed = tweet.get("referenced_tweets")
        # A malformed reference list is left for normalise to refuse, naming the field; the page goes on.
        links = [r for r in listed if isinstance(r, dict)] if isinstance(listed, list) else []
        refs = [referenced[str(r.get("id"))] for r in links if str(r.get("id")) in referenced]
        ids = dict.fromkeys([str(tweet.get("author_id"))] + [str(r.get("author_id")) for r in refs])
        item: dict[str, Any] = {"data": tweet, "includes": {"users": [users[i] for i in ids if i in users]}}
        if refs:
            item["includes"]["tweets"] = refs
        yield item


def _clamp(size: int, low: int) -> int:
    return max(low, min(100, int(size)))


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def _rfc3339(moment: datetime) -> str:
    # X wants YYYY-MM-DDTHH:mm:ssZ; it refuses an offset or fractions of a second.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def connect(options: Mapping[str, Any], secrets: Mapping[str, str]) -> XClient:
    """Build an XClient from heard.toml options and the four OAuth 1.0a secrets.

    :raises ConfigError: a secret is missing or an option has the wrong type.
    """
    require_secrets("x", SECRETS, secrets)
    keywords = options.get("keywords", [])
    if not isinstance(keywords, list | tuple) or not all(isinstance(k, str) and k for k in keywords):
        raise ConfigError("platforms.x.keywords: expected a list of search queries")
    try:
        page_size, timeout = int(options.get("page_size", 100)), float(options.get("timeout", 10))
    except (TypeError, ValueError) as exc:
        raise ConfigError("platforms.x.page_size/timeout: expected numbers") from exc
    own_replies = bool_option("x", options, "own_replies", True)
    api = tweepy.Client(
        consumer_key=secrets["X_API_KEY"],
        consumer_secret=secrets["X_API_SECRET"],
        access_token=secrets["X_ACCESS_TOKEN"],
        access_token_secret=secrets["X_ACCESS_TOKEN_SECRET"],
        return_type=requests.Response,
        wait_on_rate_limit=False,
    )
    api.session = _RebasedSession(str(options.get("api_base") or API_BASE), timeout)
    user_id, username = options.get("user_id"), options.get("username")
    client = XClient(
        api,
        Account("x", str(user_id or ""), str(username or "")),
        keywords=keywords,
        page_size=page_size,
        quotes_days=float(number_option("x", options, "quotes_days", 3, 0, 7)),
        quotes_every=timedelta(minutes=number_option("x", options, "quotes_minutes", 15, 0, 24 * 60)),
        quotes_tweets=int(number_option("x", options, "quotes_tweets", 20, 0, 100)),
        own_replies=own_replies,
    )
    if not (user_id and username):
        client.account = client.whoami()
    return client


register(
    PlatformSpec(
        name="x",
        normalise=normalise,
        connect=connect,
        secrets=SECRETS,
        options=OPTIONS,
        help="X (Twitter) API v2 via tweepy: mentions, quotes of your recent posts, your own replies and keyword "
        "searches, replies with OAuth 1.0a user context.",
        # X allows 100 posts per 15 min per user; stay far below it, and below anything that looks spammy.
        default_post_rate=25,
        normalise_post=normalise_post,
        reply_limit=280,
        reply_unit="weighted characters",
        count_reply=_length.count_x,
    )
)
