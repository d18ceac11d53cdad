"""Diagnose each platform's configuration and credentials for `heard doctor`."""

from __future__ import annotations

from heard.settings import Settings
from listener.errors import HeardError
from listener.platforms import registry


def diagnose(settings: Settings) -> tuple[list[str], bool]:
    """Return report lines and whether any enabled platform is broken."""
    lines = [f"config: {settings.config_path}", f"database: {settings.database}"]
    broken = False
    for name, spec in sorted(registry().items()):
        ps = settings.platforms[name]
        needs = ", ".join(spec.secrets) or "no secrets"
        if not ps.enabled:
            lines.append(f"{name}: not enabled (needs {needs}; set [platforms.{name}] enabled = true)")
            continue
        if ps.missing:
            broken = True
            lines.append(f"{name}: BROKEN: missing {', '.join(ps.missing)} (set them in .env)")
            continue
        try:
            who = spec.connect(ps.options, ps.secrets).check()
        except HeardError as exc:
            broken = True
            lines.append(f"{name}: BROKEN: {type(exc).__name__}: {exc}")
        except Exception as exc:  # a client library's own error, translated here for the report
            broken = True
            lines.append(f"{name}: BROKEN: {type(exc).__name__}: {exc}")
        else:
            lines.append(f"{name}: ok: {who}")
    slack = settings.slack
    if slack.get("SLACK_WEBHOOK_URL") or slack.get("SLACK_BOT_TOKEN"):
        lines.append(
            "slack: configured"
            + ("" if slack.get("SLACK_WEBHOOK_URL") or slack.get("SLACK_CHANNEL") else " but SLACK_CHANNEL is missing")
        )
    else:
        lines.append(
            "slack: not configured (set SLACK_WEBHOOK_URL, or SLACK_BOT_TOKEN and SLACK_CHANNEL); digests go to the log"
        )
    return lines, broken
