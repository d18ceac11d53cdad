"""Build heard's frozen settings from config/heard.toml, the environment and .env."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dotenv import dotenv_values

from listener.errors import ConfigError
from listener.platforms import registry

DEFAULT_CONFIG = Path("config/heard.toml")
PRIORITIES = ("high", "normal", "low")
INTENTS = ("question", "complaint", "praise", "request", "other")


@dataclass(frozen=True)
class PlatformSettings:
    """One platform's options from heard.toml and its secrets from the environment."""

    name: str
    enabled: bool
    options: Mapping[str, Any]
    secrets: Mapping[str, str] = field(repr=False)
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    """Everything heard needs to run, checked once at start-up."""

    config_path: Path
    database: Path
    queue_file: Path
    outbox: Path
    recording: Path
    replies_path: Path
    dry_run: bool
    poll_seconds: int
    work_seconds: int
    escalate_seconds: int
    sla_minutes: Mapping[str, Mapping[str, int]]
    auto: Mapping[str, tuple[str, ...]]
    cooldown_minutes: int
    post_rate: Mapping[str, int]
    quiet_hours: tuple[int, int] | None
    platforms: Mapping[str, PlatformSettings]
    slack: Mapping[str, str] = field(repr=False)
    own_posts_seconds: int = 6 * 3600
    # [slack] options: the quiet hours' timezone and how many items one digest message shows.
    slack_timezone: str = "UTC"
    slack_max_items: int = 20

    def sla_for(self, platform: str, priority: str) -> int:
        """Minutes allowed before a comment of this priority on this platform is overdue."""
        table = self.sla_minutes.get(platform) or self.sla_minutes["default"]
        return int(table.get(priority, self.sla_minutes["default"][priority]))


def load_settings(
    config_path: Path | None = None, *, env_file: Path | None = None, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """Read heard.toml, .env and the process environment, then build the settings."""
    path = Path(config_path or os.environ.get("HEARD_CONFIG") or DEFAULT_CONFIG)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: config file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    dotenv = env_file or Path(".env")
    env = {k: v for k, v in dotenv_values(dotenv).items() if v is not None} if dotenv.exists() else {}
    env.update(os.environ)  # the process environment wins over .env
    return build_settings(document, env, config_path=path, overrides=overrides or {})


def build_settings(
    document: Mapping[str, Any], env: Mapping[str, str], *, config_path: Path, overrides: Mapping[str, Any]
) -> Settings:
    """Build Settings from a parsed heard.toml and an environment mapping (pure)."""
    src = _Source(document, config_path)
    base = Path(
        overrides.get("database") or env.get("HEARD_DATABASE") or src.get("heard.database", str, "var/heard.db")
    )
    queue = overrides.get("queue_file") or src.get("heard.queue_file", str, "")
    dry_run = overrides.get("dry_run")
    return Settings(
        config_path=config_path,
        database=base,
        queue_file=Path(queue) if queue else base.with_name("queue.yaml"),
        outbox=Path(src.get("replay.outbox", str, "") or base.with_name("outbox.jsonl")),
        recording=Path(src.get("replay.recording", str, "config/demo/recording.jsonl")),
        replies_path=Path(src.get("heard.replies", str, str(config_path.with_name("replies.toml")))),
        dry_run=bool(src.get("heard.dry_run", bool, False) if dry_run is None else dry_run),
        poll_seconds=src.get("schedule.poll_seconds", int, 120, minimum=10),
        work_seconds=src.get("schedule.work_seconds", int, 30, minimum=1),
        escalate_seconds=src.get("schedule.escalate_seconds", int, 300, minimum=10),
        sla_minutes=_sla(src),
        auto=_auto(src),
        cooldown_minutes=src.get("posting.cooldown_minutes", int, 10, minimum=0),
        post_rate=MappingProxyType(_post_rates(src)),
        quiet_hours=_quiet_hours(src),
        platforms=MappingProxyType(_platforms(src, env)),
        slack=MappingProxyType(
            {
                k: env[k]
                for k in ("SLACK_WEBHOOK_URL", "SLACK_BOT_TOKEN", "SLACK_CHANNEL", "SLACK_BASE_URL")
                if env.get(k)
            }
        ),
        # Metrics move slowly, and each refresh spends requests (and YouTube quota) on every platform.
        own_posts_seconds=src.get("schedule.own_posts_seconds", int, 6 * 3600, minimum=600),
        slack_timezone=_timezone(src),
        slack_max_items=src.get("slack.max_items", int, 20, minimum=1),
    )


class _Source:
    """Typed look-ups in the TOML document, with errors that name the key and the file."""

    def __init__(self, document: Mapping[str, Any], path: Path) -> None:
        self.document, self.path = document, path

    def raw(self, dotted: str) -> Any:
        node: Any = self.document
        for part in dotted.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return None
            node = node[part]
        return node

    def get(self, dotted: str, kind: type, default: Any, *, minimum: int | None = None) -> Any:
        value = self.raw(dotted)
        if value is None:
            return default
        if kind is int and isinstance(value, bool) or not isinstance(value, kind):
            self.fail(dotted, f"expected {kind.__name__}, got {value!r}")
        if minimum is not None and value < minimum:
            self.fail(dotted, f"expected at least {minimum}, got {value!r}")
        return value

    def fail(self, dotted: str, message: str) -> None:
        raise ConfigError(f"{self.path}: key '{dotted}': {message}")


def _sla(src: _Source) -> Mapping[str, Mapping[str, int]]:
    defaults = {"high": 60, "normal": 240, "low": 1440}
    table = src.get("sla", dict, {})
    out: dict[str, Mapping[str, int]] = {}
    base = {p: src.get(f"sla.{p}", int, defaults[p], minimum=1) for p in PRIORITIES}
    out["default"] = MappingProxyType(base)
    for key, value in table.items():
        if key in PRIORITIES:
            continue
        if not isinstance(value, Mapping):
            src.fail(f"sla.{key}", "expected a table of minutes per priority (high/normal/low)")
        for p in value:
            if p not in PRIORITIES:
                src.fail(f"sla.{key}.{p}", f"expected one of {', '.join(PRIORITIES)}")
        out[key] = MappingProxyType({p: src.get(f"sla.{key}.{p}", int, base[p], minimum=1) for p in PRIORITIES})
    return MappingProxyType(out)


def _auto(src: _Source) -> Mapping[str, tuple[str, ...]]:
    table = src.get("posting.auto", dict, {})
    out = {}
    for platform, intents in table.items():
        if not isinstance(intents, list) or any(i not in INTENTS for i in intents):
            src.fail(f"posting.auto.{platform}", f"expected a list drawn from {', '.join(INTENTS)}")
        out[platform] = tuple(intents)
    return MappingProxyType(out)


def _post_rates(src: _Source) -> dict[str, int]:
    return {
        name: src.get(f"platforms.{name}.max_replies_per_hour", int, spec.default_post_rate, minimum=1)
        for name, spec in registry().items()
    }


def _quiet_hours(src: _Source) -> tuple[int, int] | None:
    value = src.raw("slack.quiet_hours")
    if value is None:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) and 0 <= v <= 23 for v in value)):
        src.fail("slack.quiet_hours", "expected [start_hour, end_hour] with hours 0-23")
    return (value[0], value[1])


def _timezone(src: _Source) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = src.get("slack.timezone", str, "UTC")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        src.fail("slack.timezone", f"expected an IANA timezone such as 'Europe/Berlin', got {name!r}")
    return name


def _platforms(src: _Source, env: Mapping[str, str]) -> dict[str, PlatformSettings]:
    table = src.get("platforms", dict, {})
    known = registry()
    for name in table:
        if name not in known:
            src.fail(f"platforms.{name}", f"unknown platform; expected one of {', '.join(sorted(known))}")
    out = {}
    for name, spec in known.items():
        options = src.get(f"platforms.{name}", dict, {})
        enabled = src.get(f"platforms.{name}.enabled", bool, False)
        unknown = set(options) - set(spec.options) - {"enabled", "max_replies_per_hour"}
        if unknown:
            src.fail(
                f"platforms.{name}.{sorted(unknown)[0]}",
                f"unknown option; expected one of {', '.join(sorted(spec.options))}",
            )
        secrets = {k: env[k] for k in spec.secrets if env.get(k)}
        missing = tuple(k for k in spec.secrets if not env.get(k))
        out[name] = PlatformSettings(name, enabled, MappingProxyType(dict(options)), MappingProxyType(secrets), missing)
    return out
