"""Tag and decide one shard of a workspace's comments, so workers share the work without deciding one comment twice.

A comment's shard is a stable hash of its id. Each shard's task holds a lock of its own, so at most one
worker tags or decides a given comment at a time, while the other shards run on the other workers.
"""

from __future__ import annotations

import zlib
from datetime import datetime

from heard.app import App
from listener.tag import tag_isolating

# How many shards a workspace's tagging and deciding is split into: more than the workers a deployment runs
# (a shard is one worker's at a time), few enough that a quiet tick costs little.
SHARDS = 6
# How many of the oldest waiting comments one read looks through for this shard's.
WINDOW = 1200


def shard_of(comment_id: str, shards: int = SHARDS) -> int:
    """The shard a comment belongs to, the same in every process."""
    return zlib.crc32(comment_id.encode("utf-8")) % shards


# The window is read as ids only, and just this shard's comments are loaded: six shards each reading and decoding
# every waiting comment to keep a sixth of them was a quarter of a busy cluster's CPU.


def tag_shard(app: App, shard: int, *, now: datetime) -> int:
    """Tag this shard's untagged comments; a comment the tagger refuses is set aside alone. Return how many."""
    store, total, tried = app.store, 0, set[str]()
    while ids := [i for i in store.untagged_ids(limit=WINDOW) if shard_of(i) == shard and i not in tried]:
        tried.update(ids)  # a comment still untagged after its turn waits for the next tick
        loaded = store.comments(ids)
        tags, rejects = tag_isolating([loaded[i] for i in ids if i in loaded], app.nlp)
        store.set_aside(rejects, now=now)
        total += store.save_tags(tags, now=now)
    return total


def decide_shard(app: App, shard: int, *, now: datetime) -> int:
    """Decide this shard's tagged comments that have no reply record yet; return how many were tried."""
    tried = set[str]()
    while ids := [i for i in app.store.undecided_ids(limit=WINDOW) if shard_of(i) == shard and i not in tried]:
        tried.update(ids)
        app.decide(now=now, only=ids)
    return len(tried)
