"""Run heard as a service: APScheduler jobs for each source, the work pipeline, escalation and alerts (SQLite)."""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from datetime import timedelta
from types import FrameType
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from heard.app import App, utcnow
from heard.logs import setup_logging
from heard.settings import Settings
from heard.workspaces import shown
from listener.errors import HeardError
from listener.platforms import Platform
from listener.store import keys
from listener.store.location import is_url
from responders import alerts
from responders.alerts import Announcer, LogAnnouncer
from responders.escalate import Notifier, TerminalNotifier
from responders.slack import SlackNotifier

log = logging.getLogger("heard.service")
HEARTBEAT_SECONDS = 15
# A job's work, given the app it runs on.
Job = Callable[[App], object]


def run_service(settings: Settings, *, backfill: timedelta | None = None, notifier: Notifier | None = None) -> int:
    """Run until SIGTERM or SIGINT, finishing the job in flight; return the exit code."""
    return run_services([settings], backfill=backfill, notifier=notifier)


def run_services(
    every: Sequence[Settings],
    *,
    backfill: timedelta | None = None,
    notifier: Notifier | None = None,
    concurrency: int = 1,
) -> int:
    """Run each workspace's jobs (or the one deployment's) until SIGTERM or SIGINT.

    On PostgreSQL a cluster worker shares them with every other `heard run` on the database; on SQLite one
    scheduler runs them all here. A workspace that cannot start (a missing secret) is logged and left out.

    :raises HeardError: the only workspace, or every one, could not start.
    """
    if every and all(is_url(s.database) for s in every):
        from heard.cluster.worker import run_worker  # Procrastinate is loaded only for a PostgreSQL database

        return run_worker(every, backfill=backfill, notifier=notifier, concurrency=concurrency)
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        if not stopping.is_set():
            log.info("stopping signal=%s (finishing the job in flight)", signal.Signals(signum).name)
        stopping.set()

    # Installed first, so a signal that arrives while we start up is a clean stop too.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    start_logging(every)
    scheduler = BackgroundScheduler(job_defaults={"coalesce": True, "max_instances": 1})
    apps, started = [], utcnow()
    for settings in every:
        try:
            apps.append(_start(scheduler, settings, notifier, backfill=backfill, alone=len(every) == 1))
        except HeardError as exc:  # one brand's mistake never stops the others
            if len(every) == 1:
                raise
            log.error("workspace=%s not started error=%s", settings.workspace, exc)
    if not apps:
        raise HeardError("no workspace could start: " + ", ".join(s.workspace for s in every))
    for app in apps:
        _beat(app, started, state="running")
    scheduler.start()
    # The main thread only waits: a short timeout keeps it responsive to signals on every platform.
    while not stopping.wait(0.2):
        pass
    scheduler.shutdown(wait=True)  # lets the job in flight finish; nothing new starts
    for app in apps:
        _beat(app, started, state="stopped")
        app.store.close()
    log.info("stopped")
    return 0


def start_logging(every: Sequence[Settings]) -> None:
    """Log with every workspace's secrets redacted, each line of a workspace's job naming it."""
    secrets = [v for s in every for ps in s.platforms.values() for v in ps.secrets.values()]
    setup_logging(
        logging.getLevelName(logging.getLogger().level), [*secrets, *(v for s in every for v in s.slack.values())]
    )
    if any(s.workspace for s in every):
        for handler in logging.getLogger().handlers:
            handler.addFilter(_NameWorkspace())


def _start(
    scheduler: BackgroundScheduler,
    settings: Settings,
    notifier: Notifier | None,
    *,
    backfill: timedelta | None,
    alone: bool,
) -> App:
    """Open one workspace's app and add its jobs, on an executor of its own."""
    app = App(settings)
    try:
        connected = bool(app.clients)
        notifier = notifier or default_notifier(settings)
    except HeardError:
        app.store.close()
        raise
    if not connected:
        log.warning(
            "no platform is enabled: set [platforms.<name>] enabled = true in %s (`heard doctor` shows "
            "what each platform needs); until then heard only works through what is already stored",
            settings.config_path,
        )
    announcer = notifier if isinstance(notifier, Announcer) else LogAnnouncer()
    add_jobs(scheduler, app, notifier, announcer, backfill=backfill, prefix="" if alone else f"{settings.workspace}/")
    log.info(
        "started pid=%d%s jobs=%s database=%s notifier=%s",
        os.getpid(),
        f" workspace={settings.workspace}" if settings.workspace else "",
        ",".join(j.id for j in scheduler.get_jobs() if alone or j.id.startswith(f"{settings.workspace}/")),
        shown(settings.database),
        notifier.channel,
    )
    return app


def add_jobs(
    scheduler: BackgroundScheduler,
    app: App,
    notifier: Notifier,
    announcer: Announcer,
    *,
    backfill: timedelta | None = None,
    prefix: str = "",
) -> None:
    """Add one app's jobs, each id after ``prefix`` (a workspace's ``name/``), on the app's own executor."""
    settings = app.settings
    # One worker per app: its jobs share one SQLite connection, and a platform request is bounded by its
    # timeout. Each workspace has its own, so a slow brand never holds back another.
    executor = prefix or "default"
    scheduler.add_executor(ThreadPoolExecutor(1), alias=executor)
    grace = settings.poll_seconds

    def add(job: str, fn: Callable[[], object], seconds: int, first: Any) -> None:
        _add(scheduler, app, job, fn, seconds, first=first, prefix=prefix, executor=executor, grace=grace)

    now = utcnow()
    sources = app.sources()
    for key, (client, source) in sources.items():
        add(f"poll:{key}", _poller(app, client, source, backfill), settings.poll_seconds, now)
    add("work", lambda: work_stages(app), settings.work_seconds, now + timedelta(seconds=1))
    add("escalate", lambda: escalate_once(app, notifier), settings.escalate_seconds, now + timedelta(seconds=2))
    polled = list(sources)
    add("alerts", lambda: alerts_once(app, announcer, polled), settings.escalate_seconds, now + timedelta(seconds=3))
    add(
        "own-posts",
        lambda: app.fetch_own_posts(now=utcnow()).check(),
        settings.own_posts_seconds,
        now + timedelta(seconds=4),
    )
    add("heartbeat", lambda: _beat(app, now, state="running"), HEARTBEAT_SECONDS, now + timedelta(seconds=15))


def _add(
    scheduler: BackgroundScheduler,
    app: App,
    job: str,
    fn: Callable[[], object],
    seconds: int,
    *,
    first: Any,
    prefix: str,
    executor: str,
    grace: int,
) -> None:
    # Jitter spreads sources that share an interval, so they do not all hit the network at once.
    scheduler.add_job(
        guard(app, job, fn, workspace=app.settings.workspace),
        "interval",
        seconds=seconds,
        jitter=max(0, seconds // 10),
        id=prefix + job,
        name=prefix + job,
        replace_existing=True,
        next_run_time=first,
        executor=executor,
        misfire_grace_time=grace,
    )


def _poller(app: App, client: Platform, source: str, backfill: timedelta | None) -> Callable[[], object]:
    return lambda: app.poll_source(client, source, now=utcnow(), backfill=backfill)


def work_stages(app: App, stages: Sequence[str] | None = None) -> None:
    """Tag, suggest, sync the queue file and post (or only ``stages``); a failing stage never holds back the next."""
    done = app.work(now=utcnow(), stages=stages)
    decided, synced, posted = done.decided, done.synced, done.posted
    log.info(
        "work tagged=%s suggested=%s approved=%s pending=%s posted=%s reconciled=%s failed=%s",
        "-" if done.tagged is None else done.tagged,
        decided.suggested if decided else "-",
        synced.approved + (decided.auto_approved if decided else 0) if synced else "-",
        synced.pending if synced else "-",
        posted.posted if posted else "-",
        posted.reconciled if posted else "-",
        posted.failed if posted else "-",
    )
    if done.failures:
        raise HeardError("; ".join(done.failures))


def escalate_once(app: App, notifier: Notifier) -> None:
    """Deliver the notices due now, logging what went out."""
    sent = app.escalate(notifier, now=utcnow())
    if sent:
        log.info(
            "escalate notices=%d channel=%s ids=%s",
            len(sent),
            notifier.channel,
            ",".join(f"{o.comment_id}@{o.step}" for o in sent),
        )


def alerts_once(app: App, announcer: Announcer, sources: list[str]) -> None:
    """Announce the operational alerts that began or ended."""
    s = app.settings
    changes = alerts.check(
        app.store,
        announcer,
        now=utcnow(),
        poll_seconds=s.poll_seconds,
        sources=sources,
        quiet=s.quiet_hours,
        timezone=s.slack_timezone,
    )
    for change in changes:
        log.info("alert key=%s recovered=%s channel=%s", change.key, change.recovered, announcer.channel)


def _beat(app: App, started: Any, *, state: str) -> None:
    app.store.set_meta(
        keys.SERVICE,
        {
            "pid": os.getpid(),
            "state": state,
            "started_at": started.isoformat(timespec="seconds"),
            "at": utcnow().isoformat(timespec="seconds"),
        },
    )


def guard(app: App, job: str, fn: Callable[[], object], *, workspace: str = "") -> Callable[[], None]:
    """Run a job so that its failure is logged and recorded, never fatal to the service."""

    def run() -> None:
        named = _WORKSPACE.set(workspace)
        try:
            fn()
        except HeardError as exc:
            log.error("job=%s error=%s", job, exc)
            app.heartbeat(job, now=utcnow(), error=str(exc))
            return
        except Exception as exc:  # a bug in one job must not stop the others
            log.exception("job=%s crashed error=%s", job, type(exc).__name__)
            app.heartbeat(job, now=utcnow(), error=f"{type(exc).__name__}: {exc}")
            return
        finally:
            _WORKSPACE.reset(named)
        app.heartbeat(job, now=utcnow())

    return run


# The workspace whose job this thread runs: every line it logs names it (two brands poll alike-named sources).
_WORKSPACE: ContextVar[str] = ContextVar("heard_workspace", default="")


class _NameWorkspace(logging.Filter):
    """Open each line logged by a workspace's job with ``workspace=<name>``."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Name the workspace, if a workspace's job logged the line."""
        name = _WORKSPACE.get()
        if name:
            record.msg, record.args = f"workspace={name} {record.getMessage()}", None
        return True


def default_notifier(settings: Settings) -> Notifier:
    """Slack when it is configured, else log lines."""
    secrets = [v for ps in settings.platforms.values() for v in ps.secrets.values()]
    slack = SlackNotifier.from_secrets(
        settings.slack, queue_file=str(settings.queue_file), max_items=settings.slack_max_items, secrets=secrets
    )
    return slack or TerminalNotifier(lambda line: log.warning("escalation %s", line))
