"""Text hygiene: what clean_text keeps, changes and drops, and that SQLite and YAML accept what it returns."""

from __future__ import annotations

import io
import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from listener.text import CUT_MARK, MAX_TEXT, clean_text, is_clean, printable, storable

# Arbitrary text, lone surrogates and the characters YAML cannot hold included.
ANY_TEXT = st.lists(
    st.one_of(st.characters(), st.integers(0xD800, 0xDFFF).map(chr), st.sampled_from("\r\x00\x1b\x7f\x85\ufffe")),
    max_size=60,
).map("".join)


def test_ordinary_text_is_kept_as_it_is():
    text = "Is the grinder back? 😭 día\tuno\nzwei 🇺🇸 \u200b\u202e"
    assert clean_text(text) is text and is_clean(text)


def test_line_breaks_of_every_kind_become_newlines():
    assert clean_text("a\r\nb\rc\x0bd\x0ce\x85f\u2028g\u2029h") == "a\nb\nc\nd\ne\nf\ng\nh"


def test_controls_and_noncharacters_are_dropped_but_tab_and_newline_kept():
    assert clean_text("\x00a\x1b[1mb\x7fc\x9bd\tq\n") == "a[1mbcd\tq\n"
    assert clean_text("x\ufffe\uffff\ufdd0\U0001fffe\U0010ffffy") == "xy"


def test_a_lone_surrogate_is_replaced_and_a_split_pair_joined():
    assert clean_text("cut \ud83d|\ude00 end") == "cut \ufffd|\ufffd end"
    assert clean_text("pair \ud83d\ude00") == "pair 😀"


def test_an_absurd_length_is_cut_with_a_mark():
    cut = clean_text("word " * 50_000)
    assert len(cut) == MAX_TEXT and cut.endswith(CUT_MARK)
    assert clean_text("abcdef", limit=4) == "abc" + CUT_MARK


@settings(max_examples=300, deadline=None)
@given(text=ANY_TEXT)
def test_what_comes_out_is_clean_storable_and_yaml_safe(text):
    out = clean_text(text)
    assert is_clean(out) and clean_text(out) == out
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (v TEXT)")
    db.execute("INSERT INTO t VALUES (?)", (out,))
    assert db.execute("SELECT v FROM t").fetchone()[0] == out
    yaml, buffer = YAML(typ="safe"), io.StringIO()
    yaml.default_flow_style = False  # ruamel's flow style writes "?0" as {text: ?0}, which it cannot read back
    yaml.dump({"text": out}, buffer)
    assert yaml.load(buffer.getvalue()) == {"text": out}


def test_storable_repairs_surrogates_as_clean_text_does_and_changes_nothing_else():
    assert storable("cut \ud83d|\ude00 end\x1b") == "cut \ufffd|\ufffd end\x1b"  # the quarantine keeps controls
    assert storable("pair \ud83d\ude00") == "pair 😀"
    assert storable("abcdef", 4) == "abcd" and storable("abcdef", None) == "abcdef"
    plain = "an error: 'x' \t"
    assert storable(plain) is plain


@settings(max_examples=200, deadline=None)
@given(text=ANY_TEXT)
def test_storable_text_goes_into_sqlite_and_printable_text_drives_no_terminal(text):
    out = storable(text)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (v TEXT)")
    db.execute("INSERT INTO t VALUES (?)", (out,))
    shown = printable(out)
    assert len(shown) == len(out) and all(ch.isprintable() for ch in shown)
