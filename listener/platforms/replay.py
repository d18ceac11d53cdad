"""Provide the replay platform: comments from a recording file, replies to an outbox file, no network."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from listener.errors import BadPayload, ConfigError
from listener.platforms import PlatformSpec, register, spec
from listener.records import Account, Author, Comment, OwnPost, Page

PAGE_SIZE = 100


def read_recording(path: Path) -> tuple[dict[str, Account], list[dict[str, Any]]]:
    """Read a recording: an optional header line with our accounts, then one payload per line.

    Lines holding one of our own posts (``{"platform", "own_post", "followers"}``) or an author's profile
    (``{"platform", "profile"}``) are checked but are not comments: ``read_own_posts`` and
    ``read_profiles`` return them.

    :raises BadPayload: a line is not JSON or lacks ``platform``/``payload``; the error names the line.
    """
    accounts: dict[str, Account] = {}
    items: list[dict[str, Any]] = []
    for number, entry in _entries(path):
        if "heard_recording" in entry:
            for name, acc in (entry.get("accounts") or {}).items():
                accounts[name] = Account(name, str(acc["id"]), str(acc["handle"]))
        elif "own_post" not in entry and "profile" not in entry:
            items.append({**entry, "line": number})
    return accounts, items


def read_profiles(path: Path) -> dict[tuple[str, str], str]:
    """The authors' profiles in a recording, read by their platform's ``normalise_profile``: (platform, id) -> text.

    :raises BadPayload: a profile line's platform cannot read profiles, or its resource is unreadable.
    """
    out: dict[tuple[str, str], str] = {}
    for number, entry in _entries(path):
        if "profile" not in entry:
            continue
        try:
            normalise_profile = spec(str(entry["platform"])).normalise_profile
            if normalise_profile is None:
                raise BadPayload(f"{entry['platform']} has no profiles to read")
            author_id, text = normalise_profile(entry["profile"])
        except (ConfigError, BadPayload) as exc:
            raise BadPayload(f"{path}:{number}: {exc}") from exc
        out[(str(entry["platform"]), author_id)] = text
    return out


def read_own_posts(path: Path) -> list[dict[str, Any]]:
    """Our own posts in a recording: ``{"platform", "own_post", "followers", "line"}``, in file order."""
    return [{**entry, "line": number} for number, entry in _entries(path) if "own_post" in entry]


def _entries(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Every non-blank line of a recording, parsed and checked, with its line number."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: recording not found") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadPayload(f"{path}:{number}: not JSON: {exc.msg}") from exc
        if not isinstance(entry, dict):
            raise BadPayload(f"{path}:{number}: expected a JSON object")
        if "heard_recording" not in entry and not isinstance(entry.get("platform"), str):
            raise BadPayload(f'{path}:{number}: expected a "platform"')
        if "own_post" in entry:
            followers = entry.get("followers")
            if not isinstance(entry["own_post"], dict) or isinstance(followers, bool) or not isinstance(followers, int):
                raise BadPayload(
                    f'{path}:{number}: expected {{"platform": ..., "own_post": {{...}}, "followers": <int>}}'
                )
        elif "profile" in entry:
            if not isinstance(entry["profile"], dict):
                raise BadPayload(f'{path}:{number}: expected {{"platform": ..., "profile": {{...}}}}')
        elif "heard_recording" not in entry and not isinstance(entry.get("payload"), dict):
            raise BadPayload(f'{path}:{number}: expected {{"platform": ..., "payload": {{...}}}}')
        yield number, entry


class ReplayPlatform:
    """Replays a recording as if it came from each platform; replies go to an outbox file."""

    name = "replay"

    def __init__(self, recording: Path, outbox: Path, accounts: Mapping[str, Account] | None = None) -> None:
        self.recording, self.outbox = recording, outbox
        found, self._items = read_recording(recording)
        self.accounts = {**found, **(accounts or {})}
        self.account = Account("replay", "replay", "replay")
        self._profiles: dict[tuple[str, str], str] | None = None  # read on first use

    @property
    def answers_for(self) -> Collection[str]:
        """The platforms the recording holds comments of (and whose replies go to the outbox)."""
        return tuple(self.accounts)

    def sources(self) -> Sequence[str]:
        """A recording is one source."""
        return ["recording"]

    def fetch(self, source: str, cursor: str | None, *, since: datetime) -> Page:
        """Return the next lines after the cursor; a recording is replayed whole, whatever ``since``."""
        start = int(cursor or 0)
        chunk = self._items[start : start + PAGE_SIZE]
        end = start + len(chunk)
        return Page(tuple(chunk), str(end), more=end < len(self._items))

    def normalise(self, raw: Mapping[str, Any]) -> Comment:
        """Normalise a recorded payload with its own platform's normaliser."""
        platform = str(raw["platform"])
        account = self.accounts.get(platform)
        if account is None:
            raise BadPayload(f"{self.recording}:{raw.get('line')}: no account for {platform!r} in the header")
        try:
            return spec(platform).normalise(raw["payload"], account)
        except ConfigError as exc:
            raise BadPayload(f"{self.recording}:{raw.get('line')}: {exc}") from exc

    def after_store(self, source: str, page: Page) -> None:
        """Nothing to acknowledge in a file."""

    def reply(self, comment: Comment, text: str) -> str:
        """Append the reply to the outbox (flushed to disk before returning)."""
        remote = "replay-" + hashlib.sha256(comment.id.encode()).hexdigest()[:12]
        line = json.dumps(
            {
                "id": remote,
                "comment_id": comment.id,
                "platform": comment.platform,
                "to": comment.author.handle,
                "url": comment.url,
                "text": text,
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
            },
            ensure_ascii=False,
        )
        self.outbox.parent.mkdir(parents=True, exist_ok=True)
        with open(self.outbox, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return remote

    def find_reply(self, comment: Comment) -> str | None:
        """Look for our reply to this comment in the outbox."""
        for entry in read_outbox(self.outbox):
            if entry.get("comment_id") == comment.id:
                return str(entry["id"])
        return None

    def own_posts(self, *, since: datetime) -> Sequence[OwnPost]:
        """Our own posts in the recording, read by their platform's ``normalise_post`` (all, whatever ``since``)."""
        return [self._own_post(entry) for entry in read_own_posts(self.recording)]

    def _own_post(self, entry: Mapping[str, Any]) -> OwnPost:
        where = f"{self.recording}:{entry.get('line')}"
        try:
            normalise_post = spec(str(entry["platform"])).normalise_post
        except ConfigError as exc:
            raise BadPayload(f"{where}: {exc}") from exc
        if normalise_post is None:
            raise BadPayload(f"{where}: {entry['platform']} cannot read own posts")
        try:
            return normalise_post(entry["own_post"], int(entry["followers"]))
        except BadPayload as exc:
            raise BadPayload(f"{where}: {exc}") from exc

    def profiles(self, platform: str, authors: Sequence[Author]) -> Mapping[str, str]:
        """The recorded profile of each author ("" for an author the recording has none of).

        :raises BadPayload: a profile line cannot be read by its platform's ``normalise_profile``.
        """
        if self._profiles is None:
            self._profiles = read_profiles(self.recording)
        return {a.id: self._profiles.get((platform, a.id), "") for a in authors}

    def check(self) -> str:
        """A recording needs no credentials."""
        return f"recording {self.recording} ({len(self._items)} items)"


def read_outbox(path: Path) -> list[dict[str, Any]]:
    """Every reply written to an outbox file (a torn last line from a crash is ignored)."""
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out


def _connect(options: Mapping[str, Any], secrets: Mapping[str, str]) -> ReplayPlatform:
    return ReplayPlatform(
        Path(options.get("recording", "config/demo/recording.jsonl")), Path(options.get("outbox", "var/outbox.jsonl"))
    )


register(
    PlatformSpec(
        name="replay",
        title="Replay",
        normalise=lambda raw, account: spec(str(raw["platform"])).normalise(raw["payload"], account),
        connect=_connect,
        options=("recording", "outbox"),
        help="replays a recorded JSONL file; replies go to an outbox file",
        default_post_rate=100000,
    )
)
