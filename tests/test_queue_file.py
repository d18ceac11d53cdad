from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from listener.errors import QueueFileError
from listener.store import Store
from responders import approvals, lifecycle, queue_file, queue_io, queue_yaml
from responders.lifecycle import ReplyState
from tests.conftest import NOW, make_comment, make_tags


def seed(store: Store, n: int = 3) -> list[str]:
    ids = []
    for i in range(n):
        c = make_comment(i, author=f"p{i}", minutes_ago=100 - i)
        store.save_page("s", [c], None, now=NOW)
        store.save_tags([make_tags(c, priority="high" if i == 2 else "low")], now=NOW)
        lifecycle.create(
            store, c.id, ReplyState.SUGGESTED, now=NOW, text=f"Thanks p{i}!", suggested_text=f"Thanks p{i}!"
        )
        ids.append(c.id)
    return ids


def load(path: Path):
    return YAML(typ="rt").load(path.read_text())


def saved_long_ago(path: Path) -> None:
    """Date the file back: a finished save, not one an editor may still be writing."""
    os.utime(path, (time.time() - 60, time.time() - 60))


def set_action(path: Path, index: int, action: str, reply: str | None = None) -> None:
    yaml = YAML(typ="rt")
    doc = yaml.load(path.read_text())
    doc["items"][index]["action"] = action
    if reply is not None:
        doc["items"][index]["reply"] = reply
    with open(path, "w") as f:
        yaml.dump(doc, f)


def test_written_queue_is_sorted_by_priority_then_age(store: Store, tmp_path: Path) -> None:
    ids = seed(store)
    q = tmp_path / "queue.yaml"
    result = approvals.sync(store, q, now=NOW)
    assert result.pending == 3 and result.written
    doc = load(q)
    assert [i["id"] for i in doc["items"]] == [ids[2], ids[0], ids[1]]
    assert q.read_text().startswith("# heard queue")
    item = doc["items"][0]
    assert {"platform", "author", "link", "comment", "tags", "reply", "action", "history"} <= set(item)


def test_decisions_and_edits_are_stored_then_removed(store: Store, tmp_path: Path) -> None:
    ids = seed(store)
    q = tmp_path / "queue.yaml"
    approvals.sync(store, q, now=NOW)
    set_action(q, 0, "approve", "Edited by a person")
    set_action(q, 1, "reject")
    set_action(q, 2, "pending", "draft kept")
    result = approvals.sync(store, q, now=NOW)
    # Edited: the approved reply rewritten by the person, and the pending draft they changed.
    assert (result.approved, result.rejected, result.edited, result.pending) == (1, 1, 2, 2)
    assert store.reply(ids[2]).state == "approved"
    assert store.reply(ids[2]).text == "Edited by a person"
    assert store.reply(ids[0]).state == "rejected"
    assert store.reply(ids[1]).text == "draft kept"
    # The rejected draft's comment is still unanswered: it stays in the file until replaced or dismissed.
    items = load(q)["items"]
    assert [(i["id"], i["reply"]) for i in items] == [(ids[0], "Thanks p0!"), (ids[1], "draft kept")]
    assert "you rejected this draft" in items[0]["note"]


@pytest.mark.parametrize(
    "breakage, line",
    [
        ("items:\n- id: x:1000\n  action: [approve\n", 3),
        (None, "action"),
        (None, "unknown-id"),
        (None, "not-pending"),
    ],
)
def test_invalid_file_names_the_line_and_changes_nothing(store: Store, tmp_path: Path, breakage, line) -> None:
    ids = seed(store)
    q = tmp_path / "queue.yaml"
    approvals.sync(store, q, now=NOW)
    set_action(q, 0, "approve")
    if breakage:
        q.write_text(breakage)
        saved_long_ago(q)
    elif line == "action":
        q.write_text(q.read_text().replace("\n  action: pending", "\n  action: maybe", 1))
    elif line == "unknown-id":
        q.write_text(q.read_text().replace(ids[0], "x:999999"))
    else:
        lifecycle.transition(store, ids[2], ReplyState.DISMISSED, now=NOW)  # the item the file approves
    before_file = q.read_bytes()
    before_db = [store.reply(i) for i in ids]
    with pytest.raises(QueueFileError) as err:
        approvals.sync(store, q, now=NOW)
    assert err.value.line is not None
    if isinstance(line, int):
        assert err.value.line == line
    else:
        assert f":{err.value.line}:" in str(err.value)
        assert q.read_text().splitlines()[err.value.line - 1].strip()
    assert q.read_bytes() == before_file
    assert [store.reply(i) for i in ids] == before_db


def test_duplicate_ids_are_rejected(store: Store, tmp_path: Path) -> None:
    ids = seed(store, 1)
    q = tmp_path / "queue.yaml"
    q.write_text(f"items:\n- id: {ids[0]}\n  action: pending\n- id: {ids[0]}\n  action: reject\n")
    with pytest.raises(QueueFileError, match="appears twice"):
        approvals.sync(store, q, now=NOW)


def test_a_save_between_read_and_write_comes_back_to_be_applied(store: Store, tmp_path: Path) -> None:
    ids = seed(store)
    q = tmp_path / "queue.yaml"
    approvals.sync(store, q, now=NOW)
    found = queue_io.current(q)
    set_action(q, 1, "approve", "person's words")  # the person saves after our read
    saved = q.read_bytes()
    swap = queue_io.replace_if(q, b"items: []\n", found)
    assert swap.written and swap.displaced == saved  # their version is handed back, not overwritten
    assert not list(tmp_path.glob(".queue.yaml.*"))  # no temp file left behind
    q.write_bytes(saved)
    approvals.sync(store, q, now=NOW)
    assert store.reply(ids[0]).text == "person's words"
    assert store.reply(ids[0]).state == "approved"


item_strategy = st.fixed_dictionaries(
    {
        "id": st.one_of(
            st.sampled_from(["x:1000", "x:1001", "x:1002", "x:404"]), st.integers(), st.none(), st.text(max_size=5)
        ),
        "action": st.one_of(
            st.sampled_from(["pending", "approve", "reject", "dismiss", "APPROVE", "yes"]),
            st.integers(),
            st.none(),
            st.lists(st.text(max_size=3), max_size=2),
        ),
        "reply": st.one_of(st.text(max_size=40), st.none(), st.integers(), st.booleans()),
    }
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    items=st.lists(item_strategy, max_size=8),
    cut=st.integers(min_value=0, max_value=400),
    mode=st.sampled_from(["valid-yaml", "truncated", "garbage", "huge"]),
)
def test_no_queue_file_crashes_or_posts_anything_not_approved(tmp_path_factory, items, cut, mode) -> None:
    tmp = tmp_path_factory.mktemp("q")
    store = Store(tmp / "heard.db")
    seed(store)
    q = tmp / "queue.yaml"
    yaml = YAML(typ="safe")
    import io

    buffer = io.StringIO()
    yaml.dump({"items": items}, buffer)
    text = buffer.getvalue()
    if mode == "truncated":
        text = text[:cut]
    elif mode == "garbage":
        text = text[:cut] + "\n  - : ][ \t{ \x00"
    elif mode == "huge":
        text = text + "# " + "x" * 200_000 + "\n"
    q.write_text(text)
    saved_long_ago(q)
    before = {i: store.reply(i) for i in ("x:1000", "x:1001", "x:1002")}
    try:
        approvals.sync(store, q, now=NOW)
    except QueueFileError as exc:
        assert exc.line is not None and 1 <= exc.line <= text.count("\n") + 2, (exc, text[:200])
        assert {i: store.reply(i) for i in before} == before
        assert q.read_text() == text
        store.close()
        return
    # Accepted: only ids the file approved with text may be approved now.
    approved_in_file = {
        str(i["id"]) for i in items if isinstance(i.get("action"), str) and i["action"].strip().lower() == "approve"
    }
    for cid in before:
        if store.reply(cid).state == "approved":
            assert cid in approved_in_file
    store.close()


def test_an_item_decided_on_the_command_line_leaves_a_stale_line_that_is_ignored(store, tmp_path) -> None:
    ids = seed(store)
    q = tmp_path / "queue.yaml"
    approvals.sync(store, q, now=NOW)
    lifecycle.transition(store, ids[0], ReplyState.APPROVED, now=NOW, decided_by="person")
    result = approvals.sync(store, q, now=NOW)
    assert result.pending == 2
    assert ids[0] not in q.read_text()


def test_a_file_still_as_we_wrote_it_carries_no_edits(store: Store, tmp_path: Path) -> None:
    ids = seed(store)
    q = tmp_path / "queue.yaml"
    approvals.sync(store, q, now=NOW)
    store.update_reply(ids[0], now=NOW, text="Changed by another heard command")
    result = approvals.sync(store, q, now=NOW)
    # The file held the old draft only because we wrote it: it is not a person's edit to apply.
    assert result.edited == 0
    assert store.reply(ids[0]).text == "Changed by another heard command"
    assert [i["reply"] for i in load(q)["items"]] == ["Thanks p2!", "Changed by another heard command", "Thanks p1!"]
    set_action(q, 1, "pending", "a person's own words")  # and a person's edit after that is still read
    assert approvals.sync(store, q, now=NOW).edited == 1
    assert store.reply(ids[0]).text == "a person's own words"


def test_rendering_many_items_matches_what_each_item_holds(store: Store, tmp_path: Path) -> None:
    ids = seed(store, 40)
    q = tmp_path / "queue.yaml"
    approvals.sync(store, q, now=NOW)
    store.update_reply(ids[5], now=NOW, text="line one\nline two")
    lifecycle.transition(store, ids[7], ReplyState.APPROVED, now=NOW, decided_by="person")
    approvals.sync(store, q, now=NOW)
    written = load(q)["items"]
    expected = approvals.pending_items(store)
    assert [i["id"] for i in written] == [i["id"] for i in expected] and ids[7] not in q.read_text()
    assert [i["reply"] for i in written] == [i["reply"] for i in expected]
    assert queue_file.render([]).endswith("items: []\n" + queue_io.END)


# Characters a literal block cannot carry, and YAML's own syntax, mixed into any Unicode text.
HOSTILE = "\x1b\x00\x7f\x85\u2028\u2029\r\ufffe\uffff\ufeff\ud800\udfff\t\n #:-{}[]*&!|>'\"%@`,?\\"
any_text = st.text(alphabet=st.one_of(st.sampled_from(HOSTILE), st.characters(exclude_categories=[])), max_size=200)


@settings(max_examples=300, deadline=None)
@given(comment=any_text, reply=any_text, alternative=any_text, item_id=any_text.filter(lambda t: t.strip()))
def test_every_text_round_trips_through_the_file(comment: str, reply: str, alternative: str, item_id: str) -> None:
    item = {"id": item_id, "action": "pending", "comment": comment, "reply": reply, "alternatives": [alternative]}
    text = queue_file.render([item, {"id": "x:2", "action": "pending", "note": comment}])
    data = text.encode("utf-8")  # no lone surrogate reaches the file: they are escaped
    written = queue_yaml.load(text, "q")["items"]
    assert written[0].get("comment", "") == comment and written[1].get("note", "") == comment
    assert written[0].get("reply", "") == reply and written[0].get("alternatives", [""]) == [alternative]
    # A person's other YAML tools read the same values.
    assert YAML(typ="safe", pure=True).load(text)["items"][0].get("reply", "") == reply
    first_item = len(queue_file.HEADER.splitlines()) + 3  # the header, a blank line, "items:", then the item
    assert queue_file.parse(data, "q").decisions[0] == queue_file.Decision(
        item_id, "pending", reply.strip(), "", first_item
    )


def test_very_long_lines_and_yaml_lookalikes_round_trip() -> None:
    texts = ["x" * 100_000, "- item", "key: value", "&a *a !!str", "{a: 1}", "yes", "007", "~", "", " lead", "a\r\nb"]
    items = [{"id": f"x:{i}", "action": "pending", "comment": t, "reply": t} for i, t in enumerate(texts)]
    written = queue_yaml.load(queue_file.render(items), "q")["items"]
    assert [w.get("comment", "") for w in written] == texts
    assert [w.get("reply", "") for w in written] == texts


def test_a_hash_in_a_reply_is_posted_whole(store: Store, tmp_path: Path) -> None:
    ids = seed(store)
    q = tmp_path / "queue.yaml"
    approvals.sync(store, q, now=NOW)
    text = q.read_text()
    assert "  reply: |-\n    Thanks p2!\n" in text  # replies are blocks, where '#' is just text
    q.write_text(text.replace("  action: pending\n", "  action: approve\n", 1).replace("Thanks p2!", "You are our #1!"))
    approvals.sync(store, q, now=NOW)
    assert (store.reply(ids[2]).state, store.reply(ids[2]).text) == ("approved", "You are our #1!")


def test_a_reply_cut_by_a_yaml_comment_is_refused_not_shortened(store: Store, tmp_path: Path) -> None:
    ids = seed(store)
    q = tmp_path / "queue.yaml"
    approvals.sync(store, q, now=NOW)
    before = store.reply(ids[2])
    edited = q.read_text().replace("  action: pending\n", "  action: approve\n", 1)
    edited = edited.replace("  reply: |-\n    Thanks p2!", "  reply: You are our #1 customer", 1)
    q.write_text(edited)
    with pytest.raises(QueueFileError, match="cut at '#'") as err:
        approvals.sync(store, q, now=NOW)
    assert edited.splitlines()[err.value.line - 1] == "  reply: You are our #1 customer"
    assert store.reply(ids[2]) == before and q.read_text() == edited


BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{b}: &{b} [*{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}]\n"
    for a, b in zip("abcdefgh", "bcdefghi", strict=True)  # noqa: E501
)


@pytest.mark.parametrize(
    "text, line, words",
    [
        (BOMB + "items:\n- id: x:1000\n  action: approve\n  reply: *i\n", 1, "anchors and aliases"),
        ("items:\n- id: x:1000\n  action: approve\n  reply: *nothing\n", 4, "anchors and aliases"),
        ("items:\n- id: &i x:1000\n  action: pending\n", 2, "anchors and aliases"),
        ("items:\n- id: x:1000\n  action: !!python/object/apply:os.system [echo]\n", 3, "tags"),
        ("items:\n- id: x:1000\n  action: approve\n  reply: !shout hello\n", 4, "tags"),
        ("items:\n- id: x:1000\n  action: approve\n  reply: !!str hello\n", 4, "tags"),
        (
            "items:\n- id: x:1000\n  action: approve\n  reply: " + "y" * 10_001 + "\n",
            4,
            "10,001 characters; the limit is 10,000",
        ),
        ("items:\n- id: x:1000\n  action: pending\n---\nitems: []\n", 4, "one document"),
    ],
)
def test_hostile_yaml_is_refused_at_its_line_and_changes_nothing(
    store: Store, tmp_path: Path, text: str, line: int, words: str
) -> None:
    ids = seed(store)
    q = tmp_path / "queue.yaml"
    q.write_text(text)
    saved_long_ago(q)
    before = [store.reply(i) for i in ids]
    with pytest.raises(QueueFileError) as err:
        approvals.sync(store, q, now=NOW)
    assert err.value.line == line and words in err.value.message
    assert len(str(err.value)) < 300  # never the expanded value
    assert [store.reply(i) for i in ids] == before and q.read_text() == text


def test_a_file_over_the_size_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    data = b"items: []\n# " + b"x" * queue_file.MAX_FILE_BYTES + b"\n"
    with pytest.raises(QueueFileError, match="the limit is 16,000,000"):
        queue_file.parse(data, "q")


@pytest.mark.parametrize("how", ["dismiss", "approve a new text", "reject again, then dismiss"])
def test_a_rejected_item_can_be_closed_from_the_queue_file(store: Store, tmp_path: Path, how: str) -> None:
    ids = seed(store)
    q = tmp_path / "queue.yaml"
    approvals.sync(store, q, now=NOW)
    lifecycle.transition(store, ids[0], ReplyState.REJECTED, now=NOW, decided_by="person", reason="too cheerful")
    approvals.sync(store, q, now=NOW)
    index = [i["id"] for i in load(q)["items"]].index(ids[0])
    if how == "reject again, then dismiss":
        set_action(q, index, "reject")
        saved_long_ago(q)
        assert approvals.sync(store, q, now=NOW).rejected == 0  # nothing moved; still waiting, still shown
        assert store.reply(ids[0]).state == "rejected" and ids[0] in [i["id"] for i in load(q)["items"]]
        index = [i["id"] for i in load(q)["items"]].index(ids[0])
    if how == "approve a new text":
        set_action(q, index, "approve", "Sorry about that, p0. A manager will call you today.")
    else:
        set_action(q, index, "dismiss")
    saved_long_ago(q)
    approvals.sync(store, q, now=NOW)
    assert store.reply(ids[0]).state == ("approved" if how == "approve a new text" else "dismissed")
    assert ids[0] not in [i["id"] for i in load(q)["items"]]
