"""The `heard inbox` command: serve the web inbox on this machine (or, with a token, beyond it)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from heard.cli.base import Ctx, errors
from heard.workspaces import shown as shown_database


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="HEARD_INBOX_HOST", help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8410,
    show_default=True,
    envvar="HEARD_INBOX_PORT",
    help="Port to listen on (0: any free one).",
)
@click.option("--no-open", is_flag=True, help="Do not open a browser window.")
@click.option(
    "--undo-seconds",
    type=click.FloatRange(1, 300),
    default=10.0,
    show_default=True,
    envvar="HEARD_INBOX_UNDO_SECONDS",
    help="How long a decision can be undone (an approval is not posted before).",
)
@click.pass_obj
def inbox(obj: Ctx, host: str, port: int, no_open: bool, undo_seconds: float) -> None:
    """Serve the web inbox: the waiting replies, decided by keyboard (docs/inbox.md).

    It listens on 127.0.0.1 only, unless HEARD_INBOX_TOKEN is set in .env: then --host may name another
    address, and every browser signs in with the token first.
    """
    import threading
    import webbrowser
    from dataclasses import replace

    from heard.inbox.security import TOKEN_ENV, access_for
    from heard.logs import REDACT
    from heard.settings import read_dotenv

    with errors():
        env = {**read_dotenv(obj.env_file or Path(".env")), **os.environ}
        token = env.get(TOKEN_ENV)
        REDACT.add([token or ""])
        access = access_for(host, port, token)
    app = obj.app(read_only=True)  # the inbox decides on the database that holds the replies
    from heard.inbox.serve import bind, serve
    from heard.inbox.server import Inbox

    with errors():
        sock = bind(host, port)
    access = replace(access, port=sock.getsockname()[1])
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown if ':' not in shown else f'[{shown}]'}:{access.port}/"
    click.echo(f"heard inbox: {url} for {shown_database(app.settings.database)} (Ctrl+C stops it)", err=True)
    if not no_open:
        threading.Timer(0.5, webbrowser.open, [url]).start()
    serve(Inbox(app, access, undo_seconds=undo_seconds), sock)


COMMANDS = (inbox,)
