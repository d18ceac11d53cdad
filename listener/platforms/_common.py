"""Provide small helpers that several platform modules share: time parsing, payload checks, config checks."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from listener.errors import BadPayload, ConfigError


def parse_iso(value: Any, where: str) -> datetime:
    """Parse an ISO-8601 timestamp (``Z`` allowed) into an aware UTC datetime."""
    if not isinstance(value, str):
        raise BadPayload(f"{where}: expected an ISO-8601 time, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadPayload(f"{where}: expected an ISO-8601 time, got {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_epoch(value: Any, where: str) -> datetime:
    """Parse epoch seconds (int, float or numeric string) into an aware UTC datetime."""
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)
    except (TypeError, ValueError, OverflowError) as exc:
        raise BadPayload(f"{where}: expected epoch seconds, got {value!r}") from exc


def require(mapping: Any, key: str, where: str) -> Any:
    """Return ``mapping[key]`` or raise BadPayload naming the place."""
    if not isinstance(mapping, dict) or mapping.get(key) in (None, ""):
        raise BadPayload(f"{where}: missing {key!r}")
    return mapping[key]


def metric(mapping: Any, key: str) -> int:
    """A public count from a payload as an int: absent, null or unreadable counts as zero.

    YouTube sends its counts as strings, and platforms omit a count they hide.
    """
    value = mapping.get(key) if isinstance(mapping, dict) else None
    try:
        return max(0, int(value)) if value is not None and not isinstance(value, bool) else 0
    except (TypeError, ValueError):
        return 0


def ceil_epoch(epoch: float) -> datetime:
    """Epoch seconds (a rate-limit reset) as an aware UTC time, rounded up to the whole second.

    The store keeps whole seconds, and rounding down would resume before the reset.
    """
    return datetime.fromtimestamp(math.ceil(epoch), tz=UTC)


def require_secrets(platform: str, names: Sequence[str], secrets: Mapping[str, str]) -> None:
    """Raise ConfigError naming every secret in ``names`` that is missing or empty."""
    missing = [k for k in names if not secrets.get(k)]
    if missing:
        raise ConfigError(f"{platform} needs {', '.join(missing)} in the environment")


def number_option(platform: str, options: Mapping[str, Any], key: str, default: Any, low: float, high: float) -> Any:
    """Return ``options[key]`` (or ``default``) if it is a number from ``low`` to ``high``, else raise ConfigError."""
    value = options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ConfigError(f"platforms.{platform}.{key}: expected a number from {low} to {high}, got {value!r}")
    return value
