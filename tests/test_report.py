"""Tests for responders.report: figures checked against independent SQL, text patterns, output forms."""

from __future__ import annotations

import dataclasses
import json
import random
import re
import statistics
from datetime import timedelta
from pathlib import Path

import pytest

from bench.gen_history import generate
from listener.store import Store, iso
from responders import lifecycle
from responders.lifecycle import ReplyState as S
from responders.recent import overlap
from responders.report import build_report, parse_span, rows, run_report
from responders.report.audience import audience
from responders.report.figures import quantile
from responders.report.page import render_html
from responders.report.terminal import render_terminal
from responders.report.text import cluster_questions, near_duplicate_replies, noun_phrases
from tests.conftest import NOW, make_comment, make_tags

NEEDING = (
    " FROM comments c JOIN tags t ON t.comment_id = c.id LEFT JOIN replies r ON r.comment_id = c.id"
    " WHERE t.needs_reply = 1 AND c.is_own = 0 AND c.created_at >= ? AND c.created_at <= ?"
)
ACKED = " AND r.state IN ('posted', 'dismissed')"


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = generate(tmp_path_factory.mktemp("history") / "h.db", comments=1500, days=30, seed=3, now=NOW)
    yield store
    store.close()


def sql(store: Store, query: str, params: list) -> list[tuple]:
    return store.db.execute(query, params).fetchall()


@pytest.mark.parametrize("since", [None, timedelta(days=10)])
def test_responsiveness_matches_independent_sql(history: Store, since: timedelta | None) -> None:
    start = iso(NOW - since) if since else ""
    window = [start, iso(NOW)]
    r = build_report(history, since=since, now=NOW)["responsiveness"]
    needing = sql(history, "SELECT count(*)" + NEEDING, window)[0][0]
    acked = sql(history, "SELECT count(*)" + NEEDING + ACKED, window)[0][0]
    assert (r["needing_reply"], r["acknowledged"]) == (needing, acked)
    assert r["response_rate"] == pytest.approx(acked / needing)
    delays = [
        d
        for (d,) in sql(
            history,
            "SELECT (julianday(r.posted_at) - julianday(c.created_at)) * 86400" + NEEDING + " AND r.state = 'posted'",
            window,
        )
    ]
    assert r["median_reply_seconds"] == pytest.approx(statistics.median(delays), abs=1)
    p90 = statistics.quantiles(delays, n=10, method="inclusive")[8]
    assert r["p90_reply_seconds"] == pytest.approx(p90, abs=1)


def test_waiting_buckets_match_independent_sql(history: Store) -> None:
    hours = f"(julianday('{iso(NOW)}') - julianday(c.created_at)) * 24"
    rows = sql(
        history,
        f"SELECT CASE WHEN {hours} < 1 THEN '<1h' WHEN {hours} < 4 THEN '1-4h'"
        f" WHEN {hours} < 24 THEN '4-24h' WHEN {hours} < 72 THEN '1-3d' ELSE '>3d' END, count(*)"
        + NEEDING
        + " AND NOT coalesce("
        + ACKED[5:]
        + ", 0) GROUP BY 1",
        ["", iso(NOW)],
    )
    expected = {"<1h": 0, "1-4h": 0, "4-24h": 0, "1-3d": 0, ">3d": 0, **dict(rows)}
    assert build_report(history, since=None, now=NOW)["responsiveness"]["waiting_by_age"] == expected
    assert sum(expected.values()) > 0


def test_per_platform_counts_match_independent_sql(history: Store) -> None:
    window = ["", iso(NOW)]
    needing = dict(sql(history, "SELECT c.platform, count(*)" + NEEDING + " GROUP BY 1", window))
    acked = dict(sql(history, "SELECT c.platform, count(*)" + NEEDING + ACKED + " GROUP BY 1", window))
    by_platform = build_report(history, since=None, now=NOW)["responsiveness"]["by_platform"]
    assert {k: v["needing_reply"] for k, v in by_platform.items()} == needing
    assert {k: v["acknowledged"] for k, v in by_platform.items()} == acked
    assert len(needing) == 4


def test_as_is_and_edited_counts_match_independent_sql(history: Store) -> None:
    posted = "SELECT count(*) FROM replies r WHERE r.state = 'posted'"
    as_is = sql(history, posted + " AND coalesce(r.suggested_text, '') != '' AND r.edit_ratio = 0", [])[0][0]
    edited = sql(history, posted + " AND coalesce(r.suggested_text, '') != '' AND r.edit_ratio > 0", [])[0][0]
    written = sql(history, posted + " AND coalesce(r.suggested_text, '') = ''", [])[0][0]
    a = build_report(history, since=None, now=NOW)["authenticity"]
    assert (a["as_is"], a["edited"], a["written"]) == (as_is, edited, written)
    assert as_is and edited and written


def _answered(store: Store, n: int, *, platform: str = "x", minutes_ago: int = 600, **tags: object) -> str:
    c = make_comment(n, platform=platform, author=f"a{n}", minutes_ago=minutes_ago)
    store.save_page("t", [c], None, now=NOW)
    store.save_tags([make_tags(c, **tags)], now=NOW)
    return c.id


def test_policy_dismissals_do_not_need_a_reply_and_person_dismissals_count(store: Store) -> None:
    policy = _answered(store, 1, needs_reply=False)  # what the judge writes when it skips a comment
    lifecycle.create(store, policy, S.DISMISSED, now=NOW, decided_by="policy", reason="bot")
    person = _answered(store, 2)
    lifecycle.create(store, person, S.SUGGESTED, now=NOW, text="hi", suggested_text="hi")
    lifecycle.transition(store, person, S.DISMISSED, now=NOW, decided_by="person")
    posted = _answered(store, 3, minutes_ago=90)
    lifecycle.create(store, posted, S.SUGGESTED, now=NOW, text="hi", suggested_text="hi")
    for state in (S.APPROVED, S.POSTING):
        lifecycle.transition(store, posted, state, now=NOW)
    lifecycle.transition(store, posted, S.POSTED, now=NOW, posted_at=NOW - timedelta(minutes=30), edit_ratio=0.0)
    _answered(store, 4, minutes_ago=30)
    r = build_report(store, since=None, now=NOW)["responsiveness"]
    assert (r["needing_reply"], r["acknowledged"], r["posted"]) == (3, 2, 1)
    # `heard status` counts with the same definition of "acknowledged" on the same database.
    ledger = store.ledger_counts()
    assert (ledger["open"] + ledger["acknowledged"], ledger["acknowledged"]) == (3, 2)
    assert r["median_reply_seconds"] == 3600
    assert r["waiting_by_age"]["<1h"] == 1


def test_parse_span() -> None:
    assert parse_span("30d") == timedelta(days=30)
    assert parse_span("12h") == timedelta(hours=12)
    assert parse_span("8W") == timedelta(weeks=8)
    for bad in ("", "30", "d", "3m", "0d", "-1d"):
        with pytest.raises(ValueError):
            parse_span(bad)


def test_quantile_interpolates_like_numpy() -> None:
    assert quantile([1, 2, 3, 4], 0.5) == 2.5
    assert quantile([10], 0.9) == 10
    assert quantile([], 0.5) is None


def test_questions_cluster_by_shared_words() -> None:
    texts = [
        "Do you ship to Canada?",
        "do you ship to canada or only the US?",
        "Do you ship to Canada??",
        "How do I descale the kettle?",
        "How to descale my kettle",
        "Is it vegan?",
    ]
    items = [{"id": str(i), "text": t, "url": f"https://e.invalid/{i}"} for i, t in enumerate(texts)]
    clusters = cluster_questions(items, threshold=0.5)
    assert [c["count"] for c in clusters] == [3, 2, 1]
    assert clusters[0]["example"]["text"] == "Do you ship to Canada?"


def test_noun_phrases_without_a_parser() -> None:
    assert noun_phrases("The milk frother keeps leaking again!") == ["milk frother"]
    assert noun_phrases("@shop my order never arrived") == ["order"]
    assert noun_phrases("The new packaging is impossible to open") == ["packaging"]
    assert noun_phrases("The checkout page rejects my card") == ["checkout page", "card"]
    assert noun_phrases("broken grinder, ugh") == ["grinder"]


def test_near_duplicates_match_brute_force_with_overlap() -> None:
    rng = random.Random(5)
    vocab = [
        "thanks",
        "so",
        "much",
        "for",
        "the",
        "kind",
        "words",
        "we",
        "love",
        "hearing",
        "this",
        "enjoy",
        "your",
        "coffee",
        "today",
    ]
    replies = [
        {"id": str(i), "platform": rng.choice("ab"), "text": " ".join(rng.sample(vocab, rng.randint(6, 9)))}
        for i in range(600)
    ]
    window = 50
    expected = 0
    for platform in "ab":
        rows = [r for r in replies if r["platform"] == platform]
        for i, r in enumerate(rows):
            expected += sum(overlap(r["text"], o["text"]) > 0.8 for o in rows[max(0, i - window) : i])
    found = near_duplicate_replies(replies, window=window)
    assert found["pairs"] == expected > 0


def test_near_duplicates_pair_up_thousands_of_replies() -> None:
    replies = [
        {"id": str(i), "platform": "x", "text": f"Thanks {i % 40}, glad you like the grinder!"} for i in range(5000)
    ]
    found = near_duplicate_replies(replies)
    assert found["replies_in_pairs"] == 5000


def test_advocates_rank_repeat_positive_recent(store: Store) -> None:
    def say(n: int, author: str, sentiment: str, days_ago: int) -> None:
        c = make_comment(n, author=author, minutes_ago=days_ago * 1440)
        store.save_page("t", [c], None, now=NOW)
        store.save_tags([make_tags(c, sentiment=sentiment, needs_reply=False)], now=NOW)

    for n, (who, sentiment, age) in enumerate(
        [
            ("fan", "positive", 1),
            ("fan", "positive", 2),
            ("old", "positive", 80),
            ("old", "positive", 85),
            ("grump", "negative", 1),
            ("grump", "positive", 2),
            ("once", "positive", 1),
        ]
    ):
        say(n, who, sentiment, age)
    advocates = build_report(store, since=None, now=NOW)["people"]["advocates"]
    assert [a["handle"] for a in advocates] == ["fan", "old"]
    assert set(advocates[0]) == {
        "platform",
        "handle",
        "comments",
        "positive",
        "negative",
        "replied",
        "last_seen",
        "url",
        "score",
    }


def test_unanswered_first_timers(store: Store) -> None:
    _answered(store, 1)
    answered = _answered(store, 2)
    lifecycle.create(store, answered, S.SUGGESTED, now=NOW, text="hi", suggested_text="hi")
    for state in (S.APPROVED, S.POSTING, S.POSTED):
        lifecycle.transition(store, answered, state, now=NOW, posted_at=NOW)
    first = build_report(store, since=None, now=NOW)["people"]["unanswered_first_timers"]
    assert first["count"] == 1 and first["recent"][0]["handle"] == "a1"


def _post(n: int, followers: int, engaged: int, days_ago: float = 1) -> dict:
    return {
        "platform": "x",
        "post_id": str(n),
        "url": f"https://x.invalid/{n}",
        "followers_at_post": followers,
        "created_at": iso(NOW - timedelta(days=days_ago)),
        "likes": engaged,
        "reposts": 0,
        "replies": 0,
        "quotes": 0,
        "views": followers // 5,
    }


def test_own_posts_upsert_and_far_below_flag(store: Store) -> None:
    store.save_own_posts([_post(i, 5000, 10, i) for i in range(6)], now=NOW)
    store.save_own_posts([_post(0, 5000, 12, 0)], now=NOW)
    posts = store.own_posts(None, NOW)
    assert len(posts) == 6 and posts[-1]["likes"] == 12
    a = audience(posts, now=NOW)
    assert a["by_platform"]["x"]["far_below"]
    assert "0.20%" in a["flags"][0] and "1k-10k" in a["flags"][0] and "1.0%-4.0%" in a["flags"][0]
    healthy = audience([_post(i, 5000, 150) for i in range(3)], now=NOW)
    assert healthy["flags"] == [] and not healthy["by_platform"]["x"]["far_below"]


def test_no_own_posts_says_so_instead_of_charts(store: Store, tmp_path: Path) -> None:
    _answered(store, 1)
    page = tmp_path / "r.html"
    figures = run_report(store, since=None, now=NOW, html=page, as_json=True, say=lambda _: None)
    assert figures["audience"]["has_data"] is False
    html = page.read_text()
    assert "No data about your own posts yet" in html and "Engagement rate per post" not in html


def test_json_is_one_object_with_every_figure(history: Store) -> None:
    said: list[str] = []
    figures = run_report(history, since=timedelta(days=30), now=NOW, html=None, as_json=True, say=said.append)
    assert len(said) == 1 and json.loads(said[0]) == json.loads(json.dumps(figures, default=str))
    assert {
        "responsiveness",
        "sentiment",
        "questions",
        "complaints",
        "people",
        "audience",
        "authenticity",
    } <= set(figures)


def test_terminal_output_has_tables(history: Store) -> None:
    said: list[str] = []
    run_report(history, since=None, now=NOW, html=None, as_json=False, say=said.append)
    text = "\n".join(said)
    for title in ("Response rate", "By platform", "Most frequent questions", "Advocates", "Authenticity"):
        assert title in text


def test_html_is_self_contained(history: Store, tmp_path: Path) -> None:
    page = tmp_path / "out" / "report.html"
    run_report(history, since=None, now=NOW, html=page, as_json=True, say=lambda _: None)
    html = page.read_text()
    assert "<script" not in html and "@import" not in html and "url(" not in html
    assert re.findall(r"\bsrc=", html) == []
    assert "name='viewport'" in html
    assert html.count("<svg") >= 7
    links = re.findall(r"href='([^']+)'", html)
    assert links and all(link.startswith("https://") for link in links)


HOSTILE = """[/b] [bold]loud <script>alert("boom")</script> it's 'quoted' & "double\""""


def _hostile(store: Store) -> None:
    for n, url in enumerate(["https://e.invalid/a'b\"c<d>", "javascript:alert(1)"]):
        c = dataclasses.replace(
            make_comment(n, author=f"<b>x{n}</b>&'\"", text=f"Why? {HOSTILE}", minutes_ago=600), url=url
        )
        store.save_page("t", [c], None, now=NOW)
        store.save_tags([make_tags(c, intent="question", is_question=True, sentiment="negative")], now=NOW)


def test_html_escapes_what_people_wrote(store: Store) -> None:
    _hostile(store)
    html = render_html(build_report(store, since=None, now=NOW))
    assert "<script" not in html and "<b>x" not in html and "javascript:" not in re.sub(r">[^<]*<", "><", html)
    assert "&lt;script&gt;alert(&#34;boom&#34;)&lt;/script&gt; it&#39;s &#39;quoted&#39; &amp; &#34;double&#34;" in html
    assert "&lt;b&gt;x0&lt;/b&gt;&amp;&#39;&#34;" in html
    # A quote in an address cannot close the attribute; a javascript: address is shown, never linked.
    assert "href='https://e.invalid/a&#39;b&#34;c&lt;d&gt;'" in html
    assert re.findall(r"href='([^']*)'", html) == ["https://e.invalid/a&#39;b&#34;c&lt;d&gt;"] * 2


def test_terminal_prints_rich_markup_in_comments_as_words(store: Store) -> None:
    _hostile(store)
    text = render_terminal(build_report(store, since=None, now=NOW))
    assert "[/b] [bold]loud" in text and "<b>x0</b>" in text


def test_both_renderers_show_the_same_rows(history: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")  # wide enough that no cell wraps
    figures = build_report(history, since=None, now=NOW)
    html, text = render_html(figures), render_terminal(figures)
    r, p = figures["responsiveness"], figures["people"]
    for table in (rows.headline(figures), rows.by_platform(r), rows.by_intent(r), rows.advocates(p)):
        assert table.rows
        for row in table.rows:
            for cell, column in zip(row, table.columns, strict=True):
                if column.kind is not rows.Kind.LINK:  # the page shows an address as a link named "open"
                    assert f">{cell}<" in html and str(cell) in text, (table.title, cell)
    assert "Score: +1 per positive comment, +0.2 neutral, \u22121 negative" in rows.advocates(p).note


@pytest.mark.slow
def test_fifty_thousand_comments_make_a_whole_report(tmp_path: Path) -> None:
    # How fast is bench/report_bench.py's job (figures, not a timed test); this checks it completes.
    store = generate(tmp_path / "big.db", comments=50_000, days=90, now=NOW)
    figures = run_report(store, since=None, now=NOW, html=tmp_path / "r.html", as_json=True, say=lambda _: None)
    store.close()
    assert figures["comments"]["total"] == 50_000
    assert (tmp_path / "r.html").read_text().count("<svg") >= 7
