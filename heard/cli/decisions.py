"""The commands a person decides with: queue, approve, reject, dismiss, and draft to word a reply again."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from heard.cli.base import Ctx, errors, utcnow
from heard.workspaces import shown
from listener.records import ReplyState

if TYPE_CHECKING:
    from heard.app import App


@click.command()
@click.pass_obj
def queue(obj: Ctx) -> None:
    """Show the items waiting for a person, as the queue file shows them."""
    from responders.approvals import pending_items

    app = obj.app(read_only=True)
    items = pending_items(app.store)
    if not items:
        click.echo(f"Nothing waiting in {shown(app.settings.database)}. Everyone has been answered.")
    for item in items:
        click.echo(f"\n{item['id']}  [{item['tags']}]")
        click.echo(f"  {item['author']} ({item['history']}) {item['link']}")
        click.echo(f"  > {' '.join(item['comment'].split())}")
        click.echo(f"  reply: {item['reply'] or '(needs a human answer)'}")
        if item.get("note"):
            click.echo(f"  note: {item['note']}")
    if items:
        click.echo(
            f"\n{len(items)} waiting in {shown(app.settings.database)}."
            f" Edit {app.settings.queue_file} or use `heard approve ID`."
        )


def _decide(obj: Ctx, comment_id: str, state: ReplyState, **fields: Any) -> None:
    from responders import lifecycle

    app = obj.app(read_only=True)  # a decision about a comment needs the database that holds it
    if app.store.comment(comment_id) is None:
        where = f" of workspace {app.settings.workspace}" if app.settings.workspace else ""
        raise click.ClickException(
            f"{comment_id}: unknown in {shown(app.settings.database)}{where}; nothing was changed"
        )
    now = utcnow()
    with errors():
        app.sync_queue(now=now)
        if state is ReplyState.APPROVED:
            _check_reply(app, comment_id, fields.get("text"))
        lifecycle.transition(app.store, comment_id, state, now=now, decided_by="person", **fields)
        app.sync_queue(now=now)
    click.echo(f"{comment_id}: {state.value}")


def _check_reply(app: App, comment_id: str, text: str | None) -> None:
    """Refuse an approval whose reply is empty or over its platform's limit, before anything changes."""
    from responders import limits

    comment, reply = app.store.comment(comment_id), app.store.reply(comment_id)
    if comment is None or reply is None:
        return  # the transition names the missing reply
    refused = limits.problem(comment, text if text is not None else reply.text)
    if refused:
        raise click.ClickException(f"{comment_id}: {refused}; nothing was changed")


@click.command()
@click.argument("comment_id")
@click.option("--text", help="Post this text instead of the suggestion.")
@click.pass_obj
def approve(obj: Ctx, comment_id: str, text: str | None) -> None:
    """Approve the reply to COMMENT_ID (optionally with new text)."""
    _decide(obj, comment_id, ReplyState.APPROVED, **({"text": text} if text else {}))


@click.command()
@click.argument("comment_id")
@click.option("--reason", default="rejected", help="Why (kept in the audit trail).")
@click.pass_obj
def reject(obj: Ctx, comment_id: str, reason: str) -> None:
    """Reject the reply suggested for COMMENT_ID."""
    _decide(obj, comment_id, ReplyState.REJECTED, reason=reason)


@click.command()
@click.argument("comment_id")
@click.option("--reason", default="dismissed by a person", help="Why no reply is needed.")
@click.pass_obj
def dismiss(obj: Ctx, comment_id: str, reason: str) -> None:
    """Mark COMMENT_ID as needing no reply (it counts as acknowledged)."""
    _decide(obj, comment_id, ReplyState.DISMISSED, reason=reason)


@click.command()
@click.argument("comment_id")
@click.option("--ai", "ai", is_flag=True, help="Ask the [drafting] endpoint for a new AI draft.")
@click.pass_obj
def draft(obj: Ctx, comment_id: str, ai: bool) -> None:
    """Draft the reply to COMMENT_ID again: the template (or holding) one, or with --ai a new AI draft.

    Only a reply still waiting for a person is drafted again; an AI draft that fails a check, or an
    endpoint that does not answer, leaves the template draft, and the note says why.
    """
    app = obj.app(read_only=True)
    now = utcnow()
    with errors():
        app.sync_queue(now=now)
        from listener.errors import ConfigError
        from responders.decide import redraft

        drafter = app.drafter if ai else None
        if ai and drafter is None:
            raise ConfigError(
                "AI drafting is off: set enabled = true, base_url and model in [drafting] (docs/drafting.md)"
            )
        s = redraft(app.store, app.library, comment_id, drafter=drafter, now=now)
        app.sync_queue(now=now)
    click.echo(f"{comment_id}: {s.source or 'no'} draft")
    click.echo(f"  reply: {s.text or '(needs a human answer)'}")
    if s.note:
        click.echo(f"  note: {s.note}")


COMMANDS = (queue, approve, reject, dismiss, draft)
