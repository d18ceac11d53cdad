"""Provide the Mastodon platform: normalise notifications and hashtag statuses, and poll and reply through Mastodon.py.

Sources: ``mentions``, ``GET /api/v1/notifications?types[]=mention&types[]=quote`` (a quote of one
of our statuses need not mention us; servers before 4.5 never send one); and ``tag:<hashtag>``,
``GET /api/v1/timelines/tag/<hashtag>``, for each hashtag listened to; and ``ours``, our own replies
from ``GET /api/v1/accounts/<our id>/statuses`` (option ``own_replies``). Each is walked forward with
``min_id`` (``since_id`` would return the *newest* page above the id and skip a gap when more than
a page arrived between two ticks); the cursor is the newest id handled. On a first start the newest
id is remembered without storing anything, unless a backfill asks to walk down to a floor time
first (``max_id``), one page per tick.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from html.parser import HTMLParser
from typing import Any

from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonIllegalArgumentError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

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
from listener.platforms import PlatformSpec, _length, register
from listener.platforms._common import (
    MAX_NAME,
    MAX_URL,
    bool_option,
    ceil_epoch,
    metric,
    optional_id,
    optional_mappings,
    optional_str,
    parse_iso,
    require,
    require_id,
    require_mapping,
    require_secrets,
)
from listener.records import Account, Author, Comment, OwnPost, Page
from listener.text import MAX_TEXT, clean_text

SECRETS = ("MASTODON_ACCESS_TOKEN",)
OPTIONS = ("api_base_url", "bot_account", "page_size", "timeout", "hashtags", "own_replies")
TAG_PAGE = 40  # the most statuses a hashtag timeline returns in one page
OWN_PAGE = 40  # the most statuses an account's timeline returns in one page
# Our reply's visibility given the original's: never wider. Public mentions get unlisted answers,
# which reach the person without flooding the public timelines; unknown values stay direct.
REPLY_VISIBILITY = {"public": "unlisted", "unlisted": "unlisted", "private": "private", "direct": "direct"}
_BLOCKS = {"p", "br", "div", "li", "blockquote"}


class _Text(HTMLParser):
    """Mastodon's status HTML as plain text: paragraphs and breaks become newlines, tags vanish."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS and self.parts:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Turn Mastodon's HTML (``content``, ``note``) into readable plain text; mentions stay ``@name``."""
    parser = _Text()
    parser.feed(markup or "")
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    return "\n".join(line for line in lines if line).strip()


ADDRESSED = ("mention", "quote")  # the notification types that carry a status said to (or about) us
TAGGED = "tag"  # the type heard gives a status from a hashtag timeline, wrapped like a notification
OWN = "own"  # the type heard gives a status from our own timeline, wrapped like a notification


def _is_heard(notification: Mapping[str, Any]) -> bool:
    # types[] asks the server to filter, but older servers ignore it: a favourite of our own
    # status must not come back as a "comment" by us.
    status, kind = notification.get("status"), notification.get("type", "mention")
    if kind == OWN:  # only our replies: our root statuses are the own-posts report's
        return isinstance(status, Mapping) and bool(status.get("in_reply_to_id"))
    return bool(status) and kind in (*ADDRESSED, TAGGED)


def normalise(raw: Mapping[str, Any], account: Account) -> Comment:
    """Turn one mention or quote notification (Mastodon's JSON, with its ``status``) into a Comment."""
    status = require_mapping(raw, "status", "mastodon notification")
    status_id = require_id(status, "id", "mastodon status")
    where = f"mastodon status {status_id}"
    who = require_mapping(status, "account", where)
    author_id = require_id(who, "id", f"{where} account")
    handle = (
        optional_str(who, "acct", f"{where} account", limit=MAX_NAME)
        or optional_str(who, "username", f"{where} account", limit=MAX_NAME)
        or author_id
    )
    bio = clean_text(html_to_text(optional_str(who, "note", f"{where} account")))
    replies_to_us = optional_id(status, "in_reply_to_account_id", where) == account.id
    parent = optional_id(status, "in_reply_to_id", where)
    # A hashtag hit (or our own status) is said to us only when it mentions or answers us; a notification always is.
    mentioned = optional_str(raw, "type", "mastodon notification") not in (TAGGED, OWN) or any(
        optional_id(m, "id", f"{where} mention") == account.id for m in optional_mappings(status, "mentions", where)
    )
    return Comment(
        platform="mastodon",
        native_id=status_id,
        account=account.handle,
        source="reply" if replies_to_us else "mention" if mentioned else "keyword",
        author=Author(
            id=author_id,
            handle=handle,
            name=optional_str(who, "display_name", f"{where} account", limit=MAX_NAME),
            is_bot=who.get("bot") is True,
            bio=bio,
        ),
        # The markup is read four times longer than the text it holds may be: cutting it would cut a tag.
        text=clean_text(html_to_text(optional_str(status, "content", where, limit=4 * MAX_TEXT))),
        url=optional_str(status, "url", where, limit=MAX_URL) or optional_str(status, "uri", where, limit=MAX_URL),
        created_at=_time(require(status, "created_at", where), where),
        parent_id=f"mastodon:{parent}" if parent else None,
        conversation_id=parent or status_id,
        lang=optional_str(status, "language", where, limit=MAX_NAME) or None,
        mentions_us=mentioned or replies_to_us,  # a mention (or a quote of our status) is addressed to us
        is_own=author_id == account.id,
        raw=dict(raw),
    )


def normalise_post(raw: Mapping[str, Any], followers: int) -> OwnPost:
    """Turn one of our statuses into an OwnPost: favourites, reblogs and replies."""
    status_id = require_id(raw, "id", "mastodon status")
    where = f"mastodon status {status_id}"
    return OwnPost(
        platform="mastodon",
        post_id=status_id,
        url=optional_str(raw, "url", where, limit=MAX_URL) or optional_str(raw, "uri", where, limit=MAX_URL),
        created_at=_time(require(raw, "created_at", where), where),
        followers_at_post=int(followers),
        likes=metric(raw, "favourites_count"),
        reposts=metric(raw, "reblogs_count"),
        replies=metric(raw, "replies_count"),
    )


def _time(value: Any, where: str) -> datetime:
    if isinstance(value, datetime):  # Mastodon.py parses times; raw recordings keep the string
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return parse_iso(value, where)


def plain(value: Any) -> Any:
    """Mastodon.py's entities back as plain JSON data (times as ISO strings) for ``Comment.raw``.

    Mastodon.py adds the fields its types know as None where the server sent none; normalise reads
    both this and the server's own JSON (the replay recordings).
    """
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)  # id types are str subclasses; keep plain str
    return value


def _newer(a: str, b: str | None) -> bool:
    """Whether id ``a`` is newer than ``b``: ids are numeric strings of growing length."""
    return b is None or (len(a), a) > (len(b), b)


class MastodonClient:
    """A connected Mastodon account: mention notifications, replies, and rate limits kept to."""

    name = "mastodon"

    def __init__(
        self,
        api: Mastodon,
        *,
        bot_account: bool = False,
        page_size: int = 40,
        clock: Callable[[], float] = time.time,
        hashtags: Sequence[str] = (),
        own_replies: bool = True,
    ) -> None:
        self.api, self.bot_account, self.page_size, self.clock = api, bot_account, page_size, clock
        self.hashtags, self.own_replies = tuple(hashtags), own_replies
        self._account: Account | None = None
        self._blocked_until = 0.0

    @property
    def account(self) -> Account:
        """Who we are; asked of the instance once per process (verify_credentials)."""
        if self._account is None:
            me = self._call(self.api.account_verify_credentials)
            self._account = Account(
                "mastodon", str(require(me, "id", "mastodon me")), str(require(me, "acct", "mastodon me"))
            )
        return self._account

    def sources(self) -> Sequence[str]:
        """``mentions``, ``tag:<hashtag>`` for each hashtag listened to, and ``ours`` unless turned off."""
        return ("mentions", *(f"tag:{t}" for t in self.hashtags), *(("ours",) if self.own_replies else ()))

    def fetch(self, source: str, cursor: str | None, *, since: datetime) -> Page:
        """Make one request for items after the cursor (or, on a first start, at ``since``)."""
        if source == "mentions":
            page_of: Callable[..., list[dict[str, Any]]] = self._mentions
            size = self.page_size
        elif source.startswith("tag:") and source[4:] in self.hashtags:
            tag, size = source[4:], min(self.page_size, TAG_PAGE)
            page_of = partial(self._tagged, tag, size)
        elif source == "ours":
            size = min(self.page_size, OWN_PAGE)
            page_of = partial(self._own, size)
        else:
            raise ConfigError(f"mastodon has no source {source!r}; expected 'mentions', 'tag:<hashtag>' or 'ours'")
        self.account  # noqa: B018 - resolved before the page, so normalise never calls out mid-page
        state = _load(cursor)
        if state.get("min_id"):
            return self._forward(page_of, size, state["min_id"])
        return self._downward(page_of, size, state, since)

    def _forward(self, page_of: Callable[..., list[dict[str, Any]]], size: int, min_id: str) -> Page:
        items = page_of(min_id=min_id)
        newest = min_id
        for item in items:
            newest = str(item["id"]) if _newer(str(item["id"]), newest) else newest
        return Page(tuple(i for i in items if _is_heard(i)), _dump(min_id=newest), more=len(items) >= size)

    def _downward(
        self, page_of: Callable[..., list[dict[str, Any]]], size: int, state: Mapping[str, Any], since: datetime
    ) -> Page:
        """First start: note the newest id; while backfilling, walk down with max_id to the floor."""
        floor = parse_iso(state.get("floor") or since.astimezone(UTC).isoformat(), "mastodon cursor")
        items = page_of(max_id=state.get("max_id"))
        top = state.get("top") or (str(items[0]["id"]) if items else None)
        kept = [i for i in items if _is_heard(i) and _time(i.get("created_at"), "mastodon") >= floor]
        if len(items) >= size and len(kept) == len([i for i in items if _is_heard(i)]):
            below = str(items[-1]["id"])
            return Page(tuple(kept), _dump(top=top, max_id=below, floor=floor.isoformat()), more=True)
        # With nothing at all yet (no mention; a hashtag never used), walk forward from the very first.
        return Page(tuple(kept), _dump(min_id=top or "0"), more=False)

    def _mentions(self, **bounds: Any) -> list[dict[str, Any]]:
        page = self._call(self.api.notifications, types=list(ADDRESSED), limit=self.page_size, **bounds)
        if not isinstance(page, list) or not all(isinstance(n, Mapping) and n.get("id") for n in page):
            raise BadPayload("mastodon notifications: expected a list of notifications")
        return [plain(n) for n in page]

    def _tagged(self, tag: str, size: int, **bounds: Any) -> list[dict[str, Any]]:
        """A page of a hashtag's timeline, each status wrapped like a notification of type ``tag``."""
        page = self._call(self.api.timeline_hashtag, tag, limit=size, **bounds)
        if not isinstance(page, list) or not all(isinstance(s, Mapping) and s.get("id") for s in page):
            raise BadPayload(f"mastodon timeline of #{tag}: expected a list of statuses")
        return [
            {"id": str(s["id"]), "type": TAGGED, "created_at": status["created_at"], "status": status}
            for s in page
            for status in [plain(s)]
        ]

    def _own(self, size: int, **bounds: Any) -> list[dict[str, Any]]:
        """A page of our own statuses, each wrapped like a notification of type ``own``.

        Our replies, by heard or by a person in any Mastodon app, are what acknowledge a comment;
        no notification ever carries them.
        """
        me = self.account.id
        page = self._call(self.api.account_statuses, me, exclude_reblogs=True, limit=size, **bounds)
        if not isinstance(page, list) or not all(isinstance(s, Mapping) and s.get("id") for s in page):
            raise BadPayload("mastodon account_statuses: expected a list of statuses")
        return [
            {"id": str(s["id"]), "type": OWN, "created_at": status["created_at"], "status": status}
            for s in page
            for status in [plain(s)]
        ]

    def normalise(self, raw: Mapping[str, Any]) -> Comment:
        """Turn one fetched notification (or hashtag or own status) into a Comment."""
        return normalise(raw, self.account)

    def after_store(self, source: str, page: Page) -> None:
        """Nothing to acknowledge: the cursor alone says what is handled."""

    def reply(self, comment: Comment, text: str) -> str:
        """Post ``text`` in reply to ``comment``, never more visible than it; return the new status id.

        :raises PermanentFailure: the status is gone or cannot be answered.
        """
        status = comment.raw.get("status") or {}
        handle = str((status.get("account") or {}).get("acct") or comment.author.handle)
        body = text if text.lower().startswith(f"@{handle.lower()}") else f"@{handle} {text}"
        visibility = REPLY_VISIBILITY.get(str(status.get("visibility")), "direct")
        # The instance keeps an idempotency key for an hour, so a retry after a timeout cannot double-post.
        key = hashlib.sha256(f"{comment.id}\n{text}".encode()).hexdigest()[:32]
        posted = self._call(
            self.api.status_post,
            body,
            in_reply_to_id=comment.native_id,
            visibility=visibility,
            idempotency_key=key,
            writing=True,
        )
        return str(require(posted, "id", "mastodon status_post"))

    def find_reply(self, comment: Comment) -> str | None:
        """Return the id of our status that answers ``comment`` directly, from its thread's descendants."""
        context = self._call(self.api.status_context, comment.native_id, writing=True)
        for status in (context or {}).get("descendants") or []:
            if (
                str((status.get("account") or {}).get("id")) == self.account.id
                and str(status.get("in_reply_to_id")) == comment.native_id
            ):
                return str(status["id"])
        return None

    def own_posts(self, *, since: datetime) -> Sequence[OwnPost]:
        """Our latest statuses since ``since`` (no replies or boosts) with their counts: two requests."""
        me = plain(self._call(self.api.account_verify_credentials))
        page = self._call(
            self.api.account_statuses,
            str(require(me, "id", "mastodon me")),
            exclude_replies=True,
            exclude_reblogs=True,
            limit=min(40, self.page_size),
        )
        if not isinstance(page, list) or not all(isinstance(s, Mapping) and s.get("id") for s in page):
            raise BadPayload("mastodon account_statuses: expected a list of statuses")
        # Direct messages reach only the people they name, not our audience.
        followers = metric(me, "followers_count")
        posts = [normalise_post(plain(s), followers) for s in page if s.get("visibility") != "direct"]
        return [p for p in posts if p.created_at >= since]

    def check(self) -> str:
        """Ask who we are (verify_credentials); with ``bot_account``, mark the account as a bot once."""
        me = self._call(self.api.account_verify_credentials)
        self._account = Account("mastodon", str(require(me, "id", "mastodon me")), str(require(me, "acct", "me")))
        if self.bot_account and not me.get("bot"):
            self._call(self.api.account_update_credentials, bot=True)
        return f"@{self._account.handle} ({self._account.id})"

    # -- the boundary: rate limits and error translation -------------------------------------

    def _call(self, method: Callable[..., Any], *args: Any, writing: bool = False, **params: Any) -> Any:
        self._admit()
        with _translated(writing, self._retry_at):
            return method(*args, **params)

    def _admit(self) -> None:
        """Refuse a call the window cannot afford, before the instance has to say 429."""
        now, reset = self.clock(), self.api.ratelimit_reset
        if self._blocked_until > now:
            raise RateLimited("mastodon rate limit: waiting for the reset", ceil_epoch(self._blocked_until))
        if self.api.ratelimit_remaining is not None and self.api.ratelimit_remaining <= 0 and reset and reset > now:
            raise RateLimited("mastodon rate limit spent", ceil_epoch(reset))

    def _retry_at(self) -> datetime:
        # Mastodon.py has read X-RateLimit-Reset (ISO time) before it raises, so the reset is known.
        reset = self.api.ratelimit_reset
        self._blocked_until = float(reset) if reset and reset > self.clock() else self.clock() + 60
        return ceil_epoch(self._blocked_until)


@contextmanager
def _translated(writing: bool, retry_at: Callable[[], datetime]) -> Iterator[None]:
    """Turn Mastodon.py's errors into heard's hierarchy."""
    try:
        yield
    except PlatformError:
        raise
    except MastodonRatelimitError as exc:
        raise RateLimited("mastodon said 429 Too Many Requests", retry_at()) from exc
    except MastodonUnauthorizedError as exc:
        raise AuthFailed(f"mastodon refused our token: {_detail(exc)}") from exc
    except MastodonNotFoundError as exc:
        raise PermanentFailure(f"mastodon: not found: {_detail(exc)}") from exc
    except (MastodonNetworkError, MastodonServerError) as exc:
        raise Transient(f"mastodon unavailable: {_detail(exc)}") from exc
    except MastodonAPIError as exc:
        raise _by_status(_status(exc), _detail(exc), writing) from exc
    except (MastodonIllegalArgumentError, MastodonError) as exc:
        raise BadPayload(f"mastodon: {type(exc).__name__}: {exc}") from exc


def _status(exc: MastodonAPIError) -> int | None:
    # Mastodon.py raises ('Mastodon API returned error', status, reason, message); parse errors have no status.
    return exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None


def _detail(exc: Exception) -> str:
    return " ".join(str(a) for a in exc.args if a)[:200]


def _by_status(status: int | None, message: str, writing: bool) -> PlatformError:
    if status is None:
        return BadPayload(f"mastodon sent something unreadable: {message}")
    if status == 403 and not writing:
        return AuthFailed(f"mastodon refused: {message}")
    if status == 422 and writing:
        # Validation failed: the text (too long, blank) is refused, not our token.
        return ContentRefused(f"mastodon: {message}", duplicate="duplicate" in message.lower())
    if status in (403, 404, 410, 422):
        return PermanentFailure(f"mastodon: {message}")
    if status in (408, 425):
        return Transient(f"mastodon: {message}")
    return PlatformError(f"mastodon: {message}")


def _load(cursor: str | None) -> dict[str, Any]:
    try:
        state = json.loads(cursor) if cursor else {}
    except ValueError as exc:
        raise BadPayload(f"mastodon cursor {cursor!r} is not ours") from exc
    if not isinstance(state, dict):
        raise BadPayload(f"mastodon cursor {cursor!r} is not ours")
    return state


def _dump(**state: Any) -> str:
    return json.dumps({k: v for k, v in state.items() if v is not None}, sort_keys=True)


def connect(options: Mapping[str, Any], secrets: Mapping[str, str]) -> MastodonClient:
    """Build a Mastodon client from heard.toml options and the access token (no request is made).

    :raises ConfigError: the token or the instance is missing, or an option has the wrong type.
    """
    require_secrets("mastodon", SECRETS, secrets)
    base = options.get("api_base_url")
    if not isinstance(base, str) or not base:
        raise ConfigError("platforms.mastodon.api_base_url: expected your instance, e.g. 'https://mastodon.social'")
    bot = bool_option("mastodon", options, "bot_account", False)
    page_size, timeout = options.get("page_size", 40), options.get("timeout", 10)
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= 80:
        raise ConfigError(f"platforms.mastodon.page_size: expected 1 to 80, got {page_size!r}")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= 300:
        raise ConfigError(f"platforms.mastodon.timeout: expected seconds (0-300], got {timeout!r}")
    api = Mastodon(
        access_token=secrets["MASTODON_ACCESS_TOKEN"],
        api_base_url=base.rstrip("/"),
        ratelimit_method="throw",
        request_timeout=float(timeout),
        version_check_mode="none",
        user_agent="heard (+https://github.com/heard)",
    )
    hashtags = options.get("hashtags", [])
    if not isinstance(hashtags, list | tuple) or not all(isinstance(t, str) and t.strip("# ") for t in hashtags):
        raise ConfigError("platforms.mastodon.hashtags: expected a list of hashtags, e.g. ['yourbrand']")
    tags = tuple(dict.fromkeys(t.strip().lstrip("#").lower() for t in hashtags))
    own_replies = bool_option("mastodon", options, "own_replies", True)
    return MastodonClient(api, bot_account=bot, page_size=page_size, hashtags=tags, own_replies=own_replies)


register(
    PlatformSpec(
        name="mastodon",
        normalise=normalise,
        connect=connect,
        secrets=SECRETS,
        options=OPTIONS,
        help="Mastodon through Mastodon.py: mentions, quotes and replies to your account, your own replies, "
        "and hashtags. "
        "See docs/mastodon.md.",
        # 300 requests per 5 minutes per account covers everything; a bot that answers more than this
        # an hour reads as spam to people and to instance moderators.
        default_post_rate=30,
        normalise_post=normalise_post,
        reply_limit=500,
        count_reply=_length.count_mastodon,
    )
)
