"""Pin the NLP pipeline's behaviour on the cases a user of heard cares about."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from spacy.language import Language

from listener.nlp import MODEL_VERSION, build_nlp, tag
from listener.records import Author, Comment, Tags

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
PERSON = Author(id="1", handle="jane_doe", name="Jane")


@pytest.fixture(scope="module")
def nlp() -> Language:
    """Build the real pipeline once for the module."""
    return build_nlp()


def comment(text: str, *, author: Author = PERSON, source: str = "mention", **kw: object) -> Comment:
    """Make a comment aimed at us unless told otherwise."""
    return Comment("x", str(abs(hash(text))), "us", source, author, text, "https://x.test/1", NOW, **kw)


def one(nlp: Language, c: Comment) -> Tags:
    """Tag a single comment."""
    (t,) = tag([c], nlp)
    return t


def test_question_without_question_mark(nlp: Language) -> None:
    t = one(nlp, comment("anyone know where to buy these in Toronto"))
    assert t.is_question
    assert t.needs_reply


def test_really_is_not_a_question(nlp: Language) -> None:
    assert not one(nlp, comment("really?!")).is_question


def test_plain_praise_gets_a_low_priority_thank_you(nlp: Language) -> None:
    t = one(nlp, comment("I love this app, best purchase I made all year!"))
    assert (t.sentiment, t.intent, t.needs_reply, t.priority) == ("positive", "praise", True, "low")


def test_complaint_with_emoji_is_high_priority(nlp: Language) -> None:
    t = one(nlp, comment("my order arrived broken and nobody answers support 😡"))
    assert (t.sentiment, t.intent, t.priority) == ("negative", "complaint", "high")
    assert t.needs_reply


def test_all_caps_shout_is_negative(nlp: Language) -> None:
    t = one(nlp, comment("WORST SERVICE EVER. I WANT MY MONEY BACK NOW"))
    assert t.sentiment == "negative"
    assert t.intent == "complaint"


def test_link_only_spam_needs_no_reply(nlp: Language) -> None:
    t = one(nlp, comment("https://bit.ly/3xYz http://free-crypto.example/giveaway"))
    assert t.spam_score >= 0.7
    assert not t.needs_reply


def test_ordinary_comment_is_not_spam(nlp: Language) -> None:
    assert one(nlp, comment("The new release fixed my sync problem, thanks")).spam_score < 0.3


def test_bot_author_never_needs_reply(nlp: Language) -> None:
    bot = Author(id="2", handle="deals_bot", is_bot=True)
    t = one(nlp, comment("Can you help me with my order?", author=bot))
    assert t.bot_score == 1.0
    assert not t.needs_reply


def test_own_comment_never_needs_reply(nlp: Language) -> None:
    assert not one(nlp, comment("Why not try our new plan?", is_own=True)).needs_reply


def test_keyword_hit_not_addressed_to_us_needs_no_reply(nlp: Language) -> None:
    assert not one(nlp, comment("does anyone else find this app slow?", source="keyword")).needs_reply


def test_request_is_normal_priority(nlp: Language) -> None:
    t = one(nlp, comment("please DM me the tracking number for order 1234"))
    assert (t.intent, t.needs_reply, t.priority) == ("request", True, "normal")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("¿Dónde puedo comprar esto? Gracias por la ayuda", "es"),
        ("Ich habe das Paket nicht bekommen und bin sehr enttäuscht", "de"),
        ("Merci beaucoup pour votre aide, c'est vraiment super", "fr"),
        ("Thanks for the quick help, it works now", "en"),
    ],
)
def test_language(nlp: Language, text: str, lang: str) -> None:
    assert one(nlp, comment(text)).lang == lang


def test_tag_returns_tags_with_model_version(nlp: Language) -> None:
    tags = tag([comment("hello there"), comment("why is it down?")], nlp, batch_size=1)
    assert [type(t) for t in tags] == [Tags, Tags]
    assert {t.model_version for t in tags} == {MODEL_VERSION}
    assert MODEL_VERSION.startswith("heard-nlp-")
    assert 0.0 <= tags[1].question_score <= 1.0


def test_doc_extensions_are_set(nlp: Language) -> None:
    doc = nlp("Where is my parcel?")
    assert doc._.heard_is_question
    assert doc._.heard_lang == "en"
    assert doc._.heard_sentiment in ("negative", "neutral", "positive")


def test_pipeline_loads_without_network() -> None:
    code = (
        "import socket\n"
        "def refuse(*a, **k):\n    raise OSError('network disabled in test')\n"
        "socket.socket.connect = refuse\nsocket.create_connection = refuse\n"
        "from listener.nlp import build_nlp, tag\n"
        "from listener.nlp.evaluate import as_comments\n"
        "print(tag(as_comments(['is this thing on?']), build_nlp())[0].is_question)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(REPO), "PATH": ""},
    )
    assert out.stdout.strip() == "True"
