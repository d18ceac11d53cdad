"""Read a platform's heard.toml options and secrets: a bad value is a ConfigError naming its key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from importlib import metadata
from typing import Any

from listener.errors import ConfigError


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


def bool_option(platform: str, options: Mapping[str, Any], key: str, default: bool) -> bool:
    """Return ``options[key]`` (or ``default``) if it is true or false, else raise ConfigError."""
    value = options.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"platforms.{platform}.{key}: expected true or false, got {value!r}")
    return value


def list_option(platform: str, options: Mapping[str, Any], key: str, what: str) -> tuple[str, ...]:
    """Return ``options[key]`` (or none) if it is a list of non-blank strings, else raise ConfigError.

    ``what`` names the items in the error: ``platforms.x.keywords: expected a list of search queries``.
    """
    value = options.get(key) or []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"platforms.{platform}.{key}: expected a list of {what}, got {value!r}")
    return tuple(value)


def text_option(platform: str, options: Mapping[str, Any], key: str, default: str = "") -> str:
    """Return ``options[key]`` (or ``default``) if it is text, else raise ConfigError."""
    value = options.get(key) or default
    if not isinstance(value, str):
        raise ConfigError(f"platforms.{platform}.{key}: expected text, got {value!r}")
    return value


@cache
def heard_version() -> str:
    """The installed version of heard, for the User-Agent a platform's admins read."""
    try:
        return metadata.version("heard")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"
