"""Where the cluster's task tables live: one schema of their own in the workspaces' PostgreSQL database."""

from __future__ import annotations

from collections.abc import Sequence

from psycopg.conninfo import conninfo_to_dict, make_conninfo

from listener.errors import ConfigError
from listener.store.location import masked

# Procrastinate's tables, types and functions live here, apart from heard's: a deployment's workspaces each
# have a schema of their own (ws_<name>), or share ``public``; the queue is the deployment's, not one brand's.
SCHEMA = "heard_tasks"


def tasks_conninfo(urls: Sequence[str]) -> str:
    """The connection string of the task schema: the workspaces' database, its search path the task schema.

    :raises ConfigError: the workspaces' URLs name different databases (one queue needs one database).
    """
    bases = {_base(url) for url in urls}
    if len(bases) != 1:
        shown = ", ".join(sorted(masked(u) for u in urls))
        raise ConfigError(
            f"the workspaces are in different PostgreSQL databases ({shown}): put them in one to share work"
        )
    return make_conninfo(bases.pop(), options=f"-csearch_path={SCHEMA}")


def _base(url: str) -> str:
    """The URL's database without its ``options`` (a workspace's search path), as a comparable conninfo."""
    params = {k: v for k, v in conninfo_to_dict(url).items() if k != "options" and v is not None}
    return make_conninfo("", **params)


# The queue of the tasks that are the cluster's, not a workspace's (taking over a dead worker's tasks).
CLUSTER_QUEUE = "heard:cluster"


def queue_name(workspace: str) -> str:
    """The queue of one workspace's tasks: a worker listens to those of the workspaces it serves."""
    return f"heard:{workspace or 'default'}"


def cron(seconds: int) -> str:
    """A cron line (seconds as the sixth field) ticking about every ``seconds``: cron has no arbitrary period.

    Under half a minute the period divides the minute (10 s, 15 s, 20 s, 30 s); under an hour it is whole
    minutes, else whole hours.
    """
    step = next((d for d in (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30) if d >= seconds), None)
    if step is not None:
        return f"* * * * * */{step}"
    if seconds < 3600:
        return f"*/{max(1, round(seconds / 60))} * * * *"
    return f"0 */{min(23, max(1, round(seconds / 3600)))} * * *"
