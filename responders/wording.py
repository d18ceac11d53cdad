"""Say a wait and a quote the same way wherever heard shows them: status, Slack, the terminal and the report."""

from __future__ import annotations

from datetime import datetime, timedelta

ELLIPSIS = "\u2026"


def duration(span: timedelta) -> str:
    """Format a span as whole units passed, as a clock counts them: 45m, 3h 10m, 2d 4h.

    It rounds down, never to the nearest: "1h 0m" then always means the hour has passed, so the figure
    agrees with every threshold compared with the same span (an SLA's due time, a reminder step, the
    report's "<1h" bucket). A negative span (a platform's clock ahead of ours) reads as no wait.
    """
    minutes = max(0, int(span.total_seconds() // 60))
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {mins}m" if hours else f"{mins}m"


def waited(since: datetime, now: datetime) -> str:
    """Format how long something has waited since ``since``, by the one rule of `duration`."""
    return duration(now - since)


def clip(text: str, limit: int) -> str:
    """Collapse whitespace and cut to ``limit`` characters, the last an ellipsis when anything was cut."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS
