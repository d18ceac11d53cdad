"""The cheap upper bounds that spare the exact count are never below it: a reply they pass is within the limit."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from listener.platforms import _length, spec
from tests.conftest import make_comment

PIECES = st.sampled_from(
    ["a", " ", "é", "e\u0301", "字", "👍🏽", "👨‍👩‍👧", "🇬🇧", "\r\n", ".", "。", "x.co", "https://a.bc/d", "http://t.co",
     "@ann@example.social", "www.example.com", "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r", "\u200d", "\ufe0f",
     "a.b", "foo.bar", "t.co/x", "example.com.", "1.2", "x.y.z", "ab.cd?e=f", "b.c", "e.g.", "Mr. X", "a..b"]
)  # fmt: skip
TEXTS = st.one_of(st.text(max_size=200), st.lists(PIECES, max_size=120).map("".join))


@settings(max_examples=1500, deadline=None)
@given(text=TEXTS)
def test_each_bound_is_at_least_the_exact_count(text: str) -> None:
    assert _length.bound_x(text) >= _length.count_x(text)
    assert _length.bound_mastodon(text) >= _length.count_mastodon(text)
    assert _length.bound_graphemes(text) >= _length.count_graphemes(text)


@settings(max_examples=200, deadline=None)
@given(text=TEXTS, limit=st.integers(1, 600))
def test_fits_agrees_with_the_exact_count(text: str, limit: int) -> None:
    for platform in ("x", "mastodon", "bluesky", "reddit"):
        rule = spec(platform)
        to = make_comment(1, platform=platform)
        assert rule.fits(text, to=to, limit=limit) == (rule.reply_length(text, to=to) <= limit)


def test_short_links_count_as_23_so_the_bound_allows_for_them() -> None:
    text = "x.co " * 20  # 100 characters that X counts as 20 links of 23
    assert _length.count_x(text) > 280 and not spec("x").fits(text)
