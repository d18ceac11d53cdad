from __future__ import annotations

import re
from itertools import accumulate

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from listener.errors import QueueFileError
from responders import queue_diff, queue_file
from responders.queue_file import Snapshot
from responders.queue_io import END
from tests.test_queue_file import any_text

plain_id = st.builds(lambda n, p: f"{p}:{n}", st.integers(0, 10**12), st.sampled_from(["x", "reddit", "bluesky"]))
item_id = st.one_of(plain_id, plain_id, any_text.filter(lambda t: t.strip()))


def item(cid: str, comment: str = "", reply: str = "", note: str = "", alternatives: tuple[str, ...] = ()) -> dict:
    """An item in the shape approvals writes: id, then action, then what helps a person decide."""
    return {
        "id": cid,
        "action": "pending",
        "platform": "x",
        "author": "jane (Jane)",
        "comment": comment,
        "note": note,
        "reply": reply,
        "alternatives": list(alternatives),
    }


items_strategy = st.lists(
    st.builds(item, item_id, any_text, any_text, any_text, st.lists(any_text, max_size=2).map(tuple)),
    max_size=7,
    unique_by=lambda i: i["id"],
)


def block_of(entry: dict) -> str:
    """The block render writes for one item."""
    return queue_file.render([entry]).split("\nitems:\n", 1)[1][: -len(END)]


def blocks_in(text: str) -> tuple[str, list[str], str]:
    """The reference split, written apart from the module's: header, blocks from each '- ' line, last line."""
    tail = END if text.endswith("\n" + END) else ""
    head, *blocks = re.split(r"(?m)^(?=- )", text[: len(text) - len(tail)])
    return head, blocks, tail


def ours_lines(data: bytes, ours: bytes) -> set[int]:
    """The first lines of the blocks in ``data`` that are byte for byte blocks of ``ours``."""
    try:
        text, mine = data.decode("utf-8"), ours.decode("utf-8")
    except UnicodeDecodeError:
        return set()
    if re.search("[\r\x85\u2028\u2029]", text):
        return set()
    head, blocks, _ = blocks_in(text)
    known = set(blocks_in(mine)[1])
    starts = accumulate([head.count("\n") + 1] + [b.count("\n") for b in blocks])
    return {line for block, line in zip(blocks, starts, strict=False) if block in known}


def reference(data: bytes, ours: bytes) -> Snapshot | tuple[str, int | None]:
    """The whole parse, without the decisions of blocks still as we wrote them; or its error."""
    try:
        whole = queue_file.parse(data, "q")
    except QueueFileError as exc:
        return exc.message, exc.line
    lines = ours_lines(data, ours)
    return Snapshot(tuple(d for d in whole.decisions if d.line not in lines), whole.digest)


def incremental(data: bytes, ours: bytes | None) -> tuple[Snapshot | tuple[str, int | None], queue_diff.Reading | None]:
    try:
        reading = queue_diff.parse(data, "q", ours_text=ours)
    except QueueFileError as exc:
        return (exc.message, exc.line), None
    return reading.snapshot, reading


# Mostly what a person writes; now and then what they should not.
ACTION = st.sampled_from(["approve", "reject", "dismiss", "pending", " Dismiss ", "APPROVE"] * 5 + ["maybe", "[x", ""])
REPLY = st.one_of(*[any_text.filter(str.strip)] * 8, any_text, st.sampled_from(["", "   ", "y" * 10_001]))
REASON = st.one_of(st.just(""), any_text, any_text, st.just("r" * 2_001))
BREAKAGES = [
    "  reply: [unclosed\n",
    "  : no key\n",
    "\tx: 1\n",
    "  action: approve\n",
    "...\n",
    "---\n",
    "  x: &a 1\n",
    "  y: *a\n",
    "  z: !tag v\n",
    "not: indented\n",
    "  reply: our #1 fan\n",
    "- \n",
    "  - x\n",
    "  reply:\n  - a list\n",
    "  reason: " + "r" * 2001 + "\n",
    '  comment: "open\n',
]
FIELD_EDIT = st.tuples(st.integers(0, 6), ACTION, REPLY, REASON)
ORDINARY_EDIT = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, 6)),
    st.tuples(st.just("move"), st.integers(0, 6), st.integers(0, 6)),
    st.tuples(st.just("comment after"), st.integers(0, 6)),
    st.tuples(st.just("comment inside"), st.integers(0, 6)),
)
BLOCK_EDIT = st.one_of(
    *[ORDINARY_EDIT] * 6,
    st.tuples(st.just("copy"), st.integers(0, 6), st.integers(0, 6)),
    st.tuples(st.just("same id as"), st.integers(0, 6), st.integers(0, 6)),
    st.tuples(st.just("break"), st.integers(0, 6), st.sampled_from(BREAKAGES)),
    st.tuples(st.just("raw text"), st.integers(0, 6), any_text, st.integers(0, 400)),
)
FILE_EDIT = st.sampled_from(["header comment", "header items", "header key", "no end line", "garbage", "crlf"])
# Edits after which the file keeps our layout and each changed block parses alone: read block by block.
IN_LAYOUT = {"fields", "delete", "move", "comment after", "comment inside"}
# Edits after which the header or the last line is not ours: the whole file is parsed.
OUT_OF_LAYOUT = {"header comment", "no end line", "crlf"}


def edit(items: list[dict], fields, blocks_edits, file_edits, garbage: str, more: int) -> tuple[bytes, set[str]]:
    """Apply a person's edits to the file rendered from ``items``; return their bytes and the kinds of edit."""
    kinds: set[str] = set()
    changed = [dict(i) for i in items]
    for index, action, reply, reason in fields:
        if changed:
            kinds.add("fields")
            changed[index % len(changed)].update(action=action, reply=reply, reason=reason)
    head, _, tail = blocks_in(queue_file.render(items, more=more))
    blocks = [block_of(i) for i in changed]
    for kind, index, *args in blocks_edits:
        if not blocks:
            break
        kinds.add(kind)
        i = index % len(blocks)
        if kind == "delete":
            del blocks[i]
        elif kind == "move":
            blocks.insert(args[0] % len(blocks), blocks.pop(i))
        elif kind == "comment after":
            blocks[i] += "# a person's note\n"
        elif kind == "comment inside":
            blocks[i] += "  # a person's note\n"
        elif kind == "copy":
            blocks.insert(args[0] % (len(blocks) + 1), blocks[i])
        elif kind == "same id as":
            other = blocks[args[0] % len(blocks)].split("\n", 1)[0]
            blocks[i] = other + "\n" + blocks[i].split("\n", 1)[1] if blocks[i].startswith("- id: ") else blocks[i]
        elif kind == "break":
            blocks[i] += args[0]
        else:
            at = args[1] % (len(blocks[i]) + 1)
            blocks[i] = blocks[i][:at] + args[0] + blocks[i][at:]
    text = head + "".join(blocks) + tail
    for kind in file_edits:
        kinds.add(kind)
        if kind == "header comment":
            text = "# mine\n" + text
        elif kind == "header items":
            text = text.replace("\nitems:\n", "\nitems: []\n", 1)
        elif kind == "header key":
            text = text.replace("\nitems:\n", "\nextra: 1\nitems:\n", 1)
        elif kind == "no end line":
            text = text.removesuffix(END)
        elif kind == "garbage":
            text += garbage
        else:
            text = text.replace("\n", "\r\n")
    return text.encode("utf-8", "surrogatepass"), kinds


@settings(max_examples=400, deadline=None)
@given(
    items=items_strategy,
    more=st.sampled_from([0, 0, 3]),
    fields=st.lists(FIELD_EDIT, min_size=1, max_size=3),
    block_edits=st.lists(BLOCK_EDIT, max_size=3),
    file_edits=st.lists(FILE_EDIT, max_size=2).filter(lambda kinds: len(kinds) < 2 or "crlf" not in kinds),
    garbage=any_text,
)
def test_reading_changed_blocks_gives_what_the_whole_parse_gives(
    items, more, fields, block_edits, file_edits, garbage
) -> None:
    ours = queue_file.render(items, more=more).encode("utf-8")
    data, kinds = edit(items, fields, block_edits, file_edits, garbage, more)
    got, reading = incremental(data, ours)
    event("refused" if reading is None else "read whole" if reading.whole else f"parsed {min(reading.parsed, 2)}+")
    assert got == reference(data, ours)
    if reading is not None and kinds <= IN_LAYOUT:
        assert not reading.whole, data  # a person's ordinary edits are read block by block
    if reading is not None and kinds & OUT_OF_LAYOUT:
        assert reading.whole, data


@settings(max_examples=200, deadline=None)
@given(items=st.lists(st.builds(item, item_id, any_text, any_text, any_text), max_size=5), more=st.integers(0, 9))
def test_only_an_item_start_begins_a_line_with_a_dash(items, more) -> None:
    text = queue_file.render(items, more=more)
    body = text.split("\nitems:\n", 1)[1][: -len(END)] if items else ""
    lines = body.split("\n")[:-1]
    # Every line of an item is its '- ' line or indented (or an empty line of a literal block).
    assert [line for line in lines if line.startswith("- ")] == [block_of(i).split("\n")[0] for i in items]
    assert all(line.startswith(("- ", " ")) or not line for line in lines)
    assert not re.search("[\r\x85\u2028\u2029]", text)  # YAML would count these as line breaks
    assert text.endswith("\n" + END)


def realistic(n: int) -> list[dict]:
    words = "the grinder broke again after two weeks can you help me with a refund please".split()
    return [
        item(
            f"x:{1_700_000_000 + i}",
            comment=" ".join(words[(i + k) % len(words)] for k in range(20 + i % 17)),
            reply=f"Sorry to hear that, user{i}! Send us your order number and we will sort it out.",
            note="a question" if i % 3 else "",
            alternatives=("We are on it.",) if i % 4 == 0 else (),
        )
        for i in range(n)
    ]


def test_one_edit_among_a_thousand_items_parses_one_block() -> None:
    items = realistic(1000)
    ours = queue_file.render(items).encode("utf-8")
    items[617] = dict(items[617], action="approve", reply="A replacement is on its way.")
    data = queue_file.render(items).encode("utf-8")
    reading = queue_diff.parse(data, "q", ours_text=ours)
    assert (reading.parsed, reading.whole) == (1, False)
    assert reading.snapshot == reference(data, ours)
    (decision,) = reading.snapshot.decisions
    assert (decision.id, decision.action, decision.reply) == ("x:1700000617", "approve", "A replacement is on its way.")
    assert data.decode().splitlines()[decision.line - 1] == "- id: x:1700000617"


def test_reordered_and_deleted_items_hold_no_decision_and_parse_nothing() -> None:
    items = realistic(50)
    ours = queue_file.render(items).encode("utf-8")
    data = queue_file.render(items[::-2]).encode("utf-8")
    reading = queue_diff.parse(data, "q", ours_text=ours)
    assert reading == queue_diff.Reading(Snapshot((), queue_file.fingerprint(data)), parsed=0, whole=False)
    assert queue_diff.parse(ours, "q", ours_text=ours).snapshot == Snapshot((), queue_file.fingerprint(ours))


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda b: b.replace("action: pending", "action: maybe"), "unknown action 'maybe'"),
        (lambda b: b.replace("action: pending", "action: approve").split("  reply:")[0], "approve needs a reply"),
        (lambda b: b + "  reply: " + "y" * 10_001 + "\n", "appears twice in this mapping"),
        (lambda b: b.split("  reply:")[0] + "  reply: " + "y" * 10_001 + "\n", "10,001 characters"),
        (lambda b: b + "  reason: |-\n    " + "r" * 2_001 + "\n", "2,001 characters"),
        (lambda b: b.replace("- id: x:1700000030", "- id: x:1700000010"), "appears twice (first at line"),
        (lambda b: b.replace("platform: x", "platform: &a x") + "  reason: *a\n", "anchors and aliases"),
        (lambda b: b + "  reason: !!str r\n", "tags"),
        (lambda b: b + "  extra: [open\n", "not valid YAML"),
    ],
)
def test_a_bad_changed_item_is_refused_at_its_line_in_the_file(change, words: str) -> None:
    items = realistic(40)
    ours = queue_file.render(items).encode("utf-8")
    blocks = [block_of(i) for i in items]
    blocks[30] = change(blocks[30])
    head, _, tail = blocks_in(ours.decode())
    data = (head + "".join(blocks) + tail).encode("utf-8")
    with pytest.raises(QueueFileError) as err:
        queue_diff.parse(data, "q", ours_text=ours)
    assert words in err.value.message
    assert (err.value.message, err.value.line) == reference(data, ours)
    assert err.value.line >= (head + "".join(blocks[:30])).count("\n") + 1  # in or after the changed item


@pytest.mark.parametrize(
    "data",
    [b"items: []\n\xff\n", b"items: []\n# " + b"x" * queue_file.MAX_FILE_BYTES + b"\n"],
    ids=["not UTF-8", "too large"],
)
def test_files_refused_whole_are_refused_alike(data: bytes) -> None:
    ours = queue_file.render(realistic(3)).encode("utf-8")
    with pytest.raises(QueueFileError) as err:
        queue_diff.parse(data, "q", ours_text=ours)
    assert (err.value.message, err.value.line) == reference(data, ours)


def test_without_our_text_or_with_our_header_edited_the_whole_file_is_parsed() -> None:
    items = realistic(20)
    ours = queue_file.render(items).encode("utf-8")
    items[3] = dict(items[3], action="dismiss")
    data = queue_file.render(items).encode("utf-8")
    unknown = queue_diff.parse(data, "q", ours_text=None)
    assert unknown.whole and unknown.snapshot == queue_file.parse(data, "q")
    edited = b"# my note\n" + data
    reading = queue_diff.parse(edited, "q", ours_text=ours)
    assert reading.whole and [(d.id, d.action) for d in reading.snapshot.decisions] == [("x:1700000003", "dismiss")]
    assert reading.snapshot == reference(edited, ours)


@pytest.mark.parametrize("breakage", BREAKAGES)
@pytest.mark.parametrize("where", [0, 2, 4])
def test_a_broken_item_is_judged_as_the_whole_parse_judges_it(breakage: str, where: int) -> None:
    items = realistic(5)
    ours = queue_file.render(items).encode("utf-8")
    head, blocks, tail = blocks_in(ours.decode())
    blocks[where] += breakage
    data = (head + "".join(blocks) + tail).encode("utf-8")
    assert incremental(data, ours)[0] == reference(data, ours)


@pytest.mark.parametrize(
    "written",
    [{"reason": "r" * 2_001}, {"reply": "y" * 10_001}, {"reply": ["a", "list"]}, {"action": "maybe"}],
    ids=["long reason", "long reply", "list reply", "bad action"],
)
def test_an_item_we_wrote_that_the_whole_parse_refuses_is_still_refused(written: dict) -> None:
    items = realistic(6)
    items[1] = {**items[1], **written}
    ours = queue_file.render(items).encode("utf-8")
    items[4] = dict(items[4], action="dismiss")
    data = queue_file.render(items).encode("utf-8")
    got = incremental(data, ours)[0]
    assert isinstance(got, tuple) and got == reference(data, ours)


def test_a_lone_carriage_return_counts_as_a_line_so_the_file_is_read_whole() -> None:
    items = realistic(5)
    ours = queue_file.render(items).encode("utf-8")
    head, blocks, tail = blocks_in(ours.decode())
    # Inside a literal block, YAML reads a lone CR as a line break: every later line number moves by one.
    blocks[1] = blocks[1].replace("  comment: |-\n    ", "  comment: |-\n    Hello,\r    ", 1)
    blocks[3] = blocks[3].replace("  action: pending", "  action: dismiss")
    data = (head + "".join(blocks) + tail).encode("utf-8")
    reading = queue_diff.parse(data, "q", ours_text=ours)
    assert reading.whole and reading.snapshot == reference(data, ours)
    assert b"Hello,\r" in data and [(d.id, d.action) for d in reading.snapshot.decisions if d.action != "pending"] == [
        ("x:1700000003", "dismiss")
    ]
