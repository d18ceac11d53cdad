"""Spot messages that end a conversation: a thanks that closes it, or a request to stop replying (DECISIONS §1)."""

from __future__ import annotations

import re

from listener.nlp.phrases import ADDRESS, PROBLEM, REQUEST

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
    low = ADDRESS.sub("", text.lower().replace("’", "'")).strip()
    words = re.findall(r"[a-z']+", low)
    if "?" in low or not words or len(words) > 14:
        return False
    if not (_THANKS.search(low) or len(words) <= 3 and words[0] in _ACK):
        return False
    return not (_FOLLOW_UP.search(low) or PROBLEM.search(low) or REQUEST.search(low) and "please" not in low)
