"""Collect and render `heard status`: the acknowledgement ledger, sources' health and the heartbeat."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from heard.app import App
from listener.store import parse_time
from responders.escalate import overdue, waited


def collect(app: App, *, now: datetime) -> dict[str, Any]:
    """Gather the status figures into one plain dict."""
    store = app.store
    waiting = store.awaiting()
    late = overdue(store, app.settings.sla_for, now=now)
    oldest = waiting[0] if waiting else None
    sources = []
    for row in store.cursors():
        last = parse_time(row.get("last_success"))
        silent = last is None or (now - last).total_seconds() > 3 * app.settings.poll_seconds
        sources.append({"source": row["source"], "last_success": row.get("last_success"),
                        "errors": row.get("errors") or 0, "last_error": row.get("last_error"),
                        "paused_until": row.get("paused_until"), "silent": silent})
    return {
        "now": now.isoformat(timespec="seconds"),
        "comments": store.count_comments(),
        "ledger": {**store.ledger_counts(), "overdue": len(late)},
        "oldest_waiting": oldest and {
            "id": oldest["id"], "author": oldest["author_handle"], "url": oldest["url"],
            "waited": waited(datetime.fromisoformat(oldest["created_at"]), now)},
        "replies": store.state_counts(),
        "sources": sources,
        "heartbeat": store.meta("heartbeat", {}),
        "platforms": {name: (store.meta(f"platform_state:{name}") or {}).get("summary")
                      for name, ps in app.settings.platforms.items()
                      if ps.enabled and store.meta(f"platform_state:{name}")},
        "alerts": store.meta("alerts", {}),
    }


def render(report: dict[str, Any]) -> str:
    """Render the status dict for a terminal."""
    ledger = report["ledger"]
    lines = [
        f"comments stored: {report['comments']}",
        f"needing a reply: {ledger['open']} open ({ledger['overdue']} overdue), "
        f"{ledger['acknowledged']} acknowledged",
    ]
    oldest = report["oldest_waiting"]
    if oldest:
        lines.append(f"oldest waiting: {oldest['id']} by {oldest['author']}, {oldest['waited']} ago "
                     f"{oldest['url']}")
    if report["replies"]:
        lines.append("replies: " + ", ".join(f"{k} {v}" for k, v in sorted(report["replies"].items())))
    for src in report["sources"]:
        state = "paused until " + src["paused_until"] if src["paused_until"] else (
            "SILENT" if src["silent"] else "ok")
        lines.append(f"source {src['source']}: {state}; last success {src['last_success'] or 'never'}"
                     + (f"; last error: {src['last_error']}" if src["last_error"] else ""))
    for name, summary in sorted(report.get("platforms", {}).items()):
        lines.append(f"platform {name}: {summary}")
    for job, beat in sorted(report["heartbeat"].items()):
        lines.append(f"job {job}: last ran {beat['at']}" + (f" (error: {beat['error']})" if beat["error"] else ""))
    for key, alert in sorted(report["alerts"].items()):
        lines.append(f"ALERT {key}: {alert.get('message', '')} since {alert.get('since', '')}")
    return "\n".join(lines)
