"""knowledge.md: its format, the fact tokens found in any text, and answering a question from a line."""

from __future__ import annotations

from pathlib import Path

import pytest

from heard.settings import build_settings
from responders.knowledge import Knowledge, facts_in, load_knowledge, parse_knowledge, references_in
from responders.library import parse_library

KNOWLEDGE = """\
# Hearth & Crumb: what replies may say

<!-- notes for ourselves
- not a fact: inside a comment -->

## Opening hours
- Both bakeries are open Tue-Sat 8am-4pm
  and Sun 9am-1pm.
- The Leeds shop also opens on Mondays.

## Getting here
* Leeds has 12 parking spaces behind the shop.
* Kids are welcome: we keep high chairs at both bakeries.

## Contact us
- Email hello@hearth.example about an order; call 0113 496 0000 for the shop.
"""


def keys(text: str) -> set[str]:
    return {k for f in facts_in(text) for k in f.keys}


def test_sections_bullets_and_wrapped_lines_are_facts_and_comments_are_not() -> None:
    k = parse_knowledge(KNOWLEDGE)
    assert k.facts[0] == "Both bakeries are open Tue-Sat 8am-4pm and Sun 9am-1pm."
    assert [line.section for line in k.lines] == ["Opening hours"] * 2 + ["Getting here"] * 2 + ["Contact us"]
    assert not any("not a fact" in f or "Hearth & Crumb" in f for f in k.facts)
    assert k.contact == "hello@hearth.example"
    assert {"time:08:00", "time:16:00", "time:13:00", "number:12", "email:hello@hearth.example"} <= k.index


def test_a_missing_file_is_empty_knowledge(tmp_path: Path) -> None:
    assert load_knowledge(tmp_path / "knowledge.md") == Knowledge()
    (tmp_path / "knowledge.md").write_text(KNOWLEDGE, encoding="utf-8")
    assert len(load_knowledge(tmp_path / "knowledge.md").facts) == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("book at https://www.hearth.example/book/.", {"url:hearth.example/book"}),
        ("write to Help@Hearth.example", {"email:help@hearth.example"}),
        ("it's £26, was £22.50, or 80p", {"price:£26", "price:£22.5", "price:£0.8"}),
        ("open 12-10pm", {"time:12:00", "time:22:00"}),
        ("from 7 to 7:30", {"number:7", "time:07:30", "time:19:30"}),
        ("Friday 18th December, or the 22nd", {"weekday:fri", "date:12-18", "day:18", "day:22"}),
        ("open boxing day?", {"holiday:boxing-day"}),
        ("order EO-48213, booking EOB-7K2Q9", {"ref:eo-48213", "ref:eob-7k2q9"}),
        ("three sites, 2 kids", {"number:3", "number:2"}),
        ("we'll refund you and a manager will call you", {"promise:refund", "promise:call"}),
        ("That one's on us!", {"promise:free"}),
        ("checking with the team and will come back to you here today", {"promise:follow_up"}),
    ],
)
def test_facts_are_found_and_normalised(text: str, expected: set[str]) -> None:
    assert keys(text) == expected


def test_handles_words_and_prices_are_not_read_twice() -> None:
    assert keys("@hearth.example loved it, one of the best") == set()
    assert keys("£38.40 x2") == {"price:£38.4"}
    assert references_in("ORDER EO-48811, iPhone 15, COVID-19") == ("EO-48811",)


def test_a_line_answers_only_a_question_whose_weighty_words_it_holds() -> None:
    k = parse_knowledge(KNOWLEDGE)
    assert (
        k.answer_for("do you have high chairs at Leeds?") == "Kids are welcome: we keep high chairs at both bakeries."
    )
    assert k.answer_for("how many parking spaces are there in Leeds?") == "Leeds has 12 parking spaces behind the shop."
    # Shares "Leeds" and "open", but the question is about something no line holds.
    assert k.answer_for("when does the Leeds shop open its new cafe?") == ""
    assert k.answer_for("hours?") == ""  # one word is no question to match


def test_the_answers_in_replies_toml_are_knowledge_too_but_not_quoted_as_lines() -> None:
    lib = parse_library(
        {
            "answer": [{"keywords": ["ship*"], "text": "Hi {name}! We ship to Canada in 5-8 days for $19."}],
            "holding": [{"kind": "question", "variants": ["Checking, {name}: we'll come back to you here today."]}],
        },
        "t",
        knowledge=parse_knowledge(KNOWLEDGE),
    )
    assert "Hi! We ship to Canada in 5-8 days for $19." in lib.knowledge.facts
    assert {"price:$19", "number:5", "promise:follow_up", "time:08:00"} <= lib.knowledge.index
    assert lib.knowledge.answer_for("do you ship to Canada for $19?") == ""


def test_the_knowledge_file_is_beside_replies_toml_unless_configured(tmp_path: Path) -> None:
    config = tmp_path / "conf" / "heard.toml"
    default = build_settings({}, {}, config_path=config, overrides={})
    assert default.knowledge_file == tmp_path / "conf" / "knowledge.md"
    moved = build_settings({"heard": {"replies": "brand/replies.toml"}}, {}, config_path=config, overrides={})
    assert moved.knowledge_file == Path("brand/knowledge.md")
    own = build_settings({"heard": {"knowledge": "facts.md"}}, {}, config_path=config, overrides={})
    assert own.knowledge_file == Path("facts.md")


@pytest.mark.parametrize(
    "text, found",
    [
        # No digit: the patterns that need one are not run, and the rest still find their facts.
        (
            "We open at noon on Boxing Day, see acme.example/menu, and we will refund you twice.",
            [("url", "url:acme.example/menu"), ("time", "time:12:00"), ("date", "holiday:boxing-day"),
             ("number", "number:2"), ("promise", "promise:refund")],
        ),
        # An "@": the email is taken before the link pattern could claim its domain.
        (
            "Write to ann@acme.example on Sunday - midnight at the latest",
            [("email", "email:ann@acme.example"), ("time", "time:00:00"), ("date", "weekday:sun")],
        ),
        (
            "Call 0161 496 0000 by 5pm on 24th December, order EO-48213, £12.50",
            [("reference", "ref:eo-48213"), ("phone", "phone:614960000"), ("price", "price:£12.5"),
             ("time", "time:17:00"), ("date", "date:12-24")],
        ),
    ],
)  # fmt: skip
def test_facts_are_found_with_or_without_digits_and_at_signs(text: str, found: list[tuple[str, str]]) -> None:
    facts = facts_in(text)
    assert [(f.kind, sorted(f.keys)[0]) for f in facts] == found
