"""The tag stage: run the NLP over every untagged comment in batches, setting aside only what it refuses."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from listener.quarantine import Reject, describe, is_systemic
from listener.records import Comment, Tags
from listener.store import Store

log = logging.getLogger("heard")
# How many comments one tagging batch reads; a failing batch is tagged again one by one.
TAG_BATCH = 2000
# How much of a comment the tagger reads: the first 20,000 characters say what a comment is about, and a
# 1 MB text would exceed spaCy's limit (E088); the store keeps the whole text.
TAG_CHARS = 20_000


def tag_pending(store: Store, nlp: Callable[[], Any], *, now: datetime) -> int:
    """Tag every untagged comment in batches; a comment the tagger refuses is set aside alone.

    ``nlp`` builds (or returns) the pipeline: it is called only when there is something to tag, so a
    pass with nothing new never loads spaCy.
    """
    total = 0
    while batch := store.untagged(limit=TAG_BATCH):
        tags, rejects = tag_isolating(batch, nlp())
        store.set_aside(rejects, now=now)
        total += store.save_tags(tags, now=now)
        if not tags and not rejects:  # nothing moved: never spin
            break
    return total


def tag_isolating(batch: Sequence[Comment], nlp: Any) -> tuple[list[Tags], list[Reject]]:
    """Tag a batch; if the batch fails, tag one by one so only the item that fails is set aside."""
    from listener.nlp import tag

    capped = [_for_tagging(c) for c in batch]
    try:
        return tag(capped, nlp), []
    except Exception as exc:
        if is_systemic(exc):
            raise
        log.warning("tag batch failed, tagging one by one size=%d error=%s", len(batch), describe(exc))
    tags: list[Tags] = []
    rejects: list[Reject] = []
    for c in capped:
        try:
            tags += tag([c], nlp)
        except Exception as exc:
            if is_systemic(exc):
                raise
            rejects.append(Reject("tag", c.id, describe(exc), c.platform, c.text))
            log.warning("set aside stage=tag item=%s error=%s", c.id, describe(exc))
    return tags, rejects


def _for_tagging(comment: Comment) -> Comment:
    """The comment as the tagger reads it: an absurdly long text cut to its first TAG_CHARS characters."""
    if len(comment.text or "") <= TAG_CHARS:
        return comment
    return dataclasses.replace(comment, text=comment.text[:TAG_CHARS])
