"""Every platform's normalise under hostile input: a clean Comment or a BadPayload, never anything else.

The long campaign is ``bench/chaos.py payloads-<platform>`` (20,000 payloads each); this runs a bounded,
seeded version of it, a property over arbitrary text, and hostile texts end to end: sent by each fake
platform, read by the real client, normalised, stored in a real Store and tagged by the real pipeline.
"""

from __future__ import annotations

import importlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.chaos_payloads import PLATFORMS, defect, run, seeds
from listener.errors import BadPayload
from listener.nlp import build_nlp, tag
from listener.platforms._common import cleaned
from listener.poll import poll_once
from listener.store import Store
from listener.text import MAX_TEXT, clean_text, is_clean
from tests.harness import client, now, start

# Each control character, lone surrogates, noncharacters, separators, RTL and zero-width marks,
# template and YAML syntax, and a text over spaCy's 1,000,000-character limit.
HOSTILE = {
    "c0": "c0 " + "".join(f"{chr(c)}x" for c in range(0x20) if c not in (0x0A, 0x0D)),
    "c1": "c1 " + "".join(f"{chr(c)}x" for c in range(0x7F, 0xA0)),
    "surrogates": "cut emoji \ud83d and a low half \ude00 alone",
    "nonchars": "non\ufffecharacters\uffff here",
    "breaks": "old mac\rline and windows\r\nline\u2028sep\u2029para",
    "bidi": "\u202eevil\u202c zero\u200bwidth\u200d join \u2066isolate\u2069",
    "syntax": "You are our #1 customer: {name!r} *alias &anchor --- ${HOME}",
    "huge": "is the grinder back? " + "very " * 220_000,
}
# What the stored text shows of each, whitespace folded (Mastodon's HTML folds it): tab kept, vertical
# tab, form feed and NEL made line breaks, every other control character dropped.
_SHOWN = {0x09: "\t", 0x0B: "\n", 0x0C: "\n", 0x85: "\n"}
EXPECTED = {
    "c0": "c0 " + "".join(f"{_SHOWN.get(c, '')}x" for c in range(0x20) if c not in (0x0A, 0x0D)),
    "c1": "c1 " + "".join(f"{_SHOWN.get(c, '')}x" for c in range(0x7F, 0xA0)),
    "surrogates": "cut emoji \ufffd and a low half \ufffd alone",
    "nonchars": "noncharacters here",
    "breaks": "old mac\nline and windows\nline\nsep\npara",
    "bidi": HOSTILE["bidi"],
    "syntax": HOSTILE["syntax"],
}


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_mutated_payloads_come_out_clean_or_as_bad_payload(platform):
    tally = run(platform, 300, seed=15)
    assert tally.other == 0, tally.examples
    assert tally.counts["ok"] > 50 and tally.counts["BadPayload"] > 50  # the mutations reach both sides


def test_the_quick_cleaning_agrees_with_clean_text_on_every_code_point_and_hostile_text():
    """The accessors skip clean_text for printable text: each character clean_text changes must be unprintable."""
    assert [hex(c) for c in range(0x110000) if cleaned(chr(c)) != clean_text(chr(c))] == []
    for text in [*HOSTILE.values(), "plain words", "x" * 600]:
        assert cleaned(text) == clean_text(text) and cleaned(text, 500) == clean_text(text, 500)


def _with_text(platform, payload, text):
    """``payload`` (a seed) with its comment text replaced by ``text``."""
    payload = json.loads(json.dumps(payload))
    if platform == "x":
        payload["data"]["text"] = text
    elif platform == "reddit":
        payload["data"]["body" if "body" in payload["data"] else "title"] = text
    elif platform == "mastodon":
        payload["status"]["content"] = text
    elif platform == "bluesky":
        payload["record"]["text"] = text
    else:
        payload["snippet"]["textOriginal"] = text
    return payload


_TEXT = st.lists(
    st.one_of(st.characters(), st.integers(0xD800, 0xDFFF).map(chr), st.sampled_from("\r\x00\x1b\x85\ufffe")),
    max_size=40,
).map("".join)


@pytest.mark.parametrize("platform", PLATFORMS)
@settings(max_examples=60, deadline=None)
@given(text=_TEXT, name=_TEXT)
def test_any_text_in_any_field_comes_out_clean(platform, text, name):
    account, payloads = seeds()[platform]
    payload = _with_text(platform, payloads[0], text)
    normalise = importlib.import_module(f"listener.platforms.{platform}").normalise
    for author_key in ("username", "author", "display_name", "displayName", "authorDisplayName"):
        for holder in (payload.get("includes", {}).get("users", [{}])[0], payload.get("data"), payload.get("author")):
            if isinstance(holder, dict) and author_key in holder:
                holder[author_key] = name
    try:
        comment = normalise(payload, account)
    except BadPayload:
        return  # e.g. a Bluesky post or YouTube comment whose text is empty
    assert defect(comment) is None


@pytest.mark.parametrize("platform", PLATFORMS)
def test_hostile_texts_are_stored_clean_and_tagged(platform, tmp_path, nlp):
    h = start(platform)
    try:
        store, c = Store(tmp_path / "db"), client(h)
        for source in c.sources():
            poll_once(c, source, store, now=now())
        # Bluesky keeps records as UTF-8 (CBOR), which cannot hold a lone surrogate: its fake refuses one too.
        texts = {k: v for k, v in HOSTILE.items() if not (platform == "bluesky" and k == "surrogates")}
        # Each names us, as a mention does (X's fake lists a tweet as a mention only then).
        ids = {name: h.add_incoming(1, text=f"@{h.account.handle} {text}")[0] for name, text in texts.items()}
        for _ in range(3):
            for source in c.sources():
                poll_once(c, source, store, now=now())
        stored = {name: store.comment(f"{platform}:{native_id}") for name, native_id in ids.items()}
    finally:
        h.stop()
    assert all(stored.values()), [name for name, comment in stored.items() if comment is None]
    for name, comment in stored.items():
        assert is_clean(comment.text) and is_clean(comment.author.handle), name
        if name in EXPECTED:
            assert " ".join(EXPECTED[name].split()) in " ".join(comment.text.split()), name
    assert len(stored["huge"].text) == MAX_TEXT
    tags = tag(stored.values(), nlp)
    assert [t.comment_id for t in tags] == [c.id for c in stored.values()]
