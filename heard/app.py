"""Wire settings to the stages: one object that knows the store, the clients, the NLP and the rules."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from heard.logs import REDACT
from heard.settings import Settings
from heard.workspaces import state_file
from listener.errors import ConfigError, HeardError, PlatformError
from listener.platforms import OwnPostSource, Platform, ProfileSource, Relay, Stateful, registry, spec
from listener.poll import PollResult, poll_burst, source_key
from listener.profiles import ProfilesResult, refresh_profiles
from listener.quarantine import RAW_STAGES, Reject, describe, is_systemic
from listener.store import Store, keys
from listener.tag import tag_isolating, tag_pending
from responders import approvals
from responders.decide import DecideResult, decide_pending
from responders.escalate import Notifier, Overdue, escalate
from responders.knowledge import load_knowledge
from responders.library import Library, load_library
from responders.post import PostResult, post_approved

if TYPE_CHECKING:
    from responders.drafting.drafter import Drafter

log = logging.getLogger("heard")
# The order of the stages after polling, written once: the service, `heard poll`, `heard post`, replay,
# quarantine retries and the demo all run (a slice of) this.
STAGES = ("tag", "decide", "queue", "post")
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


@dataclass(frozen=True)
class WorkResult:
    """What one pass of the stages did: each stage's result (None: not run, or failed) and the failures."""

    tagged: int | None = None
    decided: DecideResult | None = None
    synced: approvals.SyncResult | None = None
    posted: PostResult | None = None
    failures: tuple[str, ...] = ()


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class App:
    """heard's stages, each idempotent and meeting the others only in the database."""

    def __init__(self, settings: Settings, *, clients: Mapping[str, Platform] | None = None) -> None:
        self.settings = settings
        self.store = Store(settings.database)
        self._clients = dict(clients) if clients is not None else None
        # The drafting endpoint's key is a secret like the platforms' (read from .env, never logged).
        REDACT.add([settings.drafting.api_key])

    @cached_property
    def library(self) -> Library:
        """The reply templates from replies.toml, with the facts drafts may state from knowledge.md."""
        return load_library(self.settings.replies_path, knowledge=load_knowledge(self.settings.knowledge_file))

    @cached_property
    def nlp(self) -> Any:
        """The spaCy pipeline, loaded once."""
        from listener.nlp import build_nlp

        return build_nlp()

    @cached_property
    def drafter(self) -> Drafter | None:
        """The AI drafter when ``[drafting]`` is on, else None; openai itself loads with the first draft."""
        from responders.drafting import health

        config = self.settings.drafting
        if not config.enabled:
            if not self.store.read_only:
                health.forget(self.store)  # turned off: a dead endpoint's alert no longer applies
            return None
        from responders.drafting.drafter import Drafter

        secrets = [v for ps in self.settings.platforms.values() for v in ps.secrets.values()]
        return Drafter(
            config,
            self.store,
            self.library,
            secrets=[*secrets, *self.settings.slack.values()],
            posting_auto=self.settings.auto,
        )

    @property
    def clients(self) -> dict[str, Platform]:
        """Connected clients of every enabled platform, keyed by platform name."""
        if self._clients is None:
            self._clients = connect_enabled(self.settings)
            for client in _unique(self._clients.values()):
                saved = self.store.meta(keys.platform_state(client.name))
                if isinstance(client, Stateful) and saved:
                    client.restore_state(saved)
        return self._clients

    def save_states(self) -> None:
        """Keep each client's exportable state (e.g. a quota count) in the database."""
        for client in _unique((self._clients or {}).values()):
            if isinstance(client, Stateful):
                self.store.set_meta(keys.platform_state(client.name), client.export_state())

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

    def sources(self) -> dict[str, tuple[Platform, str]]:
        """Every source of every connected platform by its cursor key, with the client that polls it."""
        return {source_key(c, source): (c, source) for c in _unique(self.clients.values()) for source in c.sources()}

    def poll_source(
        self, client: Platform, source: str, *, now: datetime, backfill: timedelta | None = None
    ) -> PollResult:
        """Poll one source, page after page while a burst lasts (bounded), logging the outcome."""
        result = poll_burst(client, source, self.store, now=now, backfill=backfill)
        if not result.error and isinstance(client, ProfileSource):
            self.look_up_profiles(client, now=now)
        self.save_states()
        log.info(
            "poll source=%s pages=%d fetched=%d stored=%d set_aside=%d error=%s",
            result.source,
            result.pages,
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

    def work(
        self, *, now: datetime, through: str = "post", stages: Sequence[str] | None = None, keep_going: bool = True
    ) -> WorkResult:
        """Run the stages in STAGES order: all up to ``through``, or only ``stages``.

        With ``keep_going`` (the service) a stage that fails is recorded and the next one still runs, so a
        malformed queue file never holds back approved replies; without it the first failure is raised.
        """
        names = set(stages) if stages is not None else set(STAGES[: STAGES.index(through) + 1])
        unknown = names - set(STAGES)
        if unknown:
            raise ValueError(f"unknown stages: {sorted(unknown)}")
        run: dict[str, Any] = {"tag": self.tag, "decide": self.decide, "queue": self.sync_queue, "post": self.post}
        done: dict[str, Any] = {}
        failures: list[str] = []
        for name in (n for n in STAGES if n in names):
            try:
                done[name] = run[name](now=now)
            except HeardError as exc:
                if not keep_going:
                    raise
                failures.append(f"{name}: {exc}")
                log.error("work stage=%s error=%s", name, exc)
            except Exception as exc:  # a bug in one stage must not stop the others
                if not keep_going:
                    raise
                failures.append(f"{name}: {type(exc).__name__}: {exc}")
                log.exception("work stage=%s crashed error=%s", name, type(exc).__name__)
        return WorkResult(done.get("tag"), done.get("decide"), done.get("queue"), done.get("post"), tuple(failures))

    def tag(self, *, now: datetime) -> int:
        """Tag every untagged comment in batches; a comment the tagger refuses is set aside alone."""
        return tag_pending(self.store, lambda: self.nlp, now=now)

    def decide(self, *, now: datetime, only: Sequence[str] | None = None) -> DecideResult:
        """Suggest replies (or record why not) for every tagged comment; one that fails is set aside alone."""
        return decide_pending(
            self.store,
            self.library,
            auto=self.settings.auto,
            dry_run=self.settings.dry_run,
            now=now,
            only=only,
            drafter=self.drafter,
        )

    def retry_quarantined(self, refs: Iterable[str] | None, *, now: datetime) -> tuple[int, int]:
        """Run items set aside (named by quarantine or item id; None: all) through their stage again.

        A raw payload is normalised and stored again, a stored comment tagged or decided again. One
        that passes leaves quarantine; one that fails again stays, counted once more. Return (passed, failed).
        """
        passed = failed = 0
        for row in self.store.quarantined(refs=None if refs is None else list(refs)):
            if self._retry(row, now=now):
                self.store.release([row["id"]], now=now, why="retried")
                passed += 1
            else:
                failed += 1
        return passed, failed

    def _retry(self, row: Mapping[str, Any], *, now: datetime) -> bool:
        stage, item, source = row["stage"], row["item"], row["source"] or ""
        again: list[Reject] = []
        try:
            if stage in RAW_STAGES:
                client = next((c for c in _unique(self.clients.values()) if c.name == source.split(":", 1)[0]), None)
                if client is None or row["raw"] is None:
                    raise ConfigError(f"{row['id']}: platform of {source!r} is not enabled, or no payload was kept")
                comment = client.normalise(row["raw"])
                saved = self.store.store_page(
                    source, [comment], None, now=now, raws={comment.id: row["raw"]}, touch_source=False
                )
                if saved.set_aside and stage == "normalise":  # readable now, but refused by the database
                    self.store.release([row["id"]], now=now, why=f"moved to store:{comment.id}")
                return not saved.set_aside
            if stage == "tag":
                tags, again = tag_isolating(list(self.store.comments([item]).values()), self.nlp)
                self.store.save_tags(tags, now=now)
                return not again
            return self.decide(now=now, only=[item]).set_aside == 0
        except Exception as exc:
            if is_systemic(exc) and not isinstance(exc, ConfigError):
                raise
            again = [Reject(stage, item, describe(exc), row["source"], row["excerpt"])]
            return False
        finally:
            self.store.set_aside(again, now=now)

    def sync_queue(self, *, now: datetime) -> approvals.SyncResult:
        """Apply the person's decisions from the queue file and rewrite it."""
        return approvals.sync(self.store, self.settings.queue_file, now=now, max_items=self.settings.queue_max_items)

    def post(self, *, now: datetime) -> PostResult:
        """Post approved replies exactly once."""
        result = post_approved(
            self.store,
            self.clients,
            now=now,
            hourly_caps=self.settings.post_rate,
            cooldown=timedelta(minutes=self.settings.cooldown_minutes),
            dry_run=self.settings.dry_run,
            settle=timedelta(seconds=self.settings.settle_seconds),
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
        beats = self.store.meta(keys.HEARTBEAT, {})
        beats[job] = {"at": now.isoformat(timespec="seconds"), "error": error}
        self.store.set_meta(keys.HEARTBEAT, beats)


def connect_enabled(settings: Settings) -> dict[str, Platform]:
    """Connect every enabled platform; a relay (the replay platform) also answers for the platforms it relays."""
    clients: dict[str, Platform] = {}
    for name, ps in settings.platforms.items():
        if not ps.enabled:
            continue
        if ps.missing:
            raise ConfigError(
                f"platform {name} is enabled but these variables are not set: "
                f"{', '.join(ps.missing)} (put them in .env)"
            )
        platform = spec(name)
        kept = {f: str(state_file(settings.database, name, f)) for f in platform.state_files}
        try:
            client = platform.connect({**kept, **ps.options}, ps.secrets)
        except HeardError:
            raise
        except Exception as exc:  # a client library's own constructor errors, translated here
            raise ConfigError(f"platform {name}: cannot connect: {type(exc).__name__}: {exc}") from exc
        if isinstance(client, Relay):
            for other in client.answers_for:
                clients.setdefault(other, client)
        clients[name] = client
    return clients


def _unique(clients: Any) -> list[Platform]:
    seen: dict[int, Platform] = {}
    for client in clients:
        seen.setdefault(id(client), client)
    return list(seen.values())
