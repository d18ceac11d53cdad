"""Generate a realistic history of comments, tags, replies and own posts into a heard database, fast.

    python bench/gen_history.py OUT.db [--comments 50000] [--days 90] [--seed 7]

The schema is the store's own: opening `Store` runs its migrations, so tables and indexes are exactly
what a running heard has. The rows are what the service would have written: comments and authors as
polling stores them (with a "stored" event each), tags as the judge leaves them, each reply moved only
by the state machine's legal moves (`lifecycle.ALLOWED`) with every move in the audit trail (detail as
`event_detail` records it), the escalation notices delivered at each step of every item left waiting,
a cursor per source, own posts with public metrics. They are written in bulk, `executemany` per table
and one transaction per chunk of comments; `check` then reads the result back through `Store`.
Not generated: threads (no parent or conversation ids), raw platform payloads (`raw` is `{}`), AI drafts,
quarantine, alerts and profile look-ups.

Distributions: four platforms, five intents with matching sentiments, daytime peaks, Zipf-like repeat
authors; of comments needing a reply ~74% are posted after a log-normal delay, some are dismissed or
rejected by a person, ~14% are never touched; own posts carry public metrics.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import math
import random
import sys
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Indel

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from listener.records import Author, Comment, Tags  # noqa: E402
from listener.store import Store, keys  # noqa: E402
from listener.store.codecs import comment_row, encode, event_detail, iso, tags_row  # noqa: E402
from responders.escalate import REMINDER_MULTIPLES, step_reached  # noqa: E402
from responders.lifecycle import ALLOWED, INITIAL, PENDING_FOR_PEOPLE  # noqa: E402
from responders.lifecycle import ReplyState as S  # noqa: E402
from responders.recent import NEAR_DUPLICATE, words  # noqa: E402

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
ACCOUNT = "driftwood"
PLATFORMS = {"x": 0.45, "reddit": 0.30, "mastodon": 0.15, "bluesky": 0.10}
# The poll source each platform's comments come from (a cursor row each, as `{platform}:{source}`).
SOURCES = {
    "x": "x:mentions",
    "reddit": "reddit:inbox",
    "mastodon": "mastodon:mentions",
    "bluesky": "bluesky:notifications",
}
INTENTS = {"question": 0.25, "complaint": 0.15, "praise": 0.30, "request": 0.10, "other": 0.20}
SENTIMENT = {
    "question": (0.1, 0.8, 0.1),
    "complaint": (0.85, 0.15, 0.0),
    "praise": (0.0, 0.1, 0.9),
    "request": (0.1, 0.75, 0.15),
    "other": (0.2, 0.6, 0.2),
}
NEEDS_REPLY = {"question": 0.95, "complaint": 0.9, "praise": 0.45, "request": 0.85, "other": 0.1}
# Complaints that name a health, money or fraud risk: high priority (the judge's `priority_for`).
RISKY_COMPLAINTS = 0.05
# config/heard.toml's [sla], in minutes per priority: when escalation's notices fall due.
SLA_MINUTES = {"high": 60, "normal": 240, "low": 1440}
ESCALATE_EVERY = timedelta(minutes=5)
POLL_EVERY = 120  # seconds between a comment's creation and its poll, at most
WORK_EVERY = 30  # seconds between its poll and the work pass that tags and decides it, at most
# Comments per transaction: big enough for executemany to pay, small enough to keep memory flat.
CHUNK = 20_000
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
POOLS = {"question": QUESTIONS, "complaint": COMPLAINTS, "praise": PRAISE, "request": REQUESTS, "other": OTHER}
PRODUCTS = ["burr grinder", "pour-over kettle", "espresso machine", "cold brew jar", "milk frother"]
PLACES = ["Canada", "Germany", "the UK", "Australia", "Japan", "Brazil"]
NAMES = ["Ana", "Ben", "Chloe", "Dev", "Emma", "Femi", "Gus", "Hana", "Ivo", "Jade", "Kai", "Lena"]
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
CLOSERS = ["", " Enjoy your coffee!", " Talk soon.", " \u2014 the Driftwood team", " Cheers!", " Have a great week."]
AUTHOR_COLUMNS = (
    "id",
    "platform",
    "native_id",
    "handle",
    "name",
    "is_bot",
    "bio",
    "first_seen",
    "last_seen",
    "comments",
    "opted_out",
)
# Every replies column a move may set, so each row names them all (unset ones stay NULL).
REPLY_COLUMNS = (
    "comment_id",
    "state",
    "text",
    "suggested_text",
    "alternatives",
    "template",
    "reason",
    "skip_reason",
    "duplicate_of",
    "idempotency_key",
    "remote_id",
    "attempts",
    "error",
    "retry_at",
    "decided_by",
    "edit_ratio",
    "created_at",
    "updated_at",
    "posted_at",
    "acknowledged_at",
    "draft_source",
)


def cumulative(weights: dict[str, float]) -> tuple[list[str], list[float]]:
    """Names and cumulative weights, for ``rng.choices(names, cum_weights=...)``."""
    names, cum, total = [], [], 0.0
    for name, weight in weights.items():
        total += weight
        names.append(name)
        cum.append(total)
    return names, cum


_PLATFORMS, _INTENTS = cumulative(PLATFORMS), cumulative(INTENTS)


def comment_text(rng: random.Random, intent: str) -> str:
    return rng.choice(POOLS[intent]).format(
        product=rng.choice(PRODUCTS), place=rng.choice(PLACES), n=rng.randint(2, 20), brand="@driftwoodcoffee"
    )


def created_times(rng: random.Random, n: int, days: int, now: datetime = NOW) -> list[datetime]:
    # Daytime peak (UTC 13-22) and gentle growth over the period: sample then sort.
    out: list[datetime] = []
    while len(out) < n:
        moment = now - timedelta(days=days * (1 - math.sqrt(rng.random())))
        if rng.random() < (1.0 if 13 <= moment.hour <= 22 else 0.45):
            out.append(moment.replace(microsecond=0))
    return sorted(out)


@dataclass(frozen=True)
class Crowd:
    """The people who write to us, with Zipf-like weights: a few regulars, a long tail who speak once."""

    people: list[Author]
    cum: list[float]

    @classmethod
    def of(cls, rng: random.Random, count: int) -> Crowd:
        people = [
            Author(
                id=f"u{i}", handle=f"{rng.choice(NAMES).lower()}_{i}", name=f"{rng.choice(NAMES)} {chr(65 + i % 26)}."
            )
            for i in range(count)
        ]
        cum, total = [], 0.0
        for rank in range(1, count + 1):
            total += 1 / (rank + 30) ** 1.1  # a flattened head
            cum.append(total)
        return cls(people, cum)

    def comment(self, rng: random.Random, number: int, created: datetime) -> tuple[Comment, str]:
        """One comment (and the intent its text was written with)."""
        platform = rng.choices(_PLATFORMS[0], cum_weights=_PLATFORMS[1])[0]
        intent = rng.choices(_INTENTS[0], cum_weights=_INTENTS[1])[0]
        c = Comment(
            platform=platform,
            native_id=str(number),
            account=ACCOUNT,
            source="mention",
            author=rng.choices(self.people, cum_weights=self.cum)[0],
            text=comment_text(rng, intent),
            created_at=created,
            url=f"https://{platform}.example/{ACCOUNT}/{number}",
            mentions_us=True,
        )
        return c, intent


@functools.cache
def crowd_of(comments: int, seed: int) -> Crowd:
    """The crowd of a history of this size and seed (the first thing its generator draws)."""
    return Crowd.of(random.Random(seed), max(50, comments // 4))


def fresh_comments(count: int, *, history: int, seed: int, at: datetime, first: int) -> list[Comment]:
    """``count`` new comments from the crowd of a history of ``history`` comments, created in the minute to ``at``.

    Native ids start at ``first``: pick one above the history's (which start at 10,000,000).
    """
    crowd, rng = crowd_of(history, seed), random.Random(f"{seed}:{first}")
    return [crowd.comment(rng, first + i, at - timedelta(seconds=rng.uniform(0, 60)))[0] for i in range(count)]


def reply_text(rng: random.Random, name: str) -> tuple[str, int]:
    """A reply wording (openers x bodies x middles x closers, like suggest.py's variants), with its body's index."""
    opener, body = rng.choice(OPENERS), rng.randrange(len(BODIES))
    text = opener + " " + BODIES[body] + rng.choice(MIDDLES) + rng.choice(CLOSERS)
    return text.format(name=name, product=rng.choice(PRODUCTS)), body


class Recent:
    """One platform's latest 200 suggestions as word sets, filed by body, for the near-duplicate check.

    Two wordings with different bodies share at most 0.65 of their words even when all else is the same
    (checked over every opener, name, middle and closer), far below NEAR_DUPLICATE: comparing within a
    body finds what comparing with all 200 would, at a tenth of the cost.
    """

    WINDOW = 200

    def __init__(self) -> None:
        self.count = 0
        self.by_body: dict[int, deque[tuple[int, frozenset[str]]]] = defaultdict(deque)

    def near(self, body: int, mine: frozenset[str]) -> bool:
        kept = self.by_body[body]
        while kept and kept[0][0] <= self.count - self.WINDOW:
            kept.popleft()
        return any(len(mine & r) / len(mine | r) > NEAR_DUPLICATE for _, r in kept)

    def add(self, body: int, mine: frozenset[str]) -> None:
        self.count += 1
        self.by_body[body].append((self.count, mine))


@dataclass
class Rows:
    """One chunk's rows per table, in each table's column order."""

    comments: list[tuple[Any, ...]] = field(default_factory=list)
    tags: list[tuple[Any, ...]] = field(default_factory=list)
    replies: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    notices: list[tuple[Any, ...]] = field(default_factory=list)


class Reply:
    """One reply's life, moved only as the state machine allows, each move an event of the audit trail."""

    def __init__(self, rows: Rows, comment_id: str, state: S, at: datetime, fields: dict[str, Any]) -> None:
        if state not in INITIAL:
            raise ValueError(f"{comment_id}: a reply cannot start as {state}")
        self.rows, self.state = rows, state
        self.row: dict[str, Any] = dict.fromkeys(REPLY_COLUMNS)
        self.row.update(comment_id=comment_id, state=state.value, attempts=0, created_at=iso(at), updated_at=iso(at))
        self._set(at, None, fields)

    def move(self, to: S, at: datetime, **fields: Any) -> None:
        if to not in ALLOWED[self.state]:
            raise ValueError(f"{self.row['comment_id']}: cannot move from {self.state} to {to}")
        was, self.state = self.state, to
        self.row.update(state=to.value, updated_at=iso(at))
        self._set(at, was, fields)

    def _set(self, at: datetime, was: S | None, fields: dict[str, Any]) -> None:
        self.row.update(encode(fields))
        trail = json.dumps(event_detail(fields), default=str, sort_keys=True)
        self.rows.events.append(
            (iso(at), self.row["comment_id"], "transition", was.value if was else None, self.state.value, trail)
        )

    def done(self) -> None:
        self.rows.replies.append(tuple(self.row[k] for k in REPLY_COLUMNS))


class History:
    """Writes one history: chunks of comments with everything that happened to them, then authors and posts."""

    def __init__(self, store: Store, rng: random.Random, crowd: Crowd, now: datetime) -> None:
        self.store, self.rng, self.crowd, self.now = store, rng, crowd, now
        self.recent: dict[str, Recent] = defaultdict(Recent)
        self.authors: dict[str, list[Any]] = {}
        self.later: list[tuple[Any, ...]] = []  # events after the chunk's last comment, written in time order
        self.last = 0  # the newest native id: the cursors point past it

    def chunk(self, times: list[datetime], first: int) -> None:
        rows = Rows()
        for i, created in enumerate(times):
            c, intent = self.crowd.comment(self.rng, first + i, created)
            self._comment(rows, c, intent)
        self.last = first + len(times) - 1
        self.later += rows.events
        self.later.sort(key=lambda e: e[0])
        horizon = iso(times[-1])
        cut = next((k for k, e in enumerate(self.later) if e[0] > horizon), len(self.later))
        rows.events, self.later = self.later[:cut], self.later[cut:]
        self._write(rows)

    def finish(self) -> None:
        rows = Rows(events=self.later)
        self._write(rows)
        with self.store.transaction():
            self._insert(
                "authors",
                AUTHOR_COLUMNS,
                [(k, *v[:6], iso(v[6]), iso(v[7]), v[8], 0) for k, v in self.authors.items()],
            )
            self.store.set_meta(keys.OWN_HANDLES, [ACCOUNT])
        for source in SOURCES.values():  # each source's cursor, as its last poll left it
            polled = self.now - timedelta(seconds=self.rng.uniform(0, POLL_EVERY))
            self.store.save_page(source, [], str(self.last), now=polled)

    def _comment(self, rows: Rows, c: Comment, intent: str) -> None:
        rng, now = self.rng, self.now
        fetched = min(c.created_at + timedelta(seconds=rng.uniform(1, POLL_EVERY)), now)
        decided = min(fetched + timedelta(seconds=rng.uniform(1, WORK_EVERY)), now)
        row = comment_row(c, fetched)
        rows.comments.append(tuple(row.values()))
        rows.events.append((iso(fetched), c.id, "stored", None, None, json.dumps({"source": SOURCES[c.platform]})))
        key = f"{c.platform}:{c.author.id}"
        seen = self.authors.get(key)
        if seen is None:
            a = c.author
            self.authors[key] = [c.platform, a.id, a.handle, a.name, 0, a.bio, c.created_at, c.created_at, 1]
        else:
            seen[7], seen[8] = c.created_at, seen[8] + 1
        t = self._tags(c, intent)
        rows.tags.append(tuple(tags_row(t, decided).values()))
        self._reply(rows, c, t, decided)

    def _tags(self, c: Comment, intent: str) -> Tags:
        # What the tagger finds, as the judge leaves it: needs_reply and priority decided, skipped ones "other".
        rng = self.rng
        sentiment = rng.choices(("negative", "neutral", "positive"), weights=SENTIMENT[intent])[0]
        spam = rng.random() < 0.03
        needs = not spam and rng.random() < NEEDS_REPLY[intent]
        risky = intent == "complaint" and rng.random() < RISKY_COMPLAINTS
        priority = "low" if not needs or intent == "praise" else "high" if risky else "normal"
        return Tags(
            c.id,
            sentiment,
            0.8,
            intent == "question",
            0.9,
            intent if needs else "other",
            0.85,
            0.9 if spam else 0.02,
            0.0,
            needs,
            priority,
            "en",
            "gen-1",
        )

    def _reply(self, rows: Rows, c: Comment, t: Tags, at: datetime) -> None:
        rng, now = self.rng, self.now
        if not t.needs_reply:
            why = "looks like spam" if t.spam_score > 0.5 else f"asks and reports nothing ({t.intent}, {t.sentiment})"
            skip = "spam" if t.spam_score > 0.5 else "no_reply_needed"
            Reply(rows, c.id, S.DISMISSED, at, {"reason": why, "skip_reason": skip, "decided_by": "policy"}).done()
            return
        name = c.author.name.split()[0]
        human = t.intent == "question" and rng.random() < 0.3
        suggested = "" if human else self._fresh(c.platform, name)
        fields: dict[str, Any] = {"text": suggested, "suggested_text": suggested, "decided_by": "heard"}
        if human:
            fields["reason"] = f"{t.intent} aimed at us; a person writes the answer"
        else:
            fields.update(
                alternatives=[reply_text(rng, name)[0] for _ in range(2)],
                template=f"{t.intent}.{rng.randrange(4)}",
                draft_source="faq" if t.intent == "question" else "template",
                reason=f"{t.intent} aimed at us",
            )
        reply = Reply(rows, c.id, S.SUGGESTED, at, fields)
        decided = c.created_at + timedelta(hours=min(rng.lognormvariate(math.log(1.6), 1.1), 24 * 8))
        closed = now
        if decided <= now:
            roll = rng.random()
            if roll < 0.74:
                closed = self._post(reply, c, suggested, decided)
            elif roll < 0.82:
                reply.move(S.DISMISSED, decided, decided_by="person", reason="dismissed by a person")
                closed = decided
            elif roll < 0.86:
                reply.move(S.REJECTED, decided, decided_by="person", reason="rejected")
        reply.done()
        self._notices(rows, c, t, closed)

    def _fresh(self, platform: str, name: str) -> str:
        # Like suggest.py: pass over wordings that are near-duplicates of the platform's recent replies.
        recent = self.recent[platform]
        for _ in range(6):
            text, body = reply_text(self.rng, name)
            mine = frozenset(words(text))
            if not recent.near(body, mine):
                break
        recent.add(body, mine)
        return text

    def _post(self, reply: Reply, c: Comment, suggested: str, decided: datetime) -> datetime:
        text = _final_text(self.rng, suggested, c)
        reply.move(S.APPROVED, decided, decided_by="person", text=text)
        sent = min(decided + timedelta(seconds=self.rng.uniform(1, WORK_EVERY)), self.now)
        key = hashlib.sha256(f"{c.id}\n{text}".encode()).hexdigest()[:16]
        reply.move(S.POSTING, sent, idempotency_key=key, attempts=1, retry_at=None)
        edit = Indel.normalized_distance(suggested, text) if suggested else 1.0
        reply.move(
            S.POSTED,
            sent,
            remote_id=f"r{c.native_id}",
            posted_at=sent,
            acknowledged_at=sent,
            edit_ratio=round(edit, 4),
            error=None,
            reason="posted",
        )
        return sent

    def _notices(self, rows: Rows, c: Comment, t: Tags, closed: datetime) -> None:
        # One notice per escalation step reached while it waited, each at the first escalation pass after it.
        sla = timedelta(minutes=SLA_MINUTES[t.priority])
        last = step_reached(c.created_at, sla, closed)
        for step in range(1, last + 1):
            reached = c.created_at + (
                sla * REMINDER_MULTIPLES[step - 1]
                if step <= len(REMINDER_MULTIPLES)
                else sla * REMINDER_MULTIPLES[-1] + timedelta(days=step - len(REMINDER_MULTIPLES))
            )
            sent = reached + (-(reached - NOW) % ESCALATE_EVERY)
            if sent <= closed:
                rows.notices.append((c.id, step, iso(sent), "slack"))

    def _write(self, rows: Rows) -> None:
        with self.store.transaction():
            if rows.comments:
                self._insert("comments", tuple(comment_row(_SAMPLE, NOW)), rows.comments)
                self._insert("tags", tuple(tags_row(_SAMPLE_TAGS, NOW)), rows.tags)
                self._insert("replies", REPLY_COLUMNS, rows.replies)
            self._insert("events", ("at", "comment_id", "kind", "from_state", "to_state", "detail"), rows.events)
            self._insert("notices", ("comment_id", "step", "sent_at", "channel"), rows.notices)

    def _insert(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        self.store.engine.executemany(sql, rows)


_SAMPLE = Comment("x", "0", ACCOUNT, "mention", Author("u0", "a", "A"), "", "", NOW)
_SAMPLE_TAGS = Tags("x:0", "neutral", 0.0, False, 0.0, "other", 0.0, 0.0, 0.0, False, "low", "en", "gen-1")


def _final_text(rng: random.Random, suggested: str, c: Comment) -> str:
    name = c.author.name.split()[0]
    if not suggested:
        # Written by a person: their own habits, so sometimes close to an earlier reply.
        return reply_text(rng, name)[0] + rng.choice(MIDDLES)
    roll = rng.random()
    if roll < 0.65:
        return suggested
    if roll < 0.9:
        return suggested + rng.choice([" Let us know how it goes.", " DM us anytime.", " \u2615"])
    return rng.choice(OPENERS).format(name=name) + " " + rng.choice(BODIES).format(product=rng.choice(PRODUCTS))


def generate(path: Path, *, comments: int = 50_000, days: int = 90, seed: int = 7, now: datetime = NOW) -> Store:
    """Write a history into a new database at ``path`` and return the open store."""
    rng = random.Random(seed)
    crowd = Crowd.of(rng, max(50, comments // 4))
    store = Store(path)
    # Per connection, never stored in the file: a half-built history is thrown away, not recovered.
    store.engine.execute("PRAGMA synchronous=OFF")
    store.engine.execute("PRAGMA cache_size=-262144")
    times = created_times(rng, comments, days, now)
    history = History(store, rng, crowd, now)
    for start in range(0, comments, CHUNK):
        history.chunk(times[start : start + CHUNK], 10_000_000 + start)
    history.finish()
    _own_posts(store, rng, days, now)
    store.engine.execute("PRAGMA synchronous=NORMAL")
    check(store, comments)
    return store


def check(store: Store, comments: int) -> dict[str, Any]:
    """Read a history back through `Store` (ledger, replies, queue rows, trail); raise if any read disagrees."""
    states = store.state_counts()
    ledger = store.ledger_counts()
    found = {
        "comments": store.count_comments(),
        "replies": sum(states.values()),
        "states": states,
        "ledger": ledger,
        "queue": len(store.queue_rows([s.value for s in PENDING_FOR_PEOPLE])),
    }
    if found["comments"] != comments or found["replies"] != comments:
        raise AssertionError(f"history holds {found['comments']} comments and {found['replies']} replies")
    posted = store.replies([S.POSTED.value], limit=1)
    if posted:
        trail = [e["to_state"] for e in store.events(posted[0].comment_id)]
        if trail != [None, "suggested", "approved", "posting", "posted"]:
            raise AssertionError(f"{posted[0].comment_id}: trail {trail}")
    if ledger["open"] + ledger["acknowledged"] != store.tag_counts("needs_reply").get("1", 0):
        raise AssertionError(f"ledger {ledger} does not add up to the comments needing a reply")
    return found


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
                    "url": f"https://{platform}.example/{ACCOUNT}/post/{i}",
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
    store = generate(args.out, comments=args.comments, days=args.days, seed=args.seed)
    took = time.perf_counter() - started
    states, ledger = store.state_counts(), store.ledger_counts()
    store.close()
    print(f"wrote {args.comments} comments over {args.days} days to {args.out} in {took:.1f}s")
    print(f"replies by state {json.dumps(states, sort_keys=True)}; needing a reply {json.dumps(ledger)}")


if __name__ == "__main__":
    main()
