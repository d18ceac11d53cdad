"""Page through X's newest-first timelines: the cursors of a poll cycle and of quotes, pages cut into items.

Pure: no request is made here. ``x_client`` asks X for a page and hands the answer to ``advance``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from listener.errors import BadPayload
from listener.platforms import _cursor
from listener.platforms._common import parse_iso, require
from listener.records import Page


@dataclass(frozen=True)
class Cycle:
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
    def load(cls, source: str, cursor: str | None, since: datetime) -> Cycle:
        """Read a cursor written by ``dump``, or start at ``since``.

        :raises CursorUnreadable: the cursor is not one heard wrote.
        """
        if not cursor:
            return cls(floor=since.astimezone(UTC).isoformat())
        with _cursor.reading("x", source, cursor) as state:
            cycle = cls(**{k: str(v) if v is not None else None for k, v in state.items()})
            if cycle.floor:
                parse_iso(cycle.floor, "x cursor floor")
            return cycle

    def dump(self) -> str:
        """The cursor string stored in the database."""
        return _cursor.dump(vars(self))  # its four fields, without asdict's deep copy


@dataclass(frozen=True)
class Quotes:
    """Where the ``quotes`` source is: the newest quote seen of each of our recent tweets.

    A quote that does not name us is not in the mentions timeline, so our tweets of the last
    ``quotes_days`` are read for quotes every ``quotes_minutes``. ``floor`` is when heard started
    listening: a tweet first met is read only for quotes from then on. ``swept`` is the last read.
    """

    floor: str
    swept: str | None = None
    seen: Mapping[str, str] = field(default_factory=dict)  # our tweet id -> newest quote id read

    @classmethod
    def load(cls, cursor: str | None, since: datetime) -> Quotes:
        """Read a cursor written by ``dump``, or start at ``since``.

        :raises CursorUnreadable: the cursor is not one heard wrote.
        """
        if not cursor:
            return cls(floor=since.astimezone(UTC).isoformat())
        with _cursor.reading("x", "quotes", cursor) as state:
            quotes = cls(
                str(state["floor"]),
                _cursor.text_or_none(state.get("swept")),
                {str(k): str(v) for k, v in state["seen"].items()},
            )
            parse_iso(quotes.floor, "x quotes cursor")
            if quotes.swept:
                parse_iso(quotes.swept, "x quotes cursor")
            return quotes

    def dump(self) -> str:
        """The cursor string stored in the database."""
        return _cursor.dump({"floor": self.floor, "swept": self.swept, "seen": dict(self.seen)})

    def due(self, now: datetime, every: timedelta) -> bool:
        """Whether our tweets should be read for quotes now."""
        return not self.swept or now - parse_iso(self.swept, "x quotes cursor") >= every


def advance(cycle: Cycle, body: Mapping[str, Any]) -> Page:
    """Turn one response into a Page and the cycle's next position."""
    found, meta = tweets(body), body.get("meta") or {}
    newest = cycle.newest if cycle.token else meta.get("newest_id")
    kept = found
    if cycle.since_id is None and cycle.floor:
        floor = parse_iso(cycle.floor, "x cursor floor")
        kept = [t for t in found if _not_before(t, floor)]
    token = meta.get("next_token") if len(kept) == len(found) else None  # below the floor: cycle done
    if token:
        after = replace(cycle, token=str(token), newest=str(newest) if newest else None)
    else:
        since_id = str(newest) if newest else cycle.since_id
        after = Cycle(since_id=since_id, floor=None if since_id else cycle.floor)
    # The next page is the token's alone: it may be read while this one is stored.
    return Page(tuple(items(kept, body.get("includes") or {})), after.dump(), more=bool(token), read_ahead=True)


def _not_before(tweet: Mapping[str, Any], floor: datetime) -> bool:
    """Whether a tweet is at or after ``floor``; one whose time is unreadable is kept for normalise to set aside."""
    try:
        return parse_iso(require(tweet, "created_at", "x tweet"), "x tweet") >= floor
    except BadPayload:
        return True  # one broken tweet must not fail the page: normalise names it and quarantine keeps it


def newer(tweet: Mapping[str, Any], after: str | None, floor: datetime) -> bool:
    """Whether a quote is new: above the newest id already read, or (none read yet) at or after ``floor``."""
    if after:
        try:
            return int(tweet["id"]) > int(after)  # X ids are snowflakes: they grow with time
        except ValueError as exc:
            raise BadPayload(f"x tweet id {tweet['id']!r} is not a number") from exc
    return parse_iso(require(tweet, "created_at", "x tweet"), "x tweet") >= floor


def replies_to_someone(tweet: Mapping[str, Any]) -> bool:
    """Whether a tweet answers another tweet (``referenced_tweets`` has ``replied_to``)."""
    return any(r.get("type") == "replied_to" for r in tweet.get("referenced_tweets") or [])


def tweets(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The tweets of a timeline answer.

    :raises BadPayload: ``data`` is not a list of tweets.
    """
    data = body.get("data") or []
    if not isinstance(data, list) or not all(isinstance(t, dict) and t.get("id") for t in data):
        raise BadPayload("x: 'data' is not a list of tweets")
    return data


def items(found: list[dict[str, Any]], includes: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Cut a page into single-tweet payloads, each with the users and tweets it refers to."""
    users = {str(u.get("id")): u for u in includes.get("users") or [] if isinstance(u, dict)}
    referenced = {str(t.get("id")): t for t in includes.get("tweets") or [] if isinstance(t, dict)}
    for tweet in found:
        listed = tweet.get("referenced_tweets")
        if not listed:  # most tweets: only their author to look up
            author = users.get(str(tweet.get("author_id")))
            yield {"data": tweet, "includes": {"users": [author] if author is not None else []}}
            continue
        # A malformed reference list is left for normalise to refuse, naming the field; the page goes on.
        links = [r for r in listed if isinstance(r, dict)] if isinstance(listed, list) else []
        refs = [referenced[str(r.get("id"))] for r in links if str(r.get("id")) in referenced]
        ids = dict.fromkeys([str(tweet.get("author_id"))] + [str(r.get("author_id")) for r in refs])
        item: dict[str, Any] = {"data": tweet, "includes": {"users": [users[i] for i in ids if i in users]}}
        if refs:
            item["includes"]["tweets"] = refs
        yield item


def rfc3339(moment: datetime) -> str:
    """``moment`` as X wants it: YYYY-MM-DDTHH:mm:ssZ (it refuses an offset or fractions of a second)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
