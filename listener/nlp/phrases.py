"""Lower-case phrase patterns that say what a comment does: asks, reports a problem or a failure, praises, bants.

Every pattern runs on lower-cased text with "’" written as "'" (IGNORECASE makes every alternation slower).
"""

from __future__ import annotations

import re

IN_SENTENCE = r"[^.!?\n]"  # a character inside one sentence: windows built on it never reach into the next one
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
PRAISE_KEYS = (
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
# Substrings that every BANTER match contains (see PRAISE_KEYS).
BANTER_KEYS = (
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
# A handle or a Reddit user name: who a comment is aimed at, not what it says.
ADDRESS = re.compile(r"(?<![\w/])(?:@\w+|/?u/\w+)")
