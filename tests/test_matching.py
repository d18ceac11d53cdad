"""Whole-word keyword matching: the rule FAQ answers, products and keyword filters share."""

from __future__ import annotations

import pytest

from listener.matching import compile_keywords, contains_keyword, fold


@pytest.mark.parametrize(
    ("text", "keyword", "found"),
    [
        ("do you post to Ireland? worried about customs fees", "us", False),
        ("do you post to the US?", "us", True),  # case-insensitive: "us" the pronoun matches too
        ("do you post to the U.S.?", "us", False),  # dotted spelling is a different keyword
        ("do you post to the U.S.?", "u.s.", True),
        ("the steak was perfect", "tea", False),
        ("herbal tea, please", "tea", True),
        ("lost my oakley glasses in there", "oak", False),
        ("the oak-smoked salmon", "oak", True),  # a hyphen is a word edge
        ("brand_new", "brand", False),  # an underscore is part of a word, as in a handle
        ("wow #brandnew drop", "#brand", False),
        ("loving it #Brand!", "#brand", True),
        ("loving it #brand!", "brand", True),  # the hashtag of a keyword is the keyword
        ("order 1234 arrived", "123", False),
    ],
)
def test_spaced_scripts_match_whole_words_only(text: str, keyword: str, found: bool) -> None:
    assert contains_keyword(text, keyword) is found


def test_multi_word_keywords_allow_any_run_of_spaces() -> None:
    assert contains_keyword("open on New Year's\n  Day?", "new year's day")
    assert not contains_keyword("open on New Year's Dayton?", "new year's day")
    assert not contains_keyword("new-year's day", "new year's day")


def test_accents_are_kept_as_written_whatever_their_encoding() -> None:
    # Choice: "cafe" and "café" are different keywords (accent-sensitive), but the same "é" typed
    # composed or as e + combining accent is the same letter.
    assert contains_keyword("the café on the corner", "café")
    assert not contains_keyword("the café on the corner", "cafe")
    assert not contains_keyword("the cafe on the corner", "café")
    assert contains_keyword("the cafe\u0301 on the corner", "café")
    assert not contains_keyword("the cafe\u0301 on the corner", "cafe")
    assert contains_keyword("GROSSE Portion", "große")  # casefold, not lower()


def test_other_spaced_scripts_have_word_edges_too() -> None:
    assert contains_keyword("Доставка в Москву?", "москву")
    assert not contains_keyword("кофейня рядом", "кофе")
    assert contains_keyword("Ο καφές είναι τέλειος", "ΚΑΦΈΣ")
    assert not contains_keyword("מקפה", "קפה")
    assert contains_keyword("יש קפה?", "קפה")
    assert not contains_keyword("चायवाला", "चाय")
    assert contains_keyword("मसाला चाय अच्छी है", "चाय")


def test_scripts_without_spaces_match_as_plain_text() -> None:
    assert contains_keyword("大阪から東京に引っ越しました", "東京")
    assert contains_keyword("去北京的快递", "北京")
    assert contains_keyword("ร้านกาแฟดีมาก", "กาแฟ")
    assert contains_keyword("부산에 배송되나요", "부산")  # particles attach to the noun
    assert contains_keyword("Tidewaterのミルが好き", "tidewater")  # a Latin word inside Japanese text


def test_compile_keywords_finds_any_of_them_in_folded_text() -> None:
    pattern = compile_keywords(["oak", "  ", "Ember Grill"])
    assert pattern is not None
    assert pattern.search(fold("Lunch at EMBER  GRILL"))
    assert not pattern.search(fold("oakley and embers"))
    assert compile_keywords([]) is None and compile_keywords([" "]) is None
    assert not contains_keyword("anything", "  ")


def test_a_trailing_star_takes_any_ending() -> None:
    assert contains_keyword("any refurbished ones left?", "refurb*")
    assert not contains_keyword("unrefurbished", "refurb*")  # the start is still a word's start
    assert contains_keyword("I cancelled in June", "cancel*") and not contains_keyword("I cancelled", "cancel")
    assert not contains_keyword("anything", "*") and compile_keywords(["*"]) is None


def test_matching_is_exact_not_fuzzy() -> None:
    # Words one edit apart are other words: "yours" must not pick the opening-hours answer, nor "vegas" the vegan one.
    assert not contains_keyword("is that table yours?", "hours")
    assert not contains_keyword("off to vegas, began packing", "vegan")
    assert not contains_keyword("ember and oke", "ember and oak")
    assert contains_keyword("what are your hours?", "hours")
