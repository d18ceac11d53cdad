"""Test profile look-ups: Reddit and YouTube comments carry no bio, so heard asks for the author's profile."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bench.day_payloads import Day, profile_lines
from heard.app import App
from heard.settings import build_settings
from listener.errors import BadPayload
from listener.platforms import ProfileSource
from listener.platforms.reddit import normalise_profile as reddit_profile
from listener.platforms.replay import ReplayPlatform, read_recording
from listener.platforms.youtube import normalise_profile as youtube_profile
from listener.profiles import PROFILES_PER_POLL, RECHECK, refresh_profiles
from listener.records import Author, Comment
from listener.store import Store
from tests.fakes.reddit import RedditFake
from tests.fakes.youtube import YouTubeHarness
from tests.harness import client, now, start

ROOT = Path(__file__).resolve().parents[1]
BACKFILL = timedelta(hours=1)  # comments the fakes create "now" are older than the poll's own now


def make_app(tmp_path: Path, clients: dict[str, Any]) -> App:
    """An app over the given clients, with the shipped reply templates."""
    shutil.copy(ROOT / "config" / "replies.toml", tmp_path / "replies.toml")
    settings = build_settings(
        {}, {}, config_path=tmp_path / "heard.toml", overrides={"database": str(tmp_path / "heard.db")}
    )
    return App(settings, clients=clients)


def decide_all(app: App) -> dict[str, Any]:
    """Tag and decide what was stored; each comment's skip-reason code by its text (None: needs a reply)."""
    app.tag(now=now())
    app.decide(now=now())
    return {row["text"]: row["reason"]["code"] for row in app.store.decisions()}


@pytest.fixture
def reddit() -> Iterator[RedditFake]:
    fake = start("reddit")
    yield fake
    fake.stop()


@pytest.fixture
def youtube() -> Iterator[YouTubeHarness]:
    fake = start("youtube")
    yield fake
    fake.stop()


# -- the normalisers: pure -------------------------------------------------------------------------


def test_reddit_about_gives_the_fullname_and_the_profile_text() -> None:
    about = {"kind": "t2", "data": {"id": "8xq2", "name": "pan_handler", "subreddit": {"public_description": "hi"}}}
    assert reddit_profile(about) == ("t2_8xq2", "hi")
    suspended = {"kind": "t2", "data": {"name": "gone_fishing", "is_suspended": True}}
    assert reddit_profile(suspended) == ("gone_fishing", "")
    with pytest.raises(BadPayload):
        reddit_profile({"kind": "t2"})


def test_youtube_channel_gives_its_id_and_description() -> None:
    channel = {"kind": "youtube#channel", "id": "UCabc", "snippet": {"title": "A", "description": "Bakes bread."}}
    assert youtube_profile(channel) == ("UCabc", "Bakes bread.")
    assert youtube_profile({"id": "UCabc"}) == ("UCabc", "")
    with pytest.raises(BadPayload):
        youtube_profile({"snippet": {}})


# -- the store ---------------------------------------------------------------------------------------


def stored_comment(author: Author, native: str, at: datetime, platform: str = "reddit") -> Comment:
    return Comment(platform, native, "us", "mention", author, "hello there", "https://example.invalid", at)


def test_a_comment_without_bio_keeps_the_looked_up_one(tmp_path: Path) -> None:
    store = Store(tmp_path / "heard.db")
    person = Author("t2_kettle", "kettle_king")
    store.save_page("reddit:inbox", [stored_comment(person, "t1_a", now())], None, now=now())
    store.save_profiles("reddit", {"t2_kettle": "tea enjoyer. no bot replies"}, now=now())
    store.save_page("reddit:inbox", [stored_comment(person, "t1_b", now())], None, now=now())
    row = store.author("reddit", "t2_kettle")
    assert row is not None and row["bio"] == "tea enjoyer. no bot replies" and row["profile_checked_at"]
    assert row["comments"] == 2


def test_profiles_are_due_once_then_again_only_after_recheck_for_active_authors(tmp_path: Path) -> None:
    store = Store(tmp_path / "heard.db")
    t0 = datetime(2025, 3, 1, 12, tzinfo=UTC)
    quiet, busy = Author("t2_quiet", "quiet_one"), Author("t2_busy", "busy_one")
    store.save_page("s", [stored_comment(quiet, "t1_q", t0), stored_comment(busy, "t1_b", t0)], None, now=t0)
    assert {a.id for a in store.profiles_due("reddit", checked_before=t0 - RECHECK, limit=10)} == {
        "t2_quiet",
        "t2_busy",
    }
    assert store.profiles_due("youtube", checked_before=t0 - RECHECK, limit=10) == []
    store.save_profiles("reddit", {"t2_quiet": "", "t2_busy": ""}, now=t0)
    assert store.profiles_due("reddit", checked_before=t0 - RECHECK, limit=10) == []
    later = t0 + RECHECK + timedelta(days=1)
    store.save_page("s", [stored_comment(busy, "t1_b2", later)], None, now=later)  # busy wrote again
    assert [a.id for a in store.profiles_due("reddit", checked_before=later - RECHECK, limit=10)] == ["t2_busy"]


# -- Reddit against the fake ----------------------------------------------------------------------------


def test_reddit_commenter_whose_profile_opts_out_is_skipped(reddit: RedditFake, tmp_path: Path) -> None:
    reddit.set_profile("quiet_reader", "Cooking nerd from Leeds. #nobot, humans only")
    reddit.set_profile("open_book", "Cooking nerd from York.")
    reddit.add_incoming(1, text="hey u/heard_bot is the workshop still on this saturday?", author="quiet_reader")
    reddit.add_incoming(1, text="hey u/heard_bot do you ship the starter kit to Ireland?", author="open_book")
    app = make_app(tmp_path, {"reddit": client(reddit)})
    results = app.poll(now=now(), backfill=BACKFILL)
    assert not any(r.error for r in results)
    row = app.store.author("reddit", "t2_quiet_reader")
    assert row is not None and "#nobot" in row["bio"] and row["profile_checked_at"]
    codes = decide_all(app)
    assert codes["hey u/heard_bot is the workshop still on this saturday?"] == "opted_out"
    assert codes["hey u/heard_bot do you ship the starter kit to Ireland?"] is None


def test_reddit_profile_failure_does_not_stop_the_poll_and_is_retried(reddit: RedditFake, tmp_path: Path) -> None:
    reddit.set_profile("late_riser", "no automated replies, thanks")
    reddit.add_incoming(1, text="hey u/heard_bot when does the spring menu start?", author="late_riser")
    reddit_client = client(reddit)
    app = make_app(tmp_path, {"reddit": reddit_client})
    reddit.fail_profiles(3)  # prawcore retries a 500 twice by itself
    first = app.poll_source(reddit_client, "inbox", now=now(), backfill=BACKFILL)
    assert (first.error, first.stored) == (None, 1)
    row = app.store.author("reddit", "t2_late_riser")
    assert row is not None and row["bio"] == "" and row["profile_checked_at"] is None
    asked = reddit.requests("/about")
    second = app.poll_source(reddit_client, "inbox", now=now())
    assert second.error is None
    row = app.store.author("reddit", "t2_late_riser")
    assert row is not None and row["bio"] == "no automated replies, thanks"
    assert reddit.requests("/about") == asked + 1


def test_reddit_asks_once_per_author_and_knows_gone_accounts_have_no_profile(
    reddit: RedditFake, tmp_path: Path
) -> None:
    reddit.set_profile("banned_bob", suspended=True)
    for who in ("ann_bakes", "ann_bakes", "banned_bob"):
        reddit.add_incoming(1, text=f"hey u/heard_bot, {who} here, any gluten-free bread?", author=who)
    reddit_client = client(reddit)
    app = make_app(tmp_path, {"reddit": reddit_client})
    app.poll(now=now(), backfill=BACKFILL)
    assert reddit.requests("/about") == 2  # one per author, not per comment
    reddit.add_incoming(1, text="hey u/heard_bot ann_bakes again: and rye?", author="ann_bakes")
    app.poll(now=now())
    assert reddit.requests("/about") == 2  # a second poll asks nobody again
    assert app.store.author("reddit", "t2_banned_bob")["profile_checked_at"]  # type: ignore[index]
    found = reddit_client.profiles("reddit", [Author("t2_nobody_here", "nobody_here")])  # type: ignore[attr-defined]
    assert found == {"t2_nobody_here": ""}  # a 404 is an answer: no such account


# -- YouTube against the fake ----------------------------------------------------------------------------


def test_youtube_channel_that_posts_automated_summaries_is_a_bot(youtube: YouTubeHarness, tmp_path: Path) -> None:
    digest = youtube.fake.add_channel(
        "grilldigest", description="This channel posts automated summaries of BBQ videos."
    )
    youtube.fake.add_comment(digest, "Summary: the brisket rests for an hour, then slices thin. Worth a watch?")
    youtube.add_incoming(1, text="Worth a watch? When is the next live stream on brisket?")
    youtube_client = client(youtube)
    app = make_app(tmp_path, {"youtube": youtube_client})
    assert not any(r.error for r in app.poll(now=now(), backfill=BACKFILL))
    codes = decide_all(app)
    assert codes["Summary: the brisket rests for an hour, then slices thin. Worth a watch?"] == "bot"
    assert codes["Worth a watch? When is the next live stream on brisket?"] is None
    assert len(youtube.fake.channel_requests) == 1 and len(youtube.fake.channel_requests[0]) == 2
    # Every request here is a 1-unit list, the channel look-up among them: the client counted each one.
    assert youtube_client.quota_used() == youtube.fake.spent == youtube.requests("/youtube/v3/")  # type: ignore[attr-defined]
    app.poll(now=now())
    assert len(youtube.fake.channel_requests) == 1  # nobody is looked up twice


def test_youtube_looks_up_fifty_channels_a_unit(youtube: YouTubeHarness) -> None:
    youtube_client = client(youtube)
    people = [Author(youtube.fake.add_channel(f"viewer{i}", description=f"bio {i}"), f"@viewer{i}") for i in range(60)]
    before = youtube_client.quota_used()  # type: ignore[attr-defined]
    found = youtube_client.profiles("youtube", [*people, Author("Some Name", "Some Name")])  # type: ignore[attr-defined]
    assert youtube_client.quota_used() - before == 2  # type: ignore[attr-defined]
    assert [len(ids) for ids in youtube.fake.channel_requests] == [50, 10]
    assert found[people[59].id] == "bio 59" and found["Some Name"] == ""  # no channel id: nothing to ask
    assert youtube_client.profiles("reddit", people) == {}  # type: ignore[attr-defined]


def test_look_ups_are_bounded_per_poll(tmp_path: Path) -> None:
    store = Store(tmp_path / "heard.db")
    at = now()
    people = [Author(f"t2_p{i}", f"person_{i}") for i in range(PROFILES_PER_POLL + 5)]
    store.save_page("s", [stored_comment(p, f"t1_{i}", at) for i, p in enumerate(people)], None, now=at)

    class Counting:
        """A profile source that answers everyone and remembers how many it was asked about."""

        asked: list[int] = []

        def profiles(self, platform: str, authors: list[Author]) -> dict[str, str]:
            self.asked.append(len(authors))
            return {a.id: "" for a in authors}

    source = Counting()
    assert isinstance(source, ProfileSource)
    refresh_profiles(source, ["reddit"], store, now=at)
    refresh_profiles(source, ["reddit"], store, now=at)
    refresh_profiles(source, ["reddit"], store, now=at)
    assert source.asked == [PROFILES_PER_POLL, 5]


# -- replay and the benchmark's converter -------------------------------------------------------------


def test_replay_answers_profiles_from_profile_lines(tmp_path: Path) -> None:
    recording = tmp_path / "rec.jsonl"
    about = {"kind": "t2", "data": {"id": "zz9", "name": "plural_z", "subreddit": {"public_description": "#NoBot"}}}
    channel = {"kind": "youtube#channel", "id": "UCzz", "snippet": {"description": "auto-posted clips"}}
    lines = [
        {"heard_recording": 1, "accounts": {"reddit": {"id": "t2_us", "handle": "us"}}},
        {"platform": "reddit", "profile": about},
        {"platform": "youtube", "profile": channel},
    ]
    recording.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    assert read_recording(recording)[1] == []  # profiles are not comments
    replay = ReplayPlatform(recording, tmp_path / "outbox.jsonl")
    asked = [Author("t2_zz9", "plural_z"), Author("t2_other", "other")]
    assert replay.profiles("reddit", asked) == {"t2_zz9": "#NoBot", "t2_other": ""}
    assert replay.profiles("youtube", [Author("UCzz", "@zz")]) == {"UCzz": "auto-posted clips"}
    recording.write_text(recording.read_text() + json.dumps({"platform": "x", "profile": {}}) + "\n")
    with pytest.raises(BadPayload, match=":4: x has no profiles"):
        ReplayPlatform(recording, tmp_path / "outbox.jsonl").profiles("reddit", asked)


def test_converter_writes_one_profile_per_author_with_a_bio_in_the_platform_shape() -> None:
    def line(platform: str, author_id: str, handle: str, bio: str, n: int) -> dict[str, Any]:
        author = {"id": author_id, "handle": handle, "name": handle, "bio": bio, "is_bot_account": False}
        return {"platform": platform, "id": f"{platform}:c{n}", "author": author}

    day = Day(
        [
            line("reddit", "t2_abc1", "saucy_sam", "no bots please", 1),
            line("reddit", "t2_abc1", "saucy_sam", "no bots please", 2),
            line("reddit", "t2_abc2", "plain_pat", "", 3),
            line("youtube", "UCdef", "@grillgrace", "Grill videos, posted automatically every hour.", 4),
            line("x", "77", "xavier", "has a bio but X carries it", 5),
        ],
        {},
    )
    out = list(profile_lines(day))
    assert [p["platform"] for p in out] == ["reddit", "youtube"]
    assert reddit_profile(out[0]["profile"]) == ("t2_abc1", "no bots please")
    assert out[0]["profile"]["data"]["name"] == "saucy_sam"
    assert youtube_profile(out[1]["profile"]) == ("UCdef", "Grill videos, posted automatically every hour.")
