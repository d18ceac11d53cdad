"""A generated busy day of 1,000 comments through the real tagger and the decision stage."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import timedelta
from itertools import combinations

from listener.nlp import build_nlp, tag
from listener.nlp.signals import SPAM_CUTOFF
from listener.records import Author, Comment
from listener.store import Store
from responders import policy
from responders.decide import decide_pending
from responders.library import load_library
from responders.recent import overlap
from responders.suggest import SOURCES
from tests.conftest import NOW, ROOT

PRAISE = [
    "love the {p} so much",
    "the {p} is honestly perfect",
    "best {p} I've ever had, thank you",
    "just got my {p} and wow",
    "you folks nailed the {p}",
    "{p} arrived today, so happy",
]
COMPLAINT = [
    "my {p} arrived broken",
    "still waiting on my {p}, two weeks now",
    "the {p} stopped working",
    "wrong {p} in my box again",
    "charged twice for the {p}, not happy",
]
QUESTION = [
    "do you ship the {p} to Canada?",
    "is the {p} back in stock",
    "how do I clean the {p}?",
    "anyone know if the {p} works for pour over",
    "when does the {p} sale end?",
]
REQUEST = [
    "please send me the tracking number for my {p}",
    "can you restock the {p} please",
    "DM me about the {p} order please",
]
CHATTER = ["had a {p} this morning", "thinking about the {p}", "the {p} at the cafe today"]
SPAM = [
    "DM for promo!! we grow coffee pages fast 📈",
    "🚀 $BEAN airdrop live claim now https://x.invalid/a",
    "https://x.invalid/promo",
]
PRODUCTS = ["grinder", "Ethiopia beans", "club box", "cold brew", "espresso blend", "mug"]


def day(n: int = 1000, seed: int = 7) -> list[Comment]:
    rng = random.Random(seed)
    people = [f"person{i:03d}" for i in range(380)]
    comments = []
    for i in range(n):
        kind = rng.choices(
            ["praise", "complaint", "question", "request", "chatter", "spam", "own", "bot", "nobot"],
            [30, 15, 20, 8, 12, 5, 4, 3, 3],
        )[0]
        pools = {
            "praise": PRAISE,
            "complaint": COMPLAINT,
            "question": QUESTION,
            "request": REQUEST,
            "chatter": CHATTER,
            "spam": SPAM,
            "own": PRAISE,
            "bot": SPAM,
            "nobot": QUESTION,
        }
        text = "@acme " + rng.choice(pools[kind]).format(p=rng.choice(PRODUCTS))
        handle = {"own": "acme", "bot": f"dealsbot{i % 5}"}.get(kind, rng.choice(people))
        comments.append(
            Comment(
                platform=rng.choice(["x", "reddit"]),
                native_id=f"d{i}",
                account="acme",
                source="mention",
                author=Author(
                    id=f"u-{handle}",
                    handle=handle,
                    name=handle.title(),
                    is_bot=kind == "bot",
                    bio="#nobot please" if kind == "nobot" else "",
                ),
                text=text,
                url=f"https://example.invalid/{i}",
                created_at=NOW - timedelta(minutes=n - i),
                mentions_us=True,
                is_own=kind == "own",
            )
        )
    return comments


def test_a_busy_day_never_answers_self_bots_or_opt_outs_and_never_repeats_itself(store: Store) -> None:
    comments = day()
    store.save_page("day", comments, None, now=NOW)
    store.save_tags(tag(store.untagged(limit=5000), build_nlp()), now=NOW)
    library = load_library(ROOT / "config" / "replies.toml")
    decide_pending(store, library, auto={}, dry_run=False, now=NOW)

    texts_by_account: dict[str, list[str]] = defaultdict(list)
    drafted: Counter[str] = Counter()
    close = 0
    for comment in comments:
        reply = store.reply(comment.id)
        tags = store.tags(comment.id)
        assert reply is not None, comment.id
        author = store.author(comment.platform, comment.author.id)
        refused = comment.is_own or comment.author.is_bot or policy.opted_out(comment, author)
        if refused or tags.spam_score >= SPAM_CUTOFF:
            assert not tags.needs_reply, (comment.text, tags)
            assert reply.state == "dismissed", (comment.text, reply)
            continue
        if tags.needs_reply:  # the judge's final word: what it skipped has needs_reply false
            # Every reply that needs one has a draft, marked with where it came from.
            assert reply.state == "suggested", (comment.text, reply)
            assert reply.text and reply.draft_source in SOURCES, (comment.text, reply)
            drafted[reply.draft_source] += 1
        # A draft close to one of the day's replies is offered for a person to reword, never as it is.
        if reply.text and "close to a recent reply" not in (reply.reason or ""):
            texts_by_account[comment.platform].append(reply.text)
        close += "close to a recent reply" in (reply.reason or "")
    for platform, texts in texts_by_account.items():
        assert len(texts) > 50, platform
        worst = max((overlap(a, b), a, b) for a, b in combinations(texts, 2))
        assert worst[0] <= 0.8, (platform, worst)
    assert set(drafted) >= {"template", "holding"} and 0 < close < sum(drafted.values()), (drafted, close)
