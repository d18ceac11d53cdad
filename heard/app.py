"""Wire settings to the stages: one object that knows the store, the clients, the NLP and the rules."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

from heard.settings import Settings
from listener.errors import ConfigError, HeardError, PlatformError
from listener.platforms import OwnPostSource, Platform, ProfileSource, registry, spec
from listener.poll import PollResult, poll_once
from listener.profiles import ProfilesResult, refresh_profiles
from listener.store import Store
from responders import approvals
from responders.decide import DecideResult, decide_pending
from responders.escalate import Notifier, Overdue, escalate
from responders.post import PostResult, post_approved
from responders.suggest import Library, load_library

log = logging.getLogger("heard")
# How far back each refresh asks for our own posts (the report's default window); older rows stay.
OWN_POSTS_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class OwnPostsResult:
    """What one refresh of our own posts did: rows stored per platform, and errors per platform."""

    stored: Mapping[str, int] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)

    def check(self) -> OwnPostsResult:
        """Return self, or raise once everything else is stored, so a job records the failures.

        :raises PlatformError: naming each platform that failed.
        """
        if self.errors:
            raise PlatformError("own posts: " + "; ".join(f"{k}: {v}" for k, v in sorted(self.errors.items())))
        return self


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class App:
    """heard's stages, each idempotent and meeting the others only in the database."""

    def __init__(self, settings: Settings, *, clients: Mapping[str, Platform] | None = None) -> None:
        self.settings = settings
        self.store = Store(settings.database)
        self._clients = dict(clients) if clients is not None else None

    @cached_property
    def library(self) -> Library:
        """The reply templates from replies.toml."""
        return load_library(self.settings.replies_path)

    @cached_property
    def nlp(self) -> Any:
        """The spaCy pipeline, loaded once."""
        from listener.nlp import build_nlp

        return build_nlp()

    @property
    def clients(self) -> dict[str, Platform]:
        """Connected clients of every enabled platform, keyed by platform name."""
        if self._clients is None:
            self._clients = connect_enabled(self.settings)
            for client in _unique(self._clients.values()):
                restore = getattr(client, "restore_state", None)
                saved = self.store.meta(f"platform_state:{client.name}")
                if restore and saved:
                    restore(saved)
        return self._clients

    def save_states(self) -> None:
        """Keep each client's exportable state (e.g. a quota count) in the database."""
        for client in _unique((self._clients or {}).values()):
            export = getattr(client, "export_state", None)
            if export:
                self.store.set_meta(f"platform_state:{client.name}", export())

    def poll(
        self, *, now: datetime, backfill: timedelta | None = None, only: set[str] | None = None
    ) -> list[PollResult]:
        """Poll every source of every connected platform once; one failure never stops the rest."""
        unknown = (only or set()) - set(self.clients)
        if unknown:
            raise ConfigError(f"not enabled: {', '.join(sorted(unknown))} (enabled: {', '.join(self.clients)})")
        results = []
        for client in _unique(self.clients.values()):
            if only and client.name not in only:
                continue
            for source in client.sources():
                results.append(self.poll_source(client, source, now=now, backfill=backfill))
        return results

    def poll_source(
        self, client: Platform, source: str, *, now: datetime, backfill: timedelta | None = None
    ) -> PollResult:
        """Poll one source once, logging the outcome."""
        result = poll_once(client, source, self.store, now=now, backfill=backfill)
        if not result.error and isinstance(client, ProfileSource):
            self.look_up_profiles(client, now=now)
        self.save_states()
        log.info(
            "poll source=%s fetched=%d stored=%d skipped=%d error=%s",
            result.source,
            result.fetched,
            result.stored,
            result.skipped,
            result.error or "-",
        )
        return result

    def look_up_profiles(self, client: ProfileSource, *, now: datetime) -> ProfilesResult:
        """Store the profile text of a bounded few authors due a look-up, on each platform the client answers for.

        Only platforms whose comments carry no bio (those with a ``normalise_profile``) are asked; the
        replay client answers for several.
        """
        known = registry()
        platforms = [
            name
            for name, c in self.clients.items()
            if c is client and name in known and known[name].normalise_profile is not None
        ]
        result = refresh_profiles(client, platforms, self.store, now=now)
        if result.asked or result.errors:
            log.info(
                "profiles platforms=%s asked=%d with_text=%d errors=%s",
                ",".join(platforms),
                result.asked,
                result.with_text,
                "; ".join(result.errors) or "-",
            )
        return result

    def fetch_own_posts(self, *, now: datetime, only: set[str] | None = None) -> OwnPostsResult:
        """Refresh our own posts and their metrics from every client that can read them.

        One failing platform is logged and recorded in the result; the others still run.
        """
        stored: dict[str, int] = {}
        errors: dict[str, str] = {}
        for client in _unique(self.clients.values()):
            if not isinstance(client, OwnPostSource) or (only and client.name not in only):
                continue
            try:
                posts = client.own_posts(since=now - OWN_POSTS_WINDOW)
            except PlatformError as exc:
                log.warning("own-posts platform=%s error=%s", client.name, exc)
                errors[client.name] = str(exc)
                continue
            self.store.save_own_posts([dataclasses.asdict(p) for p in posts], now=now)
            for post in posts:  # the replay client answers for several platforms
                stored[post.platform] = stored.get(post.platform, 0) + 1
            log.info("own-posts platform=%s stored=%d", client.name, len(posts))
        self.save_states()
        return OwnPostsResult(stored, errors)

    def tag(self, *, now: datetime) -> int:
        """Tag every untagged comment."""
        from listener.nlp import tag

        total = 0
        while batch := self.store.untagged(limit=2000):
            total += self.store.save_tags(tag(batch, self.nlp), now=now)
        return total

    def decide(self, *, now: datetime) -> DecideResult:
        """Suggest replies (or record why not) for every newly tagged comment."""
        return decide_pending(self.store, self.library, auto=self.settings.auto, dry_run=self.settings.dry_run, now=now)

    def sync_queue(self, *, now: datetime) -> approvals.SyncResult:
        """Apply the person's decisions from the queue file and rewrite it."""
        return approvals.sync(self.store, self.settings.queue_file, now=now)

    def post(self, *, now: datetime) -> PostResult:
        """Post approved replies exactly once."""
        result = post_approved(
            self.store,
            self.clients,
            now=now,
            hourly_caps=self.settings.post_rate,
            cooldown=timedelta(minutes=self.settings.cooldown_minutes),
            dry_run=self.settings.dry_run,
        )
        self.save_states()
        return result

    def escalate(self, notifier: Notifier, *, now: datetime) -> list[Overdue]:
        """Deliver notices for comments waiting past the SLA."""
        return escalate(
            self.store,
            notifier,
            self.settings.sla_for,
            now=now,
            quiet=self.settings.quiet_hours,
            timezone=self.settings.slack_timezone,
        )

    def heartbeat(self, job: str, *, now: datetime, error: str | None = None) -> None:
        """Record that a job ran, for `heard status`."""
        beats = self.store.meta("heartbeat", {})
        beats[job] = {"at": now.isoformat(timespec="seconds"), "error": error}
        self.store.set_meta("heartbeat", beats)


def connect_enabled(settings: Settings) -> dict[str, Platform]:
    """Connect every enabled platform; the replay platform answers for the platforms it replays."""
    clients: dict[str, Platform] = {}
    for name, ps in settings.platforms.items():
        if not ps.enabled:
            continue
        if ps.missing:
            raise ConfigError(
                f"platform {name} is enabled but these variables are not set: "
                f"{', '.join(ps.missing)} (put them in .env)"
            )
        try:
            client = spec(name).connect(ps.options, ps.secrets)
        except HeardError:
            raise
        except Exception as exc:  # a client library's own constructor errors, translated here
            raise ConfigError(f"platform {name}: cannot connect: {type(exc).__name__}: {exc}") from exc
        if name == "replay":
            for replayed in getattr(client, "accounts", {}):
                clients.setdefault(replayed, client)
        clients[name] = client
    return clients


def _unique(clients: Any) -> list[Platform]:
    seen: dict[int, Platform] = {}
    for client in clients:
        seen.setdefault(id(client), client)
    return list(seen.values())
