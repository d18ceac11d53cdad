"""Provide the Bluesky platform: normalise notifications, and poll and reply through atproto.

Sources: ``notifications``, mentions, replies and quotes from
``app.bsky.notification.listNotifications``; and ``search:<query>`` for each keyword, posts from
``app.bsky.feed.searchPosts`` (sort latest); and ``ours``, our own replies from
``app.bsky.feed.getAuthorFeed`` (``posts_with_replies``; option ``own_replies``). All come newest
first with a ``cursor`` to older pages, so a poll cycle pages down from the newest item to the
bound the previous cycle reached, then remembers the newest it saw (the same cycle as X's since_id walk).

The session is created once per process and reused; atproto refreshes it from its JWT ``exp``.
A login is at most once per ``RELOGIN_GAP``: createSession allows 30 per 5 minutes per handle.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from atproto import Client, Session, models
from atproto_client.exceptions import (
    BadRequestError,
    LoginRequiredError,
    ModelError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)
from atproto_client.request import Request
from atproto_client.utils import facet_detection
from atproto_core.exceptions import AtProtocolError

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
from listener.platforms import PlatformSpec, _length, _walk, register
from listener.platforms._common import (
    MAX_NAME,
    bool_option,
    ceil_epoch,
    expected,
    metric,
    optional_id,
    optional_list,
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

SECRETS = ("BLUESKY_HANDLE", "BLUESKY_APP_PASSWORD")
OPTIONS = ("base_url", "page_size", "timeout", "mark_seen", "keywords", "own_replies")
DEFAULT_BASE = "https://bsky.social"
POST = "app.bsky.feed.post"
# Notification reasons we answer, and the Comment source each becomes (a quote is aimed at us).
REASONS = {"mention": "mention", "reply": "reply", "quote": "mention"}
OWN_PAGE = 100  # our latest posts per own-posts fetch: getAuthorFeed's largest page
RELOGIN_GAP = 120.0  # seconds between password logins, far inside createSession's 30 per 5 min
_TOKEN_ERRORS = {"ExpiredToken", "InvalidToken"}
# A write refused for its record (text over 300 graphemes, say): this reply fails, not the session.
_RECORD_REFUSED = {"InvalidRequest", "InvalidRecord"}
_GONE = ("#blockedPost", "#notFoundPost")


def normalise(raw: Mapping[str, Any], account: Account) -> Comment:
    """Turn one notification (``uri``, ``cid``, ``author``, ``reason``, ``record``, ``indexedAt``) into a Comment.

    :raises BadPayload: the post is deleted or blocked, or carries neither text nor embed.
    """
    uri = require_id(raw, "uri", "bluesky notification")
    where = f"bluesky {uri}"
    record = raw.get("record")
    if _gone(raw) or not isinstance(record, Mapping):
        raise BadPayload(f"{where}: post deleted or blocked")
    text = optional_str(record, "text", where)
    if not text.strip() and not record.get("embed"):
        raise BadPayload(f"{where}: empty post")
    author = require_mapping(raw, "author", where)
    who = f"{where} author"
    did = require_id(author, "did", who)
    handle = optional_str(author, "handle", who, limit=MAX_NAME) or did
    reply = optional_mapping(record, "reply", where)
    parent, root = _reference(reply, "parent", where), _reference(reply, "root", where)
    source = REASONS.get(optional_str(raw, "reason", where))
    mentioned = account.id in _mentioned_dids(record, where)
    flagged = any(
        optional_str(label, "val", f"{who} label").lower() in ("bot", "automated")
        for label in optional_mappings(author, "labels", who)
    )
    lang = _first_language(record, where)
    created = record.get("createdAt") or raw.get("indexedAt")
    return Comment(
        platform="bluesky",
        native_id=uri,
        account=account.handle,
        source=source or ("mention" if mentioned else "keyword"),
        author=Author(
            id=did,
            handle=handle,
            name=optional_str(author, "displayName", who, limit=MAX_NAME),
            bio=optional_str(author, "description", who),
            # Handles are domains: the bot-ness is in the first label ("pricebot.bsky.social").
            is_bot=flagged,
        ),
        text=text,
        url=f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}",
        created_at=parse_iso(created, where),
        parent_id=f"bluesky:{parent}" if parent else None,
        conversation_id=root or uri,
        lang=lang,
        mentions_us=bool(source) or mentioned,
        is_own=did == account.id,
        raw=dict(raw),
    )


def normalise_post(raw: Mapping[str, Any], followers: int) -> OwnPost:
    """Turn one of our posts (a feed ``postView``) into an OwnPost: likes, reposts, replies and quotes."""
    uri = require_id(raw, "uri", "bluesky post")
    where = f"bluesky {uri}"
    author = optional_mapping(raw, "author", where)
    # An at:// uri names the author's repo (its did) right after the scheme.
    repo = uri.removeprefix("at://").split("/")[0]
    handle = optional_str(author, "handle", where, limit=MAX_NAME) or optional_id(author, "did", where) or repo
    created = optional_mapping(raw, "record", where).get("createdAt") or raw.get("indexedAt")
    return OwnPost(
        platform="bluesky",
        post_id=uri,
        url=f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}",
        created_at=parse_iso(created, where),
        followers_at_post=int(followers),
        likes=metric(raw, "likeCount"),
        reposts=metric(raw, "repostCount"),
        replies=metric(raw, "replyCount"),
        quotes=metric(raw, "quoteCount"),
    )


def _gone(raw: Mapping[str, Any]) -> bool:
    kind = str(raw.get("$type") or "")
    return kind.endswith(_GONE) or bool(raw.get("blocked") or raw.get("notFound"))


def _ref_uri(reply: Mapping[str, Any], key: str) -> str | None:
    ref = reply.get(key)
    return str(ref["uri"]) if isinstance(ref, dict) and ref.get("uri") else None


def _reference(reply: Mapping[str, Any], key: str, where: str) -> str | None:
    """The uri of a reply's ``parent`` or ``root`` post, type-checked."""
    return optional_id(optional_mapping(reply, key, f"{where} reply"), "uri", f"{where} reply {key}")


def _mentioned_dids(record: Mapping[str, Any], where: str) -> set[str]:
    dids = {
        optional_id(feature, "did", f"{where} facet feature")
        for facet in optional_mappings(record, "facets", where)
        for feature in optional_mappings(facet, "features", f"{where} facet")
    }
    return {did for did in dids if did}


def _first_language(record: Mapping[str, Any], where: str) -> str | None:
    """The post's first language tag (``langs[0]``), or None."""
    langs = optional_list(record, "langs", where)
    if not langs or langs[0] is None:
        return None
    if not isinstance(langs[0], str):
        raise expected(where, "langs[0]", "a string", langs[0])
    return clean_text(langs[0], MAX_NAME) or None


# -- the walk over newest-first notifications (pure) ------------------------------------------


class Walk(_walk.Walk):
    """Where the notifications source is: a cycle pages down from the newest item to ``bound``.

    ``bound`` is the ``indexedAt`` the previous cycle reached (or the start time) and ``seen`` the
    uris stored at exactly that instant. The cursor keeps the newest uris under ``newest_uris``.
    """

    platform = "bluesky"
    ids_key = "newest_uris"

    @staticmethod
    def stamp(item: dict[str, Any]) -> _walk.Stamp:
        """A notification's uri and ``indexedAt`` (kept in the cursor as Bluesky wrote it)."""
        at = parse_iso(item.get("indexedAt"), f"bluesky {item.get('uri')}")
        return _walk.Stamp(str(item["uri"]), at, item["indexedAt"])


class SearchWalk(_walk.Walk):
    """Where a ``search:<query>`` source is: a cycle pages down from the newest post to ``bound``.

    searchPosts sorts "latest" by a post's sort time, the earlier of its ``createdAt`` and
    ``indexedAt`` (so a post dated in the future cannot stay on top), and its ``since`` takes the same
    time: the walk reads that time, and asks for nothing older than its bound.
    """

    platform = "bluesky search"
    ids_key = "newest_uris"

    @staticmethod
    def stamp(item: dict[str, Any]) -> _walk.Stamp:
        """A post's uri and sort time (kept in the cursor as Bluesky wrote it)."""
        where = f"bluesky {item.get('uri')}"
        times = [t for t in ((item.get("record") or {}).get("createdAt"), item.get("indexedAt")) if t]
        if not times:
            raise BadPayload(f"{where}: no createdAt or indexedAt")
        text = min(times, key=lambda t: parse_iso(t, where))
        return _walk.Stamp(str(item["uri"]), parse_iso(text, where), str(text))


class FeedWalk(_walk.Walk):
    """Where the ``ours`` source is: a cycle pages down our author feed from the newest entry to ``bound``.

    The feed sorts a post by the earlier of its ``createdAt`` and ``indexedAt``, and a repost by
    when it was reposted (``reason.indexedAt``): the walk reads the same time.
    """

    platform = "bluesky own"
    ids_key = "newest_uris"

    @staticmethod
    def stamp(item: dict[str, Any]) -> _walk.Stamp:
        """A feed entry's post uri and sort time (kept in the cursor as Bluesky wrote it)."""
        post, reason = item.get("post") or {}, item.get("reason") or {}
        uri, where = str(post.get("uri")), f"bluesky {post.get('uri')}"
        if reason.get("indexedAt"):
            # A repost of our own post lists that post's uri a second time; the walk must tell them apart.
            return _walk.Stamp(f"{uri}#repost", parse_iso(reason["indexedAt"], where), str(reason["indexedAt"]))
        times = [t for t in ((post.get("record") or {}).get("createdAt"), post.get("indexedAt")) if t]
        if not times:
            raise BadPayload(f"{where}: no createdAt or indexedAt")
        text = min(times, key=lambda t: parse_iso(t, where))
        return _walk.Stamp(uri, parse_iso(text, where), str(text))


# -- the client --------------------------------------------------------------------------------


@dataclass
class _Window:
    """What the last response said about one method's rate-limit window."""

    remaining: int
    reset: float


class BlueskyClient:
    """A Bluesky account through atproto's Client: one session, bounded requests, errors translated."""

    name = "bluesky"

    def __init__(
        self,
        api: Client,
        handle: str,
        password: str,
        *,
        page_size: int = 50,
        mark_seen: bool = False,
        session_string: str | None = None,
        clock: Callable[[], float] = time.time,
        keywords: Sequence[str] = (),
        own_replies: bool = True,
    ) -> None:
        self.api, self.handle, self._password = api, handle.removeprefix("@"), password
        self.keywords, self.own_replies = tuple(keywords), own_replies
        self.page_size, self.mark_seen, self.clock = page_size, mark_seen, clock
        self._session_string = session_string
        self._account: Account | None = None
        self._last_login = float("-inf")
        self._windows: dict[str, _Window] = {}
        self.logins = 0

    @property
    def account(self) -> Account:
        """Who we are: the DID and handle of the session (logging in on first use)."""
        self._ensure_session()
        assert self._account is not None
        return self._account

    def session_string(self) -> str | None:
        """The current session, for an app that wants to keep it across restarts (it is a secret)."""
        return self.api.export_session_string() if self._account else None

    def sources(self) -> Sequence[str]:
        """``notifications`` (mentions, replies and quotes), ``search:<query>`` per keyword, and ``ours``."""
        return ("notifications", *(f"search:{k}" for k in self.keywords), *(("ours",) if self.own_replies else ()))

    def fetch(self, source: str, cursor: str | None, *, since: datetime) -> Page:
        """Fetch one page of the current cycle; the cursor records where the next call continues."""
        if source.startswith("search:") and source[7:] in self.keywords:
            return self._search(source[7:], cursor, since)
        if source == "ours":
            return self._ours(cursor, since)
        if source != "notifications":
            raise ConfigError(
                f"bluesky has no source {source!r}; expected 'notifications', 'search:<keyword>' or 'ours'"
            )
        walk = Walk.load(cursor, since)
        params = models.AppBskyNotificationListNotifications.Params(
            limit=self.page_size, cursor=walk.token, reasons=sorted(REASONS)
        )
        body = self._call("app.bsky.notification.listNotifications", params)
        items = body.get("notifications")
        if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("uri") for i in items):
            raise BadPayload("bluesky listNotifications: 'notifications' is not a list of notifications")
        fresh, after = walk.step(items, body.get("cursor"))
        kept = [i for i in fresh if i.get("reason") in REASONS and _answerable(i)]
        if len(kept) < len(fresh):
            log.info("bluesky dropped %d deleted, blocked or empty notifications", len(fresh) - len(kept))
        return Page(tuple(kept), after.dump(), more=after.token is not None)

    def _search(self, query: str, cursor: str | None, since: datetime) -> Page:
        """One page of posts matching ``query``, newest first, down to the last cycle's bound."""
        walk = SearchWalk.load(cursor, since)
        params = models.AppBskyFeedSearchPosts.Params(
            q=query, sort="latest", since=walk.bound, limit=max(1, min(100, self.page_size)), cursor=walk.token
        )
        body = self._call("app.bsky.feed.searchPosts", params)
        posts = body.get("posts")
        if not isinstance(posts, list) or not all(isinstance(p, dict) and p.get("uri") for p in posts):
            raise BadPayload("bluesky searchPosts: 'posts' is not a list of posts")
        fresh, after = walk.step(posts, body.get("cursor"))
        kept = [p for p in fresh if _answerable(p)]
        return Page(tuple(kept), after.dump(), more=after.token is not None)

    def _ours(self, cursor: str | None, since: datetime) -> Page:
        """One page of our author feed, newest first, down to the last cycle's bound; our replies only.

        Our replies, by heard or by a person in any app, are what acknowledge a comment; no
        notification carries them. Root posts are the own-posts report's, reposts are not ours.
        """
        me, walk = self.account.id, FeedWalk.load(cursor, since)
        params = models.AppBskyFeedGetAuthorFeed.Params(
            actor=me, filter="posts_with_replies", limit=self.page_size, cursor=walk.token
        )
        body = self._call("app.bsky.feed.getAuthorFeed", params)
        feed = body.get("feed")
        if not isinstance(feed, list) or not all(isinstance(i, dict) and isinstance(i.get("post"), dict) for i in feed):
            raise BadPayload("bluesky getAuthorFeed: 'feed' is not a list of feed items")
        fresh, after = walk.step(feed, body.get("cursor"))
        replies = [
            entry["post"]
            for entry in fresh
            if not entry.get("reason")
            and (entry["post"].get("author") or {}).get("did") == me
            and _parent_of(entry["post"].get("record"))
            and _answerable(entry["post"])
        ]
        return Page(tuple(replies), after.dump(), more=after.token is not None)

    def normalise(self, raw: Mapping[str, Any]) -> Comment:
        """Turn one fetched notification (or searched post, or post of ours) into a Comment."""
        return normalise(raw, self.account)

    def after_store(self, source: str, page: Page) -> None:
        """With ``mark_seen``, move the app's "seen" mark to the newest stored notification.

        Off by default: it clears the unread badge a person may rely on in the app.
        """
        if source != "notifications" or not (self.mark_seen and page.items):
            return  # a searched post or one of ours is no notification: its time must not move the mark
        newest = max(str(i["indexedAt"]) for i in page.items)
        try:
            self._call(
                "app.bsky.notification.updateSeen",
                models.AppBskyNotificationUpdateSeen.Data(seen_at=newest),
                procedure=True,
            )
        except PlatformError as exc:
            log.warning("bluesky updateSeen failed: %s", exc)

    def reply(self, comment: Comment, text: str) -> str:
        """Post ``text`` as a reply to ``comment`` (createRecord); return the new post's uri.

        :raises PermanentFailure: the post cannot be answered (deleted, blocked, invalid record).
        """
        parent = _strong_ref(comment.native_id, comment.raw.get("cid"))
        root_ref = ((comment.raw.get("record") or {}).get("reply") or {}).get("root")
        root = _strong_ref(root_ref.get("uri"), root_ref.get("cid")) if isinstance(root_ref, dict) else parent
        try:
            record = models.AppBskyFeedPost.Record(
                created_at=self.api.get_current_time_iso(),
                text=text,
                reply=models.AppBskyFeedPost.ReplyRef(root=root, parent=parent),
                facets=self._facets(text, comment) or None,
                langs=[comment.lang] if comment.lang else None,
            )
        except ValueError as exc:  # the lexicon's own limits (text over 3,000 bytes...), checked before sending
            raise ContentRefused(f"bluesky createRecord: the record is refused: {str(exc).splitlines()[0]}") from exc
        data = models.ComAtprotoRepoCreateRecord.Data(repo=self.account.id, collection=POST, record=record)
        body = self._call("com.atproto.repo.createRecord", data, procedure=True, writing=True)
        return str(require(body, "uri", "bluesky createRecord"))

    def _facets(self, text: str, comment: Comment) -> list[models.AppBskyRichtextFacet.Main]:
        """Links, tags and the @mentions whose DID we know (no resolveHandle request per reply)."""
        known = {comment.author.handle.lower(): comment.author.id, self.account.handle.lower(): self.account.id}
        facets = facet_detection.detect_facets(text)
        for found in facet_detection.detect_mentions(text):
            did = known.get(found.handle.lower())
            if did:
                facets.append(
                    models.AppBskyRichtextFacet.Main(
                        features=[models.AppBskyRichtextFacet.Mention(did=did)],
                        index=models.AppBskyRichtextFacet.ByteSlice(
                            byte_start=found.byte_start, byte_end=found.byte_end
                        ),
                    )
                )
        return sorted(facets, key=lambda f: f.index.byte_start)

    def find_reply(self, comment: Comment) -> str | None:
        """Return the uri of our reply to ``comment``: from the thread, else from our own newest posts.

        The thread comes from the AppView, which may not have indexed a reply made seconds before a
        crash; our own repo on the PDS has it at once, so it is the second look.
        """
        me, target = self.account.id, comment.native_id
        try:
            thread = self._call(
                "app.bsky.feed.getPostThread",
                models.AppBskyFeedGetPostThread.Params(uri=target, depth=1, parent_height=0),
            )
        except PermanentFailure:
            thread = {}  # the post is gone from the AppView; our repo may still hold a reply
        for node in (thread.get("thread") or {}).get("replies") or []:
            post = node.get("post") if isinstance(node, dict) else None
            if post and (post.get("author") or {}).get("did") == me and _parent_of(post.get("record")) == target:
                return str(post["uri"])
        params = models.ComAtprotoRepoListRecords.Params(repo=me, collection=POST, limit=100)
        for rec in self._call("com.atproto.repo.listRecords", params).get("records") or []:
            if isinstance(rec, dict) and _parent_of(rec.get("value")) == target:
                return str(rec["uri"])
        return None

    def own_posts(self, *, since: datetime) -> Sequence[OwnPost]:
        """Our latest posts since ``since`` (no replies or reposts) with their counts: two requests."""
        me = self.account.id
        profile = self._call("app.bsky.actor.getProfile", models.AppBskyActorGetProfile.Params(actor=me))
        params = models.AppBskyFeedGetAuthorFeed.Params(actor=me, filter="posts_no_replies", limit=OWN_PAGE)
        feed = self._call("app.bsky.feed.getAuthorFeed", params).get("feed")
        if not isinstance(feed, list) or not all(isinstance(i, dict) and isinstance(i.get("post"), dict) for i in feed):
            raise BadPayload("bluesky getAuthorFeed: 'feed' is not a list of feed items")
        # The filter still lets our reposts of other people's posts through (with a ``reason``).
        ours = [i["post"] for i in feed if not i.get("reason") and (i["post"].get("author") or {}).get("did") == me]
        posts = [normalise_post(p, metric(profile, "followersCount")) for p in ours]
        return [p for p in posts if p.created_at >= since]

    def check(self) -> str:
        """Fetch our own profile; return ``@handle (did)``."""
        profile = self._call("app.bsky.actor.getProfile", models.AppBskyActorGetProfile.Params(actor=self.account.id))
        return f"@{require(profile, 'handle', 'bluesky getProfile')} ({require(profile, 'did', 'bluesky getProfile')})"

    # -- the boundary: session, rate limits and error translation ---------------------------------

    def _ensure_session(self) -> None:
        if self._account is not None:
            return
        if self._session_string:
            with _translated("createSession", self.clock):
                self.api.login(session_string=self._session_string, fetch_bsky_profile=False)
            self._session_string = None
        else:
            self._login()
        me = Session.decode(self.api.export_session_string())  # who the session belongs to, no request
        self._account = Account("bluesky", me.did, me.handle)

    def _login(self) -> None:
        wait = self._last_login + RELOGIN_GAP - self.clock()
        if wait > 0:
            raise AuthFailed(f"bluesky: a new login is refused for {int(wait)} s (createSession is rate limited)")
        self._last_login = self.clock()
        self.logins += 1
        with _translated("createSession", self.clock):
            self.api.login(self.handle, self._password, fetch_bsky_profile=False)

    def _renew(self) -> None:
        """Refresh the session with its refresh token; log in again only if that is refused too."""
        old = Session.decode(self.api.export_session_string())
        try:
            with _translated("com.atproto.server.refreshSession", self.clock):
                fresh = self.api.com.atproto.server.refresh_session(
                    headers={"Authorization": f"Bearer {old.refresh_jwt}"}, ignore_session_check=True
                )
        except (AuthFailed, PermanentFailure, _ExpiredToken):
            self._login()
            return
        renewed = Session(fresh.handle, fresh.did, fresh.access_jwt, fresh.refresh_jwt, old.pds_endpoint)
        self.api.login(session_string=renewed.encode(), fetch_bsky_profile=False)

    def _call(self, nsid: str, payload: Any, *, procedure: bool = False, writing: bool = False) -> dict[str, Any]:
        """One XRPC call through atproto, admitted against the rate-limit window and translated."""
        self._ensure_session()
        self._admit(nsid)
        invoke = self.api.invoke_procedure if procedure else self.api.invoke_query
        send = (lambda: invoke(nsid, data=payload)) if procedure else (lambda: invoke(nsid, params=payload))
        try:
            with _translated(nsid, self.clock, writing=writing, windows=self._windows):
                response = send()
        except _ExpiredToken:
            # The server ended the session before its `exp` (atproto refreshes on its own before
            # then): renew it and repeat the call once. A refused token means nothing was done.
            self._renew()
            with _translated(nsid, self.clock, writing=writing, windows=self._windows):
                response = send()
        self._note(nsid, response.headers)
        if not isinstance(response.content, dict):
            raise BadPayload(f"bluesky {nsid}: expected a JSON object")
        return response.content

    def _admit(self, nsid: str) -> None:
        """Refuse a call the window cannot afford, before Bluesky has to say 429."""
        window = self._windows.get(nsid)
        if window and window.remaining <= 0 and self.clock() < window.reset:
            raise RateLimited(f"bluesky {nsid}: rate-limit window spent", ceil_epoch(window.reset))

    def _note(self, nsid: str, headers: Mapping[str, Any]) -> None:
        try:
            self._windows[nsid] = _Window(int(headers["ratelimit-remaining"]), float(headers["ratelimit-reset"]))
        except (KeyError, ValueError, TypeError):
            pass  # no headers: keep what we knew; a 429 still stops us


class _ExpiredToken(Exception):
    """The server refused our access token as expired or invalid."""


def _answerable(item: Mapping[str, Any]) -> bool:
    record = item.get("record")
    return (
        not _gone(item)
        and isinstance(record, dict)
        and bool(str(record.get("text") or "").strip() or record.get("embed"))
    )


def _parent_of(record: Any) -> str | None:
    reply = record.get("reply") if isinstance(record, dict) else None
    return _ref_uri(reply, "parent") if isinstance(reply, dict) else None


def _strong_ref(uri: Any, cid: Any) -> models.ComAtprotoRepoStrongRef.Main:
    if not uri or not cid:
        raise PermanentFailure(f"bluesky {uri}: no uri/cid to reply to")
    return models.ComAtprotoRepoStrongRef.Main(uri=str(uri), cid=str(cid))


def _error_name(exc: RequestErrorBase) -> str:
    content = exc.response.content if exc.response is not None else None
    return str(getattr(content, "error", "") or "")


@contextmanager
def _translated(
    nsid: str, clock: Callable[[], float], *, writing: bool = False, windows: dict[str, _Window] | None = None
) -> Iterator[None]:
    """Turn atproto's exceptions into heard's hierarchy."""
    try:
        yield
    except RateLimitExceededError as exc:
        reset = exc.reset_at.timestamp() if exc.reset_at else clock() + (exc.retry_after or 60.0)
        if windows is not None:
            windows[nsid] = _Window(0, reset)
        raise RateLimited(f"bluesky {nsid}: 429 {exc}", ceil_epoch(reset)) from exc
    except (UnauthorizedError, BadRequestError) as exc:
        if _error_name(exc) in _TOKEN_ERRORS and nsid != "createSession":
            raise _ExpiredToken(str(exc)) from exc
        status = exc.response.status_code if exc.response is not None else 0
        if status == 401 or (status == 403 and not writing) or nsid == "createSession":
            raise AuthFailed(f"bluesky {nsid}: credentials refused: {exc}") from exc
        if status == 400 and writing and _error_name(exc) in _RECORD_REFUSED:
            raise ContentRefused(f"bluesky {nsid}: {exc}") from exc
        raise PermanentFailure(f"bluesky {nsid}: {exc}") from exc
    except NetworkError as exc:  # includes InvokeTimeoutError, and 409/413/502 answers
        raise Transient(f"bluesky {nsid}: {type(exc).__name__} {exc}") from exc
    except LoginRequiredError as exc:
        raise AuthFailed(f"bluesky {nsid}: not logged in") from exc
    except RequestErrorBase as exc:
        status = exc.response.status_code if exc.response is not None else 0
        if status >= 500 or status == 0:
            raise Transient(f"bluesky {nsid}: {exc}") from exc
        if status == 404:
            raise PermanentFailure(f"bluesky {nsid}: {exc}") from exc
        raise PlatformError(f"bluesky {nsid}: {exc}") from exc
    except (ModelError, ValueError) as exc:  # a body that is not JSON, or not the lexicon's shape
        raise BadPayload(f"bluesky {nsid}: unreadable answer: {type(exc).__name__}") from exc
    except AtProtocolError as exc:
        raise PlatformError(f"bluesky {nsid}: {type(exc).__name__}: {exc}") from exc


def connect(options: Mapping[str, Any], secrets: Mapping[str, str]) -> BlueskyClient:
    """Build a Bluesky client from heard.toml options and the handle and app password (no request yet).

    :raises ConfigError: a secret is missing or an option has the wrong type.
    """
    require_secrets("bluesky", SECRETS, secrets)
    try:
        page_size, timeout = int(options.get("page_size", 50)), float(options.get("timeout", 10))
    except (TypeError, ValueError) as exc:
        raise ConfigError("platforms.bluesky.page_size/timeout: expected numbers") from exc
    if not 1 <= page_size <= 100:
        raise ConfigError(f"platforms.bluesky.page_size: expected 1 to 100, got {page_size}")
    keywords = options.get("keywords", [])
    if not isinstance(keywords, list | tuple) or not all(isinstance(k, str) and k.strip() for k in keywords):
        raise ConfigError("platforms.bluesky.keywords: expected a list of search queries")
    own_replies = bool_option("bluesky", options, "own_replies", True)
    # httpx's timeout, so a hung socket cannot hang the poll job.
    api = Client(base_url=str(options.get("base_url") or DEFAULT_BASE), request=Request(timeout=timeout))
    return BlueskyClient(
        api,
        secrets["BLUESKY_HANDLE"],
        secrets["BLUESKY_APP_PASSWORD"],
        page_size=page_size,
        mark_seen=bool(options.get("mark_seen", False)),
        keywords=keywords,
        own_replies=own_replies,
    )


register(
    PlatformSpec(
        name="bluesky",
        normalise=normalise,
        connect=connect,
        secrets=SECRETS,
        options=OPTIONS,
        help="Bluesky via atproto: mentions, replies and quotes from your notifications, your own replies, "
        "and keyword searches; replies threaded "
        "with root/parent refs. Use an app password. See docs/bluesky.md.",
        # Writes cost 3 points of 5,000 an hour; the limit that matters is not looking like a spam bot.
        default_post_rate=30,
        normalise_post=normalise_post,
        reply_limit=300,
        reply_unit="graphemes",
        count_reply=_length.count_graphemes,
    )
)
