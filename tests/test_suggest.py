from __future__ import annotations

from pathlib import Path

import pytest

from listener.errors import ConfigError
from responders.suggest import (
    Recent,
    load_library,
    near_duplicate,
    overlap,
    parse_library,
    render,
    suggest,
    x_length,
)
from tests.conftest import ROOT, make_comment, make_tags

LIB = parse_library(
    {
        "settings": {"products": ["Tidewater grinder"]},
        "template": [
            {
                "intent": "praise",
                "variants": ["Thanks {name}!", "Cheers {name}, glad you like {topic}.", "{name}, you made our day."],
            },
            {"intent": "complaint", "variants": ["Sorry {name}, tell us more."]},
        ],
        "answer": [{"keywords": ["ship", "canada"], "text": "Yes {name}, we ship to Canada."}],
    },
    "test",
)


def test_shipped_templates_load() -> None:
    assert load_library(ROOT / "config" / "replies.toml").templates


def test_unknown_template_field_is_a_config_error_naming_the_place() -> None:
    with pytest.raises(ConfigError, match=r"template #1.*\{secret\}"):
        parse_library({"template": [{"intent": "praise", "variants": ["hi {secret}"]}]}, "replies.toml")


def test_comment_text_cannot_inject_template_syntax() -> None:
    c = make_comment(text="{signature} {name.__class__} love the {question}")
    s = suggest(c, make_tags(c), LIB)
    assert "__class__" not in s.text or "{" not in s.text.replace("{name.__class__}", "")
    assert render("Hi {name}", {"name": "{topic}"}) == "Hi {topic}"


def test_personal_and_varied() -> None:
    texts = set()
    for n, person in enumerate(["ana", "bob", "cyd", "dee", "eve", "fay", "gus", "hal", "ivy", "jo", "kim", "lee"]):
        c = make_comment(n, author=person)
        s = suggest(c, make_tags(c), LIB)
        assert person.title() in s.text
        texts.add(s.text.replace(person.title(), "NAME"))
    assert len(texts) >= 2


def test_never_the_same_words_to_the_same_person_twice_in_a_row() -> None:
    c = make_comment(1)
    first = suggest(c, make_tags(c), LIB)
    second = suggest(make_comment(2), make_tags(make_comment(2)), LIB, last_to_author=[first.text])
    assert second.text != first.text


def test_question_with_known_answer_and_without() -> None:
    c = make_comment(text="do you ship to Canada", author="ana")
    s = suggest(c, make_tags(c, intent="question", is_question=True), LIB)
    assert s.text == "Yes Ana, we ship to Canada." and not s.needs_human
    c = make_comment(text="@acme what grind size for a moka pot? thanks!")
    s = suggest(c, make_tags(c, intent="question", is_question=True), LIB)
    assert s.needs_human and s.text == ""
    assert "what grind size for a moka pot?" in s.note


def test_near_duplicates_are_avoided_when_possible() -> None:
    recent = ["Thanks Jane!"]
    c = make_comment(1)
    s = suggest(c, make_tags(c), LIB, recent=Recent(recent))
    assert not near_duplicate(s.text, recent)


def test_when_every_wording_is_too_close_a_person_writes_it() -> None:
    text = "Thank you so much for the very kind words and the support {name}"
    lib = parse_library({"template": [{"intent": "praise", "variants": [text]}]}, "t")
    recent = Recent()
    first = suggest(make_comment(1), make_tags(make_comment(1)), lib, recent=recent)
    second = suggest(make_comment(2, author="jo"), make_tags(make_comment(2)), lib, recent=recent)
    assert first.text and not first.needs_human
    assert second.needs_human and second.text == "" and second.alternatives


def test_openers_and_closers_multiply_the_wordings() -> None:
    lib = parse_library(
        {
            "template": [
                {
                    "intent": "praise",
                    "variants": ["a {name}", "b {name}"],
                    "openers": ["Oh!", "Hey,"],
                    "closers": ["x", "y", "z"],
                }
            ]
        },
        "t",
    )
    assert len(lib.templates[0].wordings()) == 12
    assert overlap("a b c d", "a b c d") == 1.0


def test_x_length_counts_urls_and_wide_characters() -> None:
    assert x_length("hello") == 5
    assert x_length("see https://example.com/a/very/long/path/indeed") == 4 + 23
    assert x_length("コーヒー") == 8


def test_x_replies_fit_280() -> None:
    lib = parse_library({"template": [{"intent": "praise", "variants": ["word " * 100]}]}, "t")
    c = make_comment(platform="x")
    assert x_length(suggest(c, make_tags(c), lib).text) <= 280
    r = make_comment(platform="reddit")
    assert len(suggest(r, make_tags(r), lib).text) > 280


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_library(tmp_path / "nope.toml")


def test_reddit_markdown_in_a_comment_is_escaped_in_the_reply() -> None:
    lib = parse_library({"template": [{"intent": "complaint", "variants": ["Sorry about {topic}, {name}."]}]}, "t")
    c = make_comment(platform="reddit", author="a_b", text="the burr_set is cracked")
    s = suggest(c, make_tags(c, intent="complaint", sentiment="negative"), lib)
    assert s.text == "Sorry about the burr\\_set, a\\_b."
    x = make_comment(platform="x", author="a_b", text="the burr_set is cracked")
    assert (
        suggest(x, make_tags(x, intent="complaint", sentiment="negative"), lib).text == "Sorry about the burr_set, a_b."
    )


def test_a_comment_in_another_language_gets_no_english_template() -> None:
    c = make_comment(text="Meine Bestellung ist immer noch nicht da, seit drei Wochen!", author="jonas")
    s = suggest(c, make_tags(c, intent="other", sentiment="neutral", lang="de"), LIB)
    assert s.needs_human and s.text == ""
    assert "written in German" in s.note and 'lang = "de"' in s.note
    english = parse_library(
        {"answer": [{"keywords": ["canada"], "lang": "en", "text": "Yes, we ship to Canada."}]}, "t"
    )
    q = make_comment(text="¿Hacen envíos a Canada?")  # the keyword matches, but the answer is marked English
    s = suggest(q, make_tags(q, intent="question", is_question=True, lang="es"), english)
    assert s.needs_human and "written in Spanish" in s.note


def test_templates_and_answers_in_the_comments_language_are_used() -> None:
    lib = parse_library(
        {
            "template": [
                {"intent": "praise", "variants": ["Thanks {name}!"]},
                {"intent": "any", "lang": "es", "variants": ["¡Gracias, {name}! Te leemos."]},
                {"intent": "any", "lang": "any", "variants": ["🙏"]},
            ],
            "answer": [{"keywords": ["canadá"], "lang": "es", "text": "Sí, {name}: enviamos a Canadá."}],
        },
        "test",
    )
    c = make_comment(text="Me encanta este café, gracias!", author="lucia")
    assert (
        suggest(c, make_tags(c, intent="other", sentiment="neutral", lang="es"), lib).text
        == "¡Gracias, Lucia! Te leemos."
    )
    q = make_comment(text="¿Hacen envíos a Canadá?", author="lucia")
    s = suggest(q, make_tags(q, intent="question", is_question=True, lang="es"), lib)
    assert s.text == "Sí, Lucia: enviamos a Canadá."
    j = make_comment(text="最高のコーヒーです", author="ken")
    assert suggest(j, make_tags(j, intent="other", sentiment="neutral", lang="ja"), lib).text == "🙏"
    e = make_comment(text="love the new grinder!", author="jane")
    assert suggest(e, make_tags(e), lib).text == "Thanks Jane!"  # "und" or "en": the library's own language


def test_a_bad_language_code_is_a_config_error_naming_the_place() -> None:
    with pytest.raises(ConfigError, match=r"template #1.*'lang'"):
        parse_library({"template": [{"intent": "praise", "lang": "Spanish", "variants": ["hola"]}]}, "replies.toml")
    with pytest.raises(ConfigError, match=r"\[settings\].*'language'"):
        parse_library({"settings": {"language": 7}, "template": []}, "replies.toml")
