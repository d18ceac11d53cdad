"""Find patterns in text for the report: frequent questions, complaint topics, near-duplicate replies."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from responders.recent import NEAR_DUPLICATE, words


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TOKEN = re.compile(r"[a-z][a-z0-9'’-]*|[.,!?;:()\"]")
_NOISE = re.compile(r"https?://\S+|(?:^|\s)(?:@|/?u/)[\w.]+")
# A small English stop list of our own: spaCy's would cost almost a second of import per report.
STOPWORDS = _wordset("""
a about above after again against all also am an and any are aren't as at be because been before
being below between both but by can can't cannot could couldn't did didn't do does doesn't doing
don't down during each either else even ever every few for from further get gets got had hadn't
has hasn't have haven't having he her here hers herself him himself his how i i'm i've if in
into is isn't it it's its itself just know let like me more most much must my myself need no nor
not now of off on once one only or other our ours ourselves out over own please pls really same
she should shouldn't so some still such than thank thanks that that's the their theirs them
themselves then there these they this those through to too under until up upon us very want was
wasn't we were weren't what when where which while who whom why will with won't would wouldn't
yes yet you your yours yourself anyone anybody someone something thing things way lot lots guys
hey hi hello ok okay im ive dont cant wont youre whats theres
""")
_DETERMINERS = frozenset(
    ["the", "my", "our", "your", "this", "that", "these", "those", "his", "her", "their", "its", "a", "an"]
)
# Without a parser, common verbs and adverbs end a phrase; so does a suffix that marks a verb form.
_NOT_NOUN = _wordset("""
arrived broke broken came come comes keeps kept stopped started stops starts went goes going
gone took takes made makes said says tried tries used uses sent seems seem looks look feels feel
showed shows never always again already late today yesterday tomorrow totally completely
literally super actually finally seriously constantly usually only probably basically absolutely
complain complained crash crashed leak leaked fail failed work worked break arrive charge load
respond
""")
# Adjectives that open a phrase without being its topic ("the new packaging" is about packaging).
_SKIP_ADJECTIVES = _wordset("""
new old latest last first second whole entire same other big little small cheap expensive
current recent
""")
# Time words name when, not what: "this month" is no complaint topic.
_TIME = _wordset("""
minute hour day week month year morning evening night weekend time today moment
""")


def content_words(text: str) -> list[str]:
    """Lower-cased words of a text minus stop words, mentions and links, lightly singularised."""
    out = []
    for token in _TOKEN.findall(_NOISE.sub(" ", text.lower())):
        if token[0].isalpha() and token not in STOPWORDS and len(token) > 1:
            out.append(_singular(token.replace("’", "'")))
    return out


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass
class Cluster:
    """A group of similar texts: its size, a representative, and the members' ids."""

    leader: frozenset[str]
    example: dict[str, Any]
    members: list[str] = field(default_factory=list)


def cluster_questions(
    items: Sequence[dict[str, Any]], *, threshold: float = 0.5, limit: int = 10
) -> list[dict[str, Any]]:
    """Group questions whose content words overlap (Jaccard >= threshold); biggest groups first.

    Greedy leader clustering: each question joins the most similar existing group or starts one.
    Candidate leaders come from prefix filtering (see `PrefixIndex`), so the cost stays near linear.
    """
    sets = [frozenset(content_words(i["text"])) for i in items]
    index = PrefixIndex(threshold, _df_order(sets))
    clusters: list[Cluster] = []
    for item, tokens in zip(items, sets, strict=True):
        if not tokens:
            continue
        best, best_sim = None, 0.0
        prefix = index.prefix(tokens)
        for cid in index.candidates(prefix):
            sim = jaccard(tokens, clusters[cid].leader)
            if sim >= threshold and sim > best_sim:
                best, best_sim = cid, sim
        if best is None:
            index.add(len(clusters), prefix)
            clusters.append(Cluster(tokens, item))
            best = len(clusters) - 1
        clusters[best].members.append(item["id"])
    ranked = sorted(clusters, key=lambda c: -len(c.members))[:limit]
    return [{"count": len(c.members), "words": sorted(c.leader), "example": _example(c.example)} for c in ranked]


def _example(item: dict[str, Any]) -> dict[str, str]:
    return {
        "id": item["id"],
        "text": item["text"],
        "url": item.get("url") or "",
        "platform": item.get("platform") or "",
    }


def jaccard(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    """Share of words two sets have in common (the formula of `responders.suggest.overlap`)."""
    if not a or not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


def _df_order(sets: Iterable[frozenset[str]]) -> dict[str, int]:
    # Rare words first: prefixes made of rare words share few postings, which keeps probing cheap.
    df = Counter(w for s in sets for w in s)
    return {w: rank for rank, (w, _) in enumerate(sorted(df.items(), key=lambda kv: (kv[1], kv[0])))}


class PrefixIndex:
    """Prefix filtering for a Jaccard threshold t: exact candidates without comparing every pair.

    With words in one global order, two sets with Jaccard >= t must share a word among the first
    ``len(s) - ceil(t * len(s)) + 1`` words of each, so only those prefixes are indexed and probed.
    """

    def __init__(self, threshold: float, order: dict[str, int]) -> None:
        self.threshold = threshold
        self.order = order
        self.postings: dict[str, list[int]] = defaultdict(list)

    def prefix(self, tokens: Iterable[str]) -> list[str]:
        """Pick the words of a set that must be indexed and probed."""
        ranked = sorted(tokens, key=lambda w: self.order.get(w, -1))
        keep = len(ranked) - math.ceil(self.threshold * len(ranked)) + 1
        return ranked[: max(keep, 1)]

    def candidates(self, prefix: Sequence[str]) -> set[int]:
        """Find the keys of indexed sets that may reach the threshold with a set of this prefix."""
        return {i for w in prefix for i in self.postings.get(w, ())}

    def add(self, key: int, prefix: Sequence[str]) -> None:
        """Index one set, by its prefix, under ``key``."""
        for w in prefix:
            self.postings[w].append(key)

    def remove(self, key: int, prefix: Sequence[str]) -> None:
        """Forget one set (for sliding windows)."""
        for w in prefix:
            postings = self.postings[w]
            postings.remove(key)
            if not postings:
                del self.postings[w]


def near_duplicate_replies(
    replies: Sequence[dict[str, Any]],
    *,
    window: int = 200,
    threshold: float = NEAR_DUPLICATE,
    examples: int = 5,
) -> dict[str, Any]:
    """Pairs of posted replies on one platform sharing more than ``threshold`` of their words.

    Each reply is compared with the previous ``window`` replies posted on the same platform: the
    rule `responders.suggest` applies before queueing, so a pair here is one a reader could notice.
    ``replies`` must be in posting order.
    """
    pairs = 0
    flagged: set[str] = set()
    shown: list[dict[str, Any]] = []
    by_platform: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for reply in replies:
        by_platform[reply["platform"]].append(reply)
    for platform, rows in sorted(by_platform.items()):
        for a, b in _window_pairs(rows, window, threshold):
            pairs += 1
            flagged.update((a["id"], b["id"]))
            if len(shown) < examples:
                shown.append(
                    {
                        "platform": platform,
                        "first": a["text"],
                        "second": b["text"],
                        "first_id": a["id"],
                        "second_id": b["id"],
                    }
                )
    total = len(replies)
    return {
        "replies": total,
        "pairs": pairs,
        "replies_in_pairs": len(flagged),
        "share_in_pairs": len(flagged) / total if total else None,
        "window": window,
        "threshold": threshold,
        "examples": shown,
    }


def _window_pairs(
    rows: Sequence[dict[str, Any]], window: int, threshold: float
) -> Iterable[tuple[dict[str, Any], dict[str, Any]]]:
    sets = [frozenset(words(r["text"] or "")) for r in rows]
    index = PrefixIndex(threshold, _df_order(sets))
    prefixes = [index.prefix(s) for s in sets]
    for i, tokens in enumerate(sets):
        if i > window:
            index.remove(i - window - 1, prefixes[i - window - 1])
        # Sets whose sizes differ by more than the threshold allows cannot reach it.
        low, high = threshold * len(tokens), len(tokens) / threshold
        for j in sorted(index.candidates(prefixes[i])):
            if low <= len(sets[j]) <= high and jaccard(tokens, sets[j]) > threshold:
                yield rows[j], rows[i]
        index.add(i, prefixes[i])


def complaint_topics(items: Sequence[dict[str, Any]], *, limit: int = 10, examples: int = 3) -> list[dict[str, Any]]:
    """Count the noun-phrase-like spans complaints mention most, each with example comments."""
    counts: Counter[str] = Counter()
    seen: dict[str, list[dict[str, str]]] = defaultdict(list)
    for item in items:
        for phrase in set(noun_phrases(item["text"])):
            counts[phrase] += 1
            if len(seen[phrase]) < examples:
                seen[phrase].append(_example(item))
    return [{"phrase": p, "count": n, "examples": seen[p]} for p, n in counts.most_common(limit)]


def noun_phrases(text: str, *, tokenize: Callable[[str], list[str]] | None = None) -> list[str]:
    """Noun-phrase-like spans without a parser: a determiner or possessive, then 1-3 content words.

    "my order never arrived" -> "order"; "the milk frother keeps leaking" -> "milk frother".
    When a text has no such span, its first content word pair stands in.
    """
    tokens = (tokenize or _TOKEN.findall)(_NOISE.sub(" ", text.lower()))
    phrases = []
    for i, token in enumerate(tokens):
        if token not in _DETERMINERS:
            continue
        span = _run(tokens[i + 1 : i + 5])
        if span:
            phrases.append(span)
    if not phrases:
        starts = (_run(tokens[i : i + 2]) for i in range(len(tokens)))
        phrases = [next((s for s in starts if s), "")] if tokens else []
    return [p for p in phrases if p]


def _run(tokens: Sequence[str]) -> str:
    # After a noun, a word ending in -ing or -s is most often the verb: "app crashing", "page rejects".
    # That cuts "coffee beans" to "coffee": a price paid for having no part-of-speech tagger.
    span: list[str] = []
    for word in tokens:
        if not span and word in _SKIP_ADJECTIVES:
            continue
        if not _nounish(word) or (span and word.endswith(("ing", "s"))):
            break
        span.append(_singular(word))
    return "" if len(span) == 1 and span[0] in _TIME else " ".join(span)


def _nounish(word: str) -> bool:
    return (
        word[0].isalpha()
        and word not in STOPWORDS
        and word not in _NOT_NOUN
        and len(word) > 2
        and not (word.endswith("ed") and not word.endswith("eed"))
        and "'" not in word
    )
