"""`heard workspaces`: the brands of one deployment, each with the files it keeps apart from the others."""

from __future__ import annotations

import json
from typing import Any

import click

from heard.cli.base import Ctx
from heard.settings import Settings
from heard.workspaces import shown


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per workspace.")
@click.pass_obj
def workspaces(obj: Ctx, as_json: bool) -> None:
    """List the workspaces of heard.toml (one per brand) with their database, queue file and Slack destination."""
    deployment = obj.deployment()
    if not deployment.workspaces:
        base = deployment.base
        click.echo(
            f"no workspaces in {base.config_path}: one brand, database {shown(base.database)},"
            f" queue file {base.queue_file}"
        )
        return
    for name, settings in deployment.workspaces.items():
        row = describe(settings, default=name == deployment.default)
        if as_json:
            click.echo(json.dumps(row, sort_keys=True))
            continue
        mark = " (default)" if row["default"] else ""
        click.echo(
            f"{name}{mark}: database {row['database']}, queue file {row['queue_file']},"
            f" platforms {', '.join(row['platforms']) or 'none'}, slack {row['slack']}"
        )


def describe(settings: Settings, *, default: bool) -> dict[str, Any]:
    """A workspace as `heard workspaces` shows it; no secret (a webhook is named, never shown)."""
    slack = settings.slack
    destination = (
        "webhook"
        if slack.get("SLACK_WEBHOOK_URL")
        else slack.get("SLACK_CHANNEL", "no channel")
        if slack.get("SLACK_BOT_TOKEN")
        else "off (digests go to the log)"
    )
    return {
        "name": settings.workspace,
        "default": default,
        "database": shown(settings.database),
        "queue_file": str(settings.queue_file),
        "platforms": sorted(p for p, ps in settings.platforms.items() if ps.enabled),
        "slack": destination,
    }


COMMANDS = (workspaces,)
