"""The cluster's tasks: poll one source, tag and decide one shard, sync the queue, post one reply, escalate.

Each task names its workspace; its Procrastinate ``lock`` keeps two workers from running the same step at
once (a source's cursor, a shard's deciding, a reply's post, a workspace's queue file and digests), and its
``queueing_lock`` keeps ticks from piling up behind a slow one. The work inside is the service's own.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import procrastinate
from procrastinate import exceptions
from procrastinate.jobs import Status
from procrastinate.psycopg_connector import PsycopgConnector
from procrastinate.types import JSONDict

from heard import service
from heard.app import App, utcnow
from heard.cluster.place import CLUSTER_QUEUE, cron, queue_name
from heard.cluster.pool import Pool
from heard.cluster.shards import SHARDS, decide_shard, tag_shard
from listener.platforms import Platform
from listener.records import ReplyState
from responders.post import post_approved, waiting_for_retry

log = logging.getLogger("heard.cluster")
# A worker silent this long (its heartbeat is every 10 s) is dead: its running tasks are run again.
STALLED_SECONDS = 30
# How often a worker looks for the tasks of dead workers.
STALLED_CHECK_SECONDS = 15


def build(conninfo: str, pool: Pool, *, backfill: timedelta | None) -> procrastinate.App:
    """A Procrastinate app with heard's tasks, and a periodic job per source and per workspace step."""
    app = procrastinate.App(connector=PsycopgConnector(conninfo=conninfo))

    def run(workspace: str, job: str, fn: service.Job) -> None:
        with pool.use(workspace) as heard:
            service.guard(heard, job, lambda: fn(heard), workspace=workspace)()

    @app.task(name="heard.poll")
    def poll(workspace: str, source: str, timestamp: int | None = None) -> None:
        def one(heard: App) -> object:
            client, native = _source(heard, source)
            return heard.poll_source(client, native, now=utcnow(), backfill=backfill)

        run(workspace, f"poll:{source}", one)

    @app.task(name="heard.work")
    def work(workspace: str, shard: int, timestamp: int | None = None) -> None:
        def one(heard: App) -> int:
            now = utcnow()
            tagged, decided = tag_shard(heard, shard, now=now), decide_shard(heard, shard, now=now)
            if tagged or decided:
                log.info("work shard=%d tagged=%d decided=%d", shard, tagged, decided)
            return decided

        run(workspace, f"work:{shard}", one)

    @app.task(name="heard.queue")
    def queue(workspace: str, timestamp: int | None = None) -> None:
        run(workspace, "queue", lambda heard: service.work_stages(heard, ("queue",)))
        with pool.use(workspace) as heard:
            waiting = heard.store.replies([ReplyState.APPROVED.value, ReplyState.POSTING.value])
        now = utcnow()
        for reply in waiting:
            # One held by the posting cap, a cooldown or a backoff would make a task that posts nothing, every tick.
            if not waiting_for_retry(reply, now):
                _defer_post(post, workspace, reply.comment_id)

    @app.task(name="heard.post")
    def post(workspace: str, comment_id: str) -> None:
        run(workspace, "post", lambda heard: post_one(heard, comment_id))

    @app.task(name="heard.escalate")
    def escalate(workspace: str, timestamp: int | None = None) -> None:
        notifier = pool.workspaces[workspace].notifier
        run(workspace, "escalate", lambda heard: service.escalate_once(heard, notifier))

    @app.task(name="heard.alerts")
    def alerts(workspace: str, timestamp: int | None = None) -> None:
        ws = pool.workspaces[workspace]
        run(workspace, "alerts", lambda heard: service.alerts_once(heard, ws.announcer, list(ws.sources)))

    @app.task(name="heard.own_posts")
    def own_posts(workspace: str, timestamp: int | None = None) -> None:
        run(workspace, "own-posts", lambda heard: heard.fetch_own_posts(now=utcnow()).check())

    @app.task(name="heard.retry_stalled")
    async def retry_stalled(timestamp: int | None = None) -> None:
        # A worker killed mid-task leaves it "doing" with its lock held: run it again once the worker is dead.
        for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_SECONDS):
            try:
                await app.job_manager.retry_job(job)
                log.warning("retrying task=%s id=%s of a dead worker", job.task_name, job.id)
            except exceptions.UniqueViolation:  # the next tick already waits (its queueing lock): it does the step
                await app.job_manager.finish_job(job, Status.FAILED, delete_job=True)
                log.warning("dropped task=%s id=%s of a dead worker: the next one waits", job.task_name, job.id)

    every(app, retry_stalled, STALLED_CHECK_SECONDS, "retry_stalled", CLUSTER_QUEUE)
    for name, ws in pool.workspaces.items():
        s, q = ws.settings, queue_name(name)
        for key in ws.sources:
            every(app, poll, s.poll_seconds, f"poll:{name}:{key}", q, workspace=name, source=key)
        for shard in range(SHARDS):
            every(app, work, s.work_seconds, f"work:{name}:{shard}", q, workspace=name, shard=shard)
        every(app, queue, s.work_seconds, f"queue:{name}", q, workspace=name)
        every(app, escalate, s.escalate_seconds, f"escalate:{name}", q, workspace=name)
        every(app, alerts, s.escalate_seconds, f"alerts:{name}", q, workspace=name)
        every(app, own_posts, s.own_posts_seconds, f"own-posts:{name}", q, workspace=name)
    return app


def every(
    app: procrastinate.App, task: procrastinate.tasks.Task, seconds: int, lock: str, queue: str, **kw: str | int
) -> None:
    """Defer ``task`` every ``seconds``, once per tick across the cluster, never twice at once nor twice waiting."""
    kwargs: JSONDict = dict(kw)
    app.periodic(cron=cron(seconds), periodic_id=lock, lock=lock, queueing_lock=lock, queue=queue, task_kwargs=kwargs)(
        task
    )


def _defer_post(post: procrastinate.tasks.Task, workspace: str, comment_id: str) -> None:
    lock = f"post:{workspace}:{comment_id}"
    try:
        post.configure(lock=lock, queueing_lock=lock, queue=queue_name(workspace)).defer(
            workspace=workspace, comment_id=comment_id
        )
    except exceptions.AlreadyEnqueued:  # already waiting: one is enough
        pass


def post_one(heard: App, comment_id: str) -> object:
    """Post one approved reply (reconciling it first if a crash left it ``posting``), under the poster lock."""
    s = heard.settings
    result = post_approved(
        heard.store,
        heard.clients,
        now=utcnow(),
        hourly_caps=s.post_rate,
        cooldown=timedelta(minutes=s.cooldown_minutes),
        dry_run=s.dry_run,
        settle=timedelta(seconds=s.settle_seconds),
        only=comment_id,
    )
    heard.save_states()
    if result.posted or result.reconciled or result.failed:
        log.info(
            "post comment=%s posted=%d reconciled=%d failed=%d",
            comment_id,
            result.posted,
            result.reconciled,
            result.failed,
        )
    return result


def _source(heard: App, key: str) -> tuple[Platform, str]:
    """The lent app's own client and native source for the source ``key``."""
    found = heard.sources().get(key)
    if found is None:
        raise LookupError(f"source {key} is not configured in this worker")
    return found
