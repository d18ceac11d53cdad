"""Name every key of the meta table in one place: a key spelled twice is a bug waiting to disagree."""

from __future__ import annotations

# Our own handles, one per platform account comments were stored for (what look-alikes are compared with).
OWN_HANDLES = "own_handles"
# Operational alerts: key -> since, message, announced_at, cleared_at, recovery_announced_at.
ALERTS = "alerts"
# The service's own beat: pid, state, started_at, at.
SERVICE = "service"
# Each service job's last run: job -> at, error.
HEARTBEAT = "heartbeat"
# AI drafting's health: endpoint, model, consecutive failures, the pause they caused, last success and error.
DRAFTING = "drafting"
# The prefix of each platform client's exported state (a quota count, say).
PLATFORM_STATE = "platform_state:"
# The prefix of each platform's posting pause (see Store.pause_posting).
POST_PAUSE = "pause:post:"


def platform_state(platform: str) -> str:
    """The meta key of one platform client's exported state."""
    return f"{PLATFORM_STATE}{platform}"


def post_pause(platform: str) -> str:
    """The meta key of one platform's posting pause."""
    return f"{POST_PAUSE}{platform}"


# The SLA (minutes) escalation worked each open comment's next notice out with, per "platform|priority".
NOTICE_SLAS = "notice_slas"
