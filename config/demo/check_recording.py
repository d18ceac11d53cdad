"""Check that every payload in the demo recording normalises, and print what the recording holds.

Run from the repository root:  PYTHONPATH=. python config/demo/check_recording.py [path]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from listener.platforms import bluesky, mastodon, reddit, x, youtube
from listener.platforms.replay import ReplayPlatform
from listener.records import Account, Comment, OwnPost

NORMALISERS = {
    "x": x.normalise,
    "reddit": reddit.normalise,
    "mastodon": mastodon.normalise,
    "bluesky": bluesky.normalise,
    "youtube": youtube.normalise,
}
DEFAULT = Path(__file__).with_name("recording.jsonl")


def load(path: Path) -> tuple[dict[str, Account], list[Comment]]:
    """Read the header and normalise every line; raise on the first line that does not."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    if header.get("heard_recording") != 1:
        raise SystemExit(f"{path}:1: not a heard recording header")
    accounts = {
        name: Account(platform=name, id=acc["id"], handle=acc["handle"]) for name, acc in header["accounts"].items()
    }
    comments = []
    for number, line in enumerate(lines[1:], start=2):
        record = json.loads(line)
        platform = record["platform"]
        if "own_post" in record:
            continue  # one of our own posts, for audience health: checked by own_posts()
        if platform not in NORMALISERS or platform not in accounts:
            raise SystemExit(f"{path}:{number}: no normaliser or no header account for {platform!r}")
        try:
            comments.append(NORMALISERS[platform](record["payload"], accounts[platform]))
        except Exception as exc:
            raise SystemExit(f"{path}:{number}: {platform} payload does not normalise: {exc}") from exc
    return accounts, comments


def own_posts(path: Path) -> list[OwnPost]:
    """Read every own-post line with its platform's normalise_post; raise on the first that does not."""
    return ReplayPlatform(path, Path("/dev/null")).own_posts(since=datetime.now(UTC))


def summary(comments: list[Comment]) -> str:
    """Render the counts a reader of the demo cares about."""
    per_platform = Counter(c.platform for c in comments)
    per_source = Counter((c.platform, c.source) for c in comments)
    authors = {(c.platform, c.author.id) for c in comments}
    bots = sorted({f"{c.platform}:{c.author.handle}" for c in comments if c.author.is_bot})
    by_author = Counter((c.platform, c.author.handle) for c in comments if not c.is_own)
    langs = Counter(c.lang for c in comments if c.lang)
    threads = Counter(c.conversation_id for c in comments)
    first = min(c.created_at for c in comments)
    last = max(c.created_at for c in comments)
    out = [
        f"comments: {len(comments)}  ({first:%Y-%m-%d %H:%M} .. {last:%Y-%m-%d %H:%M} UTC)",
        "per platform: " + ", ".join(f"{p}={n}" for p, n in sorted(per_platform.items())),
        "per source:   " + ", ".join(f"{p}/{s}={n}" for (p, s), n in sorted(per_source.items())),
        f"own comments: {sum(c.is_own for c in comments)}",
        f"mentions_us:  {sum(c.mentions_us for c in comments)}",
        f"with parent:  {sum(c.parent_id is not None for c in comments)}",
        f"bot authors:  {len(bots)} ({', '.join(bots)})",
        f"distinct authors: {len(authors)}",
        "repeat authors: " + ", ".join(f"{p}:{h}={n}" for (p, h), n in by_author.most_common() if n > 1),
        "lang: " + ", ".join(f"{k}={n}" for k, n in sorted(langs.items())),
        "conversations with 3+ items: " + ", ".join(f"{k}={n}" for k, n in threads.most_common() if n > 2),
    ]
    return "\n".join(out)


def main() -> None:
    """Normalise the recording named on the command line (or the bundled one) and print a summary."""
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    _, comments = load(path)
    print(summary(comments))
    posts = Counter(p.platform for p in own_posts(path))
    print("own posts: " + ", ".join(f"{p}={n}" for p, n in sorted(posts.items())))


if __name__ == "__main__":
    main()
