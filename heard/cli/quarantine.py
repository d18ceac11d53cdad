"""`heard quarantine`: list what a stage set aside, retry it once fixed, or drop it."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from heard.cli.base import Ctx, errors, utcnow

if TYPE_CHECKING:
    from heard.app import App


@click.group(invoke_without_command=True)
@click.pass_context
def quarantine(ctx: click.Context) -> None:
    """Show the items a stage set aside (unreadable, unstorable, untaggable or undecidable) and why.

    Once the cause is fixed, `heard quarantine retry ID|--all` runs them through their stage again;
    `heard quarantine drop ID|--all` gives up on them (they stay out of the pipeline, unlisted).
    """
    if ctx.invoked_subcommand is not None:
        return
    from listener.quarantine import printable

    rows = ctx.obj.app(read_only=True).store.quarantined()
    if not rows:
        click.echo("Nothing set aside.")
        return
    for row in rows:
        click.echo(
            f"\n{printable(row['id'])}  [{row['stage']}] seen {row['count']}x, first {row['first_seen']},"
            f" last {row['last_seen']}"
        )
        click.echo(f"  source: {printable(row['source'] or '-')}")
        click.echo(f"  error: {row['error']}")
        click.echo(f"  > {row['excerpt']}")
    click.echo(f"\n{len(rows)} set aside. `heard quarantine retry ID|--all` once fixed, or `drop ID|--all`.")


def _refs(obj: Ctx, ids: tuple[str, ...], every: bool) -> tuple[App, list[str] | None]:
    """The app and the items named (None: all), refusing a name that matches nothing."""
    if bool(ids) == every:
        raise click.UsageError("give one or more IDs, or --all")
    app = obj.app(read_only=True)
    if every:
        return app, None
    found = app.store.quarantined(refs=list(ids))
    missing = set(ids) - {r["id"] for r in found} - {r["item"] for r in found}
    if missing:
        raise click.BadParameter(f"not set aside: {', '.join(sorted(missing))}", param_hint="ID")
    return app, list(ids)


@quarantine.command(name="retry")
@click.argument("ids", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Retry every item set aside.")
@click.pass_obj
def quarantine_retry(obj: Ctx, ids: tuple[str, ...], every: bool) -> None:
    """Run items set aside (by quarantine ID or comment id) through their stage again, then on through the rest."""
    app, refs = _refs(obj, ids, every)
    now = utcnow()
    with errors():
        passed, failed = app.retry_quarantined(refs, now=now)
        app.work(now=now, through="queue", keep_going=False)
    click.echo(f"retried {passed + failed}: {passed} passed, {failed} set aside again")
    if failed:
        sys.exit(1)


@quarantine.command(name="drop")
@click.argument("ids", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Drop every item set aside.")
@click.pass_obj
def quarantine_drop(obj: Ctx, ids: tuple[str, ...], every: bool) -> None:
    """Give up on items set aside: no longer listed or alerted, and never retried by a stage."""
    app, refs = _refs(obj, ids, every)
    rows = app.store.quarantined(refs=refs)
    with errors():
        dropped = app.store.drop_quarantined([r["id"] for r in rows], now=utcnow())
    click.echo(f"dropped {dropped}")


COMMANDS = (quarantine,)
