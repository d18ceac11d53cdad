"""Run one cluster worker: heard's tasks for every workspace served, shared with each other `heard run`."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Sequence
from datetime import timedelta

import psycopg
from procrastinate.schema import SchemaManager

from heard.app import App
from heard.cluster.place import CLUSTER_QUEUE, SCHEMA, queue_name, tasks_conninfo
from heard.cluster.pool import Pool
from heard.cluster.tasks import build
from heard.service import default_notifier, start_logging
from heard.settings import Settings
from heard.workspaces import shown
from listener.errors import HeardError, StoreError
from responders.escalate import Notifier

log = logging.getLogger("heard.cluster")


def run_worker(
    every: Sequence[Settings], *, backfill: timedelta | None, notifier: Notifier | None, concurrency: int = 1
) -> int:
    """Run the tasks of ``every`` workspace until SIGTERM or SIGINT, finishing those in flight; return 0.

    :raises HeardError: the only workspace, or every one, could not start.
    """
    start_logging(every)
    if logging.getLogger().level > logging.DEBUG:  # a line per task is Procrastinate's debug, not our log
        logging.getLogger("procrastinate").setLevel(logging.WARNING)
    conninfo = tasks_conninfo([str(s.database) for s in every])
    install(conninfo)
    pool = Pool(max(1, concurrency))
    for settings in every:
        try:
            app = App(settings)
            try:
                pool.add(app, notifier or default_notifier(settings))
            except HeardError:
                app.store.close()
                raise
        except HeardError as exc:  # one brand's mistake never stops the others
            if len(every) == 1:
                raise
            log.error("workspace=%s not started error=%s", settings.workspace, exc)
    if not pool.names():
        raise HeardError("no workspace could start: " + ", ".join(s.workspace for s in every))
    tasks = build(conninfo, pool, backfill=backfill)
    name = f"{socket.gethostname()}:{os.getpid()}"
    for ws in pool.workspaces.values():
        log.info(
            "started pid=%d worker=%s%s sources=%d database=%s notifier=%s",
            os.getpid(),
            name,
            f" workspace={ws.settings.workspace}" if ws.settings.workspace else "",
            len(ws.sources),
            shown(ws.settings.database),
            ws.notifier.channel,
        )
    try:
        # Procrastinate's own handlers: the first SIGTERM or SIGINT stops fetching and waits for the task in flight.
        tasks.run_worker(
            queues=[CLUSTER_QUEUE, *(queue_name(n) for n in pool.names())],
            name=name,
            concurrency=max(1, concurrency),
            delete_jobs="successful",
            install_signal_handlers=True,
        )
    finally:
        pool.close()
    log.info("stopped")
    return 0


def install(conninfo: str) -> None:
    """Create the task schema and Procrastinate's tables in it, once, whichever worker starts first.

    :raises StoreError: the database cannot be reached or refuses.
    """
    try:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(hashtextextended('heard:tasks:install', 0))")
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
            found = conn.execute("SELECT to_regclass(%s)", [f"{SCHEMA}.procrastinate_jobs"]).fetchone()
            if found is None or found[0] is None:
                with conn.transaction():
                    conn.execute(SchemaManager.get_schema())
                log.info("created the task tables in schema %s", SCHEMA)
    except psycopg.Error as exc:
        raise StoreError(f"cannot set up the task tables in schema {SCHEMA}: {exc}") from exc
