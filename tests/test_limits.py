"""Reply length rules: each platform's counter and limit, and the refusal people read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from listener.errors import AuthFailed, ContentRefused
from listener.platforms import spec
from listener.platforms._length import count_graphemes, count_mastodon, count_x, graphemes
from listener.poll import poll_once
from listener.store import Store
from responders.limits import problem
from tests.harness import client, fake_names, now, start


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("plain words", 11),
        ("see https://example.com/a/very/long/path/that/goes/on/and/on?with=query", 4 + 23),
        ("docs at acme.io/help.", 8 + 23 + 1),  # a bare domain is a link too; the full stop is not
        ("日本語", 6),  # CJK weighs 2
        ("café", 4),  # Latin with accents weighs 1
        ("\U0001f44d\U0001f3fd", 2),  # an emoji with a skin tone is one emoji
        ("\U0001f469\u200d\U0001f4bb ok", 2 + 3),  # a ZWJ sequence is one emoji
        ("\U0001f1ef\U0001f1f5", 2),  # a flag
        ("“quoted” — dash", 15),  # general punctuation weighs 1
    ],
)
def test_x_counts_as_twitter_text_does(text: str, weight: int) -> None:
    assert count_x(text) == weight


def test_graphemes_keep_combining_marks_and_emoji_sequences_whole() -> None:
    assert list(graphemes("e\u0301a")) == ["e\u0301", "a"]
    assert count_graphemes("\U0001f468\u200d\U0001f469\u200d\U0001f467 hi") == 4
    assert count_graphemes("1\ufe0f\u20e3") == 1
    assert count_graphemes("line\r\nnext") == 9


def test_mastodon_counts_links_as_23_and_remote_mentions_without_their_domain() -> None:
    assert count_mastodon("@sam@social.example.org thanks") == len("@sam thanks")
    assert count_mastodon("read https://example.com/" + "x" * 200) == 5 + 23


def test_an_over_limit_reply_is_refused_with_the_limit_and_the_count() -> None:
    text = "Thank you for the detailed report, we are looking into it right now. " * 4 + "日本語"
    assert problem("x", text) == f"reply is {count_x(text)} weighted characters; X allows 280"
    assert count_x(text) == 4 * 69 + 6
    assert problem("x", "Thanks, we are on it.") is None


@pytest.mark.parametrize(
    ("platform", "fits", "over", "unit"),
    [
        ("bluesky", "\U0001f44d" * 300, "\U0001f44d" * 301, "graphemes"),
        ("mastodon", "a" * 500, "a" * 501, "characters"),
        ("reddit", "a" * 10_000, "a" * 10_001, "characters"),
        ("youtube", "a" * 10_000, "a" * 10_001, "characters"),
    ],
)
def test_each_platform_has_its_limit(platform: str, fits: str, over: str, unit: str) -> None:
    assert problem(platform, fits) is None
    refusal = problem(platform, over)
    assert refusal is not None and refusal.startswith(f"reply is {len(over)} {unit};")
    assert refusal.endswith(f"allows {spec(platform).reply_limit}")


def test_an_instance_limit_overrides_the_default() -> None:
    assert problem("mastodon", "a" * 800, limit=1000) is None
    assert problem("mastodon", "a" * 800, limit=700) == "reply is 800 characters; Mastodon allows 700"


@pytest.mark.parametrize("platform", ["x", "bluesky", "mastodon", "reddit", "youtube", "replay"])
@pytest.mark.parametrize("text", ["", "   \n\t", None])
def test_an_empty_reply_is_refused_everywhere(platform: str, text: str | None) -> None:
    assert problem(platform, text) == "reply is empty"


def test_counting_a_huge_reply_stays_fast() -> None:
    import time

    start = time.perf_counter()
    for text in ("a." * 50_000, "ab-" * 30_000, "x" * 100_000):
        count_x(text)
        count_mastodon(text)
    assert time.perf_counter() - start < 2.0


# -- each platform's own refusal of a text, through its real client and fake ----------------------


@pytest.fixture(params=fake_names())
def harness(request: pytest.FixtureRequest) -> Iterator[Any]:
    h = start(request.param)
    yield h
    h.stop()


def test_a_platform_refusing_the_text_fails_that_reply_not_the_credentials(harness: Any, tmp_path: Path) -> None:
    if harness.platform == "x":
        harness.fake.max_length = 280  # the fake counts plainly; X's 403 says "too long"
    store, c = Store(tmp_path / "db"), client(harness)
    source = c.sources()[0]
    poll_once(c, source, store, now=now())
    [native] = harness.add_incoming(1)
    poll_once(c, source, store, now=now())
    comment = store.comment(f"{harness.platform}:{native}")
    texts = ["much too long " * 1000]  # over every platform's limit, and the lexicon's for Bluesky
    if harness.platform in ("x", "bluesky", "mastodon"):
        texts.append("much too long " * 40)  # over these platforms' limits only: refused by the server
    for text in texts:
        with pytest.raises(ContentRefused) as refused:
            c.reply(comment, text)
        assert not isinstance(refused.value, AuthFailed)
    assert harness.replies() == []
