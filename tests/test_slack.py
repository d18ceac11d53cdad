"""The Slack notifier against a fake Slack on 127.0.0.1: payloads, escaping, limits, 429s and 500s."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest

from listener.store import Store, iso
from responders import lifecycle
from responders.alerts import AlertChange
from responders.escalate import escalate
from responders.lifecycle import ReplyState
from responders.report.rows import Kind
from responders.report.terminal import QUOTE_CHARS as REPORT_QUOTE_CHARS
from responders.report.terminal import _cell
from responders.slack import (
    COMMENT_CHARS,
    MAX_BLOCKS,
    SlackError,
    SlackNotifier,
    SlackRateLimited,
    build_digest,
    escape_mrkdwn,
)
from responders.wording import clip
from tests.conftest import NOW, make_comment, make_tags
from tests.fakes.slack import TOKEN, FakeSlack

HOSTILE = "hey <!channel> <!here> <@U123> look <https://evil.example|your bank> *bold* _it_ ~s~ `code` & co"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture(params=["webhook", "bot"])
def notifier(request: pytest.FixtureRequest, slack: FakeSlack) -> SlackNotifier:
    if request.param == "webhook":
        return SlackNotifier(webhook_url=slack.webhook_url, queue_file="var/queue.yaml")
    # No trailing slash on purpose: the notifier adds the one slack_sdk's urljoin needs.
    return SlackNotifier(
        token=TOKEN, channel_id="C0SUPPORT", base_url=slack.api_url.rstrip("/"), queue_file="var/queue.yaml"
    )


def sla(platform: str, priority: str) -> int:
    return {"high": 60, "normal": 240, "low": 1440}[priority]


def seed(
    store: Store,
    n: int,
    *,
    text: str = "where is my order?",
    author: str = "jane",
    priority: str = "high",
    platforms: tuple[str, ...] = ("x",),
) -> list[str]:
    ids = []
    for i in range(n):
        c = make_comment(i, platform=platforms[i % len(platforms)], text=text, author=f"{author}{i}", minutes_ago=90)
        store.save_page("s", [c], None, now=NOW)
        store.save_tags([make_tags(c, priority=priority)], now=NOW)
        lifecycle.create(store, c.id, ReplyState.SUGGESTED, now=NOW, text="Sorry about that! DM us?")
        ids.append(c.id)
    return ids


def test_digest_reaches_slack_with_the_link_wait_and_approval_hint(
    store: Store, slack: FakeSlack, notifier: SlackNotifier
) -> None:
    (cid,) = seed(store, 1)
    sent = escalate(store, notifier, sla, now=NOW)
    assert [o.comment_id for o in sent] == [cid] and store.notice_sent(cid, 1)
    (message,) = slack.messages
    assert message["text"].startswith("1 comment waiting past the SLA")
    assert message["blocks"][0]["type"] == "header"
    buttons = [b["accessory"] for b in message["blocks"] if "accessory" in b]
    assert buttons == [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": "Open", "emoji": True},
            "url": "https://example.invalid/x/0",
            "action_id": "open-0",
        }
    ]
    texts = " ".join(slack.texts())
    assert "waited 1h 30m" in texts and f"heard approve {cid}" in texts and "Sorry about that" in texts


def test_hostile_comment_text_arrives_as_plain_text(store: Store, slack: FakeSlack, notifier: SlackNotifier) -> None:
    seed(store, 1, text=HOSTILE, author="<!channel>*boss*")
    escalate(store, notifier, sla, now=NOW)
    (message,) = slack.messages
    everything = slack.texts()
    for needle in ("<!channel>", "<!here>", "<@U123>", "<https://evil.example|your bank>"):
        assert not any(needle in s for s in everything), needle
    assert any("&lt;!channel&gt;" in s and "*bold*" in s for s in everything)
    # Wherever Slack reads mrkdwn (the fallback and mrkdwn fields), formatting is neutralised too.
    mrkdwn = [message["text"]] + [
        b["text"]["text"] for b in message["blocks"] if b.get("text", {}).get("type") == "mrkdwn"
    ]
    for text in mrkdwn:
        assert "*boss*" not in text and "<" not in text
    comment_blocks = [b for b in message["blocks"] if "accessory" in b]
    assert all(b["text"]["type"] == "plain_text" for b in comment_blocks)


def test_escape_mrkdwn_neutralises_every_control() -> None:
    out = escape_mrkdwn(HOSTILE + " @channel @here")
    for bad in ("<", ">", "*bold*", "_it_", "~s~", "`code`", "@channel", "@here"):
        assert bad not in out
    assert "&amp; co" in out


def test_a_flood_is_split_into_digests_within_slacks_limits_each_item_once(
    store: Store, slack: FakeSlack, notifier: SlackNotifier
) -> None:
    ids = seed(store, 130, platforms=("x", "reddit", "mastodon"), text="x" * 5000)
    store.save_tags(
        [make_tags(store.comment(i), priority=p) for i, p in zip(ids[:40], ["normal", "low"] * 20, strict=True)],
        now=NOW,
    )
    sent = escalate(store, notifier, sla, now=NOW + timedelta(days=1))
    assert sorted(o.comment_id for o in sent) == sorted(ids)
    assert slack.rejected == [] and len(slack.messages) >= 7
    for message in slack.messages:
        assert len(message["blocks"]) <= MAX_BLOCKS
        assert len(message["blocks"][0]["text"]["text"]) <= 150
    assert "+110 more" in " ".join(slack.texts())
    hint = "Approve: heard approve "
    shown = Counter(s.removeprefix(hint) for s in slack.texts() if s.startswith(hint))
    assert shown == Counter(ids)


def test_high_priority_items_lead_every_digest_whatever_their_age(
    store: Store, slack: FakeSlack, notifier: SlackNotifier
) -> None:
    # 30 normal items older than 3 high ones: a digest shows at most 20, and the high ones come first.
    normal = seed(store, 30, author="n", priority="normal", platforms=("x", "reddit"))
    for cid in normal:
        store.db.execute("UPDATE comments SET created_at = ? WHERE id = ?", [iso(NOW - timedelta(hours=9)), cid])
    high = []
    for i in range(3):
        c = make_comment(900 + i, author=f"h{i}", text="my son had an allergic reaction", minutes_ago=70)
        store.save_page("s", [c], None, now=NOW)
        store.save_tags([make_tags(c, priority="high")], now=NOW)
        lifecycle.create(store, c.id, ReplyState.SUGGESTED, now=NOW, text="So sorry, we're on it.")
        high.append(c.id)
    escalate(store, notifier, sla, now=NOW + timedelta(hours=1))
    hint = "Approve: heard approve "
    first = [t.removeprefix(hint) for t in slack.texts() if t.startswith(hint)][:3]
    assert sorted(first) == sorted(high)


def test_429_then_success_is_delivered_once_after_retry_after(
    store: Store, slack: FakeSlack, notifier: SlackNotifier
) -> None:
    ids = seed(store, 3)
    slack.fail_next(429)
    started = time.monotonic()
    sent = escalate(store, notifier, sla, now=NOW)
    assert time.monotonic() - started >= 1.0  # Retry-After: 1 was honoured
    assert len(slack.messages) == 1 and sorted(o.comment_id for o in sent) == sorted(ids)
    assert all(store.notice_sent(i, 1) for i in ids)
    assert escalate(store, notifier, sla, now=NOW + timedelta(minutes=5)) == []
    assert len(slack.messages) == 1


def test_429_beyond_the_retries_records_the_retry_time_and_loses_nothing(
    store: Store, slack: FakeSlack, notifier: SlackNotifier
) -> None:
    ids = seed(store, 2)
    slack.fail_next(429, 429, 429)
    with pytest.raises(SlackRateLimited) as caught:
        escalate(store, notifier, sla, now=NOW)
    assert caught.value.retry_at > NOW and not any(store.notice_sent(i, 1) for i in ids)
    # Before the retry time the notifier does not even call Slack.
    calls = len(slack.server.log)
    with pytest.raises(SlackRateLimited):
        escalate(store, notifier, sla, now=NOW)
    assert len(slack.server.log) == calls
    sent = escalate(store, notifier, sla, now=caught.value.retry_at)
    assert sorted(o.comment_id for o in sent) == sorted(ids) and len(slack.messages) == 1


def test_500_records_nothing_and_the_next_pass_delivers(
    store: Store, slack: FakeSlack, notifier: SlackNotifier
) -> None:
    ids = seed(store, 2)
    slack.fail_next(500)
    with pytest.raises(SlackError) as caught:
        escalate(store, notifier, sla, now=NOW)
    assert "500" in str(caught.value) and slack.messages == []
    assert not any(store.notice_sent(i, 1) for i in ids)
    escalate(store, notifier, sla, now=NOW + timedelta(minutes=5))
    assert len(slack.messages) == 1 and all(store.notice_sent(i, 1) for i in ids)


def test_unreachable_slack_raises_without_the_webhook_url(store: Store) -> None:
    secret_url = "http://127.0.0.1:9/services/T000/B000/SECRETSECRET"
    notifier = SlackNotifier(webhook_url=secret_url, retries=0)
    seed(store, 1)
    with pytest.raises(SlackError) as caught:
        escalate(store, notifier, sla, now=NOW)
    assert "SECRET" not in str(caught.value) and not store.notice_sent(make_comment(0).id, 1)


def test_secrets_are_scrubbed_from_messages(slack: FakeSlack) -> None:
    notifier = SlackNotifier(webhook_url=slack.webhook_url, secrets=["sk-live-123456"])
    notifier.announce(
        [AlertChange("source:auth:x:mentions", "x refused key sk-live-123456 and " + slack.webhook_url, False, NOW)],
        now=NOW,
    )
    texts = " ".join(slack.texts())
    assert "sk-live-123456" not in texts and slack.webhook_url not in texts and "***" in texts


def test_an_alert_of_ampersands_still_fits_once_escaped(slack: FakeSlack) -> None:
    # Each "&" grows to "&amp;": the text is cut after escaping, so Slack still takes it.
    SlackNotifier(webhook_url=slack.webhook_url).announce([AlertChange("a", "&" * 2000, False, NOW)], now=NOW)
    (message,) = slack.messages
    text = message["blocks"][1]["text"]["text"]
    assert slack.rejected == [] and 2800 < len(text) <= 2900 and text.endswith("&amp;\u2026")


def test_alert_message_shape(slack: FakeSlack) -> None:
    notifier = SlackNotifier(token=TOKEN, channel_id="C1", base_url=slack.api_url)
    notifier.announce(
        [AlertChange("a", "<!channel> x down", False, NOW), AlertChange("b", "reddit back", True, NOW)], now=NOW
    )
    (message,) = slack.messages
    assert message["blocks"][0]["text"]["text"] == "heard: 1 problem, 1 recovered"
    assert not any("<!channel>" in s for s in slack.texts())


def test_not_configured_means_no_notifier() -> None:
    assert SlackNotifier.from_secrets({}) is None
    assert SlackNotifier.from_secrets({"SLACK_CHANNEL": "C1"}) is None


def test_build_digest_never_exceeds_the_block_limit_even_when_asked_for_more() -> None:
    from responders.escalate import Overdue

    items = [
        Overdue(
            f"p{i}:{i}",
            f"p{i}",
            "a",
            "t",
            "https://e.invalid",
            ["high", "normal", "low"][i % 3],
            "question",
            NOW,
            NOW,
            1,
            "r",
        )
        for i in range(60)
    ]
    digest = build_digest(items, now=NOW, max_items=60)
    assert len(digest.blocks) <= MAX_BLOCKS and 0 < len(digest.shown) < 60
    assert digest.blocks[-1]["elements"][0]["text"].startswith(f"+{60 - len(digest.shown)} more")


def test_slack_the_terminal_digest_and_the_report_cut_words_alike() -> None:
    from responders.escalate import QUOTE_CHARS, Overdue, TerminalNotifier

    # Runs of spaces and newlines to collapse, and longer than every limit: each place cuts by one rule.
    said = "my   order\n\nnever arrived " * 40
    item = Overdue("x:1", "x", "jane", said, "https://e.invalid/1", "high", "complaint", NOW, NOW, 1, "")
    (block,) = [b for b in build_digest([item], now=NOW).blocks if "accessory" in b]
    lines: list[str] = []
    TerminalNotifier(lines.append).deliver([item], now=NOW)
    cuts = {
        "slack": (block["text"]["text"].split("\n", 1)[1], COMMENT_CHARS),
        "terminal digest": (lines[-1].split(": ", 1)[1].rsplit(" ", 1)[0], QUOTE_CHARS),
        "report": (_cell(said, Kind.QUOTE).plain, REPORT_QUOTE_CHARS),
    }
    for where, (shown, limit) in cuts.items():
        expected = clip(said, limit)
        assert shown.strip("\u201c\u201d") == expected, where
        assert len(expected) == limit and expected.endswith("\u2026") and "  " not in expected, where
