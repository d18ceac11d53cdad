"""Watch heard's own health and announce each problem once, and again when it recovers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from listener.poll import reset_command
from listener.store import ErrorKind, PostingPause, Store, iso, parse_time
from responders.drafting import health as drafting
from responders.escalate import in_quiet_hours

log = logging.getLogger(__name__)

# A source is silent after this many poll intervals without a success.
SILENT_INTERVALS = 3
# An approved reply that has not moved for this long, with no retry time ahead of it, is stuck.
STUCK_AFTER = timedelta(minutes=30)


@dataclass(frozen=True)
class AlertChange:
    """One alert raised, or one recovery, to announce."""

    key: str
    message: str
    recovered: bool
    since: datetime


@runtime_checkable
class Announcer(Protocol):
    """Somewhere to announce alerts: Slack, the log."""

    channel: str

    def announce(self, changes: Sequence[AlertChange], *, now: datetime) -> None:
        """Deliver the announcements or raise; only delivered ones are remembered."""
        ...


class LogAnnouncer:
    """Announce alerts as log lines (or any writer): used when Slack is not configured."""

    channel = "log"

    def __init__(self, write: Callable[[str], None] | None = None) -> None:
        self.write = write or (lambda line: log.warning("alert %s", line))

    def announce(self, changes: Sequence[AlertChange], *, now: datetime) -> None:
        """Write one line per change."""
        for change in changes:
            self.write(f"{'recovered' if change.recovered else 'ALERT'} key={change.key} {change.message}")


def conditions(
    store: Store,
    *,
    now: datetime,
    poll_seconds: int,
    sources: Collection[str] | None = None,
    stuck_after: timedelta = STUCK_AFTER,
) -> dict[str, str]:
    """Every problem true right now, as alert key -> message."""
    found: dict[str, str] = {}
    for row in store.cursors():
        if sources is None or row["source"] in sources:
            found.update(_source_problems(row, now=now, poll_seconds=poll_seconds))
    paused = {p.platform: _pause_problem(p) for p in store.posting_pauses() if _still_paused(store, p, now=now)}
    found.update(paused.values())
    found.update(_stuck(store, now=now, stuck_after=stuck_after, paused=set(paused)))
    found.update(quarantine_problems(store))
    found.update(drafting.problems(store))  # one alert for a dead drafting endpoint, not one per comment
    return found


def quarantine_problems(store: Store) -> dict[str, str]:
    """One alert per stage that set items aside: how many, the newest and why, and where to look."""
    found = {}
    for stage, count in sorted(store.quarantine_counts().items()):
        newest = store.quarantined(stage, limit=1)[0]
        noun = "item" if count == 1 else "items"
        found[f"quarantine:{stage}"] = (
            f"{count} {noun} set aside at the {stage} stage; the rest carried on (newest {newest['item']}: "
            f"{newest['error'][:200]}). See `heard quarantine`, then `heard quarantine retry ID|--all` "
            "once the cause is fixed, or `heard quarantine drop ID|--all`."
        )
    return found


def _source_problems(row: dict[str, Any], *, now: datetime, poll_seconds: int) -> dict[str, str]:
    source, error = row["source"], row.get("last_error") or ""
    kind = row.get("error_kind") if row.get("errors") else None
    if kind == ErrorKind.AUTH:
        until = row.get("paused_until") or "?"
        return {
            f"source:auth:{source}": f"{source}: the platform refused our credentials; polling is paused "
            f"until {until}. Renew the keys in .env, check them with `heard doctor`, then run "
            f"`heard resume {source.split(':', 1)[0]}`."
        }
    if kind == ErrorKind.CREDITS:
        return {
            f"source:credits:{source}": f"{source}: the account's API credits are spent; polling fails "
            "until they are topped up."
        }
    if kind == ErrorKind.CURSOR:
        return {
            f"source:cursor:{source}": f"{source}: its stored cursor is not one heard wrote, so every poll "
            f"fails; run `{reset_command(source)}` to start it over (comments already stored are kept)."
        }
    last = parse_time(row.get("last_success"))
    limit = timedelta(seconds=SILENT_INTERVALS * poll_seconds)
    silent = (now - last > limit) if last else int(row.get("errors") or 0) >= SILENT_INTERVALS
    if silent:
        since = row.get("last_success") or "start"
        return {
            f"source:silent:{source}": f"{source}: no successful poll since {since}"
            + (f" (last error: {error})" if error else "")
        }
    return {}


def _still_paused(store: Store, pause: PostingPause, *, now: datetime) -> bool:
    # The pause expiring proves nothing; a reply posted since it began proves the account works.
    return pause.until > now or not store.posted_since(pause.platform, pause.since)


def _pause_problem(pause: PostingPause) -> tuple[str, str]:
    credits = pause.kind == ErrorKind.CREDITS
    what = "the account's API credits are spent" if credits else "the platform refused our credentials"
    return (
        f"post:{'credits' if credits else 'auth'}:{pause.platform}",
        f"posting to {pause.platform} is paused: {what} ({pause.why}). Approved replies wait; "
        f"once fixed, run `heard resume {pause.platform}`.",
    )


def _stuck(store: Store, *, now: datetime, stuck_after: timedelta, paused: set[str]) -> dict[str, str]:
    rows = [r for r in store.stuck_replies(before=now - stuck_after, now=now) if r.platform not in paused]
    if not rows:
        return {}
    oldest = rows[0]
    noun = "reply" if len(rows) == 1 else "replies"
    return {
        "poster:stuck": f"{len(rows)} approved {noun} not posted for over "
        f"{int(stuck_after.total_seconds() // 60)} min (oldest {oldest.comment_id}, "
        f"{oldest.state.value} since {iso(oldest.updated_at)}"
        + (f", last error: {oldest.error}" if oldest.error else "")
        + ")"
    }


def check(
    store: Store,
    announcer: Announcer,
    *,
    now: datetime,
    poll_seconds: int,
    sources: Collection[str] | None = None,
    stuck_after: timedelta = STUCK_AFTER,
    quiet: tuple[int, int] | None = None,
    timezone: str = "UTC",
) -> list[AlertChange]:
    """Record the alerts true now, then announce what is new or recovered; return what was announced.

    An announcement that fails raises and is repeated on the next check; one delivered is never repeated.
    """
    store.sync_alerts(
        conditions(store, now=now, poll_seconds=poll_seconds, sources=sources, stuck_after=stuck_after), now=now
    )
    if in_quiet_hours(now, quiet, timezone):
        return []
    changes = [
        AlertChange(r["key"], r["message"], bool(r["cleared_at"]), parse_time(r["since"]) or now)
        for r in store.unannounced_alerts()
    ]
    if not changes:
        return []
    announcer.announce(changes, now=now)
    store.alerts_announced([(c.key, c.recovered) for c in changes], now=now)
    for change in changes:
        store.log_event(
            "alert_announced",
            now=now,
            key=change.key,
            recovered=change.recovered,
            channel=announcer.channel,
            since=iso(change.since),
        )
    return changes
