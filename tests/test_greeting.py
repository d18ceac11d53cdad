"""Greeting names: the first word of a display name only when it is a person's first name."""

from __future__ import annotations

import pytest

from responders.greeting import greeting_name

OURS = ("harbourbakery", "Harbour Bakery", "Crumbstack")


@pytest.mark.parametrize(
    ("display", "handle", "name"),
    [
        ("Priya Natarajan", "pnat", "Priya"),
        ("Ola 🌻", "ola_k", "Ola"),
        ("Anne-Marie Doyle", "amd", "Anne-Marie"),
        ("D'Arcy Quinn", "dq", "D'Arcy"),
        ("Tom Cook", "tc", "Tom"),  # a surname that is also a trade word
        ("Will Hartley", "wh", "Will"),  # "will" is a stop word, and a name
        ("Søren", "soren", "Søren"),
        ("Дмитрий Орлов", "dorlov", "Дмитрий"),
        ("Νίκος", "nikos", "Νίκος"),
        ("يوسف", "yusuf", "يوسف"),
        # not a first name, so no greeting at all
        ("The Bread Fiend", "breadfiend", ""),
        ("My Sourdough Life", "msl", ""),
        ("Leeds Bakes", "leedsbakes", ""),
        ("Hull Food Daily", "hullfood", ""),
        ("LDN Brunch Club", "ldnbrunch", ""),
        ("Official Harbour Support", "harbour_help", ""),
        ("Harbour Bakery Care", "hb_care", ""),  # an impersonator: our own name
        ("Crumbstack Fan", "cfan", ""),  # our product
        ("Harbourside Hana", "hana", ""),  # a nickname, not "Harbourside"
        ("Kim & Lou", "kimlou", ""),  # a couple or a business
        ("SnackAttack", "snacks_4u", ""),
        ("🍞🍞🍞 Bo", "bo", ""),
        ("#glutenfree #vegan Rae", "rae", ""),
        ("Meg 2019 2020 2021", "meg", ""),
        ("ravi menon", "ravi", ""),  # not capitalised: maybe a handle, so unsure
        ("BBQ Nation", "bbq", ""),
        ("佐藤 花子", "hanako", ""),  # family name first
        ("X", "x", ""),
        # handle-shaped display names
        ("@MarthaInLeeds", "MarthaInLeeds", "Martha"),
        ("", "GeorgeOnTour", "George"),
        ("@GeorgeBakesBread", "GeorgeBakesBread", ""),  # a page about baking
        ("@marthainleeds", "marthainleeds", ""),
        ("@TheLoafLord", "TheLoafLord", ""),
        ("Nadia_B", "Nadia_B", "Nadia"),
        ("crumb_monster", "crumb_monster", ""),
    ],
)
def test_only_a_first_name_is_a_greeting(display: str, handle: str, name: str) -> None:
    assert greeting_name(display, handle, ours=OURS) == name


def test_a_word_of_our_own_handle_is_never_a_greeting() -> None:
    assert greeting_name("Harbour Bakes", "hb", ours=("harbourbakery",)) == ""
    assert greeting_name("Harbour Jones", "hj", ours=()) == "Harbour"
