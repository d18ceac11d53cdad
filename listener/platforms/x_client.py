"""Provide the X client: poll and reply through tweepy, one bounded request a call, errors translated."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import orjson
import requests
import tweepy

from listener.errors import BadPayload, ConfigError, PermanentFailure, PlatformError, Transient
from listener.platforms import _ratelimit
from listener.platforms._common import Clock, ceil_epoch, metric, parse_iso, require, utc_now
from listener.platforms._options import bool_option, list_option, number_option, require_secrets
from listener.platforms._translate import by_status
from listener.platforms.x import SECRETS, normalise, normalise_post
from listener.platforms.x_paging import Cycle, Quotes, advance, items, newer, replies_to_someone, rfc3339, tweets
from listener.records import Account, Comment, OwnPost, Page

log = logging.getLogger(__name__)

API_BASE = "https://api.twitter.com"
X_HEADERS = _ratelimit.Headers("x-rate-limit-remaining", "x-rate-limit-reset", limit="x-rate-limit-limit")
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
        clock: Clock = utc_now,
        quotes_days: float = 3,
        quotes_every: timedelta = timedelta(minutes=15),
        quotes_tweets: int = 20,
        own_replies: bool = True,
    ) -> None:
        self.api, self.account, self.keywords = api, account, tuple(keywords)
        self.own_replies = own_replies
        self.page_size, self.clock = page_size, clock
        self.quotes_days, self.quotes_every, self.quotes_tweets = quotes_days, quotes_every, quotes_tweets
        # Each endpoint has its own window in X's headers; its last tenth is paced.
        self.windows = _ratelimit.Windows("x", X_HEADERS, clock=clock, pace=True)

    def sources(self) -> Sequence[str]:
        """``mentions``, ``search:<query>`` per keyword query, then ``quotes`` and ``ours`` unless turned off."""
        quotes = ("quotes",) if self.quotes_days > 0 and self.quotes_tweets > 0 else ()
        ours = ("ours",) if self.own_replies else ()
        return ("mentions", *(f"search:{k}" for k in self.keywords), *quotes, *ours)

    def fetch(self, source: str, cursor: str | None, *, since: datetime) -> Page:
        """Fetch one page of the current cycle; the cursor records where the next call continues."""
        if source == "quotes":
            return self._fetch_quotes(cursor, since)
        cycle = Cycle.load(source, cursor, since)
        try:
            body = self._page_request(source, cycle)
        except PermanentFailure:
            if not cycle.token:
                raise
            # An expired page token: start the cycle again from its bound; the store drops repeats.
            log.warning("x stale page token source=%s; restarting the cycle", source)
            return Page((), replace(cycle, token=None, newest=None).dump(), more=True)
        page = advance(cycle, body)
        if source == "ours":
            # Our root tweets are the own-posts report's; a reply of ours is what acknowledges a comment.
            page = replace(page, items=tuple(i for i in page.items if replies_to_someone(i["data"])))
        return page

    def _page_request(self, source: str, cycle: Cycle) -> dict[str, Any]:
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
        state = Quotes.load(cursor, since)
        now = self.clock()
        if not state.due(now, self.quotes_every):
            return Page((), state.dump(), more=False)
        body = self._call(
            "timeline",
            self.api.get_users_tweets,
            self.account.id,
            max_results=max(5, min(100, self.quotes_tweets)),
            exclude="replies,retweets",
            tweet_fields="created_at",
            start_time=rfc3339(now - timedelta(days=self.quotes_days)),
            user_auth=True,
        )
        floor = parse_iso(state.floor, "x quotes cursor")
        items: list[dict[str, Any]] = []
        seen: dict[str, str] = {}
        for tweet in tweets(body)[: self.quotes_tweets]:
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
            found = tweets(body)
            newest = newest or (str(found[0]["id"]) if found else None)
            fresh = [t for t in found if newer(t, after, floor)]
            kept.extend(items(fresh, body.get("includes") or {}))
            token = (body.get("meta") or {}).get("next_token")
            if not token or len(fresh) < len(found):
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
            for tweet in tweets(body):
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
            start_time=rfc3339(since),
            user_auth=True,
        )
        return [normalise_post(t, followers) for t in tweets(body)]

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

    # -- the boundary: rate limits and error translation -------------------------------------

    def _call(
        self, endpoint: str, method: Callable[..., Any], *args: Any, writing: bool = False, **params: Any
    ) -> dict[str, Any]:
        self.windows.admit(endpoint)
        try:
            response = method(*args, **params)
        except tweepy.HTTPException as exc:
            self.windows.note(endpoint, getattr(exc.response, "headers", None))
            raise self._translate(endpoint, exc, writing) from exc
        except requests.RequestException as exc:
            raise Transient(f"x {endpoint}: {type(exc).__name__}") from exc
        self.windows.note(endpoint, getattr(response, "headers", None))
        body = _decoded(response, endpoint)
        if not isinstance(body, dict):
            raise BadPayload(f"x {endpoint}: expected a JSON object, got {type(body).__name__}")
        return body

    def _translate(self, endpoint: str, exc: tweepy.HTTPException, writing: bool) -> PlatformError:
        status, what = exc.response.status_code, f"x {endpoint}: {exc}".replace("\n", " ")
        retry_at = None
        if status == 429:
            reset = getattr(exc, "reset_time", None)
            retry_at = self.windows.spent(endpoint, ceil_epoch(reset) if reset else None)
        detail = " ".join(str(m) for m in exc.api_messages) or str(exc)
        ours = bool(_AUTH_PROBLEM.search(_problem_type(exc)))
        return by_status(
            what,
            status,
            writing=writing,
            refused=status in (400, 403) and not ours and bool(_TEXT_REFUSED.search(detail)),
            duplicate="duplicate" in detail.lower(),
            # A write X refuses with 403 is about its target when X says so ("deleted", "not allowed").
            credentials=(status == 403 and not _UNANSWERABLE.search(str(exc))) if writing else None,
            retry_at=retry_at,
        )


def _decoded(response: requests.Response, endpoint: str) -> Any:
    """The JSON of an answer: orjson reads a page of 100 tweets in a quarter of the standard decoder's time."""
    try:
        return orjson.loads(response.content)
    except ValueError:
        pass  # orjson refuses an escaped lone surrogate, which X may send in a text: the standard decoder keeps it
    try:
        return response.json()
    except ValueError as exc:
        raise BadPayload(f"x {endpoint}: response is not JSON") from exc


def _problem_type(exc: tweepy.HTTPException) -> str:
    """The ``type`` of X's problem answer (e.g. ``.../problems/oauth1-permissions``), or ""."""
    try:
        body = exc.response.json()
    except ValueError:
        return ""
    return str(body.get("type") or "") if isinstance(body, dict) else ""


def _clamp(size: int, low: int) -> int:
    return max(low, min(100, int(size)))


def connect(options: Mapping[str, Any], secrets: Mapping[str, str]) -> XClient:
    """Build an XClient from heard.toml options and the four OAuth 1.0a secrets.

    :raises ConfigError: a secret is missing or an option has the wrong type.
    """
    require_secrets("x", SECRETS, secrets)
    api = tweepy.Client(
        consumer_key=secrets["X_API_KEY"],
        consumer_secret=secrets["X_API_SECRET"],
        access_token=secrets["X_ACCESS_TOKEN"],
        access_token_secret=secrets["X_ACCESS_TOKEN_SECRET"],
        return_type=requests.Response,
        wait_on_rate_limit=False,
    )
    timeout = float(number_option("x", options, "timeout", 10, 0.01, 300))
    api.session = _RebasedSession(str(options.get("api_base") or API_BASE), timeout)
    user_id, username = options.get("user_id"), options.get("username")
    client = XClient(
        api,
        Account("x", str(user_id or ""), str(username or "")),
        keywords=list_option("x", options, "keywords", "search queries"),
        page_size=int(number_option("x", options, "page_size", 100, 1, 100)),
        quotes_days=float(number_option("x", options, "quotes_days", 3, 0, 7)),
        quotes_every=timedelta(minutes=number_option("x", options, "quotes_minutes", 15, 0, 24 * 60)),
        quotes_tweets=int(number_option("x", options, "quotes_tweets", 20, 0, 100)),
        own_replies=bool_option("x", options, "own_replies", True),
    )
    if not (user_id and username):
        client.account = client.whoami()
    return client
