"""Provide the Bluesky platform: normalise notifications and walk its newest-first lists; ``bluesky_client`` talks.

Sources: ``notifications``, mentions, replies and quotes from
``app.bsky.notification.listNotifications``; and ``search:<query>`` for each keyword, posts from
``app.bsky.feed.searchPosts`` (sort latest); and ``ours``, our own replies from
``app.bsky.feed.getAuthorFeed`` (``posts_with_replies``; option ``own_replies``). All come newest
first with a ``cursor`` to older pages, so a poll cycle pages down from the newest item to the
bound the previous cycle reached, then remembers the newest it saw (the same cycle as X's since_id walk).

The session is kept across restarts in ``session_file`` (a secret: mode 0600), refreshed by atproto
from its JWT ``exp``; a login is at most once per ``RELOGIN_GAP``, because createSession allows 30
per 5 minutes per handle.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from listener.errors import BadPayload
from listener.platforms import PlatformSpec, _length, _walk, register
from listener.platforms._common import (
    MAX_NAME,
    expected,
    metric,
    optional_id,
    optional_list,
    optional_mapping,
    optional_mappings,
    optional_str,
    parse_iso,
    require_id,
    require_mapping,
)
from listener.records import Account, Author, Comment, OwnPost
from listener.text import clean_text

if TYPE_CHECKING:
    from listener.platforms.bluesky_client import BlueskyClient


SECRETS = ("BLUESKY_HANDLE", "BLUESKY_APP_PASSWORD")
OPTIONS = ("base_url", "page_size", "timeout", "mark_seen", "keywords", "own_replies", "session_file")
# Notification reasons we answer, and the Comment source each becomes (a quote is aimed at us).
REASONS = {"mention": "mention", "reply": "reply", "quote": "mention"}
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

    platform, source = "bluesky", "notifications"
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

    platform, source = "bluesky", "search"  # ``load`` is told which search
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

    platform, source = "bluesky", "ours"
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


def answerable(item: Mapping[str, Any]) -> bool:
    """Whether a listed post can be answered: neither deleted nor blocked, and with text or an embed."""
    record = item.get("record")
    return (
        not _gone(item)
        and isinstance(record, dict)
        and bool(str(record.get("text") or "").strip() or record.get("embed"))
    )


def parent_of(record: Any) -> str | None:
    """The uri of the post a post record answers, or None for a root post."""
    reply = record.get("reply") if isinstance(record, dict) else None
    return _ref_uri(reply, "parent") if isinstance(reply, dict) else None


def connect(options: Mapping[str, Any], secrets: Mapping[str, str]) -> BlueskyClient:
    """Build a Bluesky client from heard.toml options and the handle and app password (atproto is loaded now).

    :raises ConfigError: a secret is missing or an option has the wrong type.
    """
    from listener.platforms import bluesky_client

    return bluesky_client.connect(options, secrets)


register(
    PlatformSpec(
        name="bluesky",
        title="Bluesky",
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
        state_files=("session_file",),
        count_reply=_length.count_graphemes,
        bound_reply=_length.bound_graphemes,
        # Replies are plain text threaded under the post; an @mention in them is linked by a facet.
    )
)
