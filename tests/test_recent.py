from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from responders.recent import NEAR_DUPLICATE, Recent, near_duplicate, overlap, words

# A small vocabulary, so generated replies share many words and land on both sides of the threshold.
VOCAB = [f"w{n}" for n in range(14)] + ["thanks", "the", "team", "we'll", "Jo", "JO", "5"]
texts = st.lists(st.sampled_from(VOCAB), min_size=0, max_size=12).map(" ".join)


def variants(base: list[str], rng: random.Random, n: int) -> list[str]:
    """Texts a word or two away from ``base``: near the threshold, where an index could go wrong."""
    out = []
    for _ in range(n):
        words_ = list(base)
        for _ in range(rng.randint(0, 3)):
            roll = rng.random()
            if roll < 0.4 and words_:
                words_.pop(rng.randrange(len(words_)))
            elif roll < 0.8:
                words_.insert(rng.randrange(len(words_) + 1), rng.choice(VOCAB))
            elif words_:
                words_[rng.randrange(len(words_))] = rng.choice(VOCAB)
        out.append(" ".join(words_))
    return out


@settings(max_examples=300, deadline=None)
@given(kept=st.lists(texts, max_size=40), asked=st.lists(texts, min_size=1, max_size=10))
def test_near_answers_as_the_pairwise_rule_does(kept: list[str], asked: list[str]) -> None:
    recent = Recent(kept)
    for text in asked:
        assert recent.near(text) == near_duplicate(text, kept)


def test_near_answers_as_the_pairwise_rule_does_at_the_threshold() -> None:
    rng = random.Random(18)
    checked = hits = 0
    for _ in range(200):
        base = [rng.choice(VOCAB) for _ in range(rng.randint(1, 12))]
        kept, asked = variants(base, rng, 30), variants(base, rng, 10)
        recent = Recent(kept)
        for text in asked:
            expected = any(overlap(text, k) > NEAR_DUPLICATE for k in kept)
            assert recent.near(text) == expected, (text, kept)
            checked, hits = checked + 1, hits + expected
    assert 0.2 < hits / checked < 0.8  # both answers were asked for often


def test_sharing_exactly_the_threshold_is_not_near() -> None:
    assert overlap("a b c d", "a b c d e") == NEAR_DUPLICATE
    assert not Recent(["a b c d e"]).near("a b c d") and not Recent(["a b c d"]).near("a b c d e")
    assert Recent(["a b c d e f"]).near("a b c d e")  # 5 of 6: more than the threshold


def test_added_replies_count_and_the_oldest_are_forgotten_past_keep() -> None:
    recent = Recent(["thanks for the kind words jo", "we will look into the delay today"], keep=3)
    assert recent.near("thanks for the kind words jo")
    recent.add("your order ships on monday morning")
    recent.add("the grinder is back in stock next week")  # a fourth: the oldest kept goes
    # Texts come newest first, so the first given is the newest, kept longest.
    assert recent.near("thanks for the kind words jo")
    assert not recent.near("we will look into the delay today")
    assert recent.near("the grinder is back in stock next week")


def test_only_the_newest_keep_of_the_texts_given_count() -> None:
    recent = Recent(["newest reply text here", "older reply text here now", "oldest of all the texts"], keep=2)
    assert recent.near("older reply text here now") and not recent.near("oldest of all the texts")


def test_a_text_without_words_is_never_near() -> None:
    recent = Recent(["🙂", ""])
    assert not recent.near("🙂") and not recent.near("")
    assert words("🙂 !!") == set()


def test_many_replies_from_few_templates_answer_as_the_pairwise_rule_does() -> None:
    # 20,000 kept replies from two templates: every reply shares most words with thousands of others.
    rng = random.Random(7)
    frames = ["thanks {} for the kind words about the grinder", "sorry {} we will look into the order today"]
    kept = [rng.choice(frames).format(f"name{rng.randrange(5_000)} x{rng.randrange(3)}") for _ in range(20_000)]
    recent = Recent(kept, keep=20_000)
    for text in (frames[0].format("someone new"), frames[1].format("name7 x1"), "shipping to canada is free"):
        assert recent.near(text) == near_duplicate(text, kept)
