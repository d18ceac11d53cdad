"""Spam and bot signals on the surface patterns people actually meet."""

from __future__ import annotations

import pytest

from listener.nlp.signals import spam_score


@pytest.mark.parametrize(
    "text",
    [
        "This video reminds me of when I started investing. I've made $14,500 in 3 weeks with the help of "
        "Mr. Daniel Hughes, he is on Telegram 👉 @DanielHughesFX tell him Maria sent you",
        "I made $3,200 in 2 weeks trading with Mrs. Olivia Grant, contact her on WhatsApp",
        "Hey @driftwoodcoffee 👋 love your brand! We help coffee shops get 10k+ real followers in 30 days. "
        "DM us for a FREE audit 🚀📈",
    ],
)
def test_scams_and_growth_pitches_are_spam(text: str) -> None:
    assert spam_score(text) >= 0.6


@pytest.mark.parametrize(
    "text",
    [
        "investing in a good grinder was the best thing I did",
        "I paid $40 in 3 weeks for shipping, ridiculous",
        "I've made about $20 a week selling my old beans lol",
        "Thanks to my investing coach I can afford your coffee",
        "we just hit 10k followers on our cafe page, your beans helped!",
        "I help run a few coffee shops in Seattle, your beans are great",
    ],
)
def test_talk_of_money_and_investing_is_not_spam(text: str) -> None:
    assert spam_score(text) < 0.3
