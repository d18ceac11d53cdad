"""Read the cluster's health for `heard status`: workers alive, and tasks waiting, running and failed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

from heard.cluster.place import SCHEMA, queue_name, tasks_conninfo

# A worker beats every 10 s: one silent longer than this is dead (Procrastinate's own stalled timeout).
ALIVE_SECONDS = 30


def collect(database: str, workspace: str) -> dict[str, Any] | None:
    """The workers alive and the workspace's tasks by name and state; None when no worker ever ran here."""
    try:
        with psycopg.connect(tasks_conninfo([database]), autocommit=True) as conn:
            if conn.execute("SELECT to_regclass(%s)", [f"{SCHEMA}.procrastinate_jobs"]).fetchone() in (None, (None,)):
                return None
            workers = conn.execute(
                "SELECT id, extract(epoch FROM now() - last_heartbeat)::int FROM procrastinate_workers"
                " WHERE last_heartbeat > now() - make_interval(secs => %s) ORDER BY id",
                [ALIVE_SECONDS],
            ).fetchall()
            queue = queue_name(workspace)
            counts = conn.execute(
                "SELECT task_name, status::text, count(*) FROM procrastinate_jobs WHERE queue_name = %s"
                " AND status IN ('todo', 'doing', 'failed') GROUP BY 1, 2 ORDER BY 1, 2",
                [queue],
            ).fetchall()
            oldest = conn.execute(
                "SELECT extract(epoch FROM now() - min(coalesce(scheduled_at, e.at)))::int FROM procrastinate_jobs j"
                " JOIN procrastinate_events e ON e.job_id = j.id AND e.type = 'deferred'"
                " WHERE j.queue_name = %s AND j.status = 'todo' AND coalesce(j.scheduled_at, e.at) <= now()",
                [queue],
            ).fetchone()
    except psycopg.Error as exc:
        return {"error": f"{type(exc).__name__}: {exc}".strip()}
    tasks: dict[str, dict[str, int]] = {}
    for task, status, n in counts:
        tasks.setdefault(task.removeprefix("heard."), {})[status] = n
    return {
        "workers": [{"id": w, "beat_seconds_ago": ago} for w, ago in workers],
        "tasks": tasks,
        "waiting": sum(t.get("todo", 0) for t in tasks.values()),
        "running": sum(t.get("doing", 0) for t in tasks.values()),
        "failed": sum(t.get("failed", 0) for t in tasks.values()),
        "oldest_waiting_seconds": oldest[0] if oldest else None,
    }


def render(cluster: dict[str, Any]) -> Sequence[str]:
    """The status lines of the cluster's report."""
    if "error" in cluster:
        return [f"cluster: cannot read the task tables: {cluster['error']}"]
    age = cluster["oldest_waiting_seconds"]
    lines = [
        f"cluster: {len(cluster['workers'])} worker(s) alive; tasks waiting {cluster['waiting']}, running"
        f" {cluster['running']}, failed {cluster['failed']}" + (f"; oldest waiting {age} s" if age is not None else "")
    ]
    for task, states in sorted(cluster["tasks"].items()):
        lines.append(f"  task {task}: " + ", ".join(f"{k} {v}" for k, v in sorted(states.items())))
    return lines
