"""Convert between stored rows and records: times as UTC ISO-8601 text, lists and dicts as JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from listener.records import Author, Comment, ReplyState, Tags
from listener.store.kinds import ErrorKind
from listener.store.rows import Awaiting, PostingPause, Reply

# How many values one statement binds at most: under every engine's limit (the oldest SQLite's is 999).
BOUND = 999
# Fields the audit trail keeps only as "changed": the drafts heard offered, which the replies table holds.
_ELIDED = frozenset({"alternatives", "suggested_text"})


def iso(moment: datetime) -> str:
    """Format a datetime as the UTC ISO-8601 text stored in every time column."""
    if moment.tzinfo is UTC:  # nearly every time heard keeps: nothing to convert
        return moment.isoformat(timespec="microseconds")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse_time(text: str | None) -> datetime | None:
    """Parse a stored time column back into an aware datetime."""
    return datetime.fromisoformat(text) if text else None


def states_sql(states: Iterable[ReplyState]) -> str:
    """An SQL list of reply states, e.g. ``'approved', 'posting'``, built from the one definition of them."""
    return ", ".join(f"'{s.value}'" for s in sorted(states))


def encode(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Column values for fields: datetimes as ISO text, lists, tuples and dicts as JSON."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, datetime):
            value = iso(value)
        elif isinstance(value, list | tuple | dict):
            value = json.dumps(value)
        out[key] = value
    return out


def event_detail(fields: Mapping[str, Any]) -> dict[str, Any]:
    """What the audit trail records of a reply's changed fields."""
    # The trail records what changed and why, with the reply text as it was at that move: the replies
    # table holds only the latest text, so an edit or an approval is auditable only from here.
    return {k: ("…" if k in _ELIDED else v) for k, v in encode(fields).items() if v is not None}


# The columns a stored comment fills, in the order ``comment_values`` gives them.
COMMENT_COLUMNS = (
    "id",
    "platform",
    "native_id",
    "account",
    "source",
    "author_id",
    "author_handle",
    "author_name",
    "author_is_bot",
    "author_bio",
    "text",
    "url",
    "created_at",
    "fetched_at",
    "parent_id",
    "conversation_id",
    "lang",
    "mentions_us",
    "is_own",
    "raw",
)


def comment_values(c: Comment, now: datetime) -> tuple[Any, ...]:
    """The comments-table values of a comment fetched at ``now``, in COMMENT_COLUMNS order."""
    return page_values([c], now)[0]


# The standard encoder, for the payloads orjson refuses (a lone surrogate, an integer past 64 bits).
_json_raw = json.JSONEncoder().encode


def _encode_raw(raw: Any) -> str:
    """A raw payload as JSON text, keys in the platform's order (it is only ever read back whole)."""
    # orjson encodes a tweet's payload several times faster than the standard encoder: at a page of
    # 100 that was a tenth of what heard added to reading it.
    try:
        return orjson.dumps(raw).decode()
    except orjson.JSONEncodeError:
        return _json_raw(raw)


def page_values(comments: Iterable[Comment], now: datetime) -> list[tuple[Any, ...]]:
    """``comment_values`` of a page of comments fetched at ``now``, the fetch time formatted once."""
    fetched = iso(now)
    return [_values(c, fetched) for c in comments]


def _values(c: Comment, fetched: str) -> tuple[Any, ...]:
    a = c.author
    return (
        c.id,
        c.platform,
        c.native_id,
        c.account,
        c.source,
        a.id,
        a.handle,
        a.name,
        int(a.is_bot),
        a.bio,
        c.text,
        c.url,
        iso(c.created_at),
        fetched,
        c.parent_id,
        c.conversation_id,
        c.lang,
        int(c.mentions_us),
        int(c.is_own),
        _encode_raw(c.raw),
    )


def values_lists(rows: Sequence[Sequence[Any]]) -> Iterator[tuple[str, list[Any]]]:
    """Rows of equal length in statements' worth: each a ``(?, ?), (?, ?)`` VALUES text and its flat parameters.

    One statement inserts many rows: SQLite runs it far quicker than the same rows one statement each.
    """
    if not rows:
        return
    width = len(rows[0])
    step = max(1, BOUND // width)
    one = f"({', '.join('?' * width)})"
    for start in range(0, len(rows), step):
        chunk = rows[start : start + step]
        yield ", ".join([one] * len(chunk)), [v for row in chunk for v in row]


def comment_row(c: Comment, now: datetime) -> dict[str, Any]:
    """The comments-table row of a comment fetched at ``now``."""
    return dict(zip(COMMENT_COLUMNS, comment_values(c, now), strict=True))


def row_comment(r: Mapping[str, Any]) -> Comment:
    """The comment a comments-table row holds."""
    return Comment(
        platform=r["platform"],
        native_id=r["native_id"],
        account=r["account"],
        source=r["source"],
        author=Author(
            id=r["author_id"],
            handle=r["author_handle"],
            name=r["author_name"] or "",
            is_bot=bool(r["author_is_bot"]),
            bio=r["author_bio"] or "",
        ),
        text=r["text"],
        url=r["url"],
        created_at=datetime.fromisoformat(r["created_at"]),
        parent_id=r["parent_id"],
        conversation_id=r["conversation_id"],
        lang=r["lang"],
        mentions_us=bool(r["mentions_us"]),
        is_own=bool(r["is_own"]),
        raw=json.loads(r["raw"]) if r.get("raw") else {},
    )


def tags_row(t: Tags, now: datetime) -> dict[str, Any]:
    """The tags-table row of a comment's tags, tagged at ``now``."""
    return {
        "comment_id": t.comment_id,
        "sentiment": t.sentiment,
        "sentiment_score": t.sentiment_score,
        "is_question": int(t.is_question),
        "question_score": t.question_score,
        "intent": t.intent,
        "intent_score": t.intent_score,
        "spam_score": t.spam_score,
        "bot_score": t.bot_score,
        "needs_reply": int(t.needs_reply),
        "priority": t.priority,
        "lang": t.lang,
        "model_version": t.model_version,
        "tagged_at": iso(now),
    }


def row_tags(r: Mapping[str, Any]) -> Tags:
    """The tags a tags-table row holds."""
    return Tags(
        comment_id=r["comment_id"],
        sentiment=r["sentiment"],
        sentiment_score=r["sentiment_score"],
        is_question=bool(r["is_question"]),
        question_score=r["question_score"],
        intent=r["intent"],
        intent_score=r["intent_score"],
        spam_score=r["spam_score"],
        bot_score=r["bot_score"],
        needs_reply=bool(r["needs_reply"]),
        priority=r["priority"],
        lang=r["lang"],
        model_version=r["model_version"],
    )


def row_reply(r: Mapping[str, Any]) -> Reply:
    """The reply a replies-table row (with its comment's ``platform``) holds."""
    return Reply(
        comment_id=r["comment_id"],
        platform=r["platform"],
        state=ReplyState(r["state"]),
        text=r["text"],
        suggested_text=r["suggested_text"],
        alternatives=tuple(json.loads(r["alternatives"])) if r["alternatives"] else (),
        template=r["template"],
        reason=r["reason"],
        skip_reason=r["skip_reason"],
        duplicate_of=r["duplicate_of"],
        decided_by=r["decided_by"],
        idempotency_key=r["idempotency_key"],
        remote_id=r["remote_id"],
        attempts=int(r["attempts"] or 0),
        error=r["error"],
        retry_at=parse_time(r["retry_at"]),
        edit_ratio=r["edit_ratio"],
        created_at=datetime.fromisoformat(r["created_at"]),
        updated_at=datetime.fromisoformat(r["updated_at"]),
        posted_at=parse_time(r["posted_at"]),
        acknowledged_at=parse_time(r["acknowledged_at"]),
        draft_source=r.get("draft_source"),
    )


def row_awaiting(r: Mapping[str, Any]) -> Awaiting:
    """A comment awaiting a reply, from the ledger's join of comment, tags and reply."""
    return Awaiting(
        id=r["id"],
        platform=r["platform"],
        author_handle=r["author_handle"],
        text=r["text"],
        url=r["url"],
        created_at=datetime.fromisoformat(r["created_at"]),
        intent=r["intent"],
        sentiment=r["sentiment"],
        priority=r["priority"],
        state=ReplyState(r["state"]) if r["state"] else None,
        reply_text=r["reply_text"],
    )


def pause_value(pause: PostingPause) -> dict[str, str]:
    """A posting pause as the JSON value kept in meta."""
    return {"kind": pause.kind.value, "since": iso(pause.since), "until": iso(pause.until), "why": pause.why}


def value_pause(platform: str, value: Mapping[str, Any]) -> PostingPause:
    """The posting pause a meta value holds."""
    until = datetime.fromisoformat(value["until"])
    return PostingPause(
        platform=platform,
        kind=ErrorKind(value["kind"]),
        since=parse_time(value.get("since")) or until,
        until=until,
        why=str(value.get("why") or ""),
    )
