"""Generate a realistic history of comments, tags, replies and own posts into a heard database.

    python bench/gen_history.py OUT.db [--comments 50000] [--days 90] [--seed 7]

Everything goes through `Store` and the reply state machine, as the running service would write it.
Distributions: four platforms, five intents with matching sentiments, daytime peaks, Zipf-like repeat
authors; ~70% of comments needing a reply are posted after a log-normal delay, some are dismissed or
rejected by a person, some are never touched; own posts carry public metrics.
"""

from __future__ import annotations

import argparse
import difflib
import math
import random
import sys
import time
from collections import defaultdict, deque
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from listener.records import Author, Comment, Tags  # noqa: E402
from listener.store import Store  # noqa: E402
from responders import lifecycle  # noqa: E402
from responders.lifecycle import ReplyState as S  # noqa: E402
from responders.suggest import NEAR_DUPLICATE, words  # noqa: E402

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
PLATFORMS = {"x": 0.45, "reddit": 0.30, "mastodon": 0.15, "bluesky": 0.10}
INTENTS = {"question": 0.25, "complaint": 0.15, "praise": 0.30, "request": 0.10, "other": 0.20}
SENTIMENT = {
    "question": (0.1, 0.8, 0.1),
    "complaint": (0.85, 0.15, 0.0),
    "praise": (0.0, 0.1, 0.9),
    "request": (0.1, 0.75, 0.15),
    "other": (0.2, 0.6, 0.2),
}
NEEDS_REPLY = {"question": 0.95, "complaint": 0.9, "praise": 0.45, "request": 0.85, "other": 0.1}
QUESTIONS = [
    "Do you ship to {place}?",
    "Do you ship to {place} or only within the US?",
    "How do I descale the {product}?",
    "What's the best way to descale my {product}?",
    "Is the {product} dishwasher safe?",
    "Can I put the {product} in the dishwasher?",
    "When will the {product} be back in stock?",
    "Any news on when the {product} is back in stock?",
    "Which grind size for the {product}?",
    "What grind size should I use with the {product}?",
    "Do you have a discount code for students?",
    "Is there a student discount code?",
    "How long does the warranty last on the {product}?",
    "What does the {product} warranty cover?",
    "Are your beans decaf friendly?",
    "Do you sell decaf beans?",
    "Where is my order? It's been {n} days",
    "Can I change the address on my order?",
    "Do you roast to order or ship from stock?",
    "Is the {product} compatible with 220V outlets?",
]
COMPLAINTS = [
    "My order never arrived and nobody answers email",
    "The {product} stopped working after {n} weeks",
    "Your shipping is so slow, {n} days and counting",
    "The app keeps crashing when I pay",
    "The milk frother leaks every single time",
    "My {product} arrived broken. Not happy.",
    "Customer service ignored me for a week",
    "The subscription charged me twice this month",
    "The new packaging is impossible to open",
    "The checkout page rejects my card again",
    "The grinder is so loud my neighbours complain",
    "Your website crashes on my phone",
]
PRAISE = [
    "Love the new {product}!",
    "Best coffee I've had all year, thanks {brand}",
    "The {product} is a game changer for my mornings",
    "Huge fan of the {product}, worth every cent",
    "Shout out to {brand} for the fast delivery",
    "Your baristas are the best",
]
REQUESTS = [
    "Please bring back the {product} in green",
    "Could you add oat milk to the subscription?",
    "Would love a smaller bag of the house blend",
    "Please make a travel version of the {product}",
]
OTHER = [
    "Morning coffee thread: what are you drinking?",
    "Saw {brand} at the farmers market today",
    "Coffee shop recommendations near {place}?",
    "Is it too early for a second cup",
]
PRODUCTS = ["burr grinder", "pour-over kettle", "espresso machine", "cold brew jar", "milk frother"]
PLACES = ["Canada", "Germany", "the UK", "Australia", "Japan", "Brazil"]
OPENERS = [
    "Thanks {name}!",
    "Hi {name},",
    "Hey {name}!",
    "Oh no, {name}.",
    "Good question, {name}!",
    "Appreciate you, {name}.",
    "Sorry about that, {name}.",
    "{name}, thank you!",
]
BODIES = [
    "We'll look into it today and get back to you.",
    "Glad the {product} is treating you well.",
    "Our team has just sent you a DM with the details.",
    "That one is on our list for next season.",
    "Could you DM us your order number so we can check?",
    "The short answer is yes, and here's more:",
    "A full guide to that is in our help centre.",
    "We've passed this on to the roastery team.",
    "Shipping times are longer this month, sorry for the wait.",
    "A replacement is on its way.",
]
CLOSERS = [
    "",
    " Enjoy your coffee!",
    " Talk soon.",
    " \u2014 the Driftwood team",
    " Cheers!",
    " Have a great week.",
]


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def comment_text(rng: random.Random, intent: str) -> str:
    pool = {
        "question": QUESTIONS,
        "complaint": COMPLAINTS,
        "praise": PRAISE,
        "request": REQUESTS,
        "other": OTHER,
    }[intent]
    return rng.choice(pool).format(
        product=rng.choice(PRODUCTS), place=rng.choice(PLACES), n=rng.randint(2, 20), brand="@driftwoodcoffee"
    )


def created_times(rng: random.Random, n: int, days: int) -> list[datetime]:
    # Daytime peak (UTC 13-22) and gentle growth over the period: sample then sort.
    out = []
    while len(out) < n:
        age_days = days * (1 - math.sqrt(rng.random()))
        moment = NOW - timedelta(days=age_days)
        hour = moment.hour
        if rng.random() < (1.0 if 13 <= hour <= 22 else 0.45):
            out.append(moment.replace(microsecond=0))
    return sorted(out)


def authors(rng: random.Random, count: int) -> tuple[list[Author], list[float]]:
    names = ["Ana", "Ben", "Chloe", "Dev", "Emma", "Femi", "Gus", "Hana", "Ivo", "Jade", "Kai", "Lena"]
    people = [
        Author(
            id=f"u{i}",
            handle=f"{rng.choice(names).lower()}_{i}",
            name=f"{rng.choice(names)} {chr(65 + i % 26)}.",
        )
        for i in range(count)
    ]
    # Zipf-like with a flattened head: a few regulars, a long tail of people who speak once.
    cum, total = [], 0.0
    for rank in range(1, count + 1):
        total += 1 / (rank + 30) ** 1.1
        cum.append(total)
    return people, cum


MIDDLES = [
    "",
    "",
    " We read every message.",
    " Thanks for your patience.",
    " It means a lot to the team.",
    " More on that soon.",
    " We'll keep you posted.",
    " Shout if anything else comes up.",
]


def reply_text(rng: random.Random, name: str) -> str:
    # Openers x bodies x middles x closers, like suggest.py's variants: mostly fresh, sometimes close.
    text = rng.choice(OPENERS) + " " + rng.choice(BODIES) + rng.choice(MIDDLES) + rng.choice(CLOSERS)
    return text.format(name=name, product=rng.choice(PRODUCTS))


def generate(path: Path, *, comments: int = 50_000, days: int = 90, seed: int = 7, now: datetime = NOW) -> Store:
    """Write a history into a new database at ``path`` and return the open store."""
    rng = random.Random(seed)
    store = Store(path)
    people, cum = authors(rng, max(50, comments // 4))
    made: list[tuple[Comment, Tags]] = []
    for i, created in enumerate(created_times(rng, comments, days)):
        platform, intent = pick(rng, PLATFORMS), pick(rng, INTENTS)
        author = rng.choices(people, cum_weights=cum)[0]
        c = Comment(
            platform=platform,
            native_id=str(10_000_000 + i),
            account="driftwood",
            source="mention",
            author=author,
            text=comment_text(rng, intent),
            created_at=created,
            url=f"https://{platform}.example/driftwood/{i}",
            mentions_us=True,
        )
        sentiment = rng.choices(("negative", "neutral", "positive"), weights=SENTIMENT[intent])[0]
        spam = rng.random() < 0.03
        made.append(
            (
                c,
                Tags(
                    c.id,
                    sentiment,
                    0.8,
                    intent == "question",
                    0.9,
                    intent,
                    0.85,
                    0.9 if spam else 0.02,
                    0.0,
                    # What the judge decides: spam never needs a reply.
                    not spam and rng.random() < NEEDS_REPLY[intent],
                    "normal",
                    "en",
                    "gen-1",
                ),
            )
        )
    with store.transaction():
        for start in range(0, len(made), 1000):
            batch = made[start : start + 1000]
            store.save_page("gen", [c for c, _ in batch], None, now=batch[-1][0].created_at)
        store.save_tags([t for _, t in made], now=now)
        recent: dict[str, deque[frozenset[str]]] = defaultdict(lambda: deque(maxlen=200))
        for c, t in made:
            _reply(store, rng, c, t, now, recent)
    _own_posts(store, rng, days, now)
    return store


def _fresh_reply(rng: random.Random, c: Comment, recent: deque[frozenset[str]]) -> str:
    # Like suggest.py: skip wordings that are near-duplicates of the platform's recent replies.
    for _ in range(6):
        text = reply_text(rng, c.author.name.split()[0])
        mine = frozenset(words(text))
        if not any(len(mine & r) / len(mine | r) > NEAR_DUPLICATE for r in recent):
            break
    recent.append(mine)
    return text


def _reply(
    store: Store,
    rng: random.Random,
    c: Comment,
    t: Tags,
    now: datetime,
    recent: dict[str, deque[frozenset[str]]],
) -> None:
    at = c.created_at + timedelta(minutes=2)
    if not t.needs_reply or t.spam_score > 0.5:
        lifecycle.create(store, c.id, S.DISMISSED, now=at, reason="policy", decided_by="policy")
        return
    human = t.intent == "question" and rng.random() < 0.3
    suggested = "" if human else _fresh_reply(rng, c, recent[c.platform])
    lifecycle.create(store, c.id, S.SUGGESTED, now=at, text=suggested, suggested_text=suggested, decided_by="heard")
    delay = timedelta(hours=min(rng.lognormvariate(math.log(1.6), 1.1), 24 * 8))
    decided = c.created_at + delay
    if decided > now:
        return
    roll = rng.random()
    if roll < 0.74:
        text = _final_text(rng, suggested, c)
        lifecycle.transition(store, c.id, S.APPROVED, now=decided, decided_by="person", text=text)
        lifecycle.transition(store, c.id, S.POSTING, now=decided, idempotency_key=c.id)
        edit = 1.0 - difflib.SequenceMatcher(None, suggested, text).ratio() if suggested else 1.0
        lifecycle.transition(
            store,
            c.id,
            S.POSTED,
            now=decided,
            posted_at=decided,
            acknowledged_at=decided,
            remote_id=f"r{c.native_id}",
            edit_ratio=round(edit, 4),
        )
    elif roll < 0.82:
        lifecycle.transition(store, c.id, S.DISMISSED, now=decided, decided_by="person", reason="handled")
    elif roll < 0.86:
        lifecycle.transition(store, c.id, S.REJECTED, now=decided, decided_by="person", reason="rejected")


def _final_text(rng: random.Random, suggested: str, c: Comment) -> str:
    if not suggested:
        # Written by a person: their own habits, so sometimes close to an earlier reply.
        return reply_text(rng, c.author.name.split()[0]) + rng.choice(MIDDLES)
    roll = rng.random()
    if roll < 0.65:
        return suggested
    if roll < 0.9:
        return suggested + rng.choice([" Let us know how it goes.", " DM us anytime.", " \u2615"])
    return (
        rng.choice(OPENERS).format(name=c.author.name.split()[0])
        + " "
        + rng.choice(BODIES).format(product=rng.choice(PRODUCTS))
    )


def _own_posts(store: Store, rng: random.Random, days: int, now: datetime) -> None:
    # X sits far below what its size usually sees; Mastodon and Bluesky are healthy.
    accounts = {"x": (9_000, 3.0, 0.0025), "mastodon": (1_400, 0.5, 0.03), "bluesky": (2_600, 0.5, 0.012)}
    rows = []
    for platform, (followers, per_day, rate) in accounts.items():
        for i in range(int(days * per_day)):
            created = now - timedelta(days=days * rng.random())
            size = int(followers * (1 + 0.15 * (1 - (now - created).days / days)))
            engaged = int(size * rate * rng.lognormvariate(0, 0.6))
            likes = int(engaged * 0.7)
            rows.append(
                {
                    "platform": platform,
                    "post_id": f"p{platform}{i}",
                    "created_at": created,
                    "url": f"https://{platform}.example/driftwood/post/{i}",
                    "followers_at_post": size,
                    "likes": likes,
                    "reposts": int(engaged * 0.15),
                    "replies": int(engaged * 0.1),
                    "quotes": engaged - likes - int(engaged * 0.15) - int(engaged * 0.1),
                    "views": int(size * rng.uniform(0.1, 0.4)),
                }
            )
    store.save_own_posts(rows, now=now)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--comments", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.out.exists():
        sys.exit(f"{args.out} exists: choose a new path")
    started = time.perf_counter()
    generate(args.out, comments=args.comments, days=args.days, seed=args.seed).close()
    print(f"wrote {args.comments} comments over {args.days} days to {args.out} in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
