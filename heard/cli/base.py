"""What every command shares: the context, error translation, and the time."""

from __future__ import annotations

import errno
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from heard.logs import REDACT, redact, secrets_in
from heard.settings import Settings, load_deployment
from heard.workspaces import shown
from listener.errors import ConfigError, HeardError, QueueFileError, StoreError
from listener.store.location import is_url

if TYPE_CHECKING:  # the app imports every stage: commands load it when they run, not at start-up
    from heard.app import App
    from heard.workspaces import Deployment


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


@contextmanager
def errors() -> Iterator[None]:
    """Turn heard's own errors into one line for the user, secrets hidden."""
    try:
        yield
    except QueueFileError as exc:
        raise click.ClickException(redact(f"queue file error at {exc}. Nothing was changed.")) from exc
    except StoreError as exc:
        raise click.ClickException(redact(str(exc))) from exc
    except ConfigError as exc:
        raise click.ClickException(redact(_where(str(exc)))) from exc
    except HeardError as exc:
        raise click.ClickException(redact(str(exc))) from exc


def _where(message: str) -> str:
    """A config error naming a key but not its file (a platform's connect knows no file), with the file."""
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_object(Ctx) if ctx else None
    if obj and obj.loaded and message.startswith("platforms."):
        where = f" workspace {obj.loaded.workspace}:" if obj.loaded.workspace else ""
        return f"{obj.loaded.config_path}:{where} {message}"
    return message


class Ctx:
    """What every command shares: where the config is, what the options override, and the workspace chosen."""

    def __init__(
        self, config: Path | None, database: Path | str | None, env_file: Path | None, workspace: str | None = None
    ) -> None:
        self.config, self.database, self.env_file, self.workspace = config, database, env_file, workspace
        self.loaded: Settings | None = None

    def deployment(self, **overrides: Any) -> Deployment:
        """Load the base's and every workspace's settings, with the command line winning over everything else."""
        if self.database:
            overrides.setdefault("database", str(self.database))
        with errors():
            deployment = load_deployment(self.config, env_file=self.env_file, overrides=overrides)
        for settings in (deployment.base, *deployment.workspaces.values()):
            variables = {k: v for ps in settings.platforms.values() for k, v in ps.secrets.items()}
            REDACT.add(secrets_in({**variables, **settings.slack}))
            REDACT.add([settings.drafting.api_key])  # its variable may be any name [drafting] api_key_env gives
        return deployment

    def settings(self, *, base: bool = False, **overrides: Any) -> Settings:
        """The chosen workspace's settings (``base``: the base's when none is chosen, as the demo wants)."""
        deployment = self.deployment(**overrides)
        with errors():
            settings = deployment.base if base and not self.workspace else deployment.pick(self.workspace)
        self.loaded = settings
        return settings

    def each(self) -> list[Settings]:
        """The chosen workspace's settings, else every workspace's, else (none configured) the base's."""
        with errors():
            return self.deployment().each(self.workspace)

    def app(self, *, read_only: bool = False, settings: Settings | None = None, **overrides: Any) -> App:
        """The app built from these settings; a read-only command never creates a database."""
        from heard.app import App

        settings = settings or self.settings(**overrides)
        self.loaded = settings
        if read_only and not is_url(settings.database) and not Path(settings.database).exists():
            raise click.ClickException(
                f"no database at {settings.database}: nothing has been collected there yet."
                " Pass --db PATH (e.g. --db demo/heard.db after `make demo`), or run `heard poll` first."
            )
        with errors():
            return App(settings)

    def say_database(self) -> None:
        """Name the database a command reads, on stderr, so a wrong one is noticed (stdout stays parseable)."""
        if self.loaded:
            click.echo(f"database: {shown(self.loaded.database)}", err=True)


class HeardGroup(click.Group):
    """The command group: a database fault in any command is one line, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; translate what the database or the disk refused into what to do."""
        try:
            return super().invoke(ctx)
        except (sqlite3.Error, StoreError) as exc:
            raise click.ClickException(redact(str(exc) if isinstance(exc, StoreError) else _fault(ctx, exc))) from exc
        except OSError as exc:  # a file beside the database (a lock, the queue file) that cannot be written
            if exc.errno not in _FILE_FAULTS:
                raise
            raise click.ClickException(redact(_os_fault(exc))) from exc


# What the disk or the file system refuses: said in one line; any other OSError is a bug to see whole.
_FILE_FAULTS = (errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS)


def _os_fault(exc: OSError) -> str:
    where = exc.filename or "a file heard writes"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"{where}: the disk is full; free some space, then run the command again"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            f"{where}: cannot be written ({exc.strerror}); run this command as a user who can write its folder,"
            " or use a read-only command (status, queue, report)"
        )
    return f"{where}: {exc.strerror or exc}"


def _fault(ctx: click.Context, exc: BaseException) -> str:
    from listener.store import describe_fault

    obj = ctx.obj if isinstance(ctx.obj, Ctx) else None
    where = (obj.loaded.database if obj and obj.loaded else obj and obj.database) or "the database"
    return describe_fault(where, exc)


def program() -> str:
    """How this heard was started, for a hint a person can paste: ``.venv/bin/heard``, or ``heard`` on the PATH."""
    argv0 = Path(sys.argv[0])
    if argv0.name == "__main__.py":
        return f"{Path(sys.executable).name} -m heard"
    try:
        return str(argv0.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return argv0.name
