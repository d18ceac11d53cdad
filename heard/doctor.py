"""Diagnose each platform's configuration and credentials for `heard doctor`."""

from __future__ import annotations

from heard.logs import redact
from heard.settings import Settings
from heard.workspaces import shown
from listener.errors import ConfigError, HeardError
from listener.platforms import registry
from responders.library import load_library


def diagnose(settings: Settings) -> tuple[list[str], bool]:
    """Return report lines and whether any enabled platform is broken."""
    lines = [f"config: {settings.config_path}", f"database: {shown(settings.database)}"]
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
        except ConfigError as exc:  # an option's value: name the file it is in
            broken = True
            lines.append(f"{name}: BROKEN: {settings.config_path}: {exc}")
        except HeardError as exc:
            broken = True
            lines.append(f"{name}: BROKEN: {type(exc).__name__}: {exc}")
        except Exception as exc:  # a client library's own error, translated here for the report
            broken = True
            lines.append(f"{name}: BROKEN: {type(exc).__name__}: {exc}")
        else:
            lines.append(f"{name}: ok: {who}")
    try:
        library = load_library(settings.replies_path)
    except ConfigError as exc:
        broken = True
        lines.append(f"replies: BROKEN: {exc}")
    else:
        lines.append(f"replies: ok: {len(library.templates)} templates, {len(library.answers)} answers")
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
    # A client library's error can quote a URL or header carrying a credential.
    return [redact(line) for line in lines], broken
