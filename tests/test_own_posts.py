"""Our own posts and their metrics: each real client against its fake, the replay path, the app and the report."""

from __future__ import annotations

import dataclasses
import importlib
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from heard.app import App
from heard.cli import cli
from heard.settings import build_settings
from listener.errors import BadPayload, ConfigError, PlatformError
from listener.platforms import OwnPostSource, Platform, spec
from listener.platforms.replay import ReplayPlatform, read_own_posts, read_recording
from listener.records import OwnPost
from listener.store import Store
from responders.report.audience import audience
from tests.conftest import ROOT
from tests.harness import client as connect
from tests.harness import fake_names, now, start

FAKES = fake_names(having="add_own_post")
# Which metrics each platform has; the others stay 0.
METRICS = {
    "x": {"likes", "reposts", "replies", "quotes", "views"},
    "reddit": {"likes", "reposts", "replies"},  # score - 1, crossposts, comments
    "mastodon": {"likes", "reposts", "replies"},
    "bluesky": {"likes", "reposts", "replies", "quotes"},
    "youtube": {"likes", "replies", "views"},
}
FIGURES = {"likes": 17, "reposts": 4, "replies": 6, "quotes": 2, "views": 900}


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Client libraries read config from the working directory and home (praw.ini, .netrc).
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))


@pytest.fixture(params=FAKES)
def harness(request: pytest.FixtureRequest) -> Iterator[Any]:
    h = start(request.param)
    yield h
    h.stop()


def settings_for(tmp_path: Path, document: dict[str, Any] | None = None) -> Any:
    return build_settings(
        document or {}, {}, config_path=tmp_path / "heard.toml", overrides={"database": str(tmp_path / "heard.db")}
    )


def test_every_platform_implements_own_posts() -> None:
    assert set(FAKES) == set(METRICS)
    for name in METRICS:
        importlib.import_module(f"listener.platforms.{name}")
        assert spec(name).normalise_post is not None


def test_real_client_reads_own_posts_with_their_figures(harness: Any) -> None:
    harness.set_followers(1234)
    harness.add_own_post(likes=99, created_at=now() - timedelta(days=40))  # before ``since``
    post_id = harness.add_own_post(**FIGURES, created_at=now() - timedelta(hours=3))
    harness.add_incoming(2)  # other people's posts are not ours
    client = connect(harness)
    assert isinstance(client, OwnPostSource)

    posts = client.own_posts(since=now() - timedelta(days=30))

    assert [p.post_id for p in posts] == [post_id]
    post = posts[0]
    assert post.platform == harness.platform and post.followers_at_post == 1234
    for metric, value in FIGURES.items():
        assert getattr(post, metric) == (value if metric in METRICS[harness.platform] else 0), metric
    assert abs(post.created_at - (now() - timedelta(hours=3))) < timedelta(seconds=5)
    assert post.url.startswith("https://")


def test_own_posts_is_a_small_bounded_number_of_requests(harness: Any) -> None:
    for i in range(120):  # more than one page on every platform
        harness.add_own_post(likes=i)
    client = connect(harness)
    client.own_posts(since=now() - timedelta(days=1))  # the first call may log in or fetch a token
    before = harness.requests()
    posts = client.own_posts(since=now() - timedelta(days=1))
    assert harness.requests() - before <= 3
    assert 40 <= len(posts) <= 100
    assert posts[0].created_at >= posts[-1].created_at  # the latest page, newest first


def test_own_posts_leave_out_our_replies(harness: Any) -> None:
    harness.add_incoming(1)
    client = connect(harness)
    comment = client.normalise(_one_item(client))
    client.reply(comment, "thanks for asking!")
    ours = harness.add_own_post(likes=1)
    assert [p.post_id for p in client.own_posts(since=now() - timedelta(days=1))] == [ours]


def _one_item(client: Platform) -> dict[str, Any]:
    """The one incoming item, fetched with backfill so it is not taken as history."""
    for source in client.sources():
        page = client.fetch(source, None, since=now() - timedelta(days=1))
        if page.items:
            return page.items[0]
    raise AssertionError("nothing fetched")


def test_youtube_own_posts_cost_three_units_and_never_search() -> None:
    h = start("youtube")
    try:
        h.set_followers(50)
        h.add_own_post(likes=1)
        client = connect(h)
        used = client.quota_used()
        client.own_posts(since=now() - timedelta(days=1))
        assert client.quota_used() - used == 3
        assert h.fake.spent == 3 and h.requests("/search") == 0
    finally:
        h.stop()


# -- replay ----------------------------------------------------------------------------------------

RAW = {
    "x": {
        "id": "1861000000000000001",
        "text": "New roast is out",
        "created_at": "2026-11-20T10:00:00.000Z",
        "edit_history_tweet_ids": ["1861000000000000001"],
        "public_metrics": {
            "retweet_count": 3,
            "reply_count": 5,
            "like_count": 40,
            "quote_count": 1,
            "bookmark_count": 2,
            "impression_count": 2500,
        },
    },
    "reddit": {
        "kind": "t3",
        "data": {
            "id": "1p9abcd",
            "name": "t3_1p9abcd",
            "title": "We roast on Mondays",
            "author": "driftwood_coffee",
            "created_utc": 1795600000.0,
            "score": 21,
            "num_comments": 7,
            "num_crossposts": 1,
            "permalink": "/r/Coffee/comments/1p9abcd/we_roast_on_mondays/",
        },
    },
    "mastodon": {
        "id": "113500000000000001",
        "created_at": "2026-11-21T09:00:00.000Z",
        "visibility": "public",
        "url": "https://fake.social/@heardbot/113500000000000001",
        "replies_count": 2,
        "reblogs_count": 4,
        "favourites_count": 11,
        "content": "<p>hello</p>",
    },
    "bluesky": {
        "uri": "at://did:plc:abc/app.bsky.feed.post/3lxyz",
        "cid": "bafyrei",
        "author": {"did": "did:plc:abc", "handle": "heard.bsky.social"},
        "record": {"$type": "app.bsky.feed.post", "text": "hi", "createdAt": "2026-11-22T08:00:00.000Z"},
        "replyCount": 1,
        "repostCount": 2,
        "likeCount": 9,
        "quoteCount": 3,
        "indexedAt": "2026-11-22T08:00:01.000Z",
    },
    "youtube": {
        "kind": "youtube#video",
        "id": "abcdefghijk",
        "snippet": {"publishedAt": "2026-11-23T07:00:00Z"},
        "statistics": {"viewCount": "1200", "likeCount": "80", "favoriteCount": "0", "commentCount": "12"},
    },
}
EXPECTED = {
    "x": (40, 3, 5, 1, 2500),
    "reddit": (20, 1, 7, 0, 0),
    "mastodon": (11, 4, 2, 0, 0),
    "bluesky": (9, 2, 1, 3, 0),
    "youtube": (80, 0, 12, 0, 1200),
}


def write_recording(path: Path, platforms: tuple[str, ...] = tuple(RAW)) -> Path:
    lines = [
        {"heard_recording": 1, "accounts": {"x": {"id": "1", "handle": "acme"}}},
        {
            "platform": "x",
            "payload": {
                "data": {"id": "5", "text": "@acme hi", "author_id": "2", "created_at": "2026-11-20T11:00:00.000Z"}
            },
        },
    ]
    lines += [{"platform": p, "own_post": RAW[p], "followers": 1000 + i} for i, p in enumerate(platforms)]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    return path


def test_replay_turns_own_post_lines_into_own_posts(tmp_path: Path) -> None:
    recording = write_recording(tmp_path / "rec.jsonl")
    accounts, items = read_recording(recording)
    assert len(items) == 1 and set(accounts) == {"x"}  # own posts are not comments
    assert [e["line"] for e in read_own_posts(recording)] == [3, 4, 5, 6, 7]

    posts = ReplayPlatform(recording, tmp_path / "outbox.jsonl").own_posts(since=now())

    assert {p.platform: (p.likes, p.reposts, p.replies, p.quotes, p.views) for p in posts} == EXPECTED
    assert {p.platform: p.followers_at_post for p in posts} == {p: 1000 + i for i, p in enumerate(RAW)}
    assert all(p.created_at.tzinfo is not None and p.url.startswith("https://") for p in posts)


@pytest.mark.parametrize(
    "line, message",
    [
        ({"platform": "x", "own_post": RAW["x"]}, "followers"),
        ({"platform": "x", "own_post": [], "followers": 3}, "followers"),
        ({"platform": "x", "own_post": {"id": "9"}, "followers": 3}, "created_at"),
        ({"platform": "nowhere", "own_post": {"id": "9"}, "followers": 3}, "unknown platform"),
    ],
)
def test_a_bad_own_post_line_names_its_line(tmp_path: Path, line: dict[str, Any], message: str) -> None:
    recording = tmp_path / "rec.jsonl"
    recording.write_text('{"heard_recording": 1, "accounts": {}}\n' + json.dumps(line) + "\n", encoding="utf-8")
    with pytest.raises(BadPayload, match=rf"rec.jsonl:2: .*{message}"):
        read_recording(recording)
        ReplayPlatform(recording, tmp_path / "outbox.jsonl").own_posts(since=now())


# -- the app, the store and the report -------------------------------------------------------------


def test_app_stores_own_posts_and_the_report_has_figures(tmp_path: Path) -> None:
    harnesses = [start(name) for name in ("x", "mastodon")]
    try:
        for h in harnesses:
            h.set_followers(800)
            h.add_own_post(likes=30, replies=10, created_at=now() - timedelta(days=2))
        app = App(settings_for(tmp_path), clients={h.platform: connect(h) for h in harnesses})
        result = app.fetch_own_posts(now=now())
        assert dict(result.stored) == {"x": 1, "mastodon": 1} and not result.errors

        rows = app.store.own_posts(None, now())
        assert {r["platform"] for r in rows} == {"x", "mastodon"}
        assert all(r["followers_at_post"] == 800 and r["likes"] == 30 for r in rows)
        figures = audience(rows, now=now())
        assert figures["has_data"] and figures["median_rate"] == pytest.approx(40 / 800)
        assert set(figures["by_platform"]) == {"x", "mastodon"}
    finally:
        for h in harnesses:
            h.stop()


def test_one_failing_platform_does_not_stop_the_others(tmp_path: Path) -> None:
    harnesses = {name: start(name) for name in ("x", "bluesky", "youtube")}
    try:
        for h in harnesses.values():
            h.set_followers(100)
            h.add_own_post(likes=5)
        app = App(settings_for(tmp_path), clients={n: connect(h) for n, h in harnesses.items()})
        harnesses["x"].fail_next("401")
        result = app.fetch_own_posts(now=now())
        assert set(result.errors) == {"x"} and "x" in result.errors["x"]
        assert dict(result.stored) == {"bluesky": 1, "youtube": 1}
        assert {r["platform"] for r in app.store.own_posts(None, now())} == {"bluesky", "youtube"}
        with pytest.raises(PlatformError, match="own posts: x: "):
            result.check()  # the service job records the failure in its heartbeat
    finally:
        for h in harnesses.values():
            h.stop()


def test_a_refresh_updates_metrics_but_keeps_the_first_follower_count(store: Store) -> None:
    first = OwnPost("x", "1", "https://x.com/i/web/status/1", now() - timedelta(days=1), 500, likes=3)
    store.save_own_posts([dataclasses.asdict(first)], now=now())
    later = dataclasses.replace(first, followers_at_post=900, likes=8, views=40)
    store.save_own_posts([dataclasses.asdict(later)], now=now())
    [row] = store.own_posts(None, now())
    assert (row["followers_at_post"], row["likes"], row["views"]) == (500, 8, 40)
    unknown = OwnPost("x", "2", "https://x.com/i/web/status/2", now() - timedelta(days=1), 0)
    store.save_own_posts([dataclasses.asdict(unknown)], now=now())
    store.save_own_posts([dataclasses.asdict(dataclasses.replace(unknown, followers_at_post=700))], now=now())
    assert {r["post_id"]: r["followers_at_post"] for r in store.own_posts(None, now())} == {"1": 500, "2": 700}


def test_heard_poll_refreshes_own_posts_from_the_replay_platform(tmp_path: Path) -> None:
    recording = write_recording(tmp_path / "rec.jsonl", ("x", "reddit"))
    (tmp_path / "replies.toml").write_text((ROOT / "config" / "replies.toml").read_text(encoding="utf-8"))
    config = tmp_path / "heard.toml"
    config.write_text(
        f'[platforms.replay]\nenabled = true\nrecording = "{recording}"\noutbox = "{tmp_path / "outbox.jsonl"}"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "--db", str(tmp_path / "heard.db"), "poll"])
    assert result.exit_code == 0, result.output
    assert "own posts: reddit 1, x 1" in result.output
    assert {r["platform"] for r in Store(tmp_path / "heard.db").own_posts(None, now())} == {"x", "reddit"}


def test_the_demo_recording_has_own_posts_for_audience_health(tmp_path: Path) -> None:
    from heard.demo import demo_settings

    recording = ROOT / "config" / "demo" / "recording.jsonl"
    app = App(demo_settings(settings_for(tmp_path), tmp_path / "demo", recording))
    result = app.fetch_own_posts(now=now())
    assert set(result.stored) == {"x", "reddit"} and not result.errors
    figures = audience(app.store.own_posts(None, now()), now=now())
    assert figures["has_data"] and set(figures["by_platform"]) == {"x", "reddit"}


def test_own_posts_interval_is_a_setting_with_a_minimum(tmp_path: Path) -> None:
    assert settings_for(tmp_path).own_posts_seconds == 6 * 3600
    assert settings_for(tmp_path, {"schedule": {"own_posts_seconds": 3600}}).own_posts_seconds == 3600
    with pytest.raises(ConfigError, match="schedule.own_posts_seconds"):
        settings_for(tmp_path, {"schedule": {"own_posts_seconds": 5}})
