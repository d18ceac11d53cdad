"""`heard db`: the database itself: copy it from SQLite to PostgreSQL and back."""

from __future__ import annotations

from pathlib import Path

import click

from heard.cli.base import errors
from listener.store import Store
from listener.store import copy as copying
from listener.store.copy import BATCH, Copied, Outcome
from listener.store.location import is_url, masked

# How often (rows) a long table's copy says how far it has gone.
SAY_EVERY = 100_000


@click.group()
def db() -> None:
    """The database itself: copy it between SQLite and PostgreSQL."""


@db.command("copy")
@click.argument("source")
@click.argument("destination")
@click.option("--dry-run", is_flag=True, help="Count the source's rows per table; write nothing.")
@click.option("--batch", default=BATCH, show_default=True, type=click.IntRange(1), help="Rows per transaction.")
def copy_command(source: str, destination: str, dry_run: bool, batch: int) -> None:
    """Copy heard's database SOURCE, whole, into DESTINATION.

    Each is a SQLite file or a postgresql:// URL. Comments, tags, replies, events, cursors, notices,
    authors, meta, quarantine, drafts and own posts are copied; the destination is created (or upgraded)
    first, and its counts are rebuilt by its own triggers. Running it again adds nothing; a destination
    holding other data under the same key is refused (nothing is overwritten). Stop `heard run` first,
    so the source does not change under the copy. See docs/db-copy.md.
    """
    if not is_url(source) and not Path(source).is_file():
        raise click.ClickException(f"no database at {source}: SOURCE must be an existing heard database")
    with errors():
        src = Store(source)
        try:
            if dry_run:
                _dry_run(src, destination, copying.counts(src))
                return
            dst = Store(destination)
            try:
                click.echo(f"copying {src.location} -> {dst.location}", err=True)
                outcome = copying.copy(src, dst, batch=batch, progress=_Progress())
            finally:
                dst.close()
        finally:
            src.close()
    _summary(outcome)


def _dry_run(src: Store, destination: str, counts: dict[str, int]) -> None:
    where = masked(destination) if is_url(destination) else destination
    click.echo(f"would copy {src.location} -> {where} (dry run: nothing written)")
    for table, n in counts.items():
        click.echo(f"  {table:<14} {n:>12,}")
    click.echo(f"  {'total':<14} {sum(counts.values()):>12,}")


class _Progress:
    """Say on stderr how far each table has gone: every SAY_EVERY rows, and its figures when done."""

    def __init__(self) -> None:
        self.said: dict[str, int] = {}

    def __call__(self, done: Copied) -> None:
        if done.read >= done.total:
            rate = done.read / done.seconds if done.seconds else 0.0
            click.echo(
                f"  {done.table}: {done.read:,} rows, {done.added:,} added, {done.present:,} already there"
                f" ({done.seconds:.1f} s, {rate:,.0f} rows/s)",
                err=True,
            )
        elif done.read // SAY_EVERY > self.said.get(done.table, 0):
            self.said[done.table] = done.read // SAY_EVERY
            click.echo(f"  {done.table}: {done.read:,} of {done.total:,} rows…", err=True)


def _summary(outcome: Outcome) -> None:
    added = sum(c.added for c in outcome.tables)
    present = sum(c.present for c in outcome.tables)
    click.echo(f"copied: {added:,} rows added, {present:,} already there")
    if not outcome.kept_checked:
        click.echo("kept counts: not compared (the destination holds rows the source has not)")
    elif outcome.kept_differences:
        click.echo("kept counts differ from the source's (the destination's are rebuilt from its rows):")
        for line in outcome.kept_differences:
            click.echo(f"  {line}")
    else:
        click.echo("kept counts: the same as the source's")


COMMANDS = (db,)
