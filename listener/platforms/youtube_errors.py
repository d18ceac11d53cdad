"""Translate googleapiclient, google-auth and httplib2 errors into heard's, a spent quota believed until midnight."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import google.auth.exceptions
import httplib2
from googleapiclient.errors import Error as GoogleApiError
from googleapiclient.errors import HttpError

from listener.errors import AuthFailed, BadPayload, PlatformError, Transient
from listener.platforms._common import Clock, whole_second
from listener.platforms._translate import by_status
from listener.platforms.youtube import Quota

_QUOTA_SPENT = {"quotaExceeded", "dailyLimitExceeded"}
_SLOW_DOWN = {"rateLimitExceeded", "userRateLimitExceeded"}
_NO_ACCESS = {"insufficientPermissions", "authError", "accessNotConfigured", "forbidden"}


def _reasons(exc: HttpError) -> set[str]:
    try:
        errors = json.loads(exc.content.decode())["error"].get("errors") or []
        return {str(e.get("reason")) for e in errors if isinstance(e, dict)}
    except (ValueError, KeyError, AttributeError, TypeError):
        return set()


@contextmanager
def translated(method: str, quota: Quota, *, writing: bool) -> Iterator[None]:
    """Turn googleapiclient, google-auth and httplib2 errors raised in the block into heard's hierarchy."""
    try:
        yield
    except HttpError as exc:
        raise _by_status(method, exc, quota, writing) from exc
    except google.auth.exceptions.RefreshError as exc:
        if getattr(exc, "retryable", False):
            raise Transient(f"youtube token refresh: {exc}") from exc
        raise AuthFailed(f"youtube refused the refresh token: {exc}") from exc
    except google.auth.exceptions.TransportError as exc:
        raise Transient(f"youtube token endpoint unreachable: {exc}") from exc
    except (httplib2.HttpLib2Error, OSError) as exc:  # includes socket timeouts and refused connections
        raise Transient(f"youtube {method}: {type(exc).__name__}: {exc}") from exc
    except ValueError as exc:
        raise BadPayload(f"youtube {method}: answer is not JSON") from exc
    except GoogleApiError as exc:
        raise PlatformError(f"youtube {method}: {type(exc).__name__}: {exc}") from exc


def _by_status(method: str, exc: HttpError, quota: Quota, writing: bool) -> PlatformError:
    status, reasons = exc.resp.status, _reasons(exc)
    what = f"youtube {method}: {status} {', '.join(sorted(reasons)) or exc.reason}"
    if reasons & _QUOTA_SPENT:
        quota.exhaust()  # never retried blindly: nothing will succeed until the Pacific midnight
        return by_status(what, 429, retry_at=quota.reset_at())
    if status == 429 or reasons & _SLOW_DOWN:
        return by_status(what, 429, retry_at=_retry_after(exc, quota.clock))
    return by_status(
        what,
        status,
        writing=writing,
        # A 400 to a write refuses the comment's text (too long, empty, unprocessable), not the account.
        refused=status == 400,
        credentials=True if reasons & _NO_ACCESS else None,
    )


def _retry_after(exc: HttpError, clock: Clock) -> datetime:
    """When to try again: after Google's Retry-After when it sends one, else in a minute."""
    try:
        seconds = max(1.0, float(exc.resp.get("retry-after", 60)))
    except (TypeError, ValueError):
        seconds = 60.0
    return whole_second(clock() + timedelta(seconds=seconds))
