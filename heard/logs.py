"""Set up structured one-line-per-event logs that never contain a secret."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

# Variables that name an account rather than unlock it: they appear in ordinary output (doctor's "ok: @handle").
_IDENTIFIERS = ("_USERNAME", "_HANDLE", "_CHANNEL", "_BASE_URL")
SLACK_SECRETS = ("SLACK_WEBHOOK_URL", "SLACK_BOT_TOKEN")


class RedactSecrets(logging.Filter):
    """Replace every known secret value in a log line (and its traceback) with ``***``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets: list[str] = []
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Also redact these values from now on (short values would redact ordinary words)."""
        found = set(self.secrets) | {s for s in secrets if s and len(s) >= 4}
        self.secrets = sorted(found, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """The text with every known secret replaced."""
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, with secrets replaced; a traceback is rendered and redacted too."""
        if self.secrets:
            record.msg, record.args = self.redact(record.getMessage()), None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = self.redact(record.exc_text)
            if record.stack_info:
                record.stack_info = self.redact(record.stack_info)
        return True


class _Stderr(logging.Handler):
    """Write to whatever sys.stderr is when a record comes (as logging's own last resort does)."""

    def emit(self, record: logging.LogRecord) -> None:
        """Write one formatted line."""
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:  # logging's contract: a handler reports its own failure, never raises
            self.handleError(record)


# One filter for the whole process: every command's handler shares it, and settings add to it once loaded.
REDACT = RedactSecrets()


def secret_names() -> list[str]:
    """Every environment variable that unlocks something: platform credentials, Slack's, the drafting key."""
    from listener.platforms import registry
    from responders.drafting.config import API_KEY_ENV

    names = [n for spec in registry().values() for n in spec.secrets if not n.endswith(_IDENTIFIERS)]
    return [*names, *SLACK_SECRETS, API_KEY_ENV]


def secrets_in(env: Mapping[str, str]) -> list[str]:
    """The values of the secret variables set in ``env``; of a URL (Slack's webhook), its path too."""
    names = secret_names()
    ends = tuple("_" + n for n in names)  # a workspace's own: HEARD_BISTRO_X_API_KEY (docs/workspaces.md)
    values = [v for k, v in env.items() if v and (k in names or k.startswith("HEARD_") and k.endswith(ends))]
    # An HTTP library's log line names the host and the path apart: the path is the webhook's secret.
    paths = [urlsplit(v).path for v in values if v.startswith(("http://", "https://"))]
    return [*values, *(p for p in paths if len(p) >= 8)]


def environment_secrets(env_file: Path | None) -> list[str]:
    """Secret values in the process environment and the .env file, known before any settings load."""
    from dotenv import dotenv_values

    path = env_file or Path(os.environ.get("HEARD_ENV_FILE") or ".env")
    values: dict[str, str] = {}
    if path.is_file():
        try:
            values = {k: v for k, v in dotenv_values(path, interpolate=False).items() if v is not None}
        except (OSError, UnicodeDecodeError):
            values = {}  # settings report an unreadable .env; here we only gather what to hide
    return secrets_in({**values, **os.environ})


def redact(text: str) -> str:
    """The text with every secret known to this process replaced, for output that bypasses logging."""
    return REDACT.redact(text)


def setup_logging(level: str, secrets: Iterable[str]) -> None:
    """Log ``time level logger event key=value ...`` lines to stderr, every logger and warning redacted."""
    REDACT.add(secrets)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s", "%Y-%m-%dT%H:%M:%S%z"))
    # On the handler, not a logger: a handler filter sees records propagated from every library's logger.
    handler.addFilter(REDACT)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Warnings become log records, so they pass the same filter (off first: on again re-installs the
    # hook even where something replaced warnings.showwarning since the last call).
    logging.captureWarnings(False)
    logging.captureWarnings(True)
    # google-auth cuts its "google" logger off from the root unless someone configured it, and then
    # Google's own logging scope may give it an unredacted handler: a NullHandler counts as configured.
    google = logging.getLogger("google")
    if not google.handlers:
        google.addHandler(logging.NullHandler())
    # A logger cut off from the root still reaches stderr through the last-resort handler: one redacting.
    last = _Stderr(logging.WARNING)
    last.setFormatter(handler.formatter)
    last.addFilter(REDACT)
    logging.lastResort = last
    # The scheduler's own chatter drowns our events at INFO.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
