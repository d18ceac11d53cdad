"""The commands that move comments through the stages: demo, replay, poll, post, run."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import click

from heard.cli.base import Ctx, errors, program, utcnow


@click.command()
@click.option(
    "--dir",
    "folder",
    type=click.Path(path_type=Path),
    default=Path("demo"),
    show_default=True,
    help="Folder for the demo's database, queue file and outbox.",
)
@click.pass_obj
def demo(obj: Ctx, folder: Path) -> None:
    """Replay the bundled recording through every stage, approving a few replies as a person would."""
    from heard.app import App
    from heard.demo import demo_settings, run_demo

    with errors():
        app = App(demo_settings(obj.settings(base=True), folder))
        run_demo(app, now=utcnow(), say=click.echo)
    again = f"{program()} demo" + ("" if folder == Path("demo") else f" --dir {folder}")
    click.echo(
        f"\nOpen {app.settings.queue_file} to approve, edit or reject the rest, then run the demo again\n"
        f"to post what you approved (the demo's platforms are its recording and outbox):\n  {again}"
    )


@click.command()
@click.argument("recording", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--db",
    "database",
    type=click.Path(path_type=Path),
    help="Database to replay into [default: a new one in a temporary folder].",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per comment.")
@click.pass_obj
def replay(obj: Ctx, recording: Path, database: Path | None, as_json: bool) -> None:
    """Run a recording (JSONL of platform payloads) through listening, tagging and deciding."""
    import dataclasses

    from heard.app import App
    from heard.demo import demo_settings, ingest

    folder = database.parent if database else Path(tempfile.mkdtemp(prefix="heard-replay-"))
    try:
        with errors():
            settings = demo_settings(obj.settings(), folder, recording)
            if database:
                settings = dataclasses.replace(settings, database=database)
            app = App(settings)
            now = utcnow()
            new, known = ingest(app, now=now)
            app.work(now=now, through="queue", keep_going=False)
            rows = app.store.decisions()
            app.store.close()
    finally:
        if database is None:  # nothing of a throw-away run is left behind; --db keeps it
            shutil.rmtree(folder, ignore_errors=True)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False, sort_keys=True))
        return
    for row in rows:
        reply = f" -> {row['reply']!r}" if row["reply"] else ""
        why = row["reason"]["text"] + (f" [{row['reason']['code']}]" if row["reason"]["code"] else "")
        click.echo(
            f"{row['id']:<32} {row['tags']['intent'] or '-':<9} {row['tags']['sentiment'] or '-':<8} "
            f"{row['priority'] or '-':<6} {row['decision']:<10}{' (auto)' if row['auto'] else ''} {why}{reply}"
        )
    kept = f"database {settings.database}; queue {settings.queue_file}" if database else "pass --db PATH to keep them"
    click.echo(f"\n{new} new, {known} already known; {kept}", err=True)


@click.command()
@click.argument("platforms", nargs=-1)
@click.option(
    "--backfill",
    type=float,
    metavar="HOURS",
    help="On a source's first poll, also fetch the past HOURS (default: start from now).",
)
@click.pass_obj
def poll(obj: Ctx, platforms: tuple[str, ...], backfill: float | None) -> None:
    """Poll every enabled source (or only PLATFORMS) once, refresh own posts, tag, suggest, update the queue file."""
    app = obj.app()
    now = utcnow()
    with errors():
        results = app.poll(
            now=now, backfill=timedelta(hours=backfill) if backfill else None, only=set(platforms) or None
        )
        for r in results:
            click.echo(
                f"{r.source}: fetched {r.fetched}, stored {r.stored}" + (f", error: {r.error}" if r.error else "")
            )
        own = app.fetch_own_posts(now=now, only=set(platforms) or None)
        click.echo(
            "own posts: "
            + (", ".join(f"{k} {v}" for k, v in sorted(own.stored.items())) or "none")
            + "".join(f", {k} error: {v}" for k, v in sorted(own.errors.items()))
        )
        work = app.work(now=now, through="queue", keep_going=False)
    click.echo(f"{work.synced.pending if work.synced else 0} items waiting in {app.settings.queue_file}")
    if any(r.error for r in results) or own.errors:
        sys.exit(1)


@click.command()
@click.pass_obj
def post(obj: Ctx) -> None:
    """Read decisions from the queue file, then post every approved reply exactly once."""
    app = obj.app()
    now = utcnow()
    with errors():
        work = app.work(now=now, stages=("queue", "post"), keep_going=False)
    synced, result = work.synced, work.posted
    assert synced is not None and result is not None  # keep_going=False: both ran or an error was raised
    click.echo(
        f"queue: {synced.approved} approved, {synced.rejected} rejected, {synced.dismissed} dismissed,"
        f" {synced.edited} edited; {synced.pending} still waiting"
    )
    click.echo(
        f"posted {result.posted}, reconciled {result.reconciled}, failed {result.failed}, waiting {result.waiting}"
    )
    for reason, count in result.reasons.items():
        click.echo(f"  {count} waiting: {reason}")


@click.command()
@click.option("--backfill", type=float, metavar="HOURS", help="On first start, also fetch the past HOURS.")
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="On PostgreSQL: how many tasks this worker runs at once.",
)
@click.pass_obj
def run(obj: Ctx, backfill: float | None, concurrency: int) -> None:
    """Run the service: poll, tag, suggest, sync the queue, post and escalate on a schedule.

    With workspaces and none chosen, every workspace runs in this one process, each on its own jobs. On a
    PostgreSQL database, every `heard run` on any machine shares the work (docs/scale.md).
    """
    from heard.service import run_services

    every = obj.each()
    with errors():
        sys.exit(run_services(every, backfill=timedelta(hours=backfill) if backfill else None, concurrency=concurrency))


COMMANDS = (demo, replay, poll, post, run)
