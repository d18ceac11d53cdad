"""A viral post's burst of 10,000 comments goes from the store to a written queue file, each needing a reply drafted."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest

from heard.app import App
from heard.settings import build_settings
from listener.records import Author, Comment, ReplyState
from tests.conftest import NOW, ROOT

BURST = 10_000
PAGE = 100
PLATFORMS = ("x", "mastodon", "bluesky", "reddit")
# What a busy evening brings: questions, complaints, praise, asks, chatter, spam ({n}: what differs each time).
TEXTS = (
    "@acme do you ship the grinder to {place}?",
    "@acme my order #{n} arrived broken, the lid is cracked",
    "@acme love the new espresso blend, best coffee in {place}!",
    "@acme can you add oat milk to the cafe menu in {place} please",
    "@acme what time do you open on Sunday in {place}?",
    "@acme still waiting on a refund for order #{n}, three weeks now",
    "@acme thanks for the quick delivery to {place}, the kettle is gorgeous",
    "@acme is the cold brew jar dishwasher safe? asking for my flat in {place}",
    "@acme 🔥🔥🔥",
    "@acme WIN a free grinder!!! click http://spam.example/{n} now",
    "@acme my friend @sam_{n} says the decaf is great, is it?",
    "@acme the app crashes every time I open my basket (order #{n})",
    "@acme great video from {place}, learned a lot about descaling",
    "@acme how do I descale the burr grinder? it is {n} days old",
)
PLACES = ("Leeds", "Cork", "Lyon", "Oslo", "Perth", "Quebec", "Austin", "Kyoto")


def burst(rng: random.Random) -> list[Comment]:
    """Comments of the last ten minutes from a crowd where some people write more than once, or twice the same."""
    out: list[Comment] = []
    for n in range(BURST):
        platform = PLATFORMS[n % len(PLATFORMS)]
        who = rng.randrange(8_000) if rng.random() < 0.8 else rng.randrange(50)  # a few regulars write a lot
        text = rng.choice(TEXTS).format(n=n, place=rng.choice(PLACES))
        if out and rng.random() < 0.03:  # a double-submit
            platform, who, text = out[-1].platform, int(out[-1].author.id[1:]), out[-1].text
        out.append(
            Comment(
                platform=platform,
                native_id=str(500_000 + n),
                account="acme",
                source="mention",
                author=Author(f"u{who}", f"person{who}", f"Person {who}"),
                text=text,
                url=f"https://{platform}.example/{n}",
                created_at=NOW - timedelta(seconds=rng.uniform(0, 600)),
                mentions_us=True,
            )
        )
    return out


@pytest.mark.slow
def test_a_burst_of_ten_thousand_reaches_the_queue_file_with_a_draft_for_each_reply_needed(tmp_path: Path) -> None:
    settings = build_settings(
        {"heard": {"database": str(tmp_path / "heard.db"), "replies": str(ROOT / "config" / "replies.toml")}},
        {},
        config_path=ROOT / "config" / "heard.toml",
        overrides={},
    )
    app = App(settings, clients={})
    comments = burst(random.Random(18))
    for start in range(0, BURST, PAGE):
        app.store.save_page("x:mentions", comments[start : start + PAGE], str(start), now=NOW)

    done = app.work(now=NOW + timedelta(seconds=30), through="queue", keep_going=False)

    assert done.tagged == BURST and done.failures == ()
    assert app.store.untagged() == [] and app.store.undecided() == [] and app.store.quarantined() == []
    decided = {c.id: (app.store.tags(c.id), app.store.reply(c.id)) for c in comments}
    needing = {i for i, (tags, reply) in decided.items() if tags and tags.needs_reply}
    assert BURST // 2 < len(needing) < BURST  # spam, reactions, copies and friends tagged need no reply
    for comment_id in needing:
        reply = decided[comment_id][1]
        assert reply is not None and reply.state in (ReplyState.SUGGESTED, ReplyState.APPROVED), comment_id
        assert reply.text, f"{comment_id}: needs a reply and has no draft ({reply.reason})"
    waiting = sum(reply is not None and reply.state is ReplyState.SUGGESTED for _, reply in decided.values())
    synced = done.synced
    assert synced is not None and synced.written and synced.pending == waiting
    assert synced.shown == min(waiting, settings.queue_max_items)
    assert settings.queue_file.read_text(encoding="utf-8").count("\n") > synced.shown
    app.store.close()
