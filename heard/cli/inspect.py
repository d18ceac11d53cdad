"""The commands that look and mend: status, report, eval, doctor, resume, reset-cursor."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from heard.cli.base import Ctx, errors, utcnow
from listener.store.location import is_url


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as one JSON object.")
@click.pass_obj
def status(obj: Ctx, as_json: bool) -> None:
    """Show open, overdue and acknowledged counts, the oldest waiting item, and each source's health.

    With workspaces and none chosen, each workspace's status is shown in turn, headed by its name.
    """
    from heard.status import collect, render

    every = obj.each()
    if obj.workspace or not every[0].workspace:  # one database
        report = collect(obj.app(read_only=True, settings=every[0]), now=utcnow())
        click.echo(json.dumps(report, indent=2, default=str) if as_json else render(report))
        return
    reports: dict[str, dict[str, Any]] = {}
    for settings in every:
        if not is_url(settings.database) and not Path(settings.database).exists():  # a brand added lately: not a fault
            reports[settings.workspace] = {"database": str(settings.database), "missing": True}
            continue
        app = obj.app(read_only=True, settings=settings)
        reports[settings.workspace] = collect(app, now=utcnow())
        app.store.close()
    if as_json:
        click.echo(json.dumps(reports, indent=2, default=str))
        return
    for n, (name, report) in enumerate(reports.items()):
        click.echo(("\n" if n else "") + f"== workspace {name} ==")
        missing = f"no database at {report['database']}: nothing has been collected there yet"
        click.echo(missing if report.get("missing") else render(report))


@click.command()
@click.argument("platforms", nargs=-1)
@click.pass_obj
def resume(obj: Ctx, platforms: tuple[str, ...]) -> None:
    """Lift the pauses on PLATFORMS (default: all) after fixing their credentials or credits."""
    app = obj.app(read_only=True)
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


@click.command(name="reset-cursor")
@click.argument("sources", nargs=-1, required=True)
@click.pass_obj
def reset_cursor(obj: Ctx, sources: tuple[str, ...]) -> None:
    """Forget where SOURCES (e.g. x:mentions) had read to; their next poll starts afresh from now.

    For a cursor heard cannot read (hand-edited, or written by another version). Comments already
    stored stay, and are recognised if a platform sends them again.
    """
    app = obj.app(read_only=True)
    known = {row["source"] for row in app.store.cursors()}
    unknown = sorted(set(sources) - known)
    if unknown:
        listed = ", ".join(sorted(known)) or "none yet"
        raise click.BadParameter(f"no cursor for {', '.join(unknown)} (sources: {listed})", param_hint="SOURCES")
    with errors():
        for source in sources:
            app.store.reset_cursor(source)
            click.echo(f"{source}: cursor reset; the next poll starts from now")


@click.command()
@click.pass_obj
def doctor(obj: Ctx) -> None:
    """Check, per platform, whether it is configured, what is missing, and whether credentials work.

    With workspaces and none chosen, each workspace is checked in turn, headed by its name.
    """
    from heard.doctor import diagnose

    failed = False
    for n, settings in enumerate(obj.each()):
        obj.loaded = settings
        if settings.workspace and not obj.workspace:
            click.echo(("\n" if n else "") + f"== workspace {settings.workspace} ==")
        lines, broken = diagnose(settings)
        for line in lines:
            click.echo(line)
        failed = failed or broken
    if failed:
        sys.exit(1)


@click.command(name="eval")
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
    from listener.nlp.evaluate import evaluate_files

    if not sentiment and not questions:
        raise click.UsageError("give --sentiment PATH and/or --questions PATH")
    result = evaluate_files(sentiment, list(questions))
    click.echo(json.dumps(result, sort_keys=True, default=str) if as_json else render_eval(result))


def render_eval(result: dict[str, Any]) -> str:
    """The evaluation as a person reads it: one line per measure, figures rounded."""
    lines = [f"model {result['model_version']}, loaded in {result['load_seconds']:.2f} s"]
    if "sentiment" in result:
        s = result["sentiment"]
        per_class = ", ".join(f"{k} {v:.3f}" for k, v in s.items() if k not in ("file", "n", "macro_recall"))
        lines.append(f"sentiment  {s['file']} ({s['n']} texts): macro recall {s['macro_recall']:.4f} ({per_class})")
    for path, q in result.get("questions", {}).items():
        lines.append(f"questions  {path} ({q['n']} texts): {_prf(q)}")
        lines.append(f"           information-seeking only: {_prf(q['information_seeking'])}")
        if "not_in_train" in q:
            lines.append(f"           texts not in training data: {_prf(q['not_in_train'])}")
    lines.append(
        f"throughput {result['throughput_per_s']:,.0f} comments/s on one core (best of"
        f" {', '.join(f'{r:,}' for r in result['throughput_runs_per_s'])}); peak memory {result['peak_rss_mb']:.0f} MB"
    )
    return "\n".join(lines)


def _prf(m: dict[str, float]) -> str:
    return f"F1 {m['f1']:.4f} (precision {m['precision']:.4f}, recall {m['recall']:.4f}, n {m['n']:.0f})"


@click.command()
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
    app = obj.app(read_only=True)
    with errors():
        run_report(app.store, since=span, now=utcnow(), html=html, as_json=as_json, say=click.echo)


COMMANDS = (status, resume, reset_cursor, doctor, eval_, report)
