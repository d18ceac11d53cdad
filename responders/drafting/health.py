"""Keep AI drafting's health in the store: a circuit that rests a failing endpoint, and its one alert.

After CIRCUIT_FAILURES failed drafts in a row (or one refused key or unknown model) the endpoint is
down: drafting pauses for COOL_DOWN and every draft is the template one; after the pause one draft
tries the endpoint again. While it is down, one operational alert stands; the first draft that
succeeds clears it, and the recovery is announced like any other.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from listener.store import Store, iso, keys, parse_time
from responders.drafting.client import Busy, DraftingError, Refused

# Failed drafts in a row that make the endpoint count as down.
CIRCUIT_FAILURES = 3
# How long a down endpoint rests before one draft tries it again.
COOL_DOWN = timedelta(minutes=10)
# The key of the one alert a down endpoint raises.
ALERT_KEY = "drafting:endpoint"


@dataclass(frozen=True)
class Health:
    """How the endpoint has answered lately, as `heard status` and the alerts read it."""

    endpoint: str = ""
    model: str = ""
    failures: int = 0  # failed drafts in a row
    down: bool = False
    paused_until: str | None = None
    failing_since: str | None = None
    last_error: str | None = None
    last_error_at: str | None = None
    last_success: str | None = None


def read(store: Store, *, endpoint: str | None = None, model: str | None = None) -> Health:
    """The stored health; a fresh one when it was kept for another endpoint or model than these."""
    stored = store.meta(keys.DRAFTING) or {}
    known = {k: v for k, v in stored.items() if k in Health.__dataclass_fields__}
    health = Health(**known)
    if (endpoint is not None and health.endpoint != endpoint) or (model is not None and health.model != model):
        return Health(endpoint or "", model or "")
    return health


def paused(health: Health, *, now: datetime) -> bool:
    """Whether drafts skip the endpoint for now (it is resting, or asked us to wait)."""
    until = parse_time(health.paused_until)
    return until is not None and now < until


def succeeded(store: Store, health: Health, *, now: datetime) -> Health:
    """Record a draft the endpoint answered: the streak of failures, any pause and the alert end."""
    after = replace(health, failures=0, down=False, paused_until=None, failing_since=None, last_success=iso(now))
    _save(store, after, before=health)
    return after


def failed(store: Store, health: Health, error: DraftingError, *, now: datetime) -> Health:
    """Record a draft the endpoint failed; rest it once it counts as down, or as long as a 429 asks."""
    failures = health.failures + 1
    down = health.down or failures >= CIRCUIT_FAILURES or isinstance(error, Refused)
    until = now + COOL_DOWN if down else None
    if isinstance(error, Busy) and error.after is not None:
        asked = now + timedelta(seconds=error.after)
        until = max(until, asked) if until else asked
    after = replace(
        health,
        failures=failures,
        down=down,
        paused_until=iso(until) if until else None,
        failing_since=health.failing_since or iso(now),
        last_error=str(error),
        last_error_at=iso(now),
    )
    _save(store, after, before=health)
    return after


def forget(store: Store) -> None:
    """Drop the stored health (drafting was turned off: its endpoint's alert no longer applies)."""
    if store.meta(keys.DRAFTING) is not None:
        store.set_meta(keys.DRAFTING, None)


def problems(store: Store) -> dict[str, str]:
    """The one alert of a down endpoint, as key -> message; none while it answers."""
    health = read(store)
    if not health.down:
        return {}
    noun = "draft" if health.failures == 1 else "drafts"
    return {
        ALERT_KEY: f"AI drafting: {health.endpoint} ({health.model}) failed {health.failures} {noun} in a row "
        f"since {health.failing_since} (last error: {health.last_error}). Drafts fall back to templates, and "
        f"heard tries the endpoint again every {int(COOL_DOWN.total_seconds() // 60)} min; check that the "
        "server runs, [drafting] base_url and model in heard.toml, and the key in .env."
    }


def summary(health: Health) -> dict[str, Any]:
    """The health as plain values, for `heard status --json`."""
    return asdict(health)


def _save(store: Store, health: Health, *, before: Health) -> None:
    if health != before:
        store.set_meta(keys.DRAFTING, asdict(health))
