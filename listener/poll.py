"""Poll one source: fetch since its cursor, store the page (setting aside what cannot be), then advance the cursor."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from listener.errors import AuthFailed, CursorUnreadable, PlatformError, RateLimited
from listener.platforms import Platform
from listener.quarantine import Reject, describe, excerpt, raw_item
from listener.records import Comment, Page
from listener.store import ErrorKind, Store, iso, parse_time

log = logging.getLogger(__name__)

# How long a source rests after the platform refused our credentials; a person must fix them.
AUTH_PAUSE = timedelta(hours=1)
# How many pages one poll of a source reads at most when the platform says there is more (a burst).
MAX_PAGES = 10


@dataclass(frozen=True)
class PollResult:
    """What one poll of one source did (over every page it read)."""

    source: str
    fetched: int = 0
    stored: int = 0
    skipped: int = 0  # set aside: payloads that could not be normalised or stored (see `heard quarantine`)
    more: bool = False
    error: str | None = None
    paused_until: datetime | None = None
    pages: int = 1


def source_key(platform: Platform, source: str) -> str:
    """The cursor key of a source: ``{platform}:{source}``."""
    return f"{platform.name}:{source}"


def poll_burst(
    platform: Platform,
    source: str,
    store: Store,
    *,
    now: datetime,
    backfill: timedelta | None = None,
    max_pages: int = MAX_PAGES,
) -> PollResult:
    """Read a source page after page while it says there is more, up to ``max_pages``; one result for all.

    A burst is read at the pace the platform's rate limit allows, not one page per interval; the
    bound keeps one poll short, and a client that runs low on its budget stops the loop by saying so.
    """
    with _ReadAhead(platform, source) as ahead:
        total = _poll(platform, source, store, now=now, backfill=backfill, ahead=ahead, start=max_pages > 1)
        while total.more and not total.error and total.pages < max_pages:
            last = total.pages + 1 >= max_pages  # the final page of this poll: nothing to read ahead of it
            page = _poll(platform, source, store, now=now, backfill=backfill, ahead=ahead, start=not last)
            if page.error and page.paused_until and _rate_limited(store, total.source):
                # The budget says stop: what was read stands, and the next poll resumes after the pause.
                return replace(total, paused_until=page.paused_until)
            total = replace(
                page,
                fetched=total.fetched + page.fetched,
                stored=total.stored + page.stored,
                skipped=total.skipped + page.skipped,
                pages=total.pages + 1,
            )
        return total


@dataclass(frozen=True)
class _Read:
    """A page as fetched, and its items normalised (or set aside)."""

    page: Page
    comments: list[Comment]
    raws: dict[str, Mapping[str, Any]]
    rejects: list[Reject]


class _ReadAhead:
    """The next page of a burst, fetched and normalised on a helper thread while the one before it is stored.

    Only for a page that says its successor depends on its cursor alone (``Page.read_ahead``): storing and
    acknowledging it changes nothing the next request reads. The page read ahead is used only when the stored
    cursor is still the one it was read from; the client is never used by two threads at once.
    """

    def __init__(self, platform: Platform, source: str) -> None:
        self.platform, self.source, self.key = platform, source, source_key(platform, source)
        self._pool: ThreadPoolExecutor | None = None
        self._cursor: str | None = None
        self._future: Future[_Read] | None = None

    def start(self, cursor: str | None, since: datetime) -> None:
        """Begin reading the page after ``cursor``."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="heard-read-ahead")
        self._cursor = cursor
        self._future = self._pool.submit(self._read, cursor, since)

    def _read(self, cursor: str | None, since: datetime) -> _Read:
        page = self.platform.fetch(self.source, cursor, since=since)
        return _Read(page, *_normalise_all(self.platform, self.key, page.items))

    def take(self, cursor: str | None) -> _Read | None:
        """The page read ahead from ``cursor`` (raising what its fetch raised), or None when there is none."""
        future, self._future = self._future, None
        if future is None:
            return None
        if cursor != self._cursor:
            wait([future])  # read from a cursor that is no longer stored: dropped, once the client is free again
            return None
        return future.result()

    def __enter__(self) -> _ReadAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        # A page read ahead and never stored is only dropped: the stored cursor still points before it.
        self._future = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)


def _rate_limited(store: Store, key: str) -> bool:
    """Whether the source's last failure was its rate limit."""
    return (store.cursor(key) or {}).get("error_kind") == ErrorKind.RATE_LIMITED


def reset_command(key: str) -> str:
    """The command that makes a source with an unreadable cursor start over."""
    return f"heard reset-cursor {key}"


def poll_once(
    platform: Platform, source: str, store: Store, *, now: datetime, backfill: timedelta | None = None
) -> PollResult:
    """Make one bounded request to a source and store what it returns.

    The cursor moves in the same transaction that stores the comments it covers, so a crash
    between the two loses nothing; a failure records the error and leaves the cursor alone. An
    item that cannot be normalised or stored is quarantined in that transaction: it is covered too.
    """
    return _poll(platform, source, store, now=now, backfill=backfill)


def _poll(
    platform: Platform,
    source: str,
    store: Store,
    *,
    now: datetime,
    backfill: timedelta | None,
    ahead: _ReadAhead | None = None,
    start: bool = True,
) -> PollResult:
    """``poll_once``, its page taken from ``ahead`` when read there; with ``start``, the next one is read ahead."""
    key = source_key(platform, source)
    state = store.cursor(key) or {}
    paused = parse_time(state.get("paused_until"))
    if paused and paused > now:
        return PollResult(key, paused_until=paused, error=state.get("last_error"))
    since = now - backfill if backfill else now
    try:
        read = ahead.take(state.get("cursor")) if ahead is not None else None
        page = read.page if read is not None else platform.fetch(source, state.get("cursor"), since=since)
    except RateLimited as exc:
        error = f"rate limited until {iso(exc.retry_at)}"
        store.source_failed(key, error, kind=ErrorKind.RATE_LIMITED, now=now, paused_until=exc.retry_at)
        return PollResult(key, error=str(exc), paused_until=exc.retry_at)
    except AuthFailed as exc:
        until = now + AUTH_PAUSE
        store.source_failed(key, f"credentials refused: {exc}", kind=ErrorKind.AUTH, now=now, paused_until=until)
        return PollResult(key, error=str(exc), paused_until=until)
    except CursorUnreadable as exc:
        # Every poll would fail the same way: only a person can decide to start the source over.
        command = reset_command(key)
        error = str(exc) if command in str(exc) else f"{exc}; run `{command}` to start this source over"
        store.source_failed(key, error, kind=ErrorKind.CURSOR, now=now)
        return PollResult(key, error=error)
    except PlatformError as exc:
        store.source_failed(key, f"{type(exc).__name__}: {exc}", kind=ErrorKind.of(exc), now=now)
        return PollResult(key, error=str(exc))
    except Exception as exc:  # a client's own bug on odd data: recorded for this source, the others poll on
        log.exception("fetch crashed source=%s", key)
        store.source_failed(key, describe(exc), kind=ErrorKind.OTHER, now=now)
        return PollResult(key, error=describe(exc))
    if ahead is not None and start and page.more and page.read_ahead:
        ahead.start(page.cursor, since)
    if read is not None:
        comments, raws, rejects = read.comments, read.raws, read.rejects
    else:
        comments, raws, rejects = _normalise_all(platform, key, page.items)
    saved = store.store_page(key, comments, page.cursor, now=now, rejects=rejects, raws=raws)
    for reject in saved.set_aside:
        log.warning("set aside stage=%s source=%s item=%s error=%s", reject.stage, key, reject.item, reject.error)
    try:
        platform.after_store(source, page)
    except PlatformError as exc:
        # Stored is what matters; the acknowledgement is repeated next time the items come back.
        log.warning("after_store failed source=%s error=%s", key, exc)
    return PollResult(key, fetched=len(page.items), stored=len(saved.new), skipped=len(saved.set_aside), more=page.more)


def _normalise_all(
    platform: Platform, key: str, items: Iterable[Mapping[str, Any]]
) -> tuple[list[Comment], dict[str, Mapping[str, Any]], list[Reject]]:
    """Normalise each raw item; one that cannot be read is set aside with why, never holding back the rest."""
    comments: list[Comment] = []
    raws: dict[str, Mapping[str, Any]] = {}
    rejects: list[Reject] = []
    for raw in items:
        try:
            comment = platform.normalise(raw)
        except Exception as exc:  # BadPayload, or a normaliser's bug on a shape it never met: the same to the rest
            rejects.append(Reject("normalise", raw_item(key, raw), describe(exc), key, excerpt(raw), raw))
            continue
        comments.append(comment)
        raws[comment.id] = raw
    return comments, raws, rejects
