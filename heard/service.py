"""Run heard as a service: APScheduler jobs for each source, the work pipeline and escalation."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import timedelta
from types import FrameType

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler

from heard.app import App, utcnow
from heard.logs import setup_logging
from heard.settings import Settings
from listener.errors import HeardError
from listener.platforms import Platform
from responders.escalate import Notifier, TerminalNotifier

log = logging.getLogger("heard.service")


def run_service(settings: Settings, *, backfill: timedelta | None = None,
                notifier: Notifier | None = None) -> int:
    """Run until SIGTERM or SIGINT, finishing the job in flight; return the exit code."""
    secrets = [v for ps in settings.platforms.values() for v in ps.secrets.values()]
    setup_logging(logging.getLevelName(logging.getLogger().level), [*secrets, *settings.slack.values()])
    app = App(settings)
    notifier = notifier or _default_notifier(settings)
    # One worker: jobs share one SQLite connection, and a platform request is bounded by its timeout.
    scheduler = BlockingScheduler(executors={"default": ThreadPoolExecutor(1)},
                                  job_defaults={"coalesce": True, "max_instances": 1,
                                                "misfire_grace_time": settings.poll_seconds})
    for client in {id(c): c for c in app.clients.values()}.values():
        for source in client.sources():
            scheduler.add_job(_guard(app, f"poll:{client.name}:{source}", _poller(app, client, source, backfill)),
                              "interval", seconds=settings.poll_seconds, jitter=settings.poll_seconds // 10,
                              id=f"poll:{client.name}:{source}", replace_existing=True, next_run_time=utcnow())
    scheduler.add_job(_guard(app, "work", lambda: _work(app)), "interval", seconds=settings.work_seconds,
                      id="work", replace_existing=True, next_run_time=utcnow() + timedelta(seconds=1))
    scheduler.add_job(_guard(app, "escalate", lambda: app.escalate(notifier, now=utcnow())), "interval",
                      seconds=settings.escalate_seconds, id="escalate", replace_existing=True,
                      next_run_time=utcnow() + timedelta(seconds=2))
    scheduler.add_job(_guard(app, "own-posts", lambda: app.fetch_own_posts(now=utcnow()).check()), "interval",
                      seconds=settings.own_posts_seconds, id="own-posts", replace_existing=True,
                      next_run_time=utcnow() + timedelta(seconds=3))
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        if stopping.is_set():
            return
        stopping.set()
        log.info("stopping signal=%s (finishing the job in flight)", signal.Signals(signum).name)
        # shutdown() waits for the running job; do it off the signal handler so the loop can exit.
        threading.Thread(target=scheduler.shutdown, kwargs={"wait": True}, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("started sources=%d database=%s", len(scheduler.get_jobs()) - 3, settings.database)
    scheduler.start()
    app.store.close()
    log.info("stopped")
    return 0


def _poller(app: App, client: Platform, source: str, backfill: timedelta | None) -> Callable[[], object]:
    return lambda: app.poll_source(client, source, now=utcnow(), backfill=backfill)


def _work(app: App) -> None:
    now = utcnow()
    tagged = app.tag(now=now)
    decided = app.decide(now=now)
    synced = app.sync_queue(now=now)
    posted = app.post(now=now)
    log.info("work tagged=%d suggested=%d approved=%d pending=%d posted=%d reconciled=%d", tagged,
             decided.suggested, synced.approved + decided.auto_approved, synced.pending, posted.posted,
             posted.reconciled)


def _guard(app: App, job: str, fn: Callable[[], object]) -> Callable[[], None]:
    """Run a job so that its failure is logged and recorded, never fatal to the service."""

    def run() -> None:
        try:
            fn()
        except HeardError as exc:
            log.error("job=%s error=%s", job, exc)
            app.heartbeat(job, now=utcnow(), error=str(exc))
            return
        except Exception as exc:  # a bug in one job must not stop the others
            log.exception("job=%s crashed error=%s", job, exc)
            app.heartbeat(job, now=utcnow(), error=f"{type(exc).__name__}: {exc}")
            return
        app.heartbeat(job, now=utcnow())

    return run


def _default_notifier(settings: Settings) -> Notifier:
    return TerminalNotifier(lambda line: log.warning("escalation %s", line))
