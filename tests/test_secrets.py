"""Secrets never show: not at DEBUG, not from a library's logger, a warning or a traceback, on any command."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import pytest

from bench.chaos_config import secret_hits
from heard.logs import REDACT, setup_logging


def test_every_command_at_debug_shows_no_secret(tmp_path: Path) -> None:
    # doctor and poll run the real clients (tweepy, praw, Mastodon.py, atproto, the Google client)
    # against the fakes; at DEBUG their loggers print request headers and signature base strings.
    steps = (("doctor",), ("poll",), ("poll",), ("status",), ("queue",))
    hits, failed = secret_hits(tmp_path, steps)
    assert all(not leaked for leaked in hits.values()), {k: v for k, v in hits.items() if v}
    # Every step ran to its end: a command that crashed early proves nothing about what it would print.
    assert not failed


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    handlers, level, secrets, last = root.handlers[:], root.level, REDACT.secrets[:], logging.lastResort
    yield
    root.handlers[:], REDACT.secrets, logging.lastResort = handlers, secrets, last
    root.setLevel(level)
    logging.captureWarnings(False)


def test_library_records_warnings_and_tracebacks_are_redacted(restore_logging, capsys) -> None:
    secret = "sk-live-0123456789abcdef"
    setup_logging("DEBUG", [secret])
    logging.getLogger("urllib3.connectionpool").debug("GET /v1?key=%s", secret)
    warnings.warn(f"token {secret} is about to expire", UserWarning, stacklevel=1)
    try:
        raise RuntimeError(f"refused Authorization: Bearer {secret}")
    except RuntimeError:
        logging.getLogger("heard").exception("job failed")
    cut_off = logging.getLogger("a.library.that.stops.propagation")  # as google-auth does with "google"
    cut_off.propagate = False
    cut_off.warning("refresh failed for token %s", secret)  # reaches stderr through the last resort
    err = capsys.readouterr().err
    assert "key=***" in err and "token *** is about" in err and "Bearer ***" in err
    assert "refresh failed for token ***" in err
    assert secret not in err


def test_a_webhook_path_logged_apart_from_its_host_is_redacted(restore_logging, capsys) -> None:
    from heard.logs import secrets_in

    hook = "https://hooks.example.com/services/T0001/B0002/s3cr3tpath"
    setup_logging("DEBUG", secrets_in({"SLACK_WEBHOOK_URL": hook}))
    logging.getLogger("urllib3.connectionpool").debug('%s "POST %s HTTP/1.1" 200', "hooks.example.com:443", hook[25:])
    err = capsys.readouterr().err
    assert "/services/" not in err and "POST *** HTTP/1.1" in err
