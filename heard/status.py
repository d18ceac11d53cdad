"""Collect and render `heard status`: the ledger, sources' health, alerts and the service heartbeat."""

from __future__ import annotations

import heapq
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from heard.workspaces import shown
from listener.quarantine import printable
from listener.store import iso, keys, parse_time
from listener.store.ledger import OpenComment
from listener.store.location import is_url
from responders.drafting import health
from responders.drafting.client import endpoint_label
from responders.escalate import due_at
from responders.wording import waited

if TYPE_CHECKING:
    from heard.app import App

# How many waiting items `heard status` lists with their due times.
SHOWN_WAITING = 10
# How many of the newest items set aside `heard status` lists.
SHOWN_QUARANTINED = 5


def ledger(app: App, *, now: datetime) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Count open, overdue and acknowledged comments; list the first due (and the oldest) with their due times."""
    store = app.store
    counts = store.ledger_counts()
    counts["overdue"] = 0
    # Each platform and priority has one SLA: its overdue are counted, and its oldest are its first due.
    first: list[tuple[datetime, OpenComment]] = []
    for group in store.open_groups():
        sla = timedelta(minutes=app.settings.sla_for(*group))
        counts["overdue"] += store.count_open(group, written_by=now - sla)
        first += [(due_at(o.created_at, sla), o) for o in store.open_comments(group, limit=SHOWN_WAITING)]
    shown = heapq.nsmallest(SHOWN_WAITING, first, key=lambda d: (d[0], d[1].created_at))
    oldest = min(first, key=lambda d: d[1].created_at, default=None)
    if oldest is not None and oldest not in shown:
        shown.append(oldest)
    rows = {row.id: row for row in store.awaiting([o.id for _, o in shown])}
    items = []
    for at, o in shown:
        row = rows.get(o.id)
        if row is None:  # acknowledged between the two reads
            continue
        items.append(
            {
                "id": row.id,
                "platform": row.platform,
                "author": row.author_handle,
                "priority": row.priority,
                "url": row.url,
                "state": row.state.value if row.state else "undecided",
                "created_at": iso(row.created_at),
                "due_at": iso(at),
                "overdue": at <= now,
                "waited": waited(row.created_at, now),
            }
        )
    items.sort(key=lambda i: i["due_at"])
    return counts, items


def collect(app: App, *, now: datetime) -> dict[str, Any]:
    """Gather the status figures into one plain dict."""
    store = app.store
    counts, items = ledger(app, now=now)
    oldest = min(items, key=lambda i: i["created_at"]) if items else None
    sources = []
    for row in store.cursors():
        last = parse_time(row.get("last_success"))
        silent = last is None or (now - last).total_seconds() > 3 * app.settings.poll_seconds
        sources.append(
            {
                "source": row["source"],
                "last_success": row.get("last_success"),
                "errors": row.get("errors") or 0,
                "last_error": row.get("last_error"),
                "paused_until": row.get("paused_until"),
                "silent": silent,
            }
        )
    report = {
        "now": now.isoformat(timespec="seconds"),
        "database": shown(app.settings.database),
        "comments": store.count_comments(),
        "ledger": counts,
        "oldest_waiting": oldest,
        "waiting": items[:SHOWN_WAITING],
        "replies": store.state_counts(),
        "sources": sources,
        "service": _service(store.meta(keys.SERVICE), now=now),
        "heartbeat": store.meta(keys.HEARTBEAT, {}),
        "platforms": {
            name: (store.meta(keys.platform_state(name)) or {}).get("summary")
            for name, ps in app.settings.platforms.items()
            if ps.enabled and store.meta(keys.platform_state(name))
        },
        "alerts": {
            a["key"]: {"message": a["message"], "since": a["since"], "announced": bool(a["announced_at"])}
            for a in store.alerts()
        },
        "drafting": drafting(app, now=now),
        "quarantine": {
            "counts": store.quarantine_counts(),
            "newest": [
                {k: row[k] for k in ("id", "stage", "item", "error", "excerpt", "count", "first_seen", "last_seen")}
                for row in store.quarantined(limit=SHOWN_QUARANTINED)
            ],
        },
    }
    if is_url(app.settings.database):  # every `heard run` on the database shares the work: show the workers
        from heard.cluster import health as cluster_health

        report["cluster"] = cluster_health.collect(str(app.settings.database), app.settings.workspace)
    return report


def drafting(app: App, *, now: datetime) -> dict[str, Any]:
    """AI drafting's state: on or off, the model, the last success and error, and the tokens spent."""
    config = app.settings.drafting
    if not config.enabled:
        return {"enabled": False}
    endpoint = endpoint_label(config.base_url)
    state = health.read(app.store, endpoint=endpoint, model=config.model)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        **health.summary(state),
        "enabled": True,
        "paused": health.paused(state, now=now),
        "tokens_today": app.store.draft_tokens(since=midnight),
        "tokens_total": app.store.draft_tokens(),
    }


def _drafting_line(report: dict[str, Any]) -> str:
    if not report.get("enabled"):
        return "drafting: off (template drafts only)"
    if report["down"]:
        rest = f"until {_t(report['paused_until'])}" if report["paused"] else "until the next draft tries it again"
        state = f"DOWN, template drafts {rest}"
    elif report["paused"]:
        state = f"paused until {_t(report['paused_until'])}"
    else:
        state = "on"
    line = (
        f"drafting: {state}, model {report['model']} at {report['endpoint']}; last success {_t(report['last_success'])}"
    )
    if report["last_error"]:
        line += f"; last error {_t(report['last_error_at'])}: {report['last_error']}"
    return line + f"; tokens today {report['tokens_today']:,}, total {report['tokens_total']:,}"


def _service(beat: dict[str, Any] | None, *, now: datetime) -> dict[str, Any] | None:
    if not beat:
        return None
    at = parse_time(beat.get("at"))
    # The service beats every 15 s; a minute without a beat while "running" means it died.
    alive = beat.get("state") == "running" and at is not None and (now - at) < timedelta(minutes=1)
    return {**beat, "alive": alive}


def render(report: dict[str, Any]) -> str:
    """Render the status dict for a terminal."""
    ledger = report["ledger"]
    lines = [
        f"database: {report['database']}",
        f"comments stored: {report['comments']}",
        f"needing a reply: {ledger['open']} open ({ledger['overdue']} overdue), {ledger['acknowledged']} acknowledged",
    ]
    oldest = report["oldest_waiting"]
    if oldest:
        lines.append(
            f"oldest waiting: {oldest['id']} by {oldest['author']}, {oldest['waited']} ago, "
            f"due {_t(oldest['due_at'])} {oldest['url']}"
        )
    for item in report["waiting"]:
        mark = "OVERDUE" if item["overdue"] else "due"
        lines.append(
            f"  {mark} {_t(item['due_at'])}  [{item['priority']}] {item['id']} by {item['author']} "
            f"({item['state']}, waited {item['waited']})"
        )
    if report["replies"]:
        lines.append("replies: " + ", ".join(f"{k} {v}" for k, v in sorted(report["replies"].items())))
    for src in report["sources"]:
        state = (
            "paused until " + _t(src["paused_until"]) if src["paused_until"] else ("SILENT" if src["silent"] else "ok")
        )
        lines.append(
            f"source {src['source']}: {state}; last success {_t(src['last_success'] or 'never')}"
            + (f"; last error: {src['last_error']}" if src["last_error"] else "")
        )
    for name, summary in sorted(report.get("platforms", {}).items()):
        lines.append(f"platform {name}: {summary}")
    service = report["service"]
    if service:
        state = "running" if service["alive"] else f"NOT RUNNING (last state {service['state']})"
        lines.append(f"service: {state}, pid {service['pid']}, last heartbeat {_t(service['at'])}")
    if report.get("cluster"):
        from heard.cluster.health import render as cluster_lines

        lines += cluster_lines(report["cluster"])
    for job, beat in sorted(report["heartbeat"].items()):
        error = f" (error: {beat['error']})" if beat["error"] else ""
        lines.append(f"job {job}: last ran {_t(beat['at'])}{error}")
    if "drafting" in report:
        lines.append(_drafting_line(report["drafting"]))
    quarantine = report.get("quarantine") or {"counts": {}, "newest": []}
    if quarantine["counts"]:
        total = sum(quarantine["counts"].values())
        by_stage = ", ".join(f"{stage} {n}" for stage, n in sorted(quarantine["counts"].items()))
        lines.append(f"set aside: {total} ({by_stage}); `heard quarantine` shows them")
        for row in quarantine["newest"]:
            seen = f"x{row['count']}, last {_t(row['last_seen'])}"
            lines.append(f"  {printable(row['id'])} ({seen}): {row['error'][:160]}")
    for key, alert in sorted(report["alerts"].items()):
        lines.append(f"ALERT {key}: {alert['message']} (since {_t(alert['since'])})")
    if not report["alerts"]:
        lines.append("alerts: none")
    return "\n".join(lines)


def _t(stored: str | None) -> str:
    """A stored time as a person reads it: 2026-11-30 14:05 UTC."""
    if not stored or stored == "never":
        return stored or "never"
    moment = parse_time(stored)
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else stored
