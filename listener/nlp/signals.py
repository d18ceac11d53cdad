"""Score spam and bot likelihood from surface patterns of the text and the author's profile."""

from __future__ import annotations

import math
import re

URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
HANDLE = re.compile(r"(?<!\w)@\w+")
HASHTAG = re.compile(r"(?<!\w)#\w+")
REPEAT = re.compile(r"(.)\1{4,}")
PROMO = re.compile(
    r"\b(crypto|bitcoin|btc|eth|nft|airdrop|giveaway|free (?:followers|money|gift)|"
    r"dm (?:me )?for (?:promo|collab)|"
    r"promo ?code|follow ?(?:for|4) ?follow|f4f|follow back|check (?:out )?my (?:profile|bio|page)|"
    r"click (?:the )?link|link in (?:my )?bio|earn \$?\d+|make money|work from home|investment|forex|"
    r"whatsapp|telegram|onlyfans|cashapp|limited offer|100% free|winner|claim your)\b",
)
# Selling reach, followers or tokens: each match is strong evidence on its own.
PITCH = re.compile(
    r"(\b\d+(?:\.\d+)?[km]\+? (?:followers|real|active|engaged|targeted)|\b\d+\+ (?:\w+ )?pages\b"
    r"|\bcheap rates?\b|\bfast results?\b|\bhelp you (?:reach|grow|gain)\b|\bgrow your (?:page|account|brand)\b"
    r"|\b(?:dm|message) (?:us |me )?(?:for|4) (?:promo|promotion|shoutout|collab|paid)\b|\bpromo(?:tion)? rates?\b"
    r"|\bpresale\b|\btokens?\b|\bwallets\b|\b\d+x\b|\bguaranteed (?:returns?|profits?|income|gains?)\b"
    r"|\bclaim (?:now|at|here|it)\b|\bairdrops?\b"
    r"|\b(?:get|gain|grow|reach|boost)\b[^.!?]{0,30}?\b\d+k?\+? (?:real |active |organic |targeted |genuine )?"
    r"(?:followers|subscribers|likes|views)\b|\bfree (?:audit|consultation|strategy call)\b"
    r"|\b(?:we|i) (?:help|can help) (?:\w+ )?(?:shops|brands|businesses|creators|accounts|pages)\b"
    r"|\bsocial media (?:agency|marketing)\b)",
)
# The "testimonial" scam that fills creators' comment sections: an earnings claim, a named "mentor",
# a contact on a messenger. Each match is strong evidence; ordinary talk of investing matches at most one.
TESTIMONIAL = re.compile(
    r"(\b(?:made|earned|making|earning|earn|make)\s+(?:over\s+|about\s+|up to\s+)?\$\s?[\d,.]+k?\s+"
    r"(?:in|within|every|per|a)\s+(?:just\s+)?(?:\d+\s+|one\s+|two\s+|three\s+|a\s+)?(?:days?|weeks?|months?)\b"
    r"|\bwith the help of (?:mr|mrs|ms|miss|dr|sir|madam)\b\.?"
    r"|\b(?:tell|say to) (?:him|her|them) (?:\w+ )?(?:sent|referred) you\b"
    r"|\b(?:contact|reach|message|text|write to) (?:him|her|them|mr|mrs|ms)\b[^.!?]{0,30}"
    r"\b(?:telegram|whatsapp|signal)\b"
    r"|\b(?:investing|invested|investor|trading|trader|forex|crypto) (?:mentor|coach|expert|manager|platform)\b"
    r"|\bstarted investing\b)",
)
TICKER = re.compile(r"\$[A-Z]{2,}\b")
BOT_HANDLE = re.compile(r"(bot|_bot|automated|feed|news_?alert|\d{6,})$|^(bot|auto)", re.IGNORECASE)
BOT_BIO = re.compile(r"\b(i am a bot|i'm a bot|bot account|automated|auto-?posts?|beep boop|not monitored)\b", re.I)


def _squash(x: float) -> float:
    """Map an unbounded evidence sum to (0, 1) with 0 -> about 0.05."""
    return 1.0 / (1.0 + math.exp(-(x - 3.0)))


def spam_score(text: str) -> float:
    """Return how much the text looks like spam, in [0, 1]."""
    # Most comments have no link, handle, tag or "$": test for the character before running a regex.
    linked = "http" in text or "www." in text
    urls = URL.findall(text) if linked else []
    rest = URL.sub("", text) if linked else text
    handles = len(HANDLE.findall(text)) if "@" in text else 0
    words = len(HANDLE.sub("", rest).split()) if handles else len(rest.split())
    ev = 0.0
    if urls and words <= 2:
        ev += 4.0  # a link with (almost) nothing to say
    elif urls:
        ev += 1.0 + max(0, len(urls) - 1)
    low = text.lower()  # the patterns are lower case: IGNORECASE makes every alternation slower
    tickers = len(TICKER.findall(text)) if "$" in text else 0
    ev += 2.5 * len(PROMO.findall(low)) + 1.5 * (len(PITCH.findall(low)) + tickers)
    if "$" in low or " him" in low or " her" in low or "invest" in low:  # skip the regex for most comments
        ev += 1.5 * len(TESTIMONIAL.findall(low))
    tags = len(HASHTAG.findall(text)) if "#" in text else 0
    ev += 0.6 * max(0, tags - 2) + 0.5 * max(0, handles - 3)
    ev += 1.5 * bool(REPEAT.search(text))
    ev += 1.0 * (text.count("$") + text.count("💰") + text.count("🚀") >= 2)
    return round(_squash(ev), 4)


def bot_score(handle: str, bio: str, is_bot: bool, text: str) -> float:
    """Return how much the author looks automated, in [0, 1]; a platform's own bot flag is decisive."""
    if is_bot:
        return 1.0
    ev = 3.0 * bool(BOT_HANDLE.search(handle or "")) + 3.5 * bool(BOT_BIO.search(bio or ""))
    ev += 1.0 * bool(PROMO.search((bio or "").lower())) + 0.5 * bool(URL.match(text.strip()))
    return round(_squash(ev), 4)
