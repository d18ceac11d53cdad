"""Provide the Mastodon client: poll and reply through Mastodon.py, keeping to the rate limit, errors translated."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
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

from listener.errors import AuthFailed, BadPayload, ConfigError, PermanentFailure, PlatformError, Transient
from listener.platforms import _cursor, _ratelimit
from listener.platforms._common import Clock, ceil_epoch, metric, parse_iso, require, utc_now
from listener.platforms._options import bool_option, heard_version, list_option, number_option, require_secrets
from listener.platforms._translate import by_status
from listener.platforms.mastodon import (
    ADDRESSED,
    OWN,
    SECRETS,
    TAGGED,
    address,
    is_heard,
    normalise,
    normalise_post,
    plain,
    status_time,
)
from listener.records import Account, Comment, OwnPost, Page

TAG_PAGE = 40  # the most statuses a hashtag timeline returns in one page
OWN_PAGE = 40  # the most statuses an account's timeline returns in one page
# Our reply's visibility given the original's: never wider. Public mentions get unlisted answers,
# which reach the person without flooding the public timelines; unknown values stay direct.
REPLY_VISIBILITY = {"public": "unlisted", "unlisted": "unlisted", "private": "private", "direct": "direct"}


def user_agent(instance: str, handle: str = "") -> str:
    """Who heard is, for the instance's admins: ``heard/<version> (+<instance>/@<handle>)``."""
    return f"heard/{heard_version()} (+{instance.rstrip('/')}{f'/@{handle}' if handle else ''})"


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
        clock: Clock = utc_now,
        hashtags: Sequence[str] = (),
        own_replies: bool = True,
    ) -> None:
        self.api, self.bot_account, self.page_size, self.clock = api, bot_account, page_size, clock
        self.hashtags, self.own_replies = tuple(hashtags), own_replies
        self._account: Account | None = None
        self.windows = _ratelimit.Windows("mastodon", clock=clock)  # one window an account; Mastodon.py reads it

    @property
    def account(self) -> Account:
        """Who we are; asked of the instance once per process (verify_credentials)."""
        return self._account or self._known(self._call(self.api.account_verify_credentials))

    def _known(self, me: Mapping[str, Any]) -> Account:
        """Who the token belongs to, now told in the User-Agent too, so the instance's admins see which account."""
        self._account = Account("mastodon", str(require(me, "id", "mastodon me")), str(require(me, "acct", "me")))
        self.api.user_agent = user_agent(str(self.api.api_base_url), self._account.handle)
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
        state = _state(source, cursor)
        self.account  # noqa: B018 - resolved before the page, so normalise never calls out mid-page
        if state.get("min_id"):
            return self._forward(page_of, size, state["min_id"])
        return self._downward(page_of, size, state, since)

    def _forward(self, page_of: Callable[..., list[dict[str, Any]]], size: int, min_id: str) -> Page:
        items = page_of(min_id=min_id)
        newest = min_id
        for item in items:
            newest = str(item["id"]) if _newer(str(item["id"]), newest) else newest
        page = tuple(i for i in items if is_heard(i))
        return Page(page, _cursor.dump({"min_id": newest}), more=len(items) >= size, read_ahead=True)

    def _downward(
        self, page_of: Callable[..., list[dict[str, Any]]], size: int, state: Mapping[str, Any], since: datetime
    ) -> Page:
        """First start: note the newest id; while backfilling, walk down with max_id to the floor."""
        floor = parse_iso(state.get("floor") or since.astimezone(UTC).isoformat(), "mastodon cursor")
        items = page_of(max_id=state.get("max_id"))
        top = state.get("top") or (str(items[0]["id"]) if items else None)
        kept = [i for i in items if is_heard(i) and status_time(i.get("created_at"), "mastodon") >= floor]
        if len(items) >= size and len(kept) == len([i for i in items if is_heard(i)]):
            below = str(items[-1]["id"])
            state = {"top": top, "max_id": below, "floor": floor.isoformat()}
            return Page(tuple(kept), _cursor.dump(state), more=True, read_ahead=True)
        # With nothing at all yet (no mention; a hashtag never used), walk forward from the very first.
        return Page(tuple(kept), _cursor.dump({"min_id": top or "0"}), more=False)

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
        visibility = REPLY_VISIBILITY.get(str(status.get("visibility")), "direct")
        # The instance keeps an idempotency key for an hour, so a retry after a timeout cannot double-post.
        key = hashlib.sha256(f"{comment.id}\n{text}".encode()).hexdigest()[:32]
        posted = self._call(
            self.api.status_post,
            address(text, comment),
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
        account = self._known(me)
        if self.bot_account and not me.get("bot"):
            self._call(self.api.account_update_credentials, bot=True)
        return f"@{account.handle} ({account.id})"

    # -- the boundary: rate limits and error translation -------------------------------------

    def _call(self, method: Callable[..., Any], *args: Any, writing: bool = False, **params: Any) -> Any:
        self.windows.admit()
        with _translated(writing, self._spent):
            try:
                return method(*args, **params)
            finally:  # Mastodon.py has read the instance's X-RateLimit headers, whatever the answer
                reset = self.api.ratelimit_reset
                self.windows.set("", self.api.ratelimit_remaining, ceil_epoch(reset) if reset else None)

    def _spent(self) -> datetime:
        reset = self.api.ratelimit_reset
        return self.windows.spent("", ceil_epoch(reset) if reset else None)


@contextmanager
def _translated(writing: bool, spent: Callable[[], datetime]) -> Iterator[None]:
    """Turn Mastodon.py's errors into heard's hierarchy; ``spent`` tells the window of a 429 and when to retry."""
    try:
        yield
    except PlatformError:
        raise
    except MastodonRatelimitError as exc:
        raise by_status("mastodon said 429 Too Many Requests", 429, retry_at=spent()) from exc
    except MastodonUnauthorizedError as exc:
        raise AuthFailed(f"mastodon refused our token: {_detail(exc)}") from exc
    except MastodonNotFoundError as exc:
        raise PermanentFailure(f"mastodon: not found: {_detail(exc)}") from exc
    except (MastodonNetworkError, MastodonServerError) as exc:
        raise Transient(f"mastodon unavailable: {_detail(exc)}") from exc
    except MastodonAPIError as exc:
        status, detail = _status(exc), _detail(exc)
        if status is None:
            raise BadPayload(f"mastodon sent something unreadable: {detail}") from exc
        # A 422 to a write is a validation failure: the text (too long, blank) is refused, not our token.
        refused = status == 422
        raise by_status(
            f"mastodon: {detail}", status, writing=writing, refused=refused, duplicate="duplicate" in detail.lower()
        ) from exc
    except (MastodonIllegalArgumentError, MastodonError) as exc:
        raise BadPayload(f"mastodon: {type(exc).__name__}: {exc}") from exc


def _status(exc: MastodonAPIError) -> int | None:
    # Mastodon.py raises ('Mastodon API returned error', status, reason, message); parse errors have no status.
    return exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None


def _detail(exc: Exception) -> str:
    return " ".join(str(a) for a in exc.args if a)[:200]


def _state(source: str, cursor: str | None) -> dict[str, Any]:
    """The cursor's state: ``min_id`` when walking forward; ``top``, ``max_id`` and ``floor`` while walking down."""
    if not cursor:
        return {}
    with _cursor.reading("mastodon", source, cursor) as state:
        for key in ("min_id", "top", "max_id"):
            _cursor.text_or_none(state.get(key))
        if state.get("floor"):
            parse_iso(state["floor"], "mastodon cursor")
        return state


def connect(options: Mapping[str, Any], secrets: Mapping[str, str]) -> MastodonClient:
    """Build a Mastodon client from heard.toml options and the access token (no request is made).

    :raises ConfigError: the token or the instance is missing, or an option has the wrong type.
    """
    require_secrets("mastodon", SECRETS, secrets)
    base = options.get("api_base_url")
    if not isinstance(base, str) or not base:
        raise ConfigError("platforms.mastodon.api_base_url: expected your instance, e.g. 'https://mastodon.social'")
    api = Mastodon(
        access_token=secrets["MASTODON_ACCESS_TOKEN"],
        api_base_url=base.rstrip("/"),
        ratelimit_method="throw",
        request_timeout=float(number_option("mastodon", options, "timeout", 10, 0.01, 300)),
        version_check_mode="none",
        user_agent=user_agent(base),
    )
    hashtags = list_option("mastodon", options, "hashtags", "hashtags, e.g. ['yourbrand']")
    return MastodonClient(
        api,
        bot_account=bool_option("mastodon", options, "bot_account", False),
        page_size=int(number_option("mastodon", options, "page_size", 40, 1, 80)),
        hashtags=tuple(dict.fromkeys(t.strip().lstrip("#").lower() for t in hashtags)),
        own_replies=bool_option("mastodon", options, "own_replies", True),
    )
