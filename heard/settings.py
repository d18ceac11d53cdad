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

from heard import workspaces as ws
from heard.config_source import Source
from listener.errors import ConfigError
from listener.platforms import registry
from listener.records import PRIORITIES
from listener.store.location import is_url
from responders.drafting.config import API_KEY_ENV, DEFAULT_VOICE, DraftingConfig

DEFAULT_CONFIG = Path("config/heard.toml")
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
    database: Path | str  # a SQLite file, or a postgresql:// URL (listener.store.location.is_url)
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
    # How long a reply found in `posting` after a crash waits for the platform to show it before a retry.
    settle_seconds: int = 60
    # How many of the most urgent items the queue file shows; the rest are counted at its top.
    queue_max_items: int = 500
    # [drafting]: optional AI drafts through an OpenAI-compatible endpoint (off by default).
    drafting: DraftingConfig = field(default_factory=DraftingConfig)
    # knowledge.md, the facts drafts may state; None: the one beside replies.toml (docs/drafts.md).
    knowledge_path: Path | None = None
    # The [workspaces.<name>] these settings are of; "" when heard.toml has no workspaces.
    workspace: str = ""

    @property
    def knowledge_file(self) -> Path:
        """The knowledge file to read: the configured one, else knowledge.md beside replies.toml (missing: none)."""
        return self.knowledge_path or self.replies_path.with_name("knowledge.md")

    def sla_for(self, platform: str, priority: str) -> int:
        """Minutes allowed before a comment of this priority on this platform is overdue."""
        table = self.sla_minutes.get(platform) or self.sla_minutes["default"]
        return int(table.get(priority, self.sla_minutes["default"][priority]))


def load_settings(
    config_path: Path | None = None,
    *,
    env_file: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    workspace: str | None = None,
) -> Settings:
    """Read heard.toml, .env and the process environment, then build the settings (of ``workspace``, if any)."""
    return load_deployment(config_path, env_file=env_file, overrides=overrides).pick(workspace)


def load_deployment(
    config_path: Path | None = None, *, env_file: Path | None = None, overrides: Mapping[str, Any] | None = None
) -> ws.Deployment:
    """Read heard.toml, .env and the process environment, then build the base's and every workspace's settings."""
    path = Path(config_path or os.environ.get("HEARD_CONFIG") or DEFAULT_CONFIG)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: config file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc}") from exc
    env = read_dotenv(env_file or Path(".env"))
    env.update(os.environ)  # the process environment wins over .env
    return build_deployment(document, env, config_path=path, overrides=overrides or {})


def read_dotenv(path: Path) -> dict[str, str]:
    """The variables in a .env file, read literally: ``${VAR}`` stays as written (see config/.env.example)."""
    if not path.exists():
        return {}
    try:
        values = dotenv_values(path, interpolate=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the .env file: {exc}") from exc
    return {k: v for k, v in values.items() if v is not None}


def build_settings(
    document: Mapping[str, Any],
    env: Mapping[str, str],
    *,
    config_path: Path,
    overrides: Mapping[str, Any],
    workspace: str | None = None,
) -> Settings:
    """Build Settings from a parsed heard.toml and an environment mapping (pure)."""
    return build_deployment(document, env, config_path=config_path, overrides=overrides).pick(workspace)


def build_deployment(
    document: Mapping[str, Any], env: Mapping[str, str], *, config_path: Path, overrides: Mapping[str, Any]
) -> ws.Deployment:
    """Build the base settings and each ``[workspaces.<name>]``'s from a parsed heard.toml (pure).

    :raises ConfigError: a bad key or value (named where the file has it), or two workspaces sharing a file.
    """
    src = Source(document, config_path)
    base = _build(src, env, config_path, overrides)
    default = src.get("heard.default_workspace", str, "")
    src.seen.add("workspaces")
    src.checked.add("workspaces")  # each workspace's table is checked as it is built
    src.check_unknown()
    spaces = {
        name: _workspace(document, name, own, base, env, overrides)
        for name, own in ws.tables(document, config_path).items()
    }
    if default and default not in spaces:
        src.fail("heard.default_workspace", f"names no workspace (workspaces: {', '.join(spaces) or 'none'})")
    ws.check_apart({name: ws.files_of(s) for name, s in spaces.items()}, config_path)
    return ws.Deployment(base, MappingProxyType(spaces), default)


def _workspace(
    document: Mapping[str, Any],
    name: str,
    own: Mapping[str, Any],
    base: Settings,
    env: Mapping[str, str],
    overrides: Mapping[str, Any],
) -> Settings:
    """One workspace's settings: its table over the base, each file of its own unless it names one."""
    doc = ws.merged(document, name, own, path=base.config_path)
    ws.own_files(doc, name, own, base)
    theirs = own.get("heard") or {}
    given = {k: own.get(k, theirs.get(k)) for k in ("database", "queue_file")}
    files = {
        "database": given["database"] or ws.workspace_database(str(base.database), name),
        "queue_file": given["queue_file"] or str(ws.workspace_file(base.queue_file, name)),
    }
    src = Source(doc, base.config_path, ws.label(name, own))
    settings = _build(src, env, base.config_path, {**overrides, **files}, workspace=name)
    src.check_unknown()
    return settings


def _build(
    src: Source,
    env: Mapping[str, str],
    config_path: Path,
    overrides: Mapping[str, Any],
    *,
    workspace: str = "",
) -> Settings:
    # Each key is read (and type-checked) even where an override wins, so it is never an unknown key.
    configured = {
        k: src.get(f"heard.{k}", t, d)
        for k, t, d in (("database", str, "var/heard.db"), ("queue_file", str, ""), ("dry_run", bool, False))
    }
    where = str(overrides.get("database") or env.get("HEARD_DATABASE") or configured["database"])
    # A database on a server keeps the files heard writes beside a database (queue file, outbox) in var/.
    base = Path("var/heard.db") if is_url(where) else Path(where)
    queue = overrides.get("queue_file") or configured["queue_file"]
    dry_run = overrides.get("dry_run")
    prefix = ws.env_prefix(workspace) if workspace else ""
    return Settings(
        config_path=config_path,
        workspace=workspace,
        database=where if is_url(where) else base,
        queue_file=Path(queue) if queue else base.with_name("queue.yaml"),
        outbox=Path(src.get("replay.outbox", str, "") or base.with_name("outbox.jsonl")),
        recording=Path(src.get("replay.recording", str, "config/demo/recording.jsonl")),
        replies_path=Path(src.get("heard.replies", str, str(config_path.with_name("replies.toml")))),
        knowledge_path=Path(src.get("heard.knowledge", str, "")) if src.get("heard.knowledge", str, "") else None,
        dry_run=bool(configured["dry_run"] if dry_run is None else dry_run),
        poll_seconds=src.get("schedule.poll_seconds", int, 120, minimum=10),
        work_seconds=src.get("schedule.work_seconds", int, 30, minimum=1),
        escalate_seconds=src.get("schedule.escalate_seconds", int, 300, minimum=10),
        sla_minutes=_sla(src),
        auto=_auto(src),
        cooldown_minutes=src.get("posting.cooldown_minutes", int, 10, minimum=0),
        post_rate=MappingProxyType(_post_rates(src)),
        quiet_hours=_quiet_hours(src),
        platforms=MappingProxyType(_platforms(src, env, prefix)),
        slack=_slack(src, env, prefix),
        # Metrics move slowly, and each refresh spends requests (and YouTube quota) on every platform.
        own_posts_seconds=src.get("schedule.own_posts_seconds", int, 6 * 3600, minimum=600),
        settle_seconds=src.get("posting.settle_seconds", int, 60, minimum=0),
        queue_max_items=src.get("queue.max_items", int, 500, minimum=1),
        slack_timezone=_timezone(src),
        slack_max_items=src.get("slack.max_items", int, 20, minimum=1),
        drafting=_drafting(src, env),
    )


def _slack(src: Source, env: Mapping[str, str], prefix: str) -> Mapping[str, str]:
    """The SLACK_* variables; a workspace's own (``HEARD_<NAME>_SLACK_*``) win, and its destination is never shared."""
    out = {}
    for name in ("SLACK_WEBHOOK_URL", "SLACK_BOT_TOKEN", "SLACK_CHANNEL", "SLACK_BASE_URL"):
        shared = "" if prefix and name in ws.OWN_SLACK else env.get(name)
        value = (env.get(prefix + name) if prefix else "") or shared
        if value:
            out[name] = value
    channel = src.get("slack.channel", str, "").strip()
    if channel and "SLACK_CHANNEL" not in out:  # the environment wins over heard.toml
        out["SLACK_CHANNEL"] = channel
    return MappingProxyType(out)


def _sla(src: Source) -> Mapping[str, Mapping[str, int]]:
    defaults = {"high": 60, "normal": 240, "low": 1440}
    table = src.get("sla", dict, {})
    out: dict[str, Mapping[str, int]] = {}
    base = {p: src.get(f"sla.{p}", int, defaults[p], minimum=1) for p in PRIORITIES}
    out["default"] = MappingProxyType(base)
    for key, value in table.items():
        if key in PRIORITIES:
            continue
        if key not in registry():
            src.unknown(f"sla.{key}", [*PRIORITIES, *registry()], "priority or platform")
        if not isinstance(value, Mapping):
            src.fail(f"sla.{key}", "expected a table of minutes per priority (high/normal/low)")
        for p in value:
            if p not in PRIORITIES:
                src.unknown(f"sla.{key}.{p}", PRIORITIES, "priority")
        out[key] = MappingProxyType({p: src.get(f"sla.{key}.{p}", int, base[p], minimum=1) for p in PRIORITIES})
    return MappingProxyType(out)


def _auto(src: Source) -> Mapping[str, tuple[str, ...]]:
    table = src.get("posting.auto", dict, {})
    out = {}
    src.checked.add("posting.auto")
    for platform, intents in table.items():
        if platform not in registry():
            src.unknown(f"posting.auto.{platform}", registry(), "platform")
        if not isinstance(intents, list) or any(i not in INTENTS for i in intents):
            src.fail(f"posting.auto.{platform}", f"expected a list drawn from {', '.join(INTENTS)}")
        out[platform] = tuple(intents)
    return MappingProxyType(out)


def _post_rates(src: Source) -> dict[str, int]:
    return {
        name: src.get(f"platforms.{name}.max_replies_per_hour", int, spec.default_post_rate, minimum=1)
        for name, spec in registry().items()
    }


def _quiet_hours(src: Source) -> tuple[int, int] | None:
    value = src.raw("slack.quiet_hours")
    if value is None:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) and 0 <= v <= 23 for v in value)):
        src.fail("slack.quiet_hours", "expected [start_hour, end_hour] with hours 0-23")
    return (value[0], value[1])


def _timezone(src: Source) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = src.get("slack.timezone", str, "UTC")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        src.fail("slack.timezone", f"expected an IANA timezone such as 'Europe/Berlin', got {name!r}")
    return name


def _drafting(src: Source, env: Mapping[str, str]) -> DraftingConfig:
    enabled = src.get("drafting.enabled", bool, False)
    key_env = src.get("drafting.api_key_env", str, API_KEY_ENV)
    auto = src.get("drafting.auto", list, [])
    if any(i not in INTENTS for i in auto):
        src.fail("drafting.auto", f"expected a list drawn from {', '.join(INTENTS)}")
    config = DraftingConfig(
        enabled=enabled,
        base_url=src.get("drafting.base_url", str, "").strip(),
        model=src.get("drafting.model", str, "").strip(),
        api_key_env=key_env,
        api_key=env.get(key_env, ""),
        voice=src.get("drafting.voice", str, DEFAULT_VOICE).strip(),
        timeout=_seconds(src, "drafting.timeout", 30.0),
        max_tokens=src.get("drafting.max_tokens", int, 300, minimum=16),
        temperature=_temperature(src),
        auto=tuple(auto),
        max_attempts=src.get("drafting.max_attempts", int, 2, minimum=1),
    )
    if enabled and not config.base_url.startswith(("http://", "https://")):
        src.fail("drafting.base_url", 'expected the endpoint\'s URL, e.g. "http://localhost:11434/v1" (Ollama)')
    if enabled and not config.model:
        src.fail("drafting.model", 'expected the model\'s name as the endpoint knows it, e.g. "llama3.1"')
    return config


def _seconds(src: Source, dotted: str, default: float) -> float:
    value = src.raw(dotted)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 600:
        src.fail(dotted, f"expected seconds above 0 and at most 600, got {value!r}")
    return float(value)


def _temperature(src: Source) -> float:
    value = src.raw("drafting.temperature")
    if value is None:
        return 0.4
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 2:
        src.fail("drafting.temperature", f"expected a number from 0 to 2, got {value!r}")
    return float(value)


def _platforms(src: Source, env: Mapping[str, str], prefix: str) -> dict[str, PlatformSettings]:
    table = src.get("platforms", dict, {})
    known = registry()
    for name in table:
        if name not in known:
            src.unknown(f"platforms.{name}", known, "platform")
    out = {}
    for name, spec in known.items():
        options = src.get(f"platforms.{name}", dict, {})
        enabled = src.get(f"platforms.{name}.enabled", bool, False)
        allowed = {*spec.options, "enabled", "max_replies_per_hour"}
        src.checked.add(f"platforms.{name}")
        for key in sorted(set(options) - allowed):
            src.unknown(f"platforms.{name}.{key}", allowed, "option")
        # A workspace's secrets are only its own (HEARD_<NAME>_X_API_KEY): one brand never posts as another.
        secrets = {k: env[prefix + k] for k in spec.secrets if env.get(prefix + k)}
        missing = tuple(prefix + k for k in spec.secrets if not env.get(prefix + k))
        out[name] = PlatformSettings(name, enabled, MappingProxyType(dict(options)), MappingProxyType(secrets), missing)
    return out
