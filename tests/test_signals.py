"""Spam, bot, look-alike and opt-out signals on the surface patterns people actually meet."""

from __future__ import annotations

import pytest

from listener.nlp.signals import BOT_CUTOFF, SPAM_CUTOFF, bot_score, looks_like_us, opts_out, spam_score

OURS = (
    "brambleandvine",
    "BrambleAndVine_LDS",
    "@BrambleAndVineLeeds",
    "brambleandvine.com",
    "brambleandvine@toot.cafe",
)


def test_cutoffs_sit_between_no_evidence_and_one_strong_sign() -> None:
    assert 0.0 < SPAM_CUTOFF < 1.0 and 0.0 < BOT_CUTOFF < 1.0
    assert spam_score("see you saturday") < SPAM_CUTOFF <= spam_score("https://bit.ly/4kQpZx")
    assert bot_score("jo", "", False, "see you saturday") < BOT_CUTOFF <= bot_score("jo", "", True, "hi")


# --- spam -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # the "testimonial" scams that fill comment sections, in any currency
        "This video reminds me of when I started investing. I've made $14,500 in 3 weeks with the help of "
        "Mr. Daniel Hughes, he is on Telegram 👉 @DanielHughesFX tell him Maria sent you",
        "I made $3,200 in 2 weeks trading with Mrs. Olivia Grant, contact her on WhatsApp",
        "Couldn't pay rent last spring, then a licensed broker doubled it for me. Forever grateful 🙏",
        "Turned my €500 into €7,200 in a month. Best decision ever",
        "@bramble want to grow? Turn $100 into $3,000 with our VIP signals 🚀 join now",
        "Cafés that take $ETH and USDT are the future 💸 let me show you how, DM me now",
        "Crypto is the future!! My mentor showed me how, message me now 💰",
        # reach, reviews and follows for sale
        "Hey @bramble 👋 love your brand! We help cafés get 10k+ real followers in 30 days. "
        "DM us for a FREE audit 🚀📈",
        "Buy 2,000 real Instagram followers for £15 👉 cheap rates, fast results",
        "Need more stars? Get 30 five-star Google reviews this week, totally undetectable. PM me",
        "follow for follow? I always follow back 🔁",
        "Loved this! Sub to my channel and I'll sub back 🙌 #sub4sub",
        "l4l f4f anyone??",
        # work from home, freebies, prizes
        "Make £250 a day from home, no experience required! Text me on WhatsApp +44 7700 900456",
        "📢 Working from home and making €1,200 per week, no experience needed, ask me how",
        "FREE gift cards!! I got £300 of vouchers with this app, no catch 👉 https://t.co/aaaa",
        "🎉 Congratulations, you've been selected for a £150 voucher! Claim yours before midnight 🎁",
        "You've won a free meal for two 🎁 message us on Telegram 👉 @BrambleRewards to claim",
        "To celebrate 5 years we're giving away 50 lucky followers a hamper! claim now: bramble-gifts.co/win",
        # phishing, link-only, stuffing, self-promotion, fake collabs
        "So sorry for the trouble! To process your refund please verify your card details at https://t.co/bbbb",
        "@bramble https://t.co/xYz12AbC",
        "https://tinyurl.com/2p8xk3vz",
        "@bramble #Leeds #LeedsFood #brunch #coffee #foodie #vegan #deals #win 👉 https://t.co/cccc",
        "not to hijack but I just launched my soap shop 🧼 link in my profile, 20% off with code SUDS20",
        "Great vid! check out my channel for more recipes 🙏",
        "@bramble We'd love to collab 😍 we feature cafés to 120k foodies. DM us for rates 💌",
        "DM for promo 📈 40+ food pages, paid partnerships available",
    ],
)
def test_spam_families_reach_the_cutoff(text: str) -> None:
    assert spam_score(text) >= SPAM_CUTOFF


@pytest.mark.parametrize(
    "text",
    [
        # customers reporting scams aimed at them: a complaint, never spam
        "I got an email from you asking for my card details to claim a £50 voucher, is this a scam?",
        "Got a text saying 'you've been selected for a free meal, claim now at bramble-win.co' is that you??",
        "someone on Facebook is selling fake vouchers of yours, you've been picked they said. Heads up",
        "there's an account pretending to be you on Telegram offering refunds, message them on Telegram it says",
        "@bramble a page called Bramble Rewards says I've won and wants my bank details. Looks dodgy",
        # money, refunds and charges
        "you charged me £42.50 twice for one order and I want a refund to my card",
        "I paid $40 in 3 weeks for shipping, ridiculous",
        "I've made about $20 a week selling my old beans lol",
        "Thanks to my investing coach I can afford your coffee",
        "investing in a good grinder was the best thing I did",
        "do you take bitcoin or just cards?",
        "is the 20% off with code SPRING still on at the Leeds shop?",
        # links, accounts and follows in ordinary talk
        "Booked for Friday through https://brambleandvine.com/book, can't wait to try the new menu",
        "saw you on Instagram and had to come, the flat white was perfect",
        "Lovely brunch, wrote it up here if anyone's curious https://myfoodblog.example/bramble",
        "we just hit 10k followers on our cafe page, your beans helped!",
        "I help run a few coffee shops in Seattle, your beans are great",
        "the link in your bio is broken, can't find the menu",
        "@bramble please message me on email about my booking, I'm not on Twitter much",
        "no bots here, just a hungry human 😂 what time do you close?",
        "#Leeds #brunch #coffee #vegan #sunday so good this morning at Bramble, the pancakes were huge",
        "sooooo good, best roast ever!!!!!",
        "did I win the giveaway? never heard back",
        "can I claim now or do I wait for the email about my refund?",
        "congrats, you won a prize at the food awards!! deserved",
        "can you message me on WhatsApp about the private dining room?",
        "Working from home today so ordering delivery, the app is down though",
    ],
)
def test_customers_are_not_spam(text: str) -> None:
    assert spam_score(text) < SPAM_CUTOFF


def test_a_selling_bio_corroborates_but_never_convicts_alone() -> None:
    bio = "Social growth for UK cafés. Real followers. DM us."
    assert spam_score("what time do you open on Sunday?", bio) < SPAM_CUTOFF
    assert spam_score("Booked through https://brambleandvine.com/book 🙂", bio) < SPAM_CUTOFF
    weak = "Restaurants with more followers get more bookings 📈 link in bio"
    assert spam_score(weak) < SPAM_CUTOFF <= spam_score(weak, bio)


# --- bots -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bio",
    [
        "I post new Leeds café openings from public listings every 15 minutes.",
        "Café openings in Leeds, posted every hour.",
        "Reposts Leeds food news automatically.",
        "Boosts Yorkshire food posts. Automated.",
        "🤖 Automated account. Maintained by @dev_sam.",
        "This account is automated.",
        "Run by a script that watches menus. Beep boop.",
        "I'm a bot: I summarise cooking videos.",
        "Automated recipe summaries for YouTube videos",
    ],
)
def test_a_bio_that_declares_automation_is_a_bot(bio: str) -> None:
    assert bot_score("leeds_menus", bio, False, "Menu updated at Bramble & Vine") >= BOT_CUTOFF


@pytest.mark.parametrize(
    "text",
    [
        "Welcome to r/leeds!\n\n*I am a bot, and this action was performed automatically. Contact the mods.*",
        "I will be messaging you in 3 days on 2027-01-04 to remind you of this link",
        "🤖 I'm an automated account. Summary: the barista steams oat milk and pours a rosetta.",
        "**Rosetta (latte art)**\n\nA fern-like pattern.\n\n^(I am a bot and this was posted automatically.)",
        "This comment was generated automatically from the video's captions.",
    ],
)
def test_a_text_that_says_a_bot_wrote_it_is_a_bot(text: str) -> None:
    assert bot_score("helpful_account", "", False, text) >= BOT_CUTOFF


def test_the_platform_flag_is_decisive() -> None:
    assert bot_score("leeds_eats", "Just a person who loves food", True, "hello") == 1.0


@pytest.mark.parametrize(
    ("handle", "bio", "text"),
    [
        ("abbott_kez", "Mum of 2 · Wigan", "do you do a kids menu?"),
        ("sam-talbot.bsky.social", "Not a bot, despite my typing speed.", "could you add allergens to the site?"),
        ("SamTalbot", "Definitely not a bot 🙃", "when do you open?"),
        ("robotics_rach", "", "Do you take walk-ins?"),
        ("bottomlessbex", "Brunch enthusiast", "any plans for a bottomless brunch?"),
        ("bottle_and_cork", "Wine lover", "your robot vacuum ad made me laugh"),
        ("wendy_a", "Grandma, gardener. No bots please.", "Do you have a ramp?"),
        ("kp_", "No automated replies pls", "I'd like to know what you're doing about it"),
        ("grow.bsky.social", "Follower growth", "grow to 10k followers 🚀 real accounts, no bots, guaranteed"),
        ("qa_jen", "I write automated tests for a living", "is the terrace open?"),
        ("jonno", "", "your site keeps saying I'm a bot and won't let me book!!"),
        ("chorlton_chef", "", "posted every hour on the hour, it seems, about your roast 😂"),
        ("mia", "", "0:00 intro, love this video"),
        ("trainspotter", "I tweet about trains, a lot", "is the Didsbury site near the tram?"),
        ("zone", "This is a bot-free zone", "hello"),
        ("fast_typer", "Not automated. Just fast.", "first!"),
        ("ops_ana", "Automation engineer at a bank", "do you do gluten free?"),
    ],
)
def test_bot_letters_and_jokes_are_people(handle: str, bio: str, text: str) -> None:
    assert bot_score(handle, bio, False, text) < BOT_CUTOFF


def test_a_bot_word_in_the_handle_needs_a_second_sign() -> None:
    assert bot_score("WikiSnippetBot", "", False, "Sticky toffee pudding is a British dessert.") < BOT_CUTOFF
    assert bot_score("WikiSnippetBot", "🤖", False, "Sticky toffee pudding is a British dessert.") >= BOT_CUTOFF
    stamps = "Chapters\n0:00 Intro\n1:10 The dough\n3:45 The bake"
    assert bot_score("chapters_bot", "", False, stamps) >= BOT_CUTOFF
    assert bot_score("chapters_fan", "", False, stamps) < BOT_CUTOFF


# --- look-alikes of our accounts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("handle", "name"),
    [
        ("BrambleVine_Care", "Help desk"),
        ("someone123", "Bramble & Vine Customer Care"),
        ("@BrambleVine-Winners", "Winners"),
        ("brambleandvine-rewards.bsky.social", "Rewards"),
        ("bramblevine@mastodon.social", ""),
        ("Bramb1eVine_support", ""),
        ("BrambleVyne", ""),
        ("brambleandvine", "Bramble & Vine"),  # our own handle on another instance: the id decides, not the name
    ],
)
def test_look_alikes_of_our_brand(handle: str, name: str) -> None:
    assert looks_like_us(handle, name, OURS)


@pytest.mark.parametrize(
    ("handle", "name"),
    [
        ("sam_oakley", "Sam Oakley"),
        ("hearthandhome", "Hearth & Home Candles"),
        ("vine_st_deli", "Vine Street Deli"),
        ("bramble_the_dog", "Bramble 🐶"),
        ("", ""),
    ],
)
def test_other_people_do_not_look_like_us(handle: str, name: str) -> None:
    assert not looks_like_us(handle, name, OURS)


def test_a_single_short_handle_is_its_own_stem() -> None:
    assert looks_like_us("kiln_help", "", ["kiln"])
    assert not looks_like_us("kilo_help", "", ["kiln"])  # short stems allow no typos
    assert not looks_like_us("anyone", "Anyone", [])


# --- bio opt-outs -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bio",
    [
        "#nobot",
        "Writer. #NoBot please",
        "No bots please.",
        "Leeds. no bots, no brands.",
        "No automated replies pls",
        "No bot replies please",
        "NO AUTOMATED REPLIES",
        "#nobots, humans only",
    ],
)
def test_bio_opt_out_markers(bio: str) -> None:
    assert opts_out(bio)


@pytest.mark.parametrize(
    "bio",
    ["Not a bot, honest", "Robot enthusiast", "no bother, me", "I build robots", "botany nerd", "", "No bottles left"],
)
def test_not_opt_outs(bio: str) -> None:
    assert not opts_out(bio)
