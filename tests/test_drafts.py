"""Drafts: every reply that needs one has one, grounded, careful where it must be, and checked before it is offered."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from listener.records import Author, Comment
from listener.store import Store
from responders import approvals
from responders.decide import decide_pending
from responders.draft_checks import check_draft
from responders.greeting import greeting_name
from responders.knowledge import Knowledge, parse_knowledge
from responders.library import Library, parse_library
from responders.suggest import suggest
from tests.conftest import NOW, make_comment, make_tags

KNOWLEDGE = parse_knowledge(
    """
## Bakeries
- Our bakeries are in Leeds and York; the York one has a little garden.
## Contact
- Email hello@hearth.example about an order.
"""
)
DOC = {
    "settings": {"products": ["cinnamon bun", "sourdough loaf"]},
    "template": [
        {"intent": "praise", "openers": ["", "Yay!"], "variants": ["Thanks for the kind words about {topic}, {name}!"]},
        {"intent": "praise", "variants": ["Thank you, {name}! 🎉"]},
        {"intent": "request", "variants": ["Got it, {name}: your note about {topic} is with the team."]},
        {"intent": "question", "variants": ["Good question, {name}. {fact}"]},
    ],
    "answer": [
        {"keywords": ["open"], "text": "Hi {name}! We're open 8am-4pm, Tuesday to Saturday."},
        {"keywords": ["nuts"], "text": "No nuts at all, {name}! That one's on us."},
    ],
    "holding": [
        {"kind": "question", "variants": ["Good question about {topic}, {name}. We'll come back to you here today."]},
        {"kind": "question", "variants": ["Good question, {name}. We'll come back to you here today."]},
        {"kind": "complaint", "variants": ["I'm sorry about {topic}, {name}, and thanks for the {reference}."]},
        {"kind": "complaint", "variants": ["I'm sorry, {name}. Please email {contact} with your order number."]},
        {"kind": "care", "variants": ["{name}, I'm so sorry. Please email {contact} so a manager can look into it."]},
        {"kind": "any", "lang": "es", "variants": ["¡Gracias por tu mensaje, {name}! Te respondemos aquí hoy."]},
    ],
}
LIB = parse_library(DOC, "t", knowledge=KNOWLEDGE)


def draft(text: str, library: Library = LIB, *, author: str = "jane", platform: str = "x", **tags: object):
    c = make_comment(text=text, author=author, platform=platform)
    return suggest(c, make_tags(c, **tags), library)  # type: ignore[arg-type]


def checked(text: str, comment: Comment, thread: tuple[str, ...] = (), **tags: object) -> tuple[str, ...]:
    return check_draft(text, comment, make_tags(comment, **tags), thread=thread, knowledge=LIB.knowledge)  # type: ignore[arg-type]


QUESTION = {"intent": "question", "is_question": True, "sentiment": "neutral"}
COMPLAINT = {"intent": "complaint", "sentiment": "negative"}


# -- every reply that needs one has a draft, marked with where it came from ---------------------------


def test_each_kind_of_comment_gets_a_draft_marked_with_its_source() -> None:
    assert draft("@acme the cinnamon bun is unreal").source == "template"
    assert draft("@acme are you open on Tuesday?", **QUESTION).source == "faq"
    assert draft("@acme can you save me a sourdough loaf", intent="request", sentiment="neutral").source == "template"
    for text, tags in [("@acme do you have bike racks at York?", QUESTION), ("@acme my bun was stale", COMPLAINT)]:
        s = draft(text, **tags)
        assert s.source == "holding" and s.text and s.needs_human


def test_a_question_no_answer_fits_gets_a_holding_reply_naming_its_topic() -> None:
    s = draft("@acme do you have bike racks at York?", **QUESTION)
    assert s.text == "Good question about bike racks at York, Jane. We'll come back to you here today."
    assert "needs a human answer" in s.note and "do you have bike racks at York?" in s.note
    # Without [[holding]] wordings nothing is promised: no draft, and the note says what to answer.
    bare = parse_library({k: v for k, v in DOC.items() if k != "holding"}, "t", knowledge=KNOWLEDGE)
    s = draft("@acme do you have bike racks at York?", bare, **QUESTION)
    assert (s.text, s.source, s.needs_human) == ("", "", True) and "bike racks" in s.note


def test_a_question_the_knowledge_answers_is_drafted_from_that_line_for_a_person_to_check() -> None:
    s = draft("@acme is there a garden at the York bakery?", **QUESTION)
    assert s.text == "Good question, Jane. Our bakeries are in Leeds and York; the York one has a little garden."
    assert s.source == "faq" and s.needs_human and "knowledge.md" in s.note


def test_an_answer_that_ignores_the_date_asked_about_is_no_answer() -> None:
    s = draft("@acme are you open on Boxing Day?", **QUESTION)
    assert s.source == "holding" and "Boxing Day" in s.text


def test_a_holding_reply_is_written_in_the_commenters_language_or_not_at_all() -> None:
    s = draft("¿Tenéis pan sin gluten en York?", author="lucia", lang="es", **QUESTION)
    assert s.text == "¡Gracias por tu mensaje, Lucia! Te respondemos aquí hoy." and s.source == "holding"
    s = draft("Habt ihr glutenfreies Brot in York?", author="jonas", lang="de", **QUESTION)
    assert s.text == "" and "written in German" in s.note


# -- safety, money, fraud and complaints ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("@acme does the cinnamon bun have nuts in it? my son has a nut allergy", QUESTION),
        ("@acme my husband had an allergic reaction after the bun, he's had to use his EpiPen", COMPLAINT),
        ("@acme got an email from 'you' asking for my card details, is this really from you?", QUESTION),
        ("@acme I've been charged twice for my order", COMPLAINT),
    ],
)
def test_health_money_and_fraud_get_a_careful_holding_reply_never_an_upbeat_or_free_one(text: str, tags: dict) -> None:
    s = draft(text, **tags)
    assert s.text == "Jane, I'm so sorry. Please email hello@hearth.example so a manager can look into it."
    assert s.source == "holding" and s.needs_human and "risk" in s.note


def test_a_complaint_that_gave_its_order_number_is_thanked_for_it_and_never_asked_again() -> None:
    s = draft("@acme order EO-48213 arrived and the sourdough loaf was stale", **COMPLAINT)
    assert s.text == "I'm sorry about the sourdough loaf, Jane, and thanks for the order number EO-48213."
    s = draft("@acme my order arrived late and cold", **COMPLAINT)
    assert "order number" in s.text  # not given: asking is fine


def test_a_reference_given_earlier_in_the_thread_counts_as_given() -> None:
    c = make_comment(text="@acme still no sign of the bread. anyone there?")
    thread = ["@acme my order EO-48213 never came"]
    s = suggest(c, make_tags(c, **COMPLAINT), LIB, thread=thread)  # type: ignore[arg-type]
    assert s.text == "I'm sorry about the bread, Jane, and thanks for the order number EO-48213."
    assert checked("Sorry. Please DM us your order number.", c, thread=tuple(thread), **COMPLAINT)


# -- templates that listen ----------------------------------------------------------------------------


def test_a_template_uses_the_product_the_comment_names() -> None:
    assert draft("@acme your cinnamon bun is unreal").text == "Thanks for the kind words about our cinnamon bun, Jane!"
    assert draft("@acme that new cinnamon bun!!").text.startswith("Thanks for the kind words about the cinnamon bun")


def test_praise_with_a_reservation_gets_no_cheer() -> None:
    s = draft("@acme loved the cinnamon bun, shame about the queue")
    assert "!" not in s.text and "🎉" not in s.text and s.text.startswith("Thanks for the kind words")


def test_a_template_that_fails_a_check_falls_back_to_a_holding_reply_with_the_reason() -> None:
    doc = {**DOC, "template": [{"intent": "request", "variants": ["Done, {name}: we'll refund you £5 today."]}]}
    s = draft("@acme can you sort my order please", parse_library(doc, "t"), intent="request", sentiment="neutral")
    assert s.source == "" and "states a promise" in s.note  # no request holding here: a person writes it
    doc["holding"] = [{"kind": "request", "variants": ["Got it, {name}. We'll come back to you here today."]}]
    s = draft("@acme can you sort my order please", parse_library(doc, "t"), intent="request", sentiment="neutral")
    assert s.source == "holding" and s.text.startswith("Got it, Jane") and "failed a check" in s.note


# -- the checks ---------------------------------------------------------------------------------------


def test_a_draft_over_the_platforms_limit_is_refused() -> None:
    c = make_comment(text="@acme hi")
    assert any("over x's limit" in p for p in checked("word " * 70, c))
    assert not checked("word " * 50, c)


def test_a_draft_in_another_language_than_the_comment_is_refused() -> None:
    c = make_comment(text="@acme do you deliver to York?")
    assert checked("¡Gracias por tu mensaje! Te respondemos aquí hoy mismo.", c, **QUESTION)
    assert not checked("Thanks for your message! We'll reply here today.", c, **QUESTION)
    assert not checked("¡Gracias por tu mensaje!", c, lang="und", **{**QUESTION})


def test_a_fact_nobody_gave_is_refused_and_one_the_comment_thread_or_knowledge_holds_is_not() -> None:
    c = make_comment(text="@acme is the £4 bun back on Friday 18th December?")
    assert any("states a url" in p for p in checked("See hearth.example/menu for more.", c))
    assert not checked("Email hello@hearth.example and we'll check the £4 bun for Friday 18th December.", c)
    assert any("price" in p for p in checked("The bun is £5 now.", c))
    assert not checked("The bun is £5 now.", c, thread=("the bun is £5 from Monday",))


def test_a_promise_needs_the_knowledge_or_our_own_words_not_the_customers_ask() -> None:
    c = make_comment(text="@acme can I get a refund please?")
    assert any("promise" in p for p in checked("Sorry! We'll refund you today.", c, **COMPLAINT))
    assert not checked("Sorry, we'll refund you today.", c, thread=("We'll refund you today, Jane.",), **COMPLAINT)


def test_a_secret_is_refused_without_being_repeated() -> None:
    c = make_comment(text="@acme hi")
    found = check_draft("key s3cretT0ken", c, make_tags(c), thread=(), knowledge=Knowledge(), secrets=["s3cretT0ken"])
    assert found == ("contains a secret value",)


def test_cheer_to_an_unhappy_or_sarcastic_comment_is_refused() -> None:
    c = make_comment(text="@acme nothing says Sunday like a 50 minute wait for bread. great system 👏")
    assert checked("Thank you! 🎉", c, intent="praise", sentiment="positive")
    assert not checked("I'm sorry about this. Please email hello@hearth.example.", c, **COMPLAINT)


def test_asking_for_what_the_comment_gave_is_refused() -> None:
    ref = make_comment(text="@acme still no bread, order EO-48213")
    assert checked("Sorry! Could you DM us your order number?", ref, intent="other", sentiment="neutral")
    assert not checked("Thanks for the order number EO-48213.", ref, intent="other", sentiment="neutral")
    name = make_comment(text="@acme can you hold a table tonight? booked under Ramsey")
    assert checked("Sure. What name is the booking under?", name, intent="request", sentiment="neutral")


def test_greeting_with_a_word_that_is_not_their_first_name_is_refused() -> None:
    caz = dataclasses.replace(
        make_comment(text="no amounts?", platform="youtube"), author=Author("u1", "@CookingWithCaz", "@CookingWithCaz")
    )
    assert greeting_name("@CookingWithCaz", "@CookingWithCaz") == "" == greeting_name("@FirePitFrank", "x")
    assert checked("Sorry about this, Cooking. Please email us.", caz, **COMPLAINT)
    jo = dataclasses.replace(make_comment(text="@acme York or Leeds?"), author=Author("u2", "jo_h", "Jo Hartley"))
    assert checked("Thanks, Hartley!", jo, intent="other", sentiment="neutral")
    assert not checked("Thanks, Jo! Both: Leeds, York.", jo, intent="other", sentiment="neutral")


# -- the draft's source in the store, the queue file and `heard replay --json` -----------------------------


def test_the_drafts_source_is_stored_shown_in_the_queue_file_and_in_the_decisions(store: Store, tmp_path: Path) -> None:
    question = make_comment(1, text="@acme do you have bike racks at York?")
    spam = make_comment(2, author="promo", text="@acme DM for promo")
    store.save_page("s", [question, spam], None, now=NOW)
    store.save_tags([make_tags(question, **QUESTION), make_tags(spam, intent="other", spam=0.99)], now=NOW)
    decide_pending(store, LIB, auto={}, dry_run=False, now=NOW)
    assert store.reply(question.id).draft_source == "holding"
    decisions = {d["id"]: d for d in store.decisions()}
    assert decisions[question.id]["draft"] == "holding"
    assert decisions[spam.id]["draft"] is None and decisions[spam.id]["reply"] == ""  # skipped: never a draft
    approvals.sync(store, tmp_path / "queue.yaml", now=NOW)
    text = (tmp_path / "queue.yaml").read_text(encoding="utf-8")
    assert "\n  draft: holding\n  reply: |-\n    Good question about bike racks at York" in text
