"""Spot the comments that are high priority by DECISIONS §6: a health, money or fraud risk to a customer."""

from __future__ import annotations

import re

from listener.nlp.phrases import IN_SENTENCE as _S

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
