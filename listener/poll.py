"""Poll one source: fetch since its cursor, store the page (setting aside what cannot be), then advance the cursor."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from listener.errors import AuthFailed, CursorUnreadable, PlatformError, RateLimited
from listener.platforms import Platform
from listener.quarantine import Reject, describe, excerpt, raw_item
from listener.records import Comment
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
    total = poll_once(platform, source, store, now=now, backfill=backfill)
    while total.more and not total.error and total.pages < max_pages:
        page = poll_once(platform, source, store, now=now, backfill=backfill)
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
    key = source_key(platform, source)
    state = store.cursor(key) or {}
    paused = parse_time(state.get("paused_until"))
    if paused and paused > now:
        return PollResult(key, paused_until=paused, error=state.get("last_error"))
    since = now - backfill if backfill else now
    try:
        page = platform.fetch(source, state.get("cursor"), since=since)
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
