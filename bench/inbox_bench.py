"""Time the web inbox in a real browser: 1,000 waiting items, first load, then decisions by keyboard.

    python bench/inbox_bench.py [--items 1000] [--decisions 60]

It fills a fresh database through the store (comments, tags, replies moved by the state machine), starts
the real server (uvicorn on 127.0.0.1, an ephemeral port) and drives Debian's Chromium with Playwright.
Figures come from the page's own Performance API: the first load from navigation start to the list
rendered (the script's ``inbox-ready`` mark) and the bytes transferred by then; each decision from the
key's event time to the frame after the next item shows (the script's ``inbox-next`` measures).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from listener.records import Author, Comment, Tags  # noqa: E402
from listener.store import Store  # noqa: E402
from responders import lifecycle  # noqa: E402
from responders.lifecycle import ReplyState  # noqa: E402

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
TARGETS = {"load_ms": 500.0, "load_kb": 300.0, "next_ms": 100.0}
PLATFORMS = ("x", "reddit", "mastodon", "bluesky", "youtube")
INTENTS = ("question", "complaint", "praise", "request", "other")
SOURCES = ("mention", "reply", "keyword", "comment")
WORDS = (
    "the grinder arrived today and the burrs already squeak when I grind for espresso is that normal"
    " love the new roast notes of cherry and cocoa, ordered two more bags for the office crew"
    " when does the winter blend ship to Canada and do you charge customs on arrival"
).split()


def fill(store: Store, n: int, *, now: datetime = NOW, seed: int = 5) -> list[str]:
    """Store ``n`` comments waiting for a person (a few in threads, some rejected or failed); return their ids."""
    rng = random.Random(seed)
    comments: list[Comment] = []
    for i in range(n):
        platform = PLATFORMS[i % len(PLATFORMS)]
        who = f"person{rng.randrange(max(n // 3, 1))}"
        parent = comments[i - 5] if i >= 5 and i % 10 == 0 and comments[i - 5].platform == platform else None
        comments.append(
            Comment(
                platform=platform,
                native_id=f"c{i:05d}",
                account="driftwood",
                source=SOURCES[i % len(SOURCES)],
                author=Author(id=f"u-{who}", handle=who, name=who.title()),
                text=" ".join(rng.choice(WORDS) for _ in range(rng.randrange(6, 40))),
                url=f"https://example.invalid/{platform}/c{i:05d}",
                created_at=now - timedelta(minutes=rng.randrange(5, 60 * 24 * 5)),
                parent_id=parent.id if parent else None,
                conversation_id=(parent.conversation_id or parent.id) if parent else f"{platform}:c{i:05d}",
                mentions_us=True,
            )
        )
    store.save_page("bench:inbox", comments, None, now=now)
    store.save_tags([_tags(c, rng) for c in comments], now=now)
    with store.transaction():
        for i, c in enumerate(comments):
            draft = f"Thanks {c.author.handle}! " + " ".join(rng.choice(WORDS) for _ in range(rng.randrange(4, 18)))
            lifecycle.create(
                store,
                c.id,
                ReplyState.SUGGESTED,
                now=now,
                text=draft,
                suggested_text=draft,
                alternatives=[draft.replace("Thanks", "Thank you"), draft.replace("Thanks", "Cheers")],
                draft_source=("template", "faq", "ai", "holding")[i % 4],
                template=f"{('praise', 'question', 'complaint')[i % 3]}_reply",
                reason=f"{('praise', 'question', 'complaint')[i % 3]}: a person should look",
            )
            if i % 23 == 7:
                lifecycle.transition(store, c.id, ReplyState.REJECTED, now=now, reason="rejected", decided_by="person")
    return [c.id for c in comments]


def _tags(c: Comment, rng: random.Random) -> Tags:
    intent = rng.choice(INTENTS)
    return Tags(
        comment_id=c.id,
        sentiment=("negative", "neutral", "positive")[INTENTS.index(intent) % 3],
        sentiment_score=round(rng.uniform(0.5, 1), 2),
        is_question=intent == "question",
        question_score=0.9 if intent == "question" else 0.1,
        intent=intent,
        intent_score=round(rng.uniform(0.5, 1), 2),
        spam_score=0.01,
        bot_score=0.02,
        needs_reply=True,
        priority=rng.choice(("high", "normal", "normal", "low")),
        lang="en",
        model_version="bench",
    )


def run(items: int, decisions: int, folder: Path) -> dict[str, Any]:
    """Fill, serve, load the page in Chromium and decide ``decisions`` items by keyboard; return the figures."""
    from playwright.sync_api import sync_playwright

    from heard.app import App
    from heard.inbox.security import Access
    from heard.inbox.serve import bind, in_thread
    from heard.inbox.server import Inbox
    from heard.settings import load_settings

    store = Store(folder / "heard.db")
    fill(store, items)
    store.close()
    settings = load_settings(None, env_file=folder / ".env", overrides={"database": str(folder / "heard.db")})
    sock = bind("127.0.0.1", 0)
    inbox = Inbox(App(settings), Access("127.0.0.1", sock.getsockname()[1]))
    with in_thread(inbox, sock) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url + "/")
        page.wait_for_function("() => performance.getEntriesByName('inbox-ready').length > 0")
        load = page.evaluate(
            """() => {
              const nav = performance.getEntriesByType('navigation')[0];
              const ready = performance.getEntriesByName('inbox-ready')[0].startTime;
              const early = performance.getEntriesByType('resource').filter(r => r.startTime <= ready);
              const bytes = nav.transferSize + early.reduce((n, r) => n + r.transferSize, 0);
              return {ms: ready, bytes: bytes, rows: document.querySelectorAll('#list li.row').length};
            }"""
        )
        # The page brings its first rows; the rest follow at once. Time until every row is in the list.
        page.wait_for_function(f"() => document.querySelectorAll('#list li.row').length >= {items}")
        load["all_ms"] = page.evaluate("() => performance.now()")
        page.wait_for_timeout(300)  # a person reads the first item before the first key
        for i in range(decisions):
            state = page.evaluate("() => document.querySelector('#list li.row.sel').dataset.state")
            key = "adar"[i % 4]
            page.keyboard.press("d" if key == "r" and state == "rejected" else key)  # a rejected draft is closed
            page.wait_for_function(f"() => performance.getEntriesByName('inbox-next').length >= {i + 1}")
            page.wait_for_timeout(120)  # a quick reader between two keys
        times = page.evaluate("performance.getEntriesByName('inbox-next').map(m => m.duration)")
        left = page.evaluate("document.querySelectorAll('#list li.row').length")
        browser.close()
    return {"load": load, "times": times, "left": left}


def table(figures: dict[str, Any], items: int) -> str:
    """The figures beside their targets, one line each."""
    times = sorted(figures["times"])
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    rows = [
        ("first load (navigation -> list)", f"{figures['load']['ms']:.0f} ms", f"<= {TARGETS['load_ms']:.0f} ms"),
        ("bytes transferred by then", f"{figures['load']['bytes'] / 1024:.0f} KB", f"<= {TARGETS['load_kb']:.0f} KB"),
        (f"all {items:,} rows in the list", f"{figures['load']['all_ms']:.0f} ms", ""),
        ("decision -> next item, median", f"{statistics.median(times):.1f} ms", f"<= {TARGETS['next_ms']:.0f} ms"),
        ("decision -> next item, p95", f"{p95:.1f} ms", f"<= {TARGETS['next_ms']:.0f} ms"),
    ]
    head = (
        f"inbox bench: {items} waiting items, {figures['load']['rows']} rows with the page (the rest right after),"
        f" {len(times)} decisions"
    )
    lines = [head, f"{'measure':<34} {'result':>10}  target"]
    lines += [f"{name:<34} {value:>10}  {target}" for name, value, target in rows]
    return "\n".join(lines)


def main() -> None:
    """Run the bench and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--decisions", type=int, default=60)
    args = parser.parse_args()
    if shutil.which("chromium") is None:
        sys.exit("chromium is not installed (apt-get install chromium)")
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as folder:
        figures = run(args.items, args.decisions, Path(folder))
    print(table(figures, args.items))
    print(f"({time.monotonic() - started:.1f} s in all; {figures['left']} rows left in the list)")


if __name__ == "__main__":
    main()
