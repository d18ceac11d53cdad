"""Spot praise that is not plain praise: a reservation inside it (mixed) or a failure it mocks (sarcasm)."""

from __future__ import annotations

import re

from listener.nlp.phrases import IN_SENTENCE as _S

# Words of praise, as the mixed and sarcastic readings (and the intent layer) recognise them.
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
PRAISE_WORD = re.compile(rf"\b{_POSITIVE}\b")


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
