"""Campaign on the normalisers: type-mutated payloads must come out as a clean Comment or a BadPayload.

For each platform, valid payloads (the demo recording's, plus a few below that use every field
``normalise`` reads) are mutated at random: a nested value replaced by null, a number, a bool, a
string, a list or an object; a key dropped; a string replaced by a hostile one (each control
character, lone surrogates, noncharacters, a 1 MB text, RTL and zero-width marks, YAML and template
syntax). Each variant goes through the platform's ``normalise``. Outcomes:

- ``ok``: a Comment whose every field has the right type and clean text (``listener.text``);
- ``BadPayload``: refused, with the field named;
- ``other``: any other exception (``escaped``), or a Comment with a wrong-typed or unclean field
  (``unclean``: it would fail the store, the queue file or the tagger later). Target: 0.

    .venv/bin/python bench/chaos.py payloads-x --n 20000
    .venv/bin/python bench/chaos_payloads.py --n 20000        # every platform, one row each

``tests/test_normalise_fuzz.py`` runs a bounded version with a fixed seed.
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import math
import random
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from listener.errors import BadPayload  # noqa: E402
from listener.records import Account, Comment  # noqa: E402
from listener.text import MAX_TEXT, is_clean  # noqa: E402

PLATFORMS = ("x", "reddit", "mastodon", "bluesky", "youtube")
RECORDING = ROOT / "config" / "demo" / "recording.jsonl"
DEFAULT_N = 20_000
SEED = 15
FROM_RECORDING = 8  # payloads per platform taken from the demo recording, spread over it

# Hostile strings: every C0 control, DEL and C1 controls, lone surrogates, noncharacters, line and
# paragraph separators, RTL and zero-width marks, YAML and template syntax, and a 1 MB text.
HOSTILE = (
    *(f"a{chr(c)}b" for c in [*range(0x20), 0x7F, 0x80, 0x85, 0x9B, 0x9F]),
    "cut emoji \ud83d",
    "\ude00 low half first",
    "pair split \ud83d\ude00 by hand",
    "non\ufffecharacters\uffff\U0010ffff\ufdd0",
    "line\u2028para\u2029",
    "old mac\rline",
    "\u202eevil\u202c \u200b\u200d\u2066isolate\u2069 \ufeff",
    "{name!r} {0} ${HOME} %s",
    "#1 customer: *alias &anchor !!python/object --- ...",
    "",
    " ",
    "x" * 1_048_576,
)
SCALARS: tuple[Any, ...] = (None, 0, -1, 2**63, 1.5, math.nan, math.inf, True, False, "", "5")


@dataclass
class Tally:
    """How the variants of one platform came out, with a few examples of each escape."""

    platform: str
    counts: Counter[str] = field(default_factory=Counter)
    escapes: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    @property
    def other(self) -> int:
        return self.counts["escaped"] + self.counts["unclean"]


def seeds() -> dict[str, tuple[Account, list[dict[str, Any]]]]:
    """Valid payloads per platform, with the account they are read for."""
    lines = [json.loads(line) for line in RECORDING.read_text(encoding="utf-8").splitlines() if line.strip()]
    accounts = {p: Account(p, a["id"], a["handle"]) for p, a in lines[0]["accounts"].items()}
    found: dict[str, list[dict[str, Any]]] = {p: [] for p in PLATFORMS}
    for line in lines[1:]:
        if line.get("platform") in found and "payload" in line:
            found[line["platform"]].append(line["payload"])
    picked = {p: items[:: max(1, len(items) // FROM_RECORDING)][:FROM_RECORDING] for p, items in found.items()}
    return {p: (accounts[p], [*picked[p], *_rich(p, accounts[p])]) for p in PLATFORMS}


def _rich(platform: str, us: Account) -> list[dict[str, Any]]:
    """Payloads that use every field the platform's normalise reads (replies, quotes, labels, links)."""
    when = "2026-11-27T10:00:00.000Z"
    if platform == "x":
        ref = [{"type": "replied_to", "id": "1900000000000000001"}, {"type": "quoted", "id": "1900000000000000002"}]
        return [
            {
                "data": {
                    "id": "1900000000000000007",
                    "text": f"@{us.handle} &amp; thanks https://t.co/x",
                    "author_id": "2002",
                    "created_at": when,
                    "conversation_id": "1900000000000000001",
                    "in_reply_to_user_id": us.id,
                    "lang": "en",
                    "referenced_tweets": ref,
                    "entities": {
                        "mentions": [{"id": us.id, "username": us.handle}],
                        "urls": [{"expanded_url": f"https://x.com/{us.handle}/status/1900000000000000002"}],
                    },
                },
                "includes": {
                    "users": [
                        {
                            "id": "2002",
                            "username": "bob",
                            "name": "Bob",
                            "description": "I post deals",
                            "affiliation": {"description": "Automated by @someone"},
                        }
                    ],
                    "tweets": [{"id": "1900000000000000001", "author_id": us.id, "text": "ours"}],
                },
            },
            {"data": {"id": "1900000000000000008", "text": "RT @x: hi", "author_id": "2003", "created_at": when,
                      "referenced_tweets": [{"type": "retweeted", "id": "1"}]}},
        ]  # fmt: skip
    if platform == "reddit":
        return [
            {"kind": "t3", "data": {"id": "abc12", "name": "t3_abc12", "title": "Grinder question", "selftext": "body",
                                    "author": "carol", "author_fullname": "t2_carol", "created_utc": 1795765701.0,
                                    "permalink": "/r/Coffee/comments/abc12/grinder/", "link_author": us.handle}},
            {"kind": "t1", "data": {"id": "def34", "body": "under our post", "author": "dan", "created_utc": 1795765702,
                                    "link_id": "t3_abc12", "parent_id": "t1_zzz99", "link_author": us.handle,
                                    "context": "/r/Coffee/comments/abc12/grinder/def34/?context=3"}},
        ]  # fmt: skip
    if platform == "mastodon":
        status = {
            "id": "117687875149407999",
            "created_at": when,
            "in_reply_to_id": "117687875149407001",
            "in_reply_to_account_id": us.id,
            "language": "en",
            "url": "https://example.social/@erin/117687875149407999",
            "content": "<p>hi <span>@driftwood</span></p><p>second<br>line</p>",
            "mentions": [{"id": us.id, "acct": us.handle}],
            "account": {"id": "42", "acct": "erin@example.social", "display_name": "Erin", "bot": True,
                        "note": "<p>bio</p>"},
        }  # fmt: skip
        return [{"id": "9", "type": "tag", "status": status}, {"id": "10", "type": "own", "status": status}]
    if platform == "bluesky":
        reply = {"parent": {"uri": "at://did:plc:us/app.bsky.feed.post/1", "cid": "c1"},
                 "root": {"uri": "at://did:plc:us/app.bsky.feed.post/0", "cid": "c0"}}  # fmt: skip
        return [
            {"uri": "at://did:plc:frank/app.bsky.feed.post/3n3", "cid": "c3", "reason": "reply",
             "author": {"did": "did:plc:frank", "handle": "frank.bsky.social", "displayName": "Frank",
                        "description": "bio", "labels": [{"val": "bot"}]},
             "record": {"text": "", "embed": {"$type": "app.bsky.embed.images"}, "reply": reply, "langs": ["en"],
                        "createdAt": when, "facets": [{"features": [{"did": us.id}]}]},
             "indexedAt": when},
        ]  # fmt: skip
    return [  # youtube: a reply to another viewer in a thread, and one naming us
        {"id": "Ugx.reply1", "heard_thread_author": "UCother0000000000000000",
         "snippet": {"textOriginal": "@someone same here", "textDisplay": "@someone same here",
                     "authorDisplayName": "@gina", "authorChannelId": {"value": "UCgina00000000000000000"},
                     "videoId": "q7Xb2LmR9tA", "channelId": us.id, "parentId": "Ugx", "publishedAt": when}},
        {"id": "Ugy", "snippet": {"textDisplay": "love it &amp; more", "authorDisplayName": "@hal",
                                  "channelId": us.id, "publishedAt": when}},
    ]  # fmt: skip


# -- mutation -------------------------------------------------------------------------------------


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a payload: the root, each key of each object, each item of each list."""
    yield path
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*path, i))


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if roll < 0.45 or depth > 1:
        return rng.choice(SCALARS)
    if roll < 0.7:
        return rng.choice(HOSTILE)
    if roll < 0.85:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 2))]
    return {rng.choice(("id", "text", "value", "uri", "x")): _random_value(rng, depth + 1)}


def mutate(payload: dict[str, Any], rng: random.Random) -> Any:
    """A copy of ``payload`` with one to three random changes."""
    out: Any = copy.deepcopy(payload)
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        paths = list(_paths(out))
        path = rng.choice(paths[1:] if len(paths) > 1 and rng.random() > 0.01 else paths)
        if not path:
            return _random_value(rng)
        parent = out
        for step in path[:-1]:
            parent = parent[step]
        key, current = path[-1], parent[path[-1]]
        roll = rng.random()
        if roll < 0.2:
            del parent[key]
        elif roll < 0.45 and isinstance(current, str):
            parent[key] = rng.choice(HOSTILE) if rng.random() < 0.7 else current + rng.choice(HOSTILE)
        else:
            parent[key] = _random_value(rng)
    return out


# -- judging ----------------------------------------------------------------------------------------


def defect(comment: Any) -> str | None:
    """What is wrong with a normalised Comment (a wrong type, or text that is not clean), or None."""
    if not isinstance(comment, Comment):
        return f"returned {type(comment).__name__}"
    a = comment.author
    texts = {
        "platform": comment.platform,
        "native_id": comment.native_id,
        "account": comment.account,
        "source": comment.source,
        "text": comment.text,
        "url": comment.url,
        "author.id": a.id,
        "author.handle": a.handle,
        "author.name": a.name,
        "author.bio": a.bio,
    }
    optional = {"parent_id": comment.parent_id, "conversation_id": comment.conversation_id, "lang": comment.lang}
    for name, value in [*texts.items(), *((k, v) for k, v in optional.items() if v is not None)]:
        if not isinstance(value, str):
            return f"{name} is {type(value).__name__}"
        if not is_clean(value, MAX_TEXT):
            return f"{name} not clean"
    if not comment.native_id:
        return "empty native_id"
    for name, flag in (("mentions_us", comment.mentions_us), ("is_own", comment.is_own), ("is_bot", a.is_bot)):
        if not isinstance(flag, bool):
            return f"{name} is {type(flag).__name__}"
    if not isinstance(comment.created_at, datetime) or comment.created_at.tzinfo is None:
        return "created_at not an aware datetime"
    return None


def run(platform: str, n: int, seed: int = SEED) -> Tally:
    """Feed ``n`` mutated payloads of ``platform`` to its normalise and count the outcomes."""
    normalise: Callable[[Any, Account], Comment] = importlib.import_module(f"listener.platforms.{platform}").normalise
    account, payloads = seeds()[platform]
    rng = random.Random(f"{seed}:{platform}")
    tally = Tally(platform)
    for _ in range(n):
        variant = mutate(rng.choice(payloads), rng)
        try:
            problem = defect(normalise(variant, account))
            outcome = "unclean" if problem else "ok"
        except BadPayload:
            problem, outcome = None, "BadPayload"
        except Exception as exc:  # the campaign counts every escape; none may stop it
            problem, outcome = f"{type(exc).__name__}: {str(exc)[:120]}", "escaped"
        tally.counts[outcome] += 1
        if problem:
            label = problem.split(":")[0]
            tally.escapes[label] += 1
            tally.examples.setdefault(label, problem)
    return tally


def figure(tally: Tally) -> str:
    """One line: the outcome counts and the commonest escapes."""
    c = tally.counts
    line = f"{sum(c.values())}: {c['ok']} ok, {c['BadPayload']} BadPayload, {tally.other} other"
    if tally.other:
        line += f" = {c['escaped']} escaped + {c['unclean']} unclean"
    if tally.escapes:
        line += " (" + ", ".join(f"{k} {v}" for k, v in tally.escapes.most_common(3)) + ")"
    return line


def _campaign(platform: str) -> Callable[[int | None], Any]:
    def campaign(n: int | None) -> Any:
        from bench.chaos import Row

        tally = run(platform, n or DEFAULT_N)
        return Row(f"type-mutated payloads into {platform} normalise", figure(tally), "0 other", tally.other == 0)

    return campaign


CAMPAIGNS = {f"payloads-{p}": _campaign(p) for p in PLATFORMS}


def main(argv: list[str] | None = None) -> int:
    """Run the campaign on every platform (or those named) and print one row each."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("platforms", nargs="*", default=list(PLATFORMS))
    ap.add_argument("--n", type=int, default=DEFAULT_N)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--examples", action="store_true", help="print one example of each kind of escape")
    args = ap.parse_args(argv)
    tallies = [run(p, args.n, args.seed) for p in args.platforms]
    for t in tallies:
        print(f"{t.platform:<9} {figure(t)}")
        if args.examples:
            for example in t.examples.values():
                print(f"    {example}")
    total = sum(t.other for t in tallies)
    print(f"{'all':<9} {sum(sum(t.counts.values()) for t in tallies)} payloads, other {total} (target 0)")
    return 0 if total == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
