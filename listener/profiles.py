"""Look up the profile text of authors whose comments carry none (Reddit, YouTube), a bounded few per poll."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from listener.errors import PlatformError
from listener.platforms import ProfileSource
from listener.store import Store

log = logging.getLogger(__name__)

# Authors looked up per platform per poll of a source: a backfill's hundreds of new people spread over ticks.
PROFILES_PER_POLL = 50
# A profile is looked up again after this long, if its author has written since: people add "#nobot" later.
RECHECK = timedelta(days=7)


@dataclass(frozen=True)
class ProfilesResult:
    """What one round of look-ups did: authors asked about, profiles with text, and errors per platform."""

    asked: int = 0
    with_text: int = 0
    errors: tuple[str, ...] = ()


def refresh_profiles(client: ProfileSource, platforms: Sequence[str], store: Store, *, now: datetime) -> ProfilesResult:
    """Ask ``client`` for the profiles of authors due a look-up on each platform, and store them as bios.

    A failed look-up is logged and stores nothing: those authors stay due and are asked on a later poll.
    """
    asked = with_text = 0
    errors: list[str] = []
    for platform in platforms:
        due = store.profiles_due(platform, checked_before=now - RECHECK, limit=PROFILES_PER_POLL)
        if not due:
            continue
        try:
            found = client.profiles(platform, due)
        except PlatformError as exc:
            log.warning("profiles platform=%s error=%s", platform, exc)
            errors.append(f"{platform}: {type(exc).__name__}: {exc}")
            continue
        wanted = {a.id for a in due}
        store.save_profiles(platform, {k: v for k, v in found.items() if k in wanted}, now=now)
        asked, with_text = asked + len(found), with_text + sum(bool(v) for v in found.values())
    return ProfilesResult(asked, with_text, tuple(errors))
