"""Several brands in one deployment: each ``[workspaces.<name>]`` of heard.toml, over the base, apart from the rest.

A workspace's table holds overrides deep-merged over the rest of heard.toml; its files (database,
queue file, outboxes, platform state) default to the base ones with its name inserted, and its
platform secrets and Slack destination come only from variables prefixed ``HEARD_<NAME>_``.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from heard.config_source import unknown_message
from listener.errors import ConfigError
from listener.platforms import registry
from listener.store.location import is_url

if TYPE_CHECKING:
    from heard.settings import Settings

NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
# The [heard] keys a workspace may give directly in its own table (``[workspaces.bistro] replies = ...``).
HEARD_KEYS = ("database", "queue_file", "dry_run", "replies", "knowledge")
# A brand's Slack destination: never taken from the base, or one brand's digest would reach another's channel.
OWN_SLACK = ("SLACK_WEBHOOK_URL", "SLACK_CHANNEL")


@dataclass(frozen=True)
class Deployment:
    """The base settings, each workspace's, and the one commands use when none is named."""

    base: Settings
    workspaces: Mapping[str, Settings]
    default: str = ""

    def pick(self, name: str | None) -> Settings:
        """The settings of workspace ``name``; without a name, the default, the only one, or (none configured) the base.

        :raises ConfigError: the name is unknown, or several workspaces exist and none was named.
        """
        names = ", ".join(self.workspaces)
        if name:
            if name in self.workspaces:
                return self.workspaces[name]
            if not self.workspaces:
                raise ConfigError(
                    f"{self.base.config_path}: no workspace `{name}`: it has no [workspaces.<name>] tables"
                )
            close = difflib.get_close_matches(name, list(self.workspaces), n=1)
            hint = f"did you mean `{close[0]}`? " if close else ""
            raise ConfigError(f"{self.base.config_path}: unknown workspace `{name}`: {hint}(workspaces: {names})")
        if not self.workspaces:
            return self.base
        if self.default or len(self.workspaces) == 1:
            return self.workspaces[self.default or next(iter(self.workspaces))]
        raise ConfigError(f"several workspaces ({names}): pass --workspace NAME")

    def each(self, name: str | None) -> list[Settings]:
        """The workspace named, else every workspace, else (none configured) the base."""
        if name or not self.workspaces:
            return [self.pick(name)]
        return list(self.workspaces.values())


def tables(document: Mapping[str, Any], path: Path) -> dict[str, Mapping[str, Any]]:
    """Each workspace's own table, by name, checked: its name, its shape, its variables' prefix."""
    raw = document.get("workspaces")
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{path}: key 'workspaces': expected tables [workspaces.<name>], got {raw!r}")
    prefixes: dict[str, str] = {}
    for name, table in raw.items():
        if not NAME.fullmatch(name):
            raise ConfigError(
                f"{path}: workspace name {name!r} in [workspaces]: expected 1 to 40 of a-z, 0-9, '_' and '-',"
                " starting with a letter or digit"
            )
        if not isinstance(table, Mapping):
            raise ConfigError(f"{path}: key 'workspaces.{name}': expected a table [workspaces.{name}], got {table!r}")
        other = prefixes.setdefault(env_prefix(name), name)
        if other != name:
            raise ConfigError(f"{path}: workspaces {other} and {name} would read the same {env_prefix(name)}* secrets")
    return dict(raw)


def env_prefix(name: str) -> str:
    """The prefix of a workspace's own variables: ``HEARD_BISTRO_`` for ``bistro`` (``-`` reads as ``_``)."""
    return f"HEARD_{name.upper().replace('-', '_')}_"


def schema(name: str) -> str:
    """The PostgreSQL schema holding a workspace's data: ``ws_<name>``, ``-`` read as ``_``."""
    return "ws_" + name.replace("-", "_")


def workspace_database(base: str, name: str) -> str:
    """A workspace's database from the base one: ``var/heard.db`` -> ``var/heard-bistro.db``.

    A database URL (``postgresql://...``) keeps its server and database; the workspace's data lives in its
    own schema, named by libpq's ``options=-csearch_path=ws_<name>`` parameter added to the URL.
    """
    if "://" not in base:
        return str(workspace_file(Path(base), name))
    parts = urlsplit(base)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "options"]
    options = " ".join([v for k, v in parse_qsl(parts.query) if k == "options"] + [f"-csearch_path={schema(name)}"])
    # libpq decodes %XX in a URI but not "+": a space must be %20.
    return urlunsplit(parts._replace(query=urlencode([*query, ("options", options)], quote_via=quote)))


def shown(where: str | Path) -> str:
    """A database or file as printed: a URL's password masked (as ``listener.store.location.masked`` does)."""
    parts = urlsplit(str(where))
    if "://" not in str(where) or parts.password is None:
        return str(where)
    user, _, host = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(netloc=f"{user.partition(':')[0]}:***@{host}"))


def workspace_file(path: Path, name: str) -> Path:
    """``path`` with the workspace's name inserted before its suffix (``queue.yaml`` -> ``queue-bistro.yaml``)."""
    if not name:
        return path
    return path.with_name(f"{path.stem}-{name}{path.suffix}")


def merged(document: Mapping[str, Any], name: str, own: Mapping[str, Any], *, path: Path) -> dict[str, Any]:
    """The document a workspace reads: the base (minus what is never shared) under its own table.

    ``[heard]`` keys given directly in the workspace's table are read as its ``[heard]``; any other plain
    value there is an unknown key (a table there is a section, checked as it is read).
    """
    for key, value in own.items():
        if key not in HEARD_KEYS and not isinstance(value, Mapping):
            raise ConfigError(unknown_message(path, f"workspaces.{name}.{key}", HEARD_KEYS))
    base = {k: copy.deepcopy(v) for k, v in document.items() if k != "workspaces"}
    for section, key in (("heard", "default_workspace"), ("slack", "channel")):
        if isinstance(base.get(section), dict):
            base[section].pop(key, None)
    tables = {k: v for k, v in own.items() if k not in HEARD_KEYS}
    heard = {k: v for k, v in own.items() if k in HEARD_KEYS}
    if heard:
        tables["heard"] = {**(own.get("heard") or {}), **heard}
    return _merge(base, tables)


def label(name: str, own: Mapping[str, Any]) -> Callable[[str], str]:
    """How the file spells a key the workspace's own table gave: ``heard.replies`` -> ``workspaces.bistro.replies``."""

    def spell(dotted: str) -> str:
        section, _, key = dotted.partition(".")
        if section == "heard" and key in HEARD_KEYS and key in own:
            return f"workspaces.{name}.{key}"
        node: Any = own
        for part in dotted.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return dotted
            node = node[part]
        return f"workspaces.{name}.{dotted}"

    return spell


def state_file(database: Path | str, platform: str, option: str) -> Path:
    """Where a platform's state file (e.g. Bluesky's session) is kept when its option is unset: beside the database.

    A database on a server (a ``postgresql://`` URL) has no folder: its files are kept in var/.
    """
    beside = Path("var/heard.db") if is_url(database) else Path(database)
    return beside.with_name(f"{platform}.{option.removesuffix('_file')}")


def own_files(doc: dict[str, Any], name: str, own: Mapping[str, Any], base: Settings) -> None:
    """Give the workspace's document its own outbox and platform files, unless its table names them."""
    if not isinstance(own.get("replay"), Mapping) or "outbox" not in own["replay"]:
        doc.setdefault("replay", {})["outbox"] = str(workspace_file(base.outbox, name))
    own_platforms, platforms = own.get("platforms") or {}, doc.setdefault("platforms", {})
    for platform, spec in registry().items():
        table = platforms.setdefault(platform, {}) if isinstance(platforms, dict) else None
        mine = own_platforms.get(platform) if isinstance(own_platforms, Mapping) else None
        if not isinstance(table, dict):
            continue  # not a table: its own error when read
        for option in _file_options(platform, spec.state_files):
            inherited = base.platforms[platform].options.get(option)
            if isinstance(mine, Mapping) and option in mine or (option == "recording" and not inherited):
                continue  # its own; or the bundled demo recording, nobody's data
            fallback = base.outbox if option == "outbox" else state_file(base.database, platform, option)
            table[option] = str(workspace_file(Path(inherited or fallback), name))


def files_of(settings: Settings) -> dict[str, str]:
    """What a workspace writes, by role: two workspaces sharing one would mix their data."""
    files = {"database": str(settings.database), "queue file": str(settings.queue_file)}
    for platform, ps in settings.platforms.items():
        for option in _file_options(platform, registry()[platform].state_files):
            if ps.enabled and option != "recording" and ps.options.get(option):
                files[f"platforms.{platform}.{option}"] = str(ps.options[option])
    return files


def _file_options(platform: str, state_files: tuple[str, ...]) -> tuple[str, ...]:
    # The replay platform reads a recording and writes an outbox: a live source, as a brand's platform is.
    return (*state_files, *(("recording", "outbox") if platform == "replay" else ()))


def check_apart(files: Mapping[str, Mapping[str, str]], path: Path) -> None:
    """Refuse two workspaces writing one file: ``files`` maps each workspace to what it writes, by role.

    :raises ConfigError: naming both workspaces and the file.
    """
    seen: dict[str, str] = {}
    for name, written in files.items():
        for role, where in written.items():
            key = where if "://" in where else str(Path(where).resolve())
            other = seen.setdefault(key, name)
            if other != name:
                raise ConfigError(
                    f"{path}: workspaces {other} and {name} share one {role} ({shown(where)}): data never crosses"
                    f" workspaces, so give each its own (set it in [workspaces.{name}])"
                )


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            base[key] = _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(dict(value)) if isinstance(value, Mapping) else copy.deepcopy(value)
    return base
