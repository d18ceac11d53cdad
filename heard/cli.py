"""Provide the ``heard`` command line: a thin click group over the app's stages."""

from __future__ import annotations

import errno
import json
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from heard import __version__
from heard.app import App, utcnow
from heard.logs import REDACT, environment_secrets, redact, secrets_in, setup_logging
from heard.settings import Settings, load_settings
from listener.errors import ConfigError, HeardError, QueueFileError, StoreError
from listener.platforms import registry
from listener.store import describe_fault
from responders import lifecycle, limits
from responders.lifecycle import ReplyState


@contextmanager
def _errors() -> Iterator[None]:
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
        return f"{obj.loaded.config_path}: {message}"
    return message


class Ctx:
    """What every command shares: where the config is and what the options override."""

    def __init__(self, config: Path | None, database: Path | None, env_file: Path | None) -> None:
        self.config, self.database, self.env_file = config, database, env_file
        self.loaded: Settings | None = None

    def settings(self, **overrides: Any) -> Settings:
        """Load settings, with the command line winning over everything else."""
        if self.database:
            overrides.setdefault("database", str(self.database))
        with _errors():
            settings = load_settings(self.config, env_file=self.env_file, overrides=overrides)
        self.loaded = settings
        variables = {k: v for ps in settings.platforms.values() for k, v in ps.secrets.items()}
        REDACT.add(secrets_in({**variables, **settings.slack}))
        return settings

    def app(self, **overrides: Any) -> App:
        """The app built from these settings."""
        with _errors():
            return App(self.settings(**overrides))


class _Heard(click.Group):
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
    obj = ctx.obj if isinstance(ctx.obj, Ctx) else None
    where = (obj.loaded.database if obj and obj.loaded else obj and obj.database) or "the database"
    return describe_fault(where, exc)


@click.group(cls=_Heard)
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
    type=click.Path(path_type=Path),
    envvar="HEARD_DATABASE",
    help="SQLite database [default: heard.database in heard.toml].",
)
@click.option(
    "--env-file", type=click.Path(path_type=Path), envvar="HEARD_ENV_FILE", help="File of secrets [default: .env]."
)
@click.option(
    "--log-level",
    envvar="HEARD_LOG_LEVEL",
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
    help="DEBUG, INFO, WARNING or ERROR [default: INFO for `heard run`, WARNING otherwise].",
)
@click.pass_context
def cli(
    ctx: click.Context, config: Path | None, database: Path | None, env_file: Path | None, log_level: str | None
) -> None:
    """heard: hear every mention and comment, and answer each one like a person."""
    ctx.obj = Ctx(config, database, env_file)
    # The service's log is its record of what happened; one-off commands stay quiet. Every command,
    # at every level, hides the secrets it can see before anything (a library at DEBUG) logs them.
    setup_logging(
        log_level or ("INFO" if ctx.invoked_subcommand == "run" else "WARNING"), environment_secrets(env_file)
    )


@cli.command()
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
    from heard.demo import demo_settings, run_demo

    with _errors():
        app = App(demo_settings(obj.settings(), folder))
        run_demo(app, now=utcnow(), say=click.echo)
    again = f"{_program()} demo" + ("" if folder == Path("demo") else f" --dir {folder}")
    click.echo(
        f"\nOpen {app.settings.queue_file} to approve, edit or reject the rest, then run the demo again\n"
        f"to post what you approved (the demo's platforms are its recording and outbox):\n  {again}"
    )


def _program() -> str:
    """How this heard was started, for a hint a person can paste: ``.venv/bin/heard``, or ``heard`` on the PATH."""
    argv0 = Path(sys.argv[0])
    if argv0.name == "__main__.py":
        return f"{Path(sys.executable).name} -m heard"
    try:
        return str(argv0.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return argv0.name


@cli.command()
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
    from heard.demo import demo_settings, ingest

    folder = database.parent if database else Path(tempfile.mkdtemp(prefix="heard-replay-"))
    try:
        with _errors():
            settings = demo_settings(obj.settings(), folder, recording)
            if database:
                settings = settings.__class__(**{**settings.__dict__, "database": database})
            app = App(settings)
            now = utcnow()
            new, known = ingest(app, now=now)
            app.tag(now=now)
            app.decide(now=now)
            app.sync_queue(now=now)
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


@cli.command()
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
    with _errors():
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
        app.tag(now=now)
        app.decide(now=now)
        synced = app.sync_queue(now=now)
    click.echo(f"{synced.pending} items waiting in {app.settings.queue_file}")
    if any(r.error for r in results) or own.errors:
        sys.exit(1)


@cli.command()
@click.pass_obj
def queue(obj: Ctx) -> None:
    """Show the items waiting for a person, as the queue file shows them."""
    from responders.approvals import pending_items

    app = obj.app()
    items = pending_items(app.store)
    if not items:
        click.echo("Nothing waiting. Everyone has been answered.")
    for item in items:
        click.echo(f"\n{item['id']}  [{item['tags']}]")
        click.echo(f"  {item['author']} ({item['history']}) {item['link']}")
        click.echo(f"  > {' '.join(item['comment'].split())}")
        click.echo(f"  reply: {item['reply'] or '(needs a human answer)'}")
        if item.get("note"):
            click.echo(f"  note: {item['note']}")
    click.echo(f"\n{len(items)} waiting. Edit {app.settings.queue_file} or use `heard approve ID`.")


@cli.command()
@click.pass_obj
def post(obj: Ctx) -> None:
    """Read decisions from the queue file, then post every approved reply exactly once."""
    app = obj.app()
    now = utcnow()
    with _errors():
        synced = app.sync_queue(now=now)
        result = app.post(now=now)
    click.echo(
        f"queue: {synced.approved} approved, {synced.rejected} rejected, {synced.dismissed} dismissed,"
        f" {synced.edited} edited; {synced.pending} still waiting"
    )
    click.echo(
        f"posted {result.posted}, reconciled {result.reconciled}, failed {result.failed}, waiting {result.waiting}"
    )
    for reason, count in result.reasons.items():
        click.echo(f"  {count} waiting: {reason}")


def _decide(obj: Ctx, comment_id: str, state: ReplyState, **fields: Any) -> None:
    app = obj.app()
    now = utcnow()
    with _errors():
        app.sync_queue(now=now)
        if state is ReplyState.APPROVED:
            _check_reply(app, comment_id, fields.get("text"))
        lifecycle.transition(app.store, comment_id, state, now=now, decided_by="person", **fields)
        app.sync_queue(now=now)
    click.echo(f"{comment_id}: {state.value}")


def _check_reply(app: App, comment_id: str, text: str | None) -> None:
    """Refuse an approval whose reply is empty or over its platform's limit, before anything changes."""
    comment, reply = app.store.comment(comment_id), app.store.reply(comment_id)
    if comment is None or reply is None:
        return  # the transition names the missing reply
    refused = limits.problem(comment.platform, text if text is not None else reply["text"])
    if refused:
        raise click.ClickException(f"{comment_id}: {refused}; nothing was changed")


@cli.command()
@click.argument("comment_id")
@click.option("--text", help="Post this text instead of the suggestion.")
@click.pass_obj
def approve(obj: Ctx, comment_id: str, text: str | None) -> None:
    """Approve the reply to COMMENT_ID (optionally with new text)."""
    _decide(obj, comment_id, ReplyState.APPROVED, **({"text": text} if text else {}))


@cli.command()
@click.argument("comment_id")
@click.option("--reason", default="rejected", help="Why (kept in the audit trail).")
@click.pass_obj
def reject(obj: Ctx, comment_id: str, reason: str) -> None:
    """Reject the reply suggested for COMMENT_ID."""
    _decide(obj, comment_id, ReplyState.REJECTED, reason=reason)


@cli.command()
@click.argument("comment_id")
@click.option("--reason", default="dismissed by a person", help="Why no reply is needed.")
@click.pass_obj
def dismiss(obj: Ctx, comment_id: str, reason: str) -> None:
    """Mark COMMENT_ID as needing no reply (it counts as acknowledged)."""
    _decide(obj, comment_id, ReplyState.DISMISSED, reason=reason)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as one JSON object.")
@click.pass_obj
def status(obj: Ctx, as_json: bool) -> None:
    """Show open, overdue and acknowledged counts, the oldest waiting item, and each source's health."""
    from heard.status import collect, render

    app = obj.app()
    report = collect(app, now=utcnow())
    click.echo(json.dumps(report, indent=2, default=str) if as_json else render(report))


@cli.command()
@click.argument("platforms", nargs=-1)
@click.pass_obj
def resume(obj: Ctx, platforms: tuple[str, ...]) -> None:
    """Lift the pauses on PLATFORMS (default: all) after fixing their credentials or credits."""
    app = obj.app()
    names = platforms or tuple(sorted(app.settings.platforms))
    unknown = set(names) - set(app.settings.platforms)
    if unknown:
        raise click.BadParameter(f"unknown platform: {', '.join(sorted(unknown))}", param_hint="PLATFORMS")
    for name in names:
        moved = app.store.resume(name, now=utcnow())
        click.echo(
            f"{name}: resumed {moved['sources']} source(s), posting {'un' if moved['posting'] else 'not '}"
            f"paused, {moved['replies']} waiting repl{'y' if moved['replies'] == 1 else 'ies'} freed"
        )


@cli.command()
@click.pass_obj
def doctor(obj: Ctx) -> None:
    """Check, per platform, whether it is configured, what is missing, and whether credentials work."""
    from heard.doctor import diagnose

    lines, broken = diagnose(obj.settings())
    for line in lines:
        click.echo(line)
    if broken:
        sys.exit(1)


@cli.command()
@click.option("--backfill", type=float, metavar="HOURS", help="On first start, also fetch the past HOURS.")
@click.pass_obj
def run(obj: Ctx, backfill: float | None) -> None:
    """Run the service: poll, tag, suggest, sync the queue, post and escalate on a schedule."""
    from heard.service import run_service

    with _errors():
        settings = obj.settings()
        sys.exit(run_service(settings, backfill=timedelta(hours=backfill) if backfill else None))


@cli.command(name="eval")
@click.option(
    "--sentiment",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='JSONL of {"text", "label"} (negative/neutral/positive).',
)
@click.option(
    "--questions",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    multiple=True,
    help='JSONL of {"text", "is_question"}; may be given more than once.',
)
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as one JSON object.")
def eval_(sentiment: Path | None, questions: tuple[Path, ...], as_json: bool) -> None:
    """Measure the shipped NLP pipeline on your own labelled files."""
    from listener.nlp import evaluate_files

    if not sentiment and not questions:
        raise click.UsageError("give --sentiment PATH and/or --questions PATH")
    result = evaluate_files(sentiment, list(questions))
    if as_json:
        click.echo(json.dumps(result, sort_keys=True, default=str))
        return
    for key, value in result.items():
        click.echo(f"{key}: {value}")


@cli.command()
@click.option(
    "--since",
    metavar="SPAN",
    default="30d",
    show_default=True,
    help="How far back to look: 12h, 30d or 8w, or 'all' for the whole history.",
)
@click.option(
    "--html",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a self-contained HTML page with charts to this file.",
)
@click.option("--json", "as_json", is_flag=True, help="Print every figure as one JSON object.")
@click.pass_obj
def report(obj: Ctx, since: str, html: Path | None, as_json: bool) -> None:
    """Show response rate, time to reply, sentiment, FAQ, advocates and audience health."""
    from responders.report import parse_span, run_report

    try:
        span = None if since.strip().lower() == "all" else parse_span(since)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from exc
    app = obj.app()
    with _errors():
        run_report(app.store, since=span, now=utcnow(), html=html, as_json=as_json, say=click.echo)


@cli.group(invoke_without_command=True)
@click.pass_context
def quarantine(ctx: click.Context) -> None:
    """Show the items a stage set aside (unreadable, unstorable, untaggable or undecidable) and why.

    Once the cause is fixed, `heard quarantine retry ID|--all` runs them through their stage again;
    `heard quarantine drop ID|--all` gives up on them (they stay out of the pipeline, unlisted).
    """
    if ctx.invoked_subcommand is not None:
        return
    from listener.quarantine import printable

    rows = ctx.obj.app().store.quarantined()
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


def _quarantine_refs(obj: Ctx, ids: tuple[str, ...], every: bool) -> tuple[App, list[str] | None]:
    """The app and the items named (None: all), refusing a name that matches nothing."""
    if bool(ids) == every:
        raise click.UsageError("give one or more IDs, or --all")
    app = obj.app()
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
    app, refs = _quarantine_refs(obj, ids, every)
    now = utcnow()
    with _errors():
        passed, failed = app.retry_quarantined(refs, now=now)
        app.tag(now=now)
        app.decide(now=now)
        app.sync_queue(now=now)
    click.echo(f"retried {passed + failed}: {passed} passed, {failed} set aside again")
    if failed:
        sys.exit(1)


@quarantine.command(name="drop")
@click.argument("ids", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Drop every item set aside.")
@click.pass_obj
def quarantine_drop(obj: Ctx, ids: tuple[str, ...], every: bool) -> None:
    """Give up on items set aside: no longer listed or alerted, and never retried by a stage."""
    app, refs = _quarantine_refs(obj, ids, every)
    rows = app.store.quarantined(refs=refs)
    with _errors():
        dropped = app.store.drop_quarantined([r["id"] for r in rows], now=utcnow())
    click.echo(f"dropped {dropped}")


def main() -> None:
    """Entry point of the ``heard`` console script."""
    registry()
    cli(prog_name="heard")
