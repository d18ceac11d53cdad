"""Shared fixtures: isolated environment and paths, and small record factories."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from listener.records import Author, Comment, Tags
from listener.store import Store
from tests import pg

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the developer's own secrets and settings out of every test."""
    import os

    for key in list(os.environ):
        if key.startswith(("HEARD_", "X_", "REDDIT_", "SLACK_", "MASTODON_", "BLUESKY_", "YOUTUBE_")):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("PRAW_ALLOW_ENDPOINT_OVERRIDE", "1")


# The engines the store runs on. A test marked ``on_both`` runs once on each; the store fixture is SQLite's otherwise.
ENGINES = ("sqlite", "postgres")
on_both = pytest.mark.parametrize("store", ENGINES, indirect=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[pg.Server]:
    """The session's throwaway PostgreSQL server; without PostgreSQL its tests skip, except in CI, where they fail."""
    bindir = pg.find_bindir()
    if bindir is None:
        why = "no PostgreSQL server binaries (set HEARD_PG_BINDIR, or `make postgres`)"
        if pg.in_ci():
            pytest.fail(f"CI: {why}: the store's PostgreSQL tests cannot run")
        pytest.skip(f"{why}: the store's PostgreSQL tests are skipped")
    server = pg.Server(bindir)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(postgres_server: pg.Server) -> Iterator[str]:
    """A new database of heard's schema on the throwaway server, dropped after the test."""
    url = postgres_server.create_database()
    yield url
    postgres_server.drop_database(url)


@pytest.fixture
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    engine = getattr(request, "param", "sqlite")
    s = Store(tmp_path / "heard.db" if engine == "sqlite" else request.getfixturevalue("pg_url"))
    yield s
    s.close()


def make_comment(
    n: int = 1,
    *,
    platform: str = "x",
    text: str = "love the new grinder!",
    author: str = "jane",
    source: str = "mention",
    is_own: bool = False,
    is_bot: bool = False,
    bio: str = "",
    minutes_ago: int = 60,
    parent: str | None = None,
) -> Comment:
    return Comment(
        platform=platform,
        native_id=str(1000 + n),
        account="acme",
        source=source,
        author=Author(id=f"u-{author}", handle=author, name=author.title(), is_bot=is_bot, bio=bio),
        text=text,
        url=f"https://example.invalid/{platform}/{n}",
        created_at=NOW - timedelta(minutes=minutes_ago),
        parent_id=parent,
        mentions_us=source != "keyword",
        is_own=is_own,
        raw={"n": n},
    )


def make_tags(
    comment: Comment,
    *,
    intent: str = "praise",
    sentiment: str = "positive",
    needs_reply: bool = True,
    priority: str = "low",
    spam: float = 0.0,
    bot: float = 0.0,
    is_question: bool = False,
    score: float = 0.9,
    lang: str = "en",
) -> Tags:
    return Tags(
        comment_id=comment.id,
        sentiment=sentiment,
        sentiment_score=score,
        is_question=is_question,
        question_score=0.9 if is_question else 0.1,
        intent=intent,
        intent_score=score,
        spam_score=spam,
        bot_score=bot,
        needs_reply=needs_reply,
        priority=priority,
        lang=lang,
        model_version="test",
    )
