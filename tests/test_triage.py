"""Pin the pure text cues the judge reads (risk, mixed, sarcasm, stop, closing) and intent_of's families."""

from __future__ import annotations

import pytest

from listener.nlp.triage import (
    asks_something,
    has_problem,
    intent_of,
    is_closing,
    is_mixed,
    is_sarcastic,
    is_stop_request,
    reports_failure,
    revised_sentiment,
    risk_of,
    surface_sentiment,
)


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        ("@bistro does the satay sauce contain peanuts? my son is allergic", "health"),
        ("is the brownie safe for someone with a sesame allergy", "health"),
        ("my husband is coeliac, what goes into the stuffing?", "health"),
        ("my daughter had an allergic reaction after the dessert and needed her epipen", "health"),
        ("we've both been vomiting since the mussels last night", "health"),
        ("found a piece of plastic in my burger", "health"),
        ("there was glass in my salad, could have been really nasty", "health"),
        ("my partner ended up in hospital after eating there", "health"),
        ("the waiter spilled hot soup and burnt my son's arm", "health"),
        ("the waiter spilled hot soup and burned my hand", "health"),
        ("you charged me twice for the same takeaway", "money"),
        ("just checked my bank app: double charged for Friday's order", "money"),
        ("I was charged for an order that never arrived", "money"),
        ("you cancelled our table and still kept our deposit", "money"),
        ("if this isn't sorted by Monday I'm doing a chargeback", "money"),
        ("I'll be raising a dispute with my bank", "money"),
        ("got a text claiming to be from you with a link to a refund form, is this text from you?", "fraud"),
        ("someone is sending phishing emails with your logo on", "fraud"),
        ("the voucher my aunt bought online turned out to be a fake voucher", "fraud"),
        ("a DM asked me for my card details to claim a prize, is that you? looks dodgy", "fraud"),
    ],
)
def test_high_risk_lines(text: str, risk: str) -> None:
    assert risk_of(text) == risk


@pytest.mark.parametrize(
    "text",
    [
        "the allergen PDF link on your site is broken",
        "please publish allergen information for the new menu",
        "could you add gluten free labels to the menu board",
        "the nut roast was the best I've had",
        "the food was poor, I'd like a refund please",
        "my delivery is 40 minutes late",
        "THIS IS THE WORST SERVICE I HAVE EVER HAD",
        "the vegan option was sold out by 7",
        "how much is the set menu?",
        "I'm sick of waiting for a table",
        "what is the deposit for groups of 10?",
        "this place is a rip off",
    ],
)
def test_close_calls_stay_normal(text: str) -> None:
    assert risk_of(text) == ""


@pytest.mark.parametrize(
    "text",
    [
        "loved it, shame about the wait",
        "great food but the music was far too loud",
        "only thing: the chips were cold",
        "would be 5 stars if the portions were bigger",
        "the steak was incredible, the sides a bit salty",
        "we waited 30 mins but the pizza was amazing",
        "dessert was worth the wait",
    ],
)
def test_praise_with_a_reservation_is_mixed(text: str) -> None:
    assert is_mixed(text)


@pytest.mark.parametrize(
    "text",
    [
        "absolutely loved it, see you next month",
        "the only thing I'll order from now on is the lamb",
        "best roast in the city, no contest",
        "great food and lovely staff",
    ],
)
def test_plain_praise_is_not_mixed(text: str) -> None:
    assert not is_mixed(text)


@pytest.mark.parametrize(
    "text",
    [
        "great system 👏 turned away with a confirmed booking",
        "well done 👏 three hours for a pizza",
        "love waiting an hour for cold chips",
        "thanks for nothing",
        "brilliant, another double booking",
        "yay, cancelled again",
        "a window table, we asked. got the one by the bins. lovely, thanks 🙃",
        "nothing says date night like a 50 minute wait for starters",
        "cool cool cool. no table again",
    ],
)
def test_sarcasm(text: str) -> None:
    assert is_sarcastic(text)


@pytest.mark.parametrize(
    "text",
    [
        "great food 👏 well done to the kitchen",
        "love the new menu",
        "thanks so much, see you saturday",
        "brilliant night, another visit booked already",
        "nothing says Sunday like your roast",
    ],
)
def test_sincere_praise_is_not_sarcasm(text: str) -> None:
    assert not is_sarcastic(text)


@pytest.mark.parametrize(
    "text",
    [
        "stop replying",
        "@bistro please stop replying to me",
        "don't reply to me",
        "stop tagging me in everything",
        "leave me alone",
        "no more replies please",
        "unsubscribe me from your replies",
        "stop. I didn't ask",
        "mate, quit responding to every post I make",
    ],
)
def test_stop_requests(text: str) -> None:
    assert is_stop_request(text)


@pytest.mark.parametrize(
    "text",
    [
        "please stop sending me marketing emails",
        "can't stop thinking about that pudding",
        "the bus stop outside is handy",
        "hot take: the Chorlton one is better, don't @ me",
        "unsubscribe me from the newsletter",
        "no need to stop by, we'll post it",
    ],
)
def test_stop_about_something_else_is_not_an_opt_out(text: str) -> None:
    assert not is_stop_request(text)


@pytest.mark.parametrize(
    "text",
    [
        "thanks",
        "perfect, thank you!",
        "booked, see you Saturday",
        "lovely, ordered! thank you",
        "you're stars. see you at 7!",
        "brilliant, cheers",
        "@bistro perfect!",
        "sorted, ta",
    ],
)
def test_closing_messages(text: str) -> None:
    assert is_closing(text)


@pytest.mark.parametrize(
    "text",
    [
        "thanks! and do you do gift cards?",
        "thanks, and what time does the kitchen close",
        "thanks but it still hasn't arrived",
        "cheers, though the link you sent doesn't work",
        "perfect, could you also add a high chair",
        "the short rib is incredible, every single time I come here I order it twice",
        "double booked again, avoid",
    ],
)
def test_a_follow_up_or_a_problem_is_not_closing(text: str) -> None:
    assert not is_closing(text)


def test_asks_something_follows_the_intent() -> None:
    assert asks_something("praise") and asks_something("complaint")
    assert not asks_something("other")
    assert asks_something("other", readable=False)  # a person reads what the models cannot


def test_has_problem() -> None:
    assert has_problem("lovely staff but my order came wrong")
    assert not has_problem("thanks again, see you soon")


# --- intent_of on what the sentiment model gets wrong: quiet praise, calm complaints, banter (DECISIONS §1, §3).
# intent_of is pure: each case passes the reading the model gives such lines (flat or even negative).


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("@grill the lamb shank was proper mint, cheers lads", "neutral"),
        ("@grill buzzing after that curry last night", "neutral"),
        ("that brisket looks unreal", "negative"),
        ("tonight's ribs were banging", "neutral"),
        ("the katsu was spot on. ace service too", "neutral"),
        ("your new dessert menu is top notch", "neutral"),
        ("the tasting menu lived up to the hype and then some", "neutral"),
        ("pricey but worth every penny", "neutral"),
        ("that cheesecake is living rent free in my head", "neutral"),
        ("can't stop thinking about your chilli oil", "negative"),
        ("been dreaming of the pork belly since Tuesday", "neutral"),
        ("I've been telling everyone at work about the dumplings", "neutral"),
        ("the waiter brought a candle for my mum's birthday without being asked. That's service.", "neutral"),
        ("the garlic from your kitchen nearly finished me off on the walk home 🤤", "neutral"),
        ("how do you even get a pie crust to taste like that", "neutral"),
        ("the only thing keeping me going this week is our table on Friday", "negative"),
        ("that ramen has ruined every other ramen for me", "negative"),
        ("the bartender remembered my usual after a year away", "neutral"),
        ("sticky wings rated 9/10 by the whole office", "neutral"),
    ],
)
def test_quiet_praise_is_praise(text: str, sentiment: str) -> None:
    assert intent_of(text, sentiment, 0.8, False, 0.1)[0] == "praise"


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("the waiting time was unreal, an hour for a starter", "negative"),  # a problem word: not praise
        ("can't stop thinking about how rude the manager was", "negative"),
        ("the bartender remembered my usual, but it came out cold", "neutral"),
        ("Class was cancelled so we came in for lunch", "neutral"),  # "class" as a noun
        ("the fair is on Thursday 10/10 in the square", "neutral"),  # a date, not a rating
    ],
)
def test_praise_words_in_other_senses_are_not_praise(text: str, sentiment: str) -> None:
    assert intent_of(text, sentiment, 0.8, False, 0.1)[0] != "praise"


def test_emoji_praise_is_praise_below_the_auto_reply_bar() -> None:
    intent, score = intent_of("@grill that focaccia 😋", "neutral", 0.6, False, 0.1)
    assert intent == "praise" and score < 0.6  # a person approves the thank-you
    assert intent_of("@grill 20 minutes for a coffee 😍", "negative", 0.8, False, 0.1)[0] != "praise"


@pytest.mark.parametrize(
    "text",
    [
        "asked for my steak rare and it came out grey",
        "the pizza arrived stone cold",
        "our burgers came with no buns",
        "sent it back twice and gave up",
        "we were turned away even though we had the confirmation email",
        "you gave our table away to a walk-in",
        "couldn't hear half of the video over the extractor fan",
        "£25 a head and you can't even get the order right",
        "who's running this place, a golden retriever?",
        "the app says delivered but I definitely ordered for collection",
        "so do we need to chase you or will someone call back",
        "is my order coming or not",
        "where's my food, it's been 90 minutes",
        "will I get my deposit back? we never got seated",
        "we've both been ill since Saturday's dinner",
        "service was really slow and we had to go to the bar ourselves in the end",
        "MY PARTNER AND I BOOKED FOR 7 AND NOBODY SEATED US UNTIL 8.30",
    ],
)
def test_calm_complaints_are_complaints(text: str) -> None:
    assert intent_of(text, "neutral", 0.7, "?" in text, 0.9 if "?" in text else 0.1)[0] == "complaint"


@pytest.mark.parametrize(
    ("text", "is_question"),
    [
        ("is the pizza oven wood-fired or gas?", True),
        ("I heard people are being turned away from the other branch, are you open?", True),
        ("will I get my deposit back if I cancel a week ahead?", True),
        ("the brisket came out of the smoker at 6am, smelled amazing from the street", False),
        ("GET YOUR TICKETS FOR THE QUIZ NIGHT THIS THURSDAY", False),
        ("BEST ROAST IN THE NORTH WEST, NO CONTEST", False),
    ],
)
def test_questions_and_shouting_without_a_failure_are_not_complaints(text: str, is_question: bool) -> None:
    sentiment = "positive" if "BEST" in text or "amazing" in text else "neutral"
    assert intent_of(text, sentiment, 0.7, is_question, 0.9 if is_question else 0.1)[0] != "complaint"


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("ordering two desserts. diet starts tomorrow. again.", "negative"),
        ("rip my bank balance after this weekend", "neutral"),
        ("posting pictures of brownies at midnight is a hate crime", "negative"),
        ("commenting to come back to this recipe later", "neutral"),
        ("sharing this for my book club", "positive"),
        ("came over from the Sunday supplement 👋", "positive"),
        ("@sam this. us. saturday. no excuses", "negative"),
        ("@priya hope your dad's feeling better, that sounded rough", "negative"),
        ("lol at the state of the queue outside your place tonight 😂", "positive"),
    ],
)
def test_banter_asks_nothing(text: str, sentiment: str) -> None:
    assert intent_of(text, sentiment, 0.8, False, 0.1)[0] == "other"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("diet starts monday but the short rib was worth every penny", "praise"),
        ("sharing this for my mates, the lamb was amazing", "praise"),
        ("commenting so I remember: the app charged me twice", "complaint"),
        ("boosting this for the group chat. does it come in a vegan version?", "question"),
    ],
)
def test_banter_beside_a_real_message_keeps_the_message(text: str, intent: str) -> None:
    asked = "?" in text
    assert (
        intent_of(text, "positive" if intent == "praise" else "neutral", 0.7, asked, 0.9 if asked else 0.1)[0] == intent
    )


def test_calm_complaints_and_quiet_praise_get_the_tone_they_mean() -> None:
    assert revised_sentiment("complaint", "neutral", 0.7, failure=True) == ("negative", 0.6)
    assert revised_sentiment("complaint", "neutral", 0.7) == ("neutral", 0.7)  # no failure told: the model decides
    assert revised_sentiment("praise", "neutral", 0.7, 0.7)[0] == "positive"
    assert revised_sentiment("praise", "negative", 0.9, 0.55) == ("positive", 0.55)  # emoji praise: stays unsure
    assert reports_failure("the chips came out burnt") and not reports_failure("the chips came out of the fryer")


def test_mocking_is_negative() -> None:
    assert surface_sentiment("lol at your website today 😂", "positive", 0.8)[0] == "negative"
    assert surface_sentiment("lol loved it 😂", "positive", 0.8)[0] == "positive"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("would love it if you opened on Mondays", "request"),
        ("it would be great if you did a kids menu", "request"),
        ("how far ahead do I need to book for a group of 12?", "question"),
    ],
)
def test_wishes_are_requests_and_needing_to_book_is_a_question(text: str, intent: str) -> None:
    asked = "?" in text
    assert intent_of(text, "neutral", 0.6, asked, 0.9 if asked else 0.1)[0] == intent
