"""Provide the Bluesky client: poll and reply through atproto, one session kept across restarts, errors translated."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from atproto import Client, Session, SessionEvent, models
from atproto_client.request import Request
from atproto_client.utils import facet_detection
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

from listener.errors import AuthFailed, BadPayload, ConfigError, ContentRefused, PermanentFailure, PlatformError
from listener.platforms import _ratelimit
from listener.platforms._common import Clock, metric, require, utc_now
from listener.platforms._options import bool_option, list_option, number_option, require_secrets, text_option
from listener.platforms.bluesky import (
    REASONS,
    SECRETS,
    FeedWalk,
    SearchWalk,
    Walk,
    answerable,
    normalise,
    normalise_post,
    parent_of,
)
from listener.platforms.bluesky_errors import LOGIN, ExpiredToken, translated
from listener.platforms.bluesky_session import SessionFile
from listener.records import Account, Comment, OwnPost, Page

log = logging.getLogger(__name__)

DEFAULT_BASE = "https://bsky.social"
POST = "app.bsky.feed.post"
OWN_PAGE = 100  # our latest posts per own-posts fetch: getAuthorFeed's largest page
RELOGIN_GAP = timedelta(seconds=120)  # between password logins, far inside createSession's 30 per 5 min
HEADERS = _ratelimit.Headers("ratelimit-remaining", "ratelimit-reset", limit="ratelimit-limit")


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
        session_file: SessionFile | None = None,
        clock: Clock = utc_now,
        keywords: Sequence[str] = (),
        own_replies: bool = True,
    ) -> None:
        self.api, self.handle, self._password = api, handle.removeprefix("@"), password
        self.keywords, self.own_replies = tuple(keywords), own_replies
        self.page_size, self.mark_seen, self.clock = page_size, mark_seen, clock
        # The session file's text as last read or written: a session is written only when it changes.
        self.sessions, self._kept = session_file, session_file.read() if session_file else None
        self.api.on_session_change(self._keep)
        self._account: Account | None = None
        self._last_login: datetime | None = None
        self.windows = _ratelimit.Windows("bluesky", HEADERS, clock=clock)
        self.logins = 0

    @property
    def account(self) -> Account:
        """Who we are: the DID and handle of the session (logging in on first use)."""
        self._ensure_session()
        assert self._account is not None
        return self._account

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
        kept = [i for i in fresh if i.get("reason") in REASONS and answerable(i)]
        if len(kept) < len(fresh):
            log.info("bluesky dropped %d deleted, blocked or empty notifications", len(fresh) - len(kept))
        return Page(tuple(kept), after.dump(), more=after.token is not None)

    def _search(self, query: str, cursor: str | None, since: datetime) -> Page:
        """One page of posts matching ``query``, newest first, down to the last cycle's bound."""
        walk = SearchWalk.load(cursor, since, source=f"search:{query}")
        params = models.AppBskyFeedSearchPosts.Params(
            q=query, sort="latest", since=walk.bound, limit=max(1, min(100, self.page_size)), cursor=walk.token
        )
        body = self._call("app.bsky.feed.searchPosts", params)
        posts = body.get("posts")
        if not isinstance(posts, list) or not all(isinstance(p, dict) and p.get("uri") for p in posts):
            raise BadPayload("bluesky searchPosts: 'posts' is not a list of posts")
        fresh, after = walk.step(posts, body.get("cursor"))
        kept = [p for p in fresh if answerable(p)]
        return Page(tuple(kept), after.dump(), more=after.token is not None)

    def _ours(self, cursor: str | None, since: datetime) -> Page:
        """One page of our author feed, newest first, down to the last cycle's bound; our replies only.

        Our replies, by heard or by a person in any app, are what acknowledge a comment; no
        notification carries them. Root posts are the own-posts report's, reposts are not ours.
        """
        walk = FeedWalk.load(cursor, since)
        me = self.account.id
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
            and parent_of(entry["post"].get("record"))
            and answerable(entry["post"])
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
            if post and (post.get("author") or {}).get("did") == me and parent_of(post.get("record")) == target:
                return str(post["uri"])
        params = models.ComAtprotoRepoListRecords.Params(repo=me, collection=POST, limit=100)
        for rec in self._call("com.atproto.repo.listRecords", params).get("records") or []:
            if isinstance(rec, dict) and parent_of(rec.get("value")) == target:
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
        kept = self._kept_session()
        if kept:
            # No request: atproto refreshes the session on first use if it is about to expire, and a
            # session the server has ended is renewed (or replaced by a login) by ``_call``.
            self.api.login(session_string=kept, fetch_bsky_profile=False)
        else:
            self._login()
        me = Session.decode(self.api.export_session_string())  # who the session belongs to, no request
        self._account = Account("bluesky", me.did, me.handle)

    def _kept_session(self) -> str | None:
        """The session an earlier process kept for this handle, if there is one."""
        text = self._kept
        if not text:
            return None
        try:
            kept = Session.decode(text)
        except (ValueError, TypeError, IndexError):
            log.warning("bluesky session file unreadable; logging in instead")
            return None
        return text if self.handle.lower() in (kept.handle.lower(), kept.did.lower()) else None

    def _keep(self, event: SessionEvent, session: Session) -> None:
        """Keep each new session (a login, a refresh) for the next process: atproto's session-change callback."""
        text = session.encode()
        if self.sessions and text != self._kept:
            self.sessions.write(text)
            self._kept = text

    def _login(self) -> None:
        now = self.clock()
        if self._last_login and now < self._last_login + RELOGIN_GAP:
            wait = int((self._last_login + RELOGIN_GAP - now).total_seconds())
            raise AuthFailed(f"bluesky: a new login is refused for {wait} s (createSession is rate limited)")
        self._last_login = now
        self.logins += 1
        with translated(LOGIN):
            self.api.login(self.handle, self._password, fetch_bsky_profile=False)

    def _renew(self) -> None:
        """Refresh the session with its refresh token; log in again only if that is refused too."""
        old = Session.decode(self.api.export_session_string())
        try:
            with translated("com.atproto.server.refreshSession"):
                fresh = self.api.com.atproto.server.refresh_session(
                    headers={"Authorization": f"Bearer {old.refresh_jwt}"}, ignore_session_check=True
                )
        except (AuthFailed, PermanentFailure, ExpiredToken):
            self._login()
            return
        renewed = Session(fresh.handle, fresh.did, fresh.access_jwt, fresh.refresh_jwt, old.pds_endpoint)
        self.api.login(session_string=renewed.encode(), fetch_bsky_profile=False)

    def _call(self, nsid: str, payload: Any, *, procedure: bool = False, writing: bool = False) -> dict[str, Any]:
        """One XRPC call through atproto, admitted against the rate-limit window and translated.

        A session the server ended before its ``exp`` (atproto refreshes on its own before then) is
        renewed and the call made once more: a refused token means nothing was done.
        """
        self._ensure_session()
        self.windows.admit(nsid)
        invoke = self.api.invoke_procedure if procedure else self.api.invoke_query
        retrying = Retrying(
            retry=retry_if_exception_type(ExpiredToken),
            stop=stop_after_attempt(2),
            before_sleep=lambda _: self._renew(),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt, translated(nsid, writing=writing, windows=self.windows):
                    response = invoke(nsid, data=payload) if procedure else invoke(nsid, params=payload)
        except ExpiredToken as exc:
            raise AuthFailed(f"bluesky {nsid}: a renewed session was refused too") from exc
        self.windows.note(nsid, response.headers)
        if not isinstance(response.content, dict):
            raise BadPayload(f"bluesky {nsid}: expected a JSON object")
        return response.content


def _strong_ref(uri: Any, cid: Any) -> models.ComAtprotoRepoStrongRef.Main:
    if not uri or not cid:
        raise PermanentFailure(f"bluesky {uri}: no uri/cid to reply to")
    return models.ComAtprotoRepoStrongRef.Main(uri=str(uri), cid=str(cid))


def connect(options: Mapping[str, Any], secrets: Mapping[str, str]) -> BlueskyClient:
    """Build a Bluesky client from heard.toml options and the handle and app password (no request yet).

    :raises ConfigError: a secret is missing or an option has the wrong type.
    """
    require_secrets("bluesky", SECRETS, secrets)
    timeout = float(number_option("bluesky", options, "timeout", 10, 0.01, 300))
    session_file = text_option("bluesky", options, "session_file")
    # httpx's timeout, so a hung socket cannot hang the poll job.
    api = Client(base_url=text_option("bluesky", options, "base_url", DEFAULT_BASE), request=Request(timeout=timeout))
    return BlueskyClient(
        api,
        secrets["BLUESKY_HANDLE"],
        secrets["BLUESKY_APP_PASSWORD"],
        page_size=int(number_option("bluesky", options, "page_size", 50, 1, 100)),
        mark_seen=bool_option("bluesky", options, "mark_seen", False),
        session_file=SessionFile(Path(session_file).expanduser()) if session_file else None,
        keywords=list_option("bluesky", options, "keywords", "search queries"),
        own_replies=bool_option("bluesky", options, "own_replies", True),
    )
