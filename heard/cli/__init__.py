"""The `heard` command line: one group, its commands in modules by what they do."""

from __future__ import annotations

from pathlib import Path

import click

from heard import __version__
from heard.cli import db, decisions, inbox, inspect, pipeline, quarantine, workspaces
from heard.cli.base import Ctx, HeardGroup
from heard.logs import environment_secrets, setup_logging


@click.group(cls=HeardGroup)
@click.version_option(__version__, prog_name="heard")
@click.option(
    "--config",
    type=click.Path(path_type=Path),
    envvar="HEARD_CONFIG",
    help="heard.toml to read [default: config/heard.toml].",
)
@click.option(
    "--db",
    "database",
    envvar="HEARD_DATABASE",
    help="SQLite database file, or postgresql:// URL [default: heard.database in heard.toml]; with workspaces,"
    " the base each one's is named from.",
)
@click.option(
    "--env-file", type=click.Path(path_type=Path), envvar="HEARD_ENV_FILE", help="File of secrets [default: .env]."
)
@click.option(
    "--workspace",
    envvar="HEARD_WORKSPACE",
    metavar="NAME",
    help="The workspace (one brand) of heard.toml to use [default: [heard] default_workspace; for `status`,"
    " `doctor` and `run`: every one]. `heard workspaces` lists them.",
)
@click.option(
    "--log-level",
    envvar="HEARD_LOG_LEVEL",
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
    help="DEBUG, INFO, WARNING or ERROR [default: INFO for `heard run`, WARNING otherwise].",
)
@click.pass_context
def cli(
    ctx: click.Context,
    config: Path | None,
    database: str | None,
    env_file: Path | None,
    workspace: str | None,
    log_level: str | None,
) -> None:
    """heard: hear every mention and comment, and answer each one like a person."""
    ctx.obj = Ctx(config, database, env_file, workspace or None)
    # The service's log is its record of what happened; one-off commands stay quiet. Every command,
    # at every level, hides the secrets it can see before anything (a library at DEBUG) logs them.
    setup_logging(
        log_level or ("INFO" if ctx.invoked_subcommand == "run" else "WARNING"), environment_secrets(env_file)
    )


for _module in (pipeline, decisions, inspect, quarantine, inbox, workspaces, db):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main() -> None:
    """Entry point of the ``heard`` console script."""
    cli(prog_name="heard")
