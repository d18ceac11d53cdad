from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from listener.errors import ConfigError
from listener.platforms import spec
from listener.records import Author
from responders.library import Library, load_library, parse_library
from responders.recent import Recent, near_duplicate, overlap
from responders.suggest import render, suggest
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
        c = make_comment(n, author=person, text="love it, thank you!")  # names no topic: every wording fits
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


def test_when_every_wording_is_too_close_a_person_edits_the_draft() -> None:
    text = "Thank you so much for the very kind words and the support {name}"
    lib = parse_library({"template": [{"intent": "praise", "variants": [text]}]}, "t")
    recent = Recent()
    first = suggest(make_comment(1), make_tags(make_comment(1)), lib, recent=recent)
    second = suggest(make_comment(2, author="jo"), make_tags(make_comment(2)), lib, recent=recent)
    assert first.text and not first.needs_human
    # Still a draft (every reply needing one has one), but a person words it anew: no rule posts it.
    assert second.needs_human and second.text.endswith("Jo") and "close to a recent reply" in second.note


def test_when_every_wording_is_too_close_the_alternatives_are_the_passing_ones_least_like_the_draft() -> None:
    variants = [
        "Thank you so much for the very kind words and support {name}",
        "Thank you so much for the kind words {name}",
        "Thanks a lot for the kind words {name}",
        "We really appreciate the kind words {name}",
        "So lovely to read this {name}",
        # Least like every other wording, and states a time nobody gave: it must never be offered.
        "Come back at 9pm for a free slice of cake {name}",
    ]
    lib = parse_library({"template": [{"intent": "praise", "variants": variants}]}, "t")
    texts = [render(v, {"name": "Jo"}) for v in variants]
    c = make_comment(2, author="jo")
    s = suggest(c, make_tags(c), lib, recent=Recent(texts))
    assert s.needs_human and "close to a recent reply" in s.note
    assert s.text in texts[:5] and len(s.alternatives) == 3
    assert texts[5] not in (s.text, *s.alternatives)
    left = [t for t in texts[:5] if t != s.text and t not in s.alternatives]
    assert min(overlap(t, s.text) for t in left) >= max(overlap(t, s.text) for t in s.alternatives)


def test_a_fresh_wording_takes_its_alternatives_from_those_tried_until_four_pass() -> None:
    variants = [
        "Yes {name}, we ship to Canada: orders arrive within the week.",
        "Yes {name}, we ship to Canada and the orders arrive in a week.",
        "We do ship to Canada, {name}.",
        "Canada is on our list, {name}.",
        "Happy to say Canada is covered {name}.",
        "We send parcels to Canada too {name}.",
    ]
    lib = parse_library({"answer": [{"keywords": ["canada"], "variants": variants}]}, "t")
    texts = [render(v, {"name": "Ana"}) for v in variants]
    c = make_comment(text="do you ship to Canada", author="ana")
    # The first two were just said: the third is the draft, and the fourth makes four that pass.
    s = suggest(c, make_tags(c, intent="question", is_question=True), lib, recent=Recent(texts[:2]))
    assert s.text == texts[2] and not s.needs_human
    assert set(s.alternatives) == {texts[0], texts[1], texts[3]}


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


@pytest.mark.parametrize(("platform", "limit"), [("x", 280), ("bluesky", 300), ("mastodon", 500)])
def test_a_long_draft_is_cut_at_a_word_to_its_platforms_length_as_posted(platform: str, limit: int) -> None:
    lib = parse_library({"template": [{"intent": "praise", "variants": ["word " * 200]}]}, "t")
    c = make_comment(platform=platform, author="a_rather_long_handle")
    text = suggest(c, make_tags(c), lib).text
    rule = spec(platform)
    assert rule.reply_length(text, to=c) <= limit  # Mastodon's "@a_rather_long_handle " counted too
    assert rule.reply_length(text, to=c) > limit - 10 and text.endswith("word\u2026")
    r = make_comment(platform="reddit")
    assert len(suggest(r, make_tags(r), lib).text) > 500


def test_the_handle_field_is_named_the_platforms_way_and_reddit_words_are_escaped() -> None:
    lib = parse_library({"template": [{"intent": "praise", "variants": ["Thanks {handle}, glad {topic} works!"]}]}, "t")
    x = make_comment(platform="x", author="ann", text="the new_grinder_v2 rocks")
    reddit = make_comment(platform="reddit", author="ann", text="the new_grinder_v2 rocks")
    assert suggest(x, make_tags(x), lib).text == "Thanks @ann, glad the new_grinder_v2 rocks works!"
    assert suggest(reddit, make_tags(reddit), lib).text == "Thanks u/ann, glad the new\\_grinder\\_v2 rocks works!"


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_library(tmp_path / "nope.toml")


def test_reddit_markdown_in_a_comment_is_escaped_in_the_reply() -> None:
    lib = parse_library({"template": [{"intent": "complaint", "variants": ["Sorry about {topic}, {name}."]}]}, "t")
    c = make_comment(platform="reddit", author="a_b", text="the burr_set is cracked")
    s = suggest(c, make_tags(c, intent="complaint", sentiment="negative"), lib)
    assert s.text == "Sorry about the burr\\_set."  # "a_b" is no first name: no greeting
    x = make_comment(platform="x", author="a_b", text="the burr_set is cracked")
    assert suggest(x, make_tags(x, intent="complaint", sentiment="negative"), lib).text == "Sorry about the burr_set."


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


def _asked(text: str, library: Library, *, author: str = "nell") -> str:
    c = make_comment(text=text, author=author)
    return suggest(c, make_tags(c, intent="question", is_question=True), library).text


def test_answer_keywords_match_whole_words_not_parts_of_words() -> None:
    lib = parse_library(
        {
            "answer": [
                {"keywords": ["post", "us"], "text": "US: 5 days."},
                {"keywords": ["post", "ireland"], "text": "Ireland: 3 days."},
                {"keywords": ["tea"], "text": "Six teas."},
                {"keywords": ["gift card"], "text": "Cards never expire."},
            ]
        },
        "t",
    )
    assert _asked("Do you post to Ireland, and what about customs?", lib) == "Ireland: 3 days."
    assert _asked("do you post to the US?", lib) == "US: 5 days."
    assert _asked("is the steak gluten free?", lib) == ""
    assert _asked("which TEA do you serve?", lib) == "Six teas."
    assert _asked("does my gift\ncard expire?", lib) == "Cards never expire."
    assert _asked("does my giftcard expire?", lib) == ""


def test_products_are_found_as_whole_words() -> None:
    lib = parse_library(
        {
            "settings": {"products": ["Nimbus kettle", "Nimbus"]},
            "template": [{"intent": "praise", "variants": ["{topic}"]}],
        },
        "t",
    )
    for text, topic in [
        ("my NIMBUS  kettle rocks", "Nimbus kettle"),
        ("the nimbus rocks", "Nimbus"),
        ("nimbusfan here", ""),
    ]:
        c = make_comment(text=text)
        assert suggest(c, make_tags(c), lib).context["product"] == topic


def test_no_first_name_means_no_greeting_and_a_sentence_that_still_reads() -> None:
    lib = parse_library(
        {
            "settings": {"brand": ["Lantern Tea Co"]},
            "template": [{"intent": "complaint", "variants": ["{name}, sorry. We hear you, {name}."]}],
            "answer": [{"keywords": ["hours"], "text": "Hi {name}! We open at 8, {handle}."}],
        },
        "t",
    )
    c = make_comment(text="my order is wrong", author="the_tea_guy")
    assert suggest(c, make_tags(c, intent="complaint", sentiment="negative"), lib).text == "Sorry. We hear you."
    # An impersonator's display name uses our brand's words: no greeting from it.
    fake = replace(make_comment(text="what are your hours?"), author=Author("u9", "lt_help", "Lantern Jo"))
    assert (
        suggest(fake, make_tags(fake, intent="question", is_question=True), lib).text == "Hi! We open at 8, @lt_help."
    )
    real = make_comment(text="what are your hours?", author="rosa")
    assert (
        suggest(real, make_tags(real, intent="question", is_question=True), lib).text == "Hi Rosa! We open at 8, @rosa."
    )


@pytest.mark.parametrize(
    ("template", "rendered"),
    [
        ("Thank you, {name}! That made our day.", "Thank you! That made our day."),
        ("{name}, this is so kind.", "This is so kind."),
        ("Oh no, {name}, sorry about this.", "Oh no, sorry about this."),
        ("Thanks {name}!", "Thanks!"),
        ("Great point. {name}, we agree.", "Great point. We agree."),
        ("Good news, {name}: it is back.", "Good news: it is back."),
        ("¡Hola {name}! Sí.", "¡Hola! Sí."),
        ("🔥 {name}, we'll pass it on.", "🔥 We'll pass it on."),  # after an emoji opener too
    ],
)
def test_an_empty_name_takes_its_comma_and_space_with_it(template: str, rendered: str) -> None:
    assert render(template, {"name": ""}) == rendered
    assert "Ada" in render(template, {"name": "Ada"})


def test_an_unhappy_comment_never_gets_an_upbeat_template() -> None:
    lib = parse_library(
        {
            "template": [
                {"intent": "praise", "variants": ["Yay, thanks {name}!"]},
                {"intent": "other", "sentiment": "positive", "variants": ["Love this, {name}!"]},
                {"intent": "any", "sentiment": "positive", "variants": ["Woo, {name}!"]},
            ]
        },
        "t",
    )
    sarcasm = make_comment(text="great system 👏 third time my booking vanished")
    for intent, sentiment in [("praise", "negative"), ("other", "negative"), ("complaint", "positive")]:
        s = suggest(sarcasm, make_tags(sarcasm, intent=intent, sentiment=sentiment), lib)
        assert s.needs_human and s.text == "" and not s.alternatives
    happy = make_comment(text="best brunch in town")
    assert suggest(happy, make_tags(happy), lib).text == "Yay, thanks Jane!"
    assert not suggest(happy, make_tags(happy, intent="praise", sentiment="positive"), LIB).needs_human


def test_an_empty_answer_keyword_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"answer #1.*empty"):
        parse_library({"answer": [{"keywords": ["ship", " * "], "text": "Yes."}]}, "replies.toml")
