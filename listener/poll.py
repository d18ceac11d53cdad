"""Poll one source once: fetch since its cursor, store the page, then advance the cursor."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from listener.errors import AuthFailed, BadPayload, PlatformError, RateLimited
from listener.platforms import Platform
from listener.records import Comment
from listener.store import Store, iso, parse_time

log = logging.getLogger(__name__)

# How long a source rests after the platform refused our credentials; a person must fix them.
AUTH_PAUSE = timedelta(hours=1)


@dataclass(frozen=True)
class PollResult:
    """What one poll of one source did."""

    source: str
    fetched: int = 0
    stored: int = 0
    skipped: int = 0
    more: bool = False
    error: str | None = None
    paused_until: datetime | None = None


def source_key(platform: Platform, source: str) -> str:
    """The cursor key of a source: ``{platform}:{source}``."""
    return f"{platform.name}:{source}"


def poll_once(
    platform: Platform, source: str, store: Store, *, now: datetime, backfill: timedelta | None = None
) -> PollResult:
    """Make one bounded request to a source and store what it returns.

    The cursor moves in the same transaction that stores the comments it covers, so a crash
    between the two loses nothing; a failure records the error and leaves the cursor alone.
    """
    key = source_key(platform, source)
    state = store.cursor(key) or {}
    paused = parse_time(state.get("paused_until"))
    if paused and paused > now:
        return PollResult(key, paused_until=paused, error=state.get("last_error"))
    since = now - backfill if backfill else now
    try:
        page = platform.fetch(source, state.get("cursor"), since=since)
        comments, skipped = _normalise_all(platform, page.items, store, now=now)
    except RateLimited as exc:
        store.source_failed(key, f"rate limited until {iso(exc.retry_at)}", now=now, paused_until=exc.retry_at)
        return PollResult(key, error=str(exc), paused_until=exc.retry_at)
    except AuthFailed as exc:
        until = now + AUTH_PAUSE
        store.source_failed(key, f"credentials refused: {exc}", now=now, paused_until=until)
        return PollResult(key, error=str(exc), paused_until=until)
    except PlatformError as exc:
        store.source_failed(key, f"{type(exc).__name__}: {exc}", now=now)
        return PollResult(key, error=str(exc))
    new_ids = store.save_page(key, comments, page.cursor, now=now)
    try:
        platform.after_store(source, page)
    except PlatformError as exc:
        # Stored is what matters; the acknowledgement is repeated next time the items come back.
        log.warning("after_store failed source=%s error=%s", key, exc)
    return PollResult(key, fetched=len(page.items), stored=len(new_ids), skipped=skipped, more=page.more)


def _normalise_all(
    platform: Platform, items: Iterable[Mapping[str, Any]], store: Store, *, now: datetime
) -> tuple[list[Comment], int]:
    comments: list[Comment] = []
    skipped = 0
    for raw in items:
        try:
            comments.append(platform.normalise(raw))
        except BadPayload as exc:
            # One unreadable item is recorded and skipped; it must not hold back the rest.
            skipped += 1
            log.warning("bad payload platform=%s error=%s", platform.name, exc)
            store.log_event("bad_payload", now=now, platform=platform.name, error=str(exc))
    return comments, skipped
