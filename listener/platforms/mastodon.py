"""Provide the Mastodon platform: normalise notifications and hashtag statuses; ``mastodon_client`` talks.

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

from collections.abc import Mapping
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

from listener.platforms import PlatformSpec, _length, _reply, register
from listener.platforms._common import (
    MAX_NAME,
    MAX_URL,
    metric,
    optional_id,
    optional_mappings,
    optional_str,
    parse_iso,
    require,
    require_id,
    require_mapping,
)
from listener.records import Account, Author, Comment, OwnPost
from listener.text import MAX_TEXT, clean_text

if TYPE_CHECKING:
    from listener.platforms.mastodon_client import MastodonClient

SECRETS = ("MASTODON_ACCESS_TOKEN",)
OPTIONS = ("api_base_url", "bot_account", "page_size", "timeout", "hashtags", "own_replies")
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


def is_heard(notification: Mapping[str, Any]) -> bool:
    """Whether a listed notification (or wrapped status) is one heard listens to."""
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
        created_at=status_time(require(status, "created_at", where), where),
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
        created_at=status_time(require(raw, "created_at", where), where),
        followers_at_post=int(followers),
        likes=metric(raw, "favourites_count"),
        reposts=metric(raw, "reblogs_count"),
        replies=metric(raw, "replies_count"),
    )


def status_time(value: Any, where: str) -> datetime:
    """A status's ``created_at``: Mastodon.py's datetime, or the server's ISO string."""
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


def address(text: str, comment: Comment) -> str:
    """The reply as posted: opening with the author's ``@acct`` (their full address, so it reaches another instance).

    The mention counts toward the instance's limit, so a length check counts this text, not ``text``.
    """
    status = comment.raw.get("status")
    account = status.get("account") if isinstance(status, Mapping) else None
    acct = account.get("acct") if isinstance(account, Mapping) else None
    return _reply.opened_with(str(acct or comment.author.handle), text)


def connect(options: Mapping[str, Any], secrets: Mapping[str, str]) -> MastodonClient:
    """Build a Mastodon client from heard.toml options and the access token (Mastodon.py is loaded now; no request).

    :raises ConfigError: the token or the instance is missing, or an option has the wrong type.
    """
    from listener.platforms import mastodon_client

    return mastodon_client.connect(options, secrets)


register(
    PlatformSpec(
        name="mastodon",
        title="Mastodon",
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
        bound_reply=_length.bound_mastodon,
        address=address,
    )
)
