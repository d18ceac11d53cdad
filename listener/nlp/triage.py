"""Decide intent, whether a comment needs a reply, and how urgently, from tags plus context."""

from __future__ import annotations

import re

from listener.nlp import signals
from listener.records import Comment

REQUEST = re.compile(
    r"\b(please|pls|plz|kindly|dm me|message me|email me|call me|contact me|send me"
    r"|can (?:you|u) (?:send|help|fix|check|add|make|give|share|restock|bring|swap|replace|refund|ship|update)"
    r"|can (?:we|i) (?:swap|exchange|return|get|have|change)|let me know"
    r"|(?:would|'d) love (?:it )?if you|(?:it )?would be (?:great|nice|good|amazing|lovely) if you"
    r"|(?:change|move|amend|cancel) (?:my|our) (?:booking|order|reservation|table)"
    r"|help me|i need(?! to\b)|i want my|refund|cancel my|unsubscribe|remove me|add me|bring (?:it )?back)\b",
)
# Politeness alone does not turn a question for information into a request ("what time do you close, please?").
POLITE = frozenset({"please", "pls", "plz", "kindly", "let me know"})
# Figures of speech that sound like requests but are praise (DECISIONS §3): "keep them coming", "never take it off".
FIGURE = re.compile(
    r"\b(?:keep (?:them|it|these|those|'em|em|the \w+) coming|never take (?:it|this|that|them) off"
    r"|i need (?:this|these|that|it) (?:every|in my life|again|back|daily|weekly)|take my money|marry me"
    r"|(?:bring|give) me (?:all )?the \w+ forever)"
)
# An error page at checkout or booking is a complaint even when asked as a question (DECISIONS §7).
SITE_ERROR = re.compile(
    r"\b(?:404|500 error|error (?:page|message|code)|(?:keeps|kept|is|was) (?:timing|timed) out|times out"
    r"|won'?t load|wouldn'?t load|doesn'?t load|not loading|keeps crashing|could not be (?:confirmed"
    r"|processed|completed)"
    r"|payment (?:failed|declined|keeps failing)|something went wrong)"
)
# Each distinct match is one piece of evidence that something went wrong for the customer.
PROBLEM = re.compile(
    r"\b(broken|broke|bug|bugs|buggy|crash\w*|error|errors|issue|issues|problem|problems|not working"
    r"|doesn'?t work|don'?t work|stopped|fail\w*|refund|charged|overcharged|cracked|damaged|stale"
    r"|flimsy|cheaply made|poor quality|fell apart|falling apart|defective|faulty|leak(?:s|ing|ed)?|squeak\w*"
    r"|snapped|dented|scratched|peeling"
    r"|scam|rip ?off|waiting|still (?:no|not|nothing|waiting|haven'?t|hasn'?t)|late|delay\w*"
    r"|worst|terrible|awful|horrible|useless|rude|unfriendly|filthy|disappointed|disappointing|unacceptable"
    r"|ridiculous|annoying"
    r"|frustrat\w*|never again|down again|(?<!points )(?<!point )lost|missing|wrong|hate|got nothing"
    r"|no (?:reply|response|answer|update)"
    r"|nobody (?:answers|replies|responds)|what is going on|what'?s going on|anyone there|hello\?+"
    r"|(?:hasn'?t|has not|haven'?t|never) (?:moved|arrived|shipped|come|came|showed|updated)"
    r"|instead of|second time|third time|(?<!thanks )(?<!thank you )again|come on(?! (?:down|in|out|over|along|by))"
    r"|paid for)\b",
)
# Doubt that we will deliver: polite words around it ("appreciate it. we'll see if it actually shows up this
# time") must not earn a cheerful thank-you; it is a customer still waiting on us.
DOUBT = re.compile(r"\b(?:we['’]?ll see (?:if|whether)|i['’]?ll believe it when|yeah,? right\b|thanks for nothing)")
# A bare opt-out: the policy layer handles it; it is neither a complaint nor something to answer.
OPT_OUT = re.compile(r"^\W*(?:stop|unsubscribe|unfollow|leave me alone|go away|opt out)\W*$")
# Excitement that the sentiment model can read as shouting: "YESSS", "yay", "can't wait".
# A plain "yeah" and "finally" are as often weary as glad; only the drawn-out "yeahhh" is excitement.
EXCITED = re.compile(r"\b(?:yes{2,}|ye{2,}a+h+|yea{2,}h+|yeah{2,}|yay+|woo+h?o*|let'?s go+|can'?t wait)\b")
# Quiet praise (DECISIONS §1: praise said to us needs a thank-you): British food slang and praise idioms that the
# sentiment model reads as neutral or even negative ("proper mint", "living rent free in my head", "nearly finished
# me off"). Each names pleasure in what we made or did; none needs a positive word the model knows.
_SLANG = r"(?:mint|buzzin\w*|buzzing|unreal|lush|banging|bangin|ace|class|spot on|top notch|top drawer|immense|elite"
_SLANG += r"|phenomenal|sublime|heavenly|next level|a different level|on another level|chef'?s kiss)"
PRAISE = re.compile(
    r"\b(?:is|was|were|are|'s|looks?|looked|looking|tastes?|tasted|smells?|smelled|smelt|sounds?|proper|absolutely"
    rf"|so|bloody|well|pure|just|honestly|dead|genuinely|properly|simply) {_SLANG}(?![\w'])"
    r"|(?:^|[.!,;:] ?)(?:buzzin\w*|buzzing|lush|banging|ace|class|spot on|top notch|bravo|chef'?s kiss"
    r"|absolute (?:belter|banger|scenes))(?! ?[\w&])"
    r"|\bchef'?s kiss\b|\blived up to (?:the|all the) hype\b|\bworth every (?:penny|pound|calorie|minute)\b"
    r"|\bliving rent[- ]free in my (?:head|mind)\b|\b(?:still|can'?t stop|cannot stop) thinking about\b"
    r"|\bdreaming (?:of|about)\b"
    r"|\btelling (?:everyone|everybody|all my \w+|the whole \w+|people)(?: [^.!?\n]{0,20}?)? about\b"
    r"|\b(?:i'?m|we'?re|still|so|proper|well|dead|absolutely) buzz(?:in|ing)\b"
    r"|\bbuzz(?:in|ing) (?:after|about|from|with)\b"
    r"|\bthat'?s (?:what i call )?(?:service|customer service|hospitality|how it'?s done)\b"
    r"|\b(?:nearly|almost) (?:finished|killed|took) me (?:off|out)\b"
    r"|\bthe only thing (?:getting|keeping) me (?:through|going|sane)\b"
    r"|\bhow (?:do|did|does) (?:you|they|he|she) (?:even )?(?:make|get|do)\b[^.!?\n]{0,40}"
    r"\b(?:taste|look|smell)s? (?:like that|this good|that good|so good)"
    r"|\bruin(?:ed|s)? (?:every|all|any) other \w+(?: \w+)? for me\b|\bremembered (?:my|our|his|her) (?:name|order"
    r"|usual|birthday|daughter'?s|son'?s|kids?'?)|(?<![\d/])1[01]/10(?=\s*(?:$|[^\w\s/]|would|for|again))"
    r"|\b(?:rated?|rating|scored?|solid|easy|strong|give it|giving it|gets?) (?:an? )?(?:8\.5|9|9\.5|10|11)"
    r" ?(?:/|out of) ?10\b(?!/)|\b(?:9|9\.5|10|ten|eleven) out of (?:10|ten)\b"
)
# Substrings that every PRAISE match contains: a cheap test first, as most comments have none of them.
_PRAISE_KEYS = (
    "mint", "buzz", "unreal", "lush", "bang", "ace", "class", "spot on", "top ", "immense", "elite", "phenomenal",
    "sublime", "heavenly", "level", "kiss", "belter", "banger", "scenes", "bravo", "hype", "worth every", "rent",
    "thinking about", "dreaming", "telling", "service", "hospitality", "done", "me off", "me out", "getting me",
    "keeping me", "taste", "look", "smell", "ruin", "remembered", "/10", "out of",
)  # fmt: skip
# Emoji that, beside words, say "I loved the food" (an emoji-only reaction is left to the judge).
PRAISE_EMOJI = ("🔥", "🤤", "😍", "🙌", "👏", "🫶", "😋", "🥹", "❤", "😻", "💯")
# Banter and chatter in our threads (DECISIONS §1 no_reply_needed): diet and bank-balance jokes, "X is a hate crime"
# about tempting photos, saving or sharing a thread, arriving from somewhere, plans between friends, sympathy to
# another person. Each span is cut out before problem words are counted: "diet starts monday. again." is no grievance.
_DAYS = r"(?:monday|tomorrow|next week|in january|january|new year|after christmas|tuesday|on monday)"
BANTER = re.compile(
    rf"\bdiet (?:starts|begins|starting|is starting) {_DAYS}(?:[.!]* again)?\b|\b(?:so much for|there goes|bye bye"
    r"|goodbye|rip|r\.i\.p\.?) (?:to )?(?:my|the) (?:diet|bank balance|bank account|wallet|savings|overdraft"
    r"|waistline|pay ?cheque|paycheck|payday)\b|\bmy (?:bank balance|bank account|wallet|overdraft|waistline)"
    r" (?:is crying|hates you|says no|can'?t take|is screaming|is shaking)"
    r"|\b(?:is|are|should be|was|were) (?:a |literally a )?hate crimes?\b"
    r"|\bcommenting (?:so|to|for|because)\b[^.!?,;:\n]*|\b(?:saving|bookmarking) (?:this|for later)\b[^.!?,;:\n]*"
    r"|\b(?:boosting|sharing|reposting|retweeting|rting|rt'?ing|reblogging) (?:this|for|to|with)\b[^.!?,;:\n]*"
    r"|\b(?:came|come|coming|got) (?:here|over) (?:from|via|through)\b[^.!?,;:\n]*"
    r"|\bwho else is here from\b[^.!?,;:\n]*"
    r"|(?:^|[.!?] ?)this\. us\.|(?:^|[.!?] ?)us\. (?:next|this|tomorrow|tonight|saturday|sunday|friday)\b[^.!?,;:\n]*"
    r"|\bno excuses\b|\b(?:take|bring) me (?:here|there)\b|\byou'?re taking me\b|\bwe(?:'re| are) going (?:here"
    r"|next|this)\b[^.!?,;:\n]*"
    r"|\bhope (?:your|ur|you'?re|you are|u r) [^.!?\n]{0,25}\b(?:ok|okay|alright|better|well|on the mend)\b"
    r"|\b(?:that|it) sound(?:s|ed) (?:awful|horrible|terrible|rough|grim|scary|horrendous)\b"
)
# Substrings that every BANTER match contains (see _PRAISE_KEYS).
_BANTER_KEYS = (
    "diet", "bank", "wallet", "savings", "overdraft", "waistline", "cheque", "paycheck", "payday", "hate crime",
    "commenting", "saving", "bookmarking", "boosting", "sharing", "reposting", "retweeting", "rting", "rt'ing",
    "reblogging", "here from", "over from", "here via", "over via", "here through", "over through", "us.",
    "no excuses", "take me", "bring me", "taking me", "going", "hope", "sound",
)  # fmt: skip
# Mocking a site with a laugh ("lol at the state of your X today 😂"): banter, negative, never thanked (§4).
MOCKING = re.compile(r"\b(?:lol|lmao|haha\w*|pmsl) at (?:the state of|the queue|your|them|that|the)\b")
# A failure told calmly, without a problem word (DECISIONS §3: something went wrong, even when polite).
FAILED = re.compile(
    r"\b(?:came|arrived|turned up|all|everything|both)(?: out| back)? (?:stone |completely |totally |still |all"
    r" |really |properly |bone )?(?:grey|gray|cold|raw|burnt|burned|lukewarm|undercooked|overcooked|inedible|soggy"
    r"|rock hard|tasteless|half empty|squashed|spilt|spilled|soaked)\b"
    r"|\b(?:was|were|is|are) (?:completely |totally |still |really |properly )?(?:raw|burnt|burned|undercooked"
    r"|overcooked|inedible|tasteless|rock hard|stone cold)\b"
    r"|\b(?:still|was|were|is|it's|and) (?:frozen|raw|pink|cold) in the middle\b"
    r"|\blukewarm\b|\binedible\b|\b(?:came|arrived|turned up) (?:with(?:out)? (?:no )?|minus )"
    r"(?:the |any |a |our |my )?(?:sauce|gravy|cutlery|drinks?|sides?|dessert|chips|fries|napkins|\w+ we ordered)"
    r"|\b(?:came|arrived|turned up) with no\b|\bsent (?:it|them|the \w+|ours|mine|both|everything) back\b"
    r"|\b(?:i|we|i've|we've|been|was|were|got|get|getting) (?:just )?(?:been )?turned away\b"
    r"|\bturned (?:us|me|my \w+|our \w+) away\b"
    r"|\bgave (?:our|my|the) (?:table|booking|seats?|reservation) (?:away|to)\b"
    r"|\bgave away (?:our|my) (?:table|booking)\b|\bdouble[- ]?book(?:ed|ing)\b|\bshambles\b|\bshambolic\b"
    r"|\b(?:couldn'?t|could not|can'?t|cannot) (?:hear|see|read|understand) (?:half|a word|anything|most)\b"
    r"|\b(?:you|they) (?:can'?t|cannot|couldn'?t) even (?:keep|get|manage|do|answer|cook|run)\b"
    r"|\bwho'?s (?:running|in charge of) (?:this|the) (?:place|show|kitchen|restaurant)\b"
    r"|\bnot what (?:i|we) (?:ordered|paid for|asked for|booked)\b|\bbut (?:i|we) (?:definitely |clearly |actually"
    r" |specifically )?(?:booked|ordered|paid for|asked for)\b"
    r"|\b(?:no ?one|nobody|no-one) (?:mentions|mentioned|tells|told|warns|warned|came|checked|answers|answered)\b"
    r"|\b(?:i|we) (?:need|have|had) to chase\b|\bhaving to chase\b|\bcoming or not\b"
    r"|\bwhere'?s? (?:is )?(?:my|our) (?:food|order|delivery"
    r"|refund|deposit|money|table|drinks?)\b|\b(?:get|getting|see) (?:our|my) (?:deposit|money) back\b(?! if\b)"
    r"|\b(?:an hour|\d+ (?:mins?|minutes|hours?))(?:'s| is| was) (?:a )?(?:long|too long|ages)\b"
    r"|\bhad to (?:ask|go|get|chase|flag|remind)\b[^.!?\n]{0,40}\b(?:in the end|ourselves|myself|twice|again)\b"
    r"|\bservice was (?:really |so |very |painfully |incredibly )?slow\b"
    r"|\bfeel(?:ing)? (?:like )?(?:a mug|ripped off|conned|cheated|let down|fobbed off|mugged off)\b"
    r"|\b(?:both|all|i've|we've|i have|we have|he's|she's|they've) (?:both )?been (?:really |violently |so )?(?:sick"
    r"|ill|poorly)\b(?! of)|\bfood poisoning\b"
)
_ADDRESS = re.compile(r"(?<![\w/])(?:@\w+|/?u/\w+)")
# Sources said to us: mentions, replies to us, comments on our own content.
SAID_TO_US = frozenset({"mention", "reply", "comment"})
# Our channels also hold ``thread``: viewers talking to each other under our post. A ``keyword`` hit is
# heard but not addressed to us.
OUR_CHANNELS = SAID_TO_US | {"thread"}


def intent_of(
    text: str,
    sentiment: str,
    sent_score: float,
    is_question: bool,
    q_score: float,
    *,
    asks_action: bool = False,
) -> tuple[str, float]:
    """Return (intent, confidence): complaint > request > question > praise > other.

    Two or more problem cues ("wrong order again… come on") make a complaint whatever the sentiment model
    says; a single cue needs negative sentiment, and a question with one cue stays a question. Doubt that we
    will deliver ("we'll see if it shows up") is a complaint however politely it is put.
    `asks_action` (from the question rules) marks a request, offer or suggestion in question form ("could you
    resend the link?", "any chance of a table by the fire?"): a request even though it is also a question.
    An error page, sarcasm and the figures of speech in DECISIONS §3 settle the tie-breaks first.
    """
    stripped = _ADDRESS.sub("", text).strip()
    body = stripped.lower().replace("’", "'")  # patterns are lower case; IGNORECASE is slower
    if OPT_OUT.match(body) or not body:
        return "other", 0.9
    if not (is_question or asks_action) and _banter(body):
        return "other", 0.7  # "diet starts monday. again.", "commenting so I can find this later"
    cues = len(set(PROBLEM.findall(body)))  # "again… again" is one grievance said twice
    negative = sentiment == "negative"
    idiom = _praised(body)
    if cues >= 2 or negative and (cues or sent_score >= 0.75 and not is_question and not idiom):
        return "complaint", round(min(1.0, 0.5 + 0.15 * cues + 0.3 * negative), 4)
    failed = FAILED.search(body) or _shouted(stripped, body, sentiment)
    if failed or SITE_ERROR.search(body) or is_sarcastic(body):
        return "complaint", 0.7  # "it came out grey", "WHERE IS MY FOOD", "great system 👏"
    asked = REQUEST.search(body)
    if not (cues or is_question or asks_action or asked and not FIGURE.search(body)):
        if idiom:
            return "praise", 0.7  # "proper mint", "still thinking about that pudding": the model hears no praise
        if sentiment != "positive" and _praise_emoji(body):
            return "praise", 0.55  # "that bread 🔥": praise, but too unsure to thank without a person
    if FIGURE.search(body) and sentiment != "negative" and not asks_action:
        return "praise", 0.7  # "keep them coming", "please never take it off": praise, not a request
    if asks_action or asked and not (is_question and asked.group(1) in POLITE):
        return "request", 0.8  # "please DM me the tracking number, the email never came": ask, then fix
    if (cues and sentiment != "positive" and not is_question) or DOUBT.search(body):
        return "complaint", 0.55
    if is_question:
        return "question", round(q_score, 4)
    if sentiment == "positive":
        return "praise", round(sent_score, 4)
    return "other", round(1.0 - max(q_score, sent_score if sentiment != "neutral" else 0.0) / 2, 4)


def _praised(body: str) -> bool:
    """Whether a praise idiom or slang word is said ("proper mint", "lived up to the hype")."""
    return any(k in body for k in _PRAISE_KEYS) and PRAISE.search(body) is not None


def _banter(body: str) -> bool:
    """Banter, chatter or mockery that asks and reports nothing (DECISIONS §1 no_reply_needed).

    The banter spans are cut out first; what is left must name no problem, failure, request or praise.
    """
    if MOCKING.search(body):
        return True  # "lol at the state of your site today 😂": never thanked, whatever else it says
    if not any(k in body for k in _BANTER_KEYS) or not BANTER.search(body):
        return False
    rest = BANTER.sub(" ", body)
    return not (
        PROBLEM.search(rest)
        or FAILED.search(rest)
        or REQUEST.search(rest)
        or _praised(rest)
        or _PRAISE_WORD.search(rest)
    )


def _praise_emoji(body: str) -> bool:
    """Whether a food-praise emoji sits beside at least two words ("that bread 🔥")."""
    return any(e in body for e in PRAISE_EMOJI) and len(_WORDS.findall(body)) >= 2


_WORDS = re.compile(r"[a-z]{2,}")
_CAPS_RUN = re.compile(r"[A-Z]{4}")  # a cheap test first: every shouted text has one
_UPPER = re.compile(r"[A-Z]")
_LOWER = re.compile(r"[a-z]")


# A customer's own account of a visit or an order: what turns all-caps from an advert into a furious complaint.
_ACCOUNT = re.compile(
    r"\b(?:my|our) (?:order|food|booking|table|delivery|meal|money|deposit|reservation|kids?|family)\b"
    r"|\b(?:i|we) (?:booked|ordered|paid|waited|came|rang|called|asked|drove|travelled|sat)\b"
)


def _shouted(stripped: str, body: str, sentiment: str) -> bool:
    """An all-caps account with no praise in it: furious, so a complaint (DECISIONS §3, §6)."""
    if sentiment == "positive" or not _CAPS_RUN.search(stripped):
        return False
    upper, lower = len(_UPPER.findall(stripped)), len(_LOWER.findall(stripped))
    if upper + lower < 15 or upper < 0.85 * (upper + lower) or len(_WORDS.findall(body)) < 4:
        return False
    if EXCITED.search(body) or _PRAISE_WORD.search(body) or _praised(body):
        return False
    return sentiment == "negative" or bool(_ACCOUNT.search(body))  # not "GET YOUR TICKETS TODAY"


def surface_sentiment(text: str, sentiment: str, score: float) -> tuple[str, float]:
    """Correct the model where the surface is plain: sarcasm is negative, excitement is not, an opt-out is flat."""
    low = text.lower()
    if is_sarcastic(low) or MOCKING.search(low):
        return "negative", 0.7  # DECISIONS §4: "great system 👏" about a failure means the opposite
    if sentiment == "negative" and EXCITED.search(low) and not PROBLEM.search(low):
        return "positive", 0.6  # "YESSS. setting an alarm ⏰": shouting and an alarm emoji, but glad
    if OPT_OUT.match(_ADDRESS.sub("", low).strip()):
        return "neutral", 0.6
    return sentiment, score


def revised_sentiment(
    intent: str, sentiment: str, score: float, confidence: float = 1.0, *, failure: bool = False
) -> tuple[str, float]:
    """A complaint is not positive ("love the coffee but come on"); praise is (§4: tone by meaning).

    `confidence` is the intent's: praise found only by an emoji stays below the auto-reply bar. `failure`
    (`reports_failure`): a calm account of what went wrong is negative however flat its words.
    """
    if intent == "complaint" and (sentiment == "positive" or failure and sentiment == "neutral"):
        return "negative", 0.6
    if intent == "praise" and sentiment != "positive":
        return "positive", round(min(0.65, confidence), 4)
    return sentiment, score


def reports_failure(text: str) -> bool:
    """Whether the text tells calmly of something that went wrong ("it came out grey", "sent it back")."""
    return bool(FAILED.search(text.lower().replace("’", "'")))


def asks_something(intent: str, *, readable: bool = True) -> bool:
    """Whether a comment asks or reports something (DECISIONS §8 step 8); unreadable text goes to a person."""
    return intent in ("question", "complaint", "request", "praise") or not readable


def has_problem(text: str) -> bool:
    """Whether the text names something that went wrong ("late", "wrong", "no reply"…): vetoes auto-reply."""
    return bool(PROBLEM.search(text.lower().replace("’", "'")))


def needs_reply(comment: Comment, intent: str, spam: float, bot: float, *, readable: bool = True) -> bool:
    """The tagger's first reading: said to us, not ours, no bot or spam, and asking or reporting something.

    The decide stage's judge (responders/judge.py) makes the final call with what the text alone lacks
    (duplicates, look-alike accounts, opt-outs, the thread) and stores it in place of this one.
    """
    if comment.is_own or comment.author.is_bot or bot >= signals.BOT_CUTOFF or spam >= signals.SPAM_CUTOFF:
        return False
    return comment.source in SAID_TO_US and asks_something(intent, readable=readable)


def priority_of(text: str, intent: str, reply: bool) -> str:
    """High for a health, money or fraud risk; low for praise and what needs no reply; else normal (§6)."""
    return priority_for(intent, reply, risk_of(text) if reply else "")


def priority_for(intent: str, reply: bool, risk: str) -> str:
    """``priority_of`` for a caller that has already read the text's risk."""
    if not reply:
        return "low"
    if risk:
        return "high"
    return "low" if intent == "praise" else "normal"


# --- Text-level judgement cues for the judge (DECISIONS §1, §4–§6). Each takes raw text; patterns are lower case.

_S = r"[^.!?\n]"  # a character inside one sentence: the windows below never reach into the next sentence
# §6 health and safety. An allergen word counts only with a safety ask ("is it safe", "does it contain", "same
# fryer"): a request to publish allergen info, a broken allergen PDF or "the nut roast" is not a risk.
_ALLERGEN = (
    r"(?:nut|nuts|peanuts?|tree nuts?|sesame|gluten|coeliacs?|celiacs?|dairy|lactose|shellfish|soya?|egg|eggs"
    r"|mustard|celery|sulphites?|lupin|fish)"
)
_SAFETY = (
    r"(?:safe|contains?|contain any|traces?|cross[- ]?contam\w*|same (?:fryer|oil|kitchen|surfaces?|board)"
    r"|separate (?:fryer|oil|kitchen)|free from|made with|cooked in|fried in|come into contact|handled)"
)
_HEALTH = re.compile(
    r"\ballerg(?:y|ies|ic)\b|\banaphyla\w*|\bepi-?pens?\b|\bhives\b|\bfood poisoning\b|\bpoison(?:ed|ing)\b"
    r"|\b(?:throat|lips?|tongue|face|mouth) (?:swell\w*|swollen|closing|tingl\w*|itch\w*)"
    r"|\b(?:been|was|were|got|am|are|is|felt|feel|feeling|being) (?:really |so |violently |both )?"
    r"(?:sick|ill|poorly|vomiting|throwing up)\b(?! of)|\bvomit\w*|\bthrowing up\b|\bdiarrh\w*|\bstomach cramps\b"
    r"|\b(?:a&e|a & e|hospital|ambulance|paramedics?)\b"
    r"|\b(?:piece|bit|shard|chunk|sliver|strand|lump)s? of (?:glass|plastic|metal|wire|bone)\b"
    r"|\b(?:glass|plastic|metal|wire|a hair|hairs?|a bone|bones|an insect|a fly|a slug|a staple|a plaster|a screw"
    r"|a fingernail|a cockroach|maggots?) (?:in|inside|baked into) (?:my|the|our|his|her|their|me)\b"
    r"|\b(?:chipped|cracked|broke) (?:a |my |his |her )?tooth\b"
    r"|\b(?:burnt|burned|scalded|cut|injured|hurt) (?:my|his|her|their|our|myself|herself|himself) ?"
    r"(?:hand|arm|finger|mouth|lip|tongue|leg|face|son|daughter|kid|child|back)?\b"
    r"|\b(?:slipped|tripped|fell) (?:on|over|down)\b|\binjur(?:y|ies|ed)\b"
    rf"|\b{_ALLERGEN}\b{_S}{{0,60}}\b{_SAFETY}\b|\b{_SAFETY}\b{_S}{{0,40}}\b{_ALLERGEN}\b(?! roast)"
)
# An allergy need stated with a question: "my wife is coeliac, what's in the celeriac?".
_NEED = re.compile(
    r"\b(?:i'm|i am|is|are|he's|she's|they're|we're|has|have|got|with) (?:a |an )?(?:severe |serious |bad )?"
    r"(?:coeliac|celiac|allergic|(?:nut|peanut|sesame|gluten|dairy|shellfish|egg|soya?|fish"
    r"|milk) (?:allergy|intoleran\w*))"
)
_NOT_HEALTH = re.compile(r"\bsick of\b|\bill of\b|\bnut roast\b")
# §6 money taken wrongly: charged more than once, charged for what failed or was cancelled, a kept deposit, a
# chargeback. A refund for poor food or a late delivery is not enough.
_CHARGE = r"(?:charged|charge|taken|took|debited|paid|payment|billed|money)"
_FAILED = (
    r"(?:never (?:came|arrived|turned up|showed up|went through|happened)|didn'?t (?:arrive|come|go through)"
    r"|failed|declined|(?:was|were|got|been) cancell?ed|you cancell?ed|cancell?ed (?:it|my|our|the)"
    r"|gave (?:our|my|the) table away|gave away (?:our|my) table|turned away)"
)
_MONEY = re.compile(
    rf"\b(?:charged|billed|debited|taken|paid) (?:me |us )?{_S}{{0,30}}?\b(?:twice|two times|three times|thrice"
    r"|\d+ times|double)\b|\bdouble[- ]?(?:charged?|billed|payment)\b|\bduplicate (?:payment|charge|transaction)s?\b"
    r"|\bcharged (?:me |us )?(?:again|both times)\b|\bcharge ?backs?\b|\bdisput(?:e|ing) (?:it |this "
    r"|the \w+ )?with (?:my|the|our) bank\b"
    r"|\b(?:call|calling|contact|contacting|going to|go to|speak to|speaking to|report (?:it|this"
    r"|you) to) (?:my|our|the) bank\b"
    r"|\bdeposits? back\b|\b(?:kept|keeping|took|taken|charged|lost|lose|keep) (?:my|our|the) deposits?\b"
    r"|\b(?:my|our|the) deposits?\b" + _S + r"{0,40}\b(?:kept|keep|keeping|lose|lost|taken|not refunded|no refund)\b"
    rf"|\b{_CHARGE}\b{_S}{{0,60}}\b{_FAILED}|\b{_FAILED}{_S}{{0,60}}\b(?:still |but )?{_CHARGE}\b"
)
# §6 fraud aimed at our customers: phishing or fake vouchers reported, someone posing as us for card details.
_FRAUD = re.compile(
    r"\bphish\w*|\bimpersonat\w*|\bpretend(?:ing|s)? to be (?:you|from you|your)\b"
    r"|\b(?:scam|fake|forged|counterfeit|bogus|dodgy|fraudulent)\b(?: [^ .!?]+){0,3}? (?:e-?mails?|texts?|messages?"
    r"|dms?|sms|vouchers?|gift ?cards?|accounts?|links?|pages?|sites?|websites?|ones|giveaways?"
    r"|competitions?|profiles?)\b"
    r"|\b(?:ask|asking|asked|wants?|wanted) (?:me |us )?for (?:my |our )?(?:card|bank|payment) details\b"
    r"|\bis (?:this|that) (?:e-?mail|text|message|link|account|page|dm) (?:really )?(?:from you|legit"
    r"|real|genuine|official)\b"
    r"|\b(?:enter|give|send|confirm|provide|asks? for|asking for|asked for|wants?|wanted)\b" + _S + r"{0,20}"
    r"\b(?:card|bank|payment|login) (?:details|number|info)\b.{0,120}\b(?:is (?:that|this|it) (?:really )?"
    r"(?:you|from you|legit|real|genuine)|dodgy|suspicious|scam)"
)
# A fraud report often names the message first: "got an email from 'you' asking for my card details".
_RECEIVED = re.compile(r"\b(?:e-?mails?|texts?|messages?|dms?|sms|calls?|links?)\b")


def risk_of(text: str) -> str:
    """Return "health", "money" or "fraud" when a comment is high priority by DECISIONS §6, else ""."""
    low = text.lower().replace("’", "'")
    if _HEALTH.search(_NOT_HEALTH.sub(" ", low)) or "?" in low and _NEED.search(low):
        return "health"
    if _MONEY.search(low):
        return "money"
    if _FRAUD.search(low) and (_RECEIVED.search(low) or "voucher" in low or "account" in low):
        return "fraud"
    return ""


_POSITIVE = (
    r"(?:lov(?:e|ed|ely|ing)|great|amazing|delicious|brilliant|fab\w*|excellent|gorgeous|perfect|unreal|stunning"
    r"|good|tasty|superb|incredible|beautiful|ace|mint|banging|best|gorgeous|fantastic|wonderful|spot on|5 stars)"
)
_RESERVATION = (
    r"(?:cold|slow|loud|noisy|late|salty|small|tiny|dry|overcooked|undercooked|pricey|expensive|wait|waited|queue"
    r"|rushed|cramped|lukewarm|soggy|bland|burnt|missing|forgot|forgotten|too|could have|could've|bit of a|shame"
    r"|pity|disappoint\w*|not great|wasn't|weren't|didn't|no \w+)"
)
# §5 mixed: praise with a reservation or a complaint inside it. It vetoes auto-reply, so lean towards firing.
_MIXED = re.compile(
    r"\b(?:shame|pity) (?:about|that|the)\b|\bworth the wait\b"
    r"|\bonly (?:thing|complaint|gripe|niggle|downside|criticism|issue|minus)(?: i'?d (?:say|change|add)"
    r"| wrong| missing"
    r"| (?:is|was|would be)|\s*[:,\-–—])"
    r"|\ba (?:bit|touch|tad|little) (?:too )?(?:flat|cold|salty|slow|dry|loud|pricey|expensive|small|late|bland|soggy"
    r"|tough|chewy|greasy|rushed|noisy|long|over\w+|under\w+)\b"
    r"|\b(?:late|wait\w*|slow|cold|queue\w*|delayed|chaos|chaotic|busy|mins?|minutes)\b"
    + _S
    + r"{0,40}\bbut\b"
    + _S
    + r"{0,60}\b"
    + _POSITIVE
    + r"\b"
    r"|\bone (?:small |tiny |minor )?(?:gripe|niggle|complaint|criticism|downside)\b"
    r"|\b(?:would|could) (?:have been|'ve been|be|get) (?:a )?(?:5|five|10|ten|full|perfect)\b|\b\d stars? if\b"
    r"|\bpoints? (?:lost|off|deducted)\b|\b(?:lost|lose|losing|minus|docked) (?:a |one |half a )?(?:point|star)s?\b"
    r"|\bif only\b|\bapart from the\b|\bexcept (?:for )?the\b|\bmy only\b"
    rf"|\b{_POSITIVE}\b{_S}{{0,80}}\b(?:but|though|although|shame|just|except)\b{_S}{{0,60}}\b{_RESERVATION}\b"
)


_PRAISE_WORD = re.compile(rf"\b{_POSITIVE}\b")


def is_mixed(text: str) -> bool:
    """Whether praise carries a reservation ("loved it, shame about the wait"): never auto-answered (DECISIONS §5)."""
    return bool(_MIXED.search(text.lower().replace("’", "'")))


_FAILURE = (
    r"(?:wait\w*|(?:an?|\d+|one|two|three|four|five|six|ten|twenty|thirty|forty|fifty) (?:mins?|minutes|hours?|hrs?"
    r"|days|weeks)|cold|cancell?ed|double[- ]?book\w*|turned away|again|another"
    r"|no reply|never|late|lost|standing|stood|charged|toilets?|forgot|missing|broken|down|still)"
)
_FAILED_AT = re.compile(rf"\b{_FAILURE}\b")
# "great system 👏": praise of the way we work, clapped, beside a failure.
_CLAPPED = re.compile(
    r"\bwell done\b|\b(?:great|brilliant|amazing|fantastic|superb|lovely|nice) (?:system|service|job|work"
    r"|stuff|one|organisation)\b"
)
_IRONY_EMOJI = "🙃🙄😒🤡"
# §4 sarcasm: surface praise about a failure. Each family needs a marker of irony, not just mixed feelings.
_SARCASM = re.compile(
    r"\b(?:thanks|thank you|cheers) (?:a lot )?for nothing\b"
    r"|\bjust what (?:i|we) (?:needed|wanted)\b|\b(cool|great|brilliant|lovely|nice),? \1,? \1\b"
    r"|\b(?:gotta |got to |you have to |just |i |i just )?lov(?:e|ing) (?:waiting|standing|queu\w*"
    r"|being (?:told|ignored"
    r"|turned away|charged|kept waiting)|getting (?:charged|ignored)|paying \S+ for|sitting (?:there|outside))\b"
    r"|(?:^|[.!?,:] ?|\n)(?:great|brilliant|fantastic|amazing|perfect|lovely|wonderful|superb|yay|nice one|well done"
    r"|classic|love it|cool|oh good|great stuff|marvellous)[,.!]* (?:another|again|cancell?ed|double|no "
    r"|still|more waiting)"
)
_SARCASM_WORD = re.compile(rf"\b{_POSITIVE}\b|\b(?:romantic|cool|nice|thanks|cheers|yay|well done)\b")


def is_sarcastic(text: str) -> bool:
    """Whether surface praise mocks a failure ("great system 👏", "thanks for nothing"): negative (DECISIONS §4)."""
    low = text.lower().replace("’", "'")
    if _SARCASM.search(low):
        return True
    if "nothing says" in low and _FAILED_AT.search(low):
        return True  # "nothing says date night like a 50 minute wait"
    if not _SARCASM_WORD.search(low):
        return False
    if any(e in low for e in _IRONY_EMOJI):
        return True  # "romantic, thanks 🙃": the upside-down face turns the words round
    return "👏" in low and bool(_FAILED_AT.search(low) and _CLAPPED.search(low))


# DECISIONS §1 opted_out case 2: the author tells us to stop replying. Moved from responders/policy.py `_STOP`.
_STOP = re.compile(
    r"^\W*(?:@[\w.@-]+\s+|u/\w+\s+)*(?:"
    # the whole comment is the request...
    r"(?:stop|unsubscribe|leave me alone|stop replying|stop replying to me|"
    r"don'?t reply|do not reply|no more replies|go away)\W*$"
    # ...or it opens with a bare "stop." ("stop. nobody asked for brand accounts in here")...
    r"|(?:please\s+)?stop\s*[.!]"
    r")"
    # ...or says plainly, anywhere, that it wants no more from us.
    r"|\b(?:stop|quit) (?:replying|responding|tagging|messaging|spamming|commenting|@ing|@-ing|pinging|dming|@'ing)"
    r"(?: (?:to |at |on )?(?:me|us|here|everyone|everything|my|all))?\b"
    r"|\b(?:leave me alone|do not reply to me|don'?t reply to me|please don'?t reply|no more replies"
    r"|unsubscribe me from (?:your |these |the )?(?:replies|repl|thread|this|notifications|bot)"
    r"|don'?t (?:want|need) (?:your|any|more|these) (?:bot |automated |auto )?(?:replies|responses)"
    r"|stop (?:the |your )?(?:bot|automated|auto) (?:replies|responses))"
)


def is_stop_request(text: str) -> bool:
    """Whether a message tells us to stop replying to its author (DECISIONS §1 opted_out, case 2)."""
    return bool(_STOP.search(text.strip().lower().replace("’", "'")))


_THANKS = re.compile(
    r"\b(?:thanks|thank you|thank u|thx|ty|cheers|ta|appreciated?|appreciate it|legends?|you'?re (?:stars|a star"
    r"|the best|amazing|brilliant)|superstars?|nice one|booked|ordered|see you|see ya|will do|sorted|got it|noted"
    r"|all good)\b"
)
# A bare acknowledgement closes only when it is the whole message ("perfect!", "brilliant, cheers").
_ACK = frozenset("perfect lovely brilliant great amazing awesome fab ok okay cool sound grand ace champion".split())
_FOLLOW_UP = re.compile(
    r"(?:^|[,.!;:] ?|\b(?:and|also|but|oh|btw) )(?:what|when|where|how|why|who|which|do you|does|did|is there|is it"
    r"|are you|are there|can i|can we|can you|could you|could i|would you|will you|any chance|one more|another question"
    r"|quick question)\b|\bbut\b|\bnot\b|n't\b|\bdouble[- ]?book|\bshambles\b|\bavoid\b"
)


def is_closing(text: str) -> bool:
    """Whether a message only closes a thread ("perfect, thank you!", "booked, see you Saturday"): nothing new."""
    low = _ADDRESS.sub("", text.lower().replace("’", "'")).strip()
    words = re.findall(r"[a-z']+", low)
    if "?" in low or not words or len(words) > 14:
        return False
    if not (_THANKS.search(low) or len(words) <= 3 and words[0] in _ACK):
        return False
    return not (_FOLLOW_UP.search(low) or PROBLEM.search(low) or REQUEST.search(low) and "please" not in low)
