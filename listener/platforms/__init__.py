"""Provide the platform protocol and the registry that discovers one module per platform.

Adding a platform is adding a module here, named after it in one word (``x.py``), that calls
``register(PlatformSpec(...))`` at import. Its parts live beside it as ``<name>_<part>.py``
(``x_client.py``), and the shared mechanics in ``_*.py``: discovery imports neither, so listing the
platforms loads no client library (tweepy, praw, Mastodon.py, atproto, googleapiclient); a
platform's ``connect`` imports its client when the platform is used.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from listener.errors import ConfigError
from listener.platforms._reply import as_written, at_handle, plain_text
from listener.records import Account, Author, Comment, OwnPost, Page


class Platform(Protocol):
    """A connected platform client: the only thing that talks to a platform's API."""

    @property
    def name(self) -> str:
        """The platform's registry name (``x``, ``reddit``...)."""
        ...

    @property
    def account(self) -> Account:
        """Who we are on the platform (a client may ask the platform on first use)."""
        ...

    def sources(self) -> Sequence[str]:
        """Names of the sources this client polls (e.g. ``mentions``, ``search:acme``)."""
        ...

    def fetch(self, source: str, cursor: str | None, *, since: datetime) -> Page:
        """Make one bounded request for items newer than ``cursor`` (or ``since`` when there is none)."""
        ...

    def normalise(self, raw: Mapping[str, Any]) -> Comment:
        """Turn one raw payload from ``fetch`` into a Comment."""
        ...

    def after_store(self, source: str, page: Page) -> None:
        """Tell the platform the page is safely stored (e.g. mark an inbox read)."""
        ...

    def reply(self, comment: Comment, text: str) -> str:
        """Post ``text`` as a reply to ``comment``; return the remote id."""
        ...

    def find_reply(self, comment: Comment) -> str | None:
        """Return the id of our existing reply to ``comment``, if the platform has one."""
        ...

    def check(self) -> str:
        """Make one cheap authenticated call; return who we are logged in as."""
        ...


@runtime_checkable
class Stateful(Protocol):
    """Optional: a client with state worth keeping across processes (a quota count, say).

    The app stores ``export_state()`` in the database after each job and hands it back to
    ``restore_state`` when it connects; ``summary`` in the state is shown by `heard status`.
    Never put a secret in it.
    """

    def export_state(self) -> dict[str, Any]:
        """JSON-safe state to keep, with a one-line ``summary`` for people."""
        ...

    def restore_state(self, state: Mapping[str, Any]) -> None:
        """Take back state exported by an earlier process."""
        ...


@runtime_checkable
class Relay(Protocol):
    """Optional: a client that also fetches and answers other platforms' comments (a recording replayed).

    The app routes replies to those platforms' comments through it, as it does its own.
    """

    @property
    def answers_for(self) -> Collection[str]:
        """Names of the other platforms whose comments this client fetches and answers."""
        ...


@runtime_checkable
class OwnPostSource(Protocol):
    """Optional: a client that can read our own latest posts with their public metrics.

    The report's audience health (engagement rate = engagements / followers per post) reads what
    ``own_posts`` returns, stored by the app's ``own-posts`` job every few hours. One call makes a
    small bounded number of requests (at most 3: our follower count, then one page of our latest
    posts with their metrics) and returns our posts created since ``since``, newest first. Replies
    and reposts are left out: they reach other people's audiences, not ours. ``followers_at_post``
    is the follower count now, the nearest a platform tells us; the store keeps the first count it
    saw for a post, so a post's rate is not rewritten as the audience grows.
    """

    def own_posts(self, *, since: datetime) -> Sequence[OwnPost]:
        """Our posts created since ``since`` with their current metrics.

        :raises PlatformError: a request failed; nothing was returned.
        """
        ...


@runtime_checkable
class ProfileSource(Protocol):
    """Optional: a client that can look up authors' profile text where comment payloads carry none.

    Reddit comments name their author only, and YouTube comments give the author's channel id but
    not its description; the judge still needs the bio (opt-out markers, self-declared bots). The
    app asks after a page is stored, for a bounded number of authors not looked up lately.
    """

    def profiles(self, platform: str, authors: Sequence[Author]) -> Mapping[str, str]:
        """Author id -> profile text for each author looked up ("" when there is none: empty, suspended, gone).

        An author left out was not looked up this time (a failed request ended the call) and is asked
        again later; authors of another platform are left out.

        :raises PlatformError: the first request failed; nothing was looked up.
        """
        ...


Normaliser = Callable[[Mapping[str, Any], Account], Comment]
# A platform's raw post (as its API returns our own post) and our follower count -> OwnPost.
PostNormaliser = Callable[[Mapping[str, Any], int], OwnPost]
# A platform's raw profile resource (Reddit's user about, a YouTube channel) -> (author id, profile text).
ProfileNormaliser = Callable[[Mapping[str, Any]], tuple[str, str]]
Connector = Callable[[Mapping[str, Any], Mapping[str, str]], Platform]


@dataclass(frozen=True)
class PlatformSpec:
    """What the app needs to know about a platform module to configure and use it."""

    name: str
    normalise: Normaliser
    connect: Connector
    # How people write the platform's name ("X", "YouTube"), in messages and prompts.
    title: str = ""
    secrets: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    help: str = ""
    # Replies per hour we allow ourselves by default, well under the platform's own limit.
    default_post_rate: int = 30
    # Pure: one raw post of ours and the follower count -> OwnPost (for replayed recordings too).
    normalise_post: PostNormaliser | None = None
    # Pure: one raw profile resource -> (author id, profile text), for platforms whose comments carry no bio.
    normalise_profile: ProfileNormaliser | None = None
    # The longest reply the platform takes, counted its way (None: no limit known; the platform decides).
    reply_limit: int | None = None
    reply_unit: str = "characters"
    count_reply: Callable[[str], int] = len
    # A cheap upper bound of ``count_reply``: a text it puts within the limit is never counted exactly.
    bound_reply: Callable[[str], int] = len
    # How a reply names a person in its text: "@ann", or "u/ann" on Reddit.
    mention: Callable[[str], str] = at_handle
    # A reply's text as the platform will post it under a comment (Mastodon opens with "@acct ").
    address: Callable[[str, Comment], str] = as_written
    # Words taken from a comment, made to read as typed in a reply (Reddit's markdown; plain text elsewhere).
    escape: Callable[[str], str] = plain_text
    # Options naming files heard keeps for the platform (a login session); left unset, the app puts each
    # beside the database as ``{name}.{option without _file}`` (``bluesky.session``).
    state_files: tuple[str, ...] = ()

    def reply_length(self, text: str, to: Comment | None = None) -> int:
        """How long ``text`` is as the platform counts it, with the opening it is posted with when ``to`` is given."""
        return self.count_reply(self.address(text, to) if to is not None else text)

    def fits(self, text: str, to: Comment | None = None, limit: int | None = None) -> bool:
        """Whether ``text`` is within ``limit`` (the platform's own by default); counted exactly only near it."""
        allowed = limit or self.reply_limit
        if not allowed:
            return True
        posted = self.address(text, to) if to is not None else text
        # Most replies are far below the limit: the bound settles them without the dear exact count.
        return self.bound_reply(posted) <= allowed or self.count_reply(posted) <= allowed


_REGISTRY: dict[str, PlatformSpec] = {}
_DISCOVERED: list[bool] = []


def register(spec: PlatformSpec) -> PlatformSpec:
    """Add a platform to the registry (called once by each platform module at import)."""
    _REGISTRY[spec.name] = spec
    return spec


def _discover() -> None:
    for info in pkgutil.iter_modules(__path__):
        if "_" not in info.name:  # a platform, not one of its parts nor a shared module
            importlib.import_module(f"{__name__}.{info.name}")


def registry() -> Mapping[str, PlatformSpec]:
    """Every known platform, keyed by name, after importing each platform module once."""
    # Importing one platform module directly registers only that one, so discover by flag, not by emptiness.
    if not _DISCOVERED:
        _discover()
        _DISCOVERED.append(True)
    return dict(_REGISTRY)


def spec(name: str) -> PlatformSpec:
    """The spec of one platform, or a ConfigError naming the ones that exist."""
    known = registry()
    if name not in known:
        raise ConfigError(f"unknown platform {name!r}; known: {', '.join(sorted(known))}")
    return known[name]
