"""Score spam and bot likelihood, spot look-alikes of our accounts and bio opt-outs (DECISIONS.md §1)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache

# Scores are a logistic of summed evidence centred on 3.0, so 0.5 means "evidence reached 3": one strong
# sign (weight 4, score 0.73) or a declaration (6, 0.95) alone, or two or three weak signs together.
SPAM_CUTOFF = 0.5  # a spam_score at or above this is spam
BOT_CUTOFF = 0.5  # a bot_score at or above this is a bot
_STRONG = 4.0
_WEAK = 1.5
_DECLARED = 6.0

URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
HANDLE = re.compile(r"(?<!\w)@[\w.@-]+")
HASHTAG = re.compile(r"(?<!\w)#\w+")
REPEAT = re.compile(r"(.)\1{4,}")
_MONEY = r"[£$€]\s?\d[\d,.]*k?"


def _family(hints: str, pattern: str) -> tuple[frozenset[str], re.Pattern[str]]:
    """A pattern with the words it cannot match without: testing the words first is most of the speed."""
    return frozenset(hints.split()), re.compile(pattern)


# Words are runs of letters (and £ $ € % alone), so "f4f" gives "f", "100x" gives "x", "$BTC" gives "$" and "btc".
WORDS = re.compile(r"[a-z]+|[£$€%]")
# Each family alone is spam (DECISIONS §1): a lure off the platform, "DM for rates", money multiplied, reach or
# reviews for sale, follow-for-follow, a prize to claim, phishing for card details, promotion of one's own page.
SPAM_STRONG = (
    _family(
        "whatsapp telegram signal wechat kik",
        r"(?<!you )(?<!please )\b(?:message|msg|text|contact|dm|reach|add|chat with|talk to) (?:me|us|him|her|them) "
        r"(?:on|via|at) (?:whatsapp|telegram|signal|wechat|kik)\b"
        r"|\b(?:whatsapp|telegram)\b[^\w\n]{0,6}@\w|\b(?:whatsapp|telegram|signal)\b[^\w\n]{0,6}\+?\d[\d -]{6,}\d"
        r"|\b(?:she|he|they)(?:'s| is| are) (?:\w+ )?on (?:whatsapp|telegram|signal)\b",
    ),
    _family(
        "promo promos promotion promotions rates rate pricing prices collab collabs shout shoutout shoutouts vip paid",
        r"\b(?:dm|message|pm|inbox) (?:me |us )?(?:for|4) "
        r"(?:promo\w*|rates?|pricing|prices|collabs?|shout ?outs?|vip|paid)\b",
    ),
    _family(
        "into licensed signals guaranteed",
        rf"\bturn(?:ed|s|ing)? (?:my |your |their |her |his )?{_MONEY} into [£$€]\s?\d"
        r"|\blicensed (?:broker|trader|forex|investment)|\b(?:trading|crypto|forex|vip|investment) signals\b"
        r"|\bguaranteed (?:returns?|profits?|income|gains?)\b",
    ),
    _family(
        "followers subscribers likes views reviews",
        r"\b(?:get|gain|buy|grow(?: to)?|reach|boost)\b[^.!?\n]{0,30}?\b\d[\d,.]*k?\+? (?:(?:real|active|organic|"
        r"targeted|genuine|uk|us|google|instagram|tiktok|five[- ]star|5[- ]star) )*(?:followers|subscribers|likes|"
        rf"views|reviews)\b|\b(?:followers|likes|reviews|subscribers|views) for {_MONEY}",
    ),
    _family(
        "f l follow followback like sub subscribe",
        r"\b(?:follow ?(?:for|4) ?follow|f4f|l4l|like ?(?:for|4) ?like|sub ?(?:for|4) ?sub|followback|follow ?back"
        r"|sub ?back)\b|\b(?:sub(?:scribe)? to|follow) my (?:channel|page|account)\b"
        r"|\bfollow me (?:and|&) i(?:'ll| will)\b",
    ),
    _family(
        "picked selected chosen won claim giving",
        r"\byou(?:'ve| have) been (?:picked|selected|chosen)\b"
        r"|\byou(?:'ve| have) won (?:a |an |our )?(?:[£$€]\d|free|prize)"
        r"|\bclaim (?:yours|your (?:prize|reward|voucher|gift|winnings))\b|(?<!i )(?<!we )\bclaim (?:now|here)\b"
        r"|\bgiving (?:away )?\d+ (?:lucky )?(?:followers|people|fans|winners)\b",
    ),
    _family(
        "card bank payment",
        r"\b(?:enter|complete|confirm|verify|provide|update|submit|fill in|send)\b[^.!?\n]{0,40}"
        r"\byour (?:card|bank|payment) (?:details|number|info)",
    ),
    _family(
        "link check",
        r"\blink in my (?:bio|profile)\b"
        r"|\bcheck (?:out )?my (?:shop|store|channel|page|profile|bio|website|site|etsy|tiktok|podcast|onlyfans)\b",
    ),
)
# Each alone could be a customer ("do you take bitcoin?", "is the 20% off with code still on?"); together they are not.
SPAM_WEAK = (
    _family(
        "crypto bitcoin btc eth ethereum usdt nft airdrop airdrops presale tokens wallets forex binance $",
        r"\b(?:crypto|bitcoin|btc|eth|ethereum|usdt|nft|airdrops?|presale|tokens|wallets|forex|binance)\b|\$[a-z]{3,5}\b",
    ),
    _family(
        "£ $ €",
        rf"\b(?:made|earned|making|earning|earn|make|profit)\s+(?:over\s+|about\s+|up to\s+)?{_MONEY}\s*(?:/|in|within|"
        r"every|per|a)\s*(?:just\s+)?(?:\d+\s+|one\s+|two\s+|a\s+)?(?:days?|weeks?|months?|hours?)\b",
    ),
    _family(
        "help sent mentor coach expert manager platform investing freedom",
        r"\bwith the help of (?:mr|mrs|ms|miss|dr|sir|madam)\b|\b(?:tell|say to) (?:him|her|them) (?:\w+ )?sent you\b"
        r"|\b(?:investing|investment|trading|crypto|forex) (?:mentor|coach|expert|manager|platform)\b|\bmy mentor\b"
        r"|\bstarted investing\b|\bfinancial freedom\b",
    ),
    _family(
        "x legit safe free real undetectable catch midnight today limited act",
        r"\b\d+x\b|\b100% (?:legit|safe|free|real)\b|\bundetectable\b|\bno catch\b|\bbefore midnight\b|\btoday only\b"
        r"|\blimited offer\b|\bact now\b",
    ),
    _family(
        "home experience now show",
        r"\bwork(?:ing)? from home\b|\bno experience (?:needed|required)\b|\b(?:dm|message) me now\b"
        r"|\blet me show you how\b",
    ),
    _family(
        "free app giveaway giveaways",
        r"\bfree (?:vouchers?|gift ?cards?|money|followers|cash)\b|\bwith this app\b|\bgiveaways?\b",
    ),
    _family(
        "bio launched opened code collab collaborate feature partnership partnerships rates rate results help form",
        r"\blink in bio\b|\b(?:just )?(?:launched|opened) my (?:own )?(?:\w+ )?(?:shop|store|business|brand|channel|"
        r"podcast|app)\b|\b\d+% off (?:with|using) (?:my )?code\b|\blove to (?:collab|collaborate|feature)\w*"
        r"|\bpaid partnerships?\b|\bpromo(?:tion)? rates?\b|\bcheap rates?\b|\bfast results?\b"
        r"|\bhelp you (?:reach|grow|gain)\b|\bfeature \w+ to \d+k\b|\b(?:refund|claim|reward|verification) form\b",
    ),
)
# A customer telling us about a scam uses the scam's words: "I got a text saying I've been selected... is this you?".
REPORT = re.compile(
    r"\bis (?:this|that|it|these) (?:really |actually )?"
    r"(?:you|yours|from you|legit|real|genuine|official|a scam|fake)\b"
    r"|\bpretending to be\b|\bposing as\b|\bimpersonat\w*|\blooks (?:dodgy|fake|suspicious|like (?:a )?scam)"
    r"|\b(?:beware|heads up|be careful|warning)\b"
    r"|\b(?:someone|somebody|people) (?:is |are |has been |have been )?(?:selling|sending|messaging|using your)\b"
    r"|(?<!not a )(?<!no )\b(?:scam|phishing|fraud)\b|\bfake (?:account|page|vouchers?|site|website|email)",
)
# Bio phrases that sell; a bio only corroborates what the text already suggests.
BIO_SPAM = re.compile(
    r"\b(?:dm|message) (?:me|us|now|for)\b|\breal followers\b|\bfollower growth\b|\bpaid partnerships?\b"
    r"|\bfinancial freedom\b|\bnot financial advice\b|\bfree (?:vouchers|gift|followers)|\bwork from home\b"
    r"|\bofficial (?:help|rewards|support|giveaway|promo)|\b\d+x\b|\bgiveaways?\b|#f4f|#followback|\bsignals\b",
)

# "Not a bot", "no bots please", "no automated replies": a person talking about bots, removed before looking.
BOT_NEGATED = re.compile(
    r"\b(?:not|no|never|isn't|ain't)\s+(?:an?\s+)?(?:\w+\s+)?(?:bots?|robots?|scripts?|automated)\b"
)
BIO_DECLARES = re.compile(
    r"\b(?:i'm|i am|im)\s+an?\s+(?:\w+\s+)?(?:bot|script)\b(?!-)|\bbeep[ -]boop\b"
    r"|\b(?:this|account) is (?:an? )?(?:fully )?(?:automated|bot)\b(?!-)|\b(?:bot|automated) account\b"
    r"|\bautomated (?:\w+ )?"
    r"(?:bot|feed|posts?|updates|alerts?|list|curator|chapter|timestamps?|summar\w+|reposts?|news|digest)\b"
    r"|(?:^|[.!|•·:]\s*)automated\s*(?:[.!|•·]|$)|\b(?:run|powered|operated) by (?:a )?(?:script|bot|cron)\b"
    r"|\b(?:posts?|posted|posting|tweets?|toots?|reposts?|boosts?|shares?|retweets?|updat(?:es|ed|e))\b[^.!?\n]{0,60}?"
    r"\b(?:automatically|every \d* ?(?:minutes?|mins?|hours?|hrs?))\b"
    r"|\bautomatically (?:posts?|posted|shares?|reposts?|boosts?|generated)\b|\bauto-?(?:posts?|posting|generated)\b"
    r"|\b(?:a|this) bot (?:that|which|by|for)\b",
)
# A text that says a bot wrote it, as Reddit's moderation and reminder bots sign their comments.
TEXT_DECLARES = re.compile(
    r"(?:^|[.!?(*\n^🤖]\s*)(?:i am|i'm) an? (?:\w+ )?(?:bot|automated account|script)\b(?!-)"
    r"|\bthis (?:action|comment|message|reply|post|summary) was (?:performed|posted|generated|created|written|sent) "
    r"(?:automatically|by a bot)\b"
    r"|\b(?:this is an?|i'm an?) (?:automated|auto-generated) (?:message|comment|reply|post)\b"
    r"|\b(?:posted|generated) automatically\b|^i will be messaging you (?:in|on)\b",
)
BOT_HANDLE = re.compile(r"(?:[_.-][Bb][Oo][Tt]|[a-z0-9]Bot|[a-z0-9_]BOT)$")  # a "bot" word, not Talbot or Abbott
TIMESTAMPS = re.compile(r"(?m)^\d{1,2}:\d{2} \S")

NO_BOT_MARKER = re.compile(r"#no[ _-]?bots?\b|\bno bots?\b|\bno (?:automated|bot) (?:replies|responses)\b")
_SUFFIX = re.compile(r"[@.].*$")  # the instance or domain after a handle: emberandoak@mastodonapp.uk, x.bsky.social
_LEET = str.maketrans("013457", "oleast")


def _squash(x: float) -> float:
    """Map an evidence sum to (0, 1): 0 -> 0.05, 3 -> 0.5 (the cut-off), 6 -> 0.95."""
    return 1.0 / (1.0 + math.exp(-(x - 3.0)))


def spam_score(text: str, bio: str = "") -> float:
    """Return how much a comment looks like spam, in [0, 1]; the author's bio can only corroborate the text."""
    # Most comments have no link, handle or tag: test for the character before running a regex.
    linked = "http" in text or "www." in text
    urls = URL.findall(text) if linked else []
    rest = URL.sub("", text) if linked else text
    handles = len(HANDLE.findall(text)) if "@" in text else 0
    tags = len(HASHTAG.findall(text)) if "#" in text else 0
    words = len(HANDLE.sub("", rest).split()) if handles else len(rest.split())
    ev = 0.0
    if urls and words <= 2:
        ev += _STRONG  # a link (after handles) with nothing to say
    elif urls:
        ev += 1.0 + max(0, len(urls) - 1)
    if tags >= 6 and words - tags <= 2:
        ev += _STRONG  # hashtag stuffing: a wall of tags and hardly a word
    else:
        ev += 0.5 * max(0, tags - 3) + 0.5 * max(0, handles - 3)
    low = text.lower()  # the patterns are lower case: IGNORECASE makes every alternation slower
    vocab = set(WORDS.findall(low))
    ev += _STRONG * min(2, _matches(SPAM_STRONG, low, vocab)) + _WEAK * _matches(SPAM_WEAK, low, vocab)
    if ev >= 1.0 and bio:
        ev += _bio_spam(bio)  # only after the text itself gave a reason: a bio alone never makes a spammer
    ev += 1.0 * bool(REPEAT.search(text))
    ev += 1.0 * (sum(text.count(c) for c in "$£€💰💸💷🚀📈") >= 3)
    if ev and REPORT.search(low):
        ev = min(ev, 1.0)  # reporting a scam is a customer's complaint: flagging it as spam is the costly mistake
    return round(_squash(ev), 4)


def _matches(families: Sequence[tuple[frozenset[str], re.Pattern[str]]], low: str, vocab: set[str]) -> int:
    """How many times the families match, skipping those whose words the text lacks."""
    return sum(len(rx.findall(low)) for hints, rx in families if not hints.isdisjoint(vocab))


@lru_cache(maxsize=4096)
def _bio_spam(bio: str) -> float:
    """Weak evidence from a selling bio, capped so a link plus a selling bio stays under the cut-off."""
    return min(_WEAK, 1.0 * len(BIO_SPAM.findall(bio.lower())))


def bot_score(handle: str, bio: str, is_bot: bool, text: str) -> float:
    """Return how much the author looks automated, in [0, 1]; a platform flag or a self-declaration is decisive."""
    if is_bot:
        return 1.0
    ev = _bio_bot(bio or "")
    low = text.lower()
    if ("bot" in low or "automat" in low or "messaging you" in low) and TEXT_DECLARES.search(BOT_NEGATED.sub(" ", low)):
        ev += _DECLARED
    # Weak signs, which count only together: a "bot" word ending the handle, a list of video timestamps.
    ev += _WEAK * bool(BOT_HANDLE.search(_SUFFIX.sub("", (handle or "").lstrip("@"))))
    ev += _WEAK * (":" in text and len(TIMESTAMPS.findall(text)) >= 3)
    return round(_squash(ev), 4)


@lru_cache(maxsize=4096)
def _bio_bot(bio: str) -> float:
    """Evidence of automation in a bio: a declaration is decisive, a robot emoji is a weak sign."""
    low = BOT_NEGATED.sub(" ", bio.lower())
    return _DECLARED * bool(BIO_DECLARES.search(low)) + _WEAK * ("🤖" in low)


def opts_out(bio: str) -> bool:
    """True when a bio asks for no automated replies: #nobot, "no bots", "no automated replies", "no bot replies"."""
    return bool(bio) and NO_BOT_MARKER.search(bio.lower()) is not None


def looks_like_us(handle: str, name: str, ours: Sequence[str]) -> bool:
    """True when a handle or display name imitates our brand; whether it IS ours is for the caller, by author id."""
    return _looks_like(handle or "", name or "", tuple(ours))


@lru_cache(maxsize=4096)
def _looks_like(handle: str, name: str, ours: tuple[str, ...]) -> bool:
    """looks_like_us, cached: the same authors come back all day."""
    stems = _stems(ours)
    if not stems:
        return False
    candidates = {_squash_name(handle, is_handle=True), _squash_name(name, is_handle=False)}
    return any(_near(c, s) for c in candidates if c for s in stems)


@lru_cache(maxsize=64)
def _stems(ours: tuple[str, ...]) -> tuple[str, ...]:
    """The brand stem our handles share (their longest common prefix of 5+ characters), else each handle."""
    squashed = [s for s in (_squash_name(h, is_handle=True) for h in ours) if s]
    if not squashed:
        return ()
    prefix = squashed[0]
    for s in squashed[1:]:
        while not s.startswith(prefix):
            prefix = prefix[:-1]
    return (prefix,) if len(prefix) >= 5 else tuple(dict.fromkeys(squashed))


def _squash_name(value: str, *, is_handle: bool) -> str:
    """Lower-case letters and digits only, with "and"/"&" dropped and a handle's instance or domain removed."""
    low = value.strip().lower().lstrip("@")
    if is_handle:
        low = _SUFFIX.sub("", low)
    return re.sub(r"[^a-z0-9]+", "", low.replace("&", " ")).replace("and", "")


def _near(candidate: str, stem: str) -> bool:
    """Stem inside the candidate, exactly or within a small edit distance (also after undoing 0->o, 3->e...)."""
    allowed = 0 if len(stem) < 6 else 1 if len(stem) < 10 else 2
    return any(
        stem in c or (allowed and _substring_distance(stem, c) <= allowed)
        for c in {candidate, candidate.translate(_LEET)}
    )


def _substring_distance(pattern: str, text: str) -> int:
    """Fewest edits turning the pattern into some substring of the text (Sellers' algorithm)."""
    prev = list(range(len(pattern) + 1))
    best = prev[-1]
    for ch in text:
        cur = [0]
        for i, p in enumerate(pattern, 1):
            cur.append(min(prev[i] + 1, cur[i - 1] + 1, prev[i - 1] + (p != ch)))
        best = min(best, cur[-1])
        prev = cur
    return best
