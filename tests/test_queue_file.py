from __future__ import annotations

import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from listener.errors import QueueFileError
from listener.store import Store
from responders import approvals, lifecycle, queue_file
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
    assert (result.approved, result.rejected, result.edited, result.pending) == (1, 1, 1, 1)
    assert store.reply(ids[2])["state"] == "approved"
    assert store.reply(ids[2])["text"] == "Edited by a person"
    assert store.reply(ids[0])["state"] == "rejected"
    assert store.reply(ids[1])["text"] == "draft kept"
    assert [i["reply"] for i in load(q)["items"]] == ["draft kept"]


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
    elif line == "action":
        q.write_text(q.read_text().replace("\n  action: pending", "\n  action: maybe", 1))
    elif line == "unknown-id":
        q.write_text(q.read_text().replace(ids[0], "x:999999"))
    else:
        lifecycle.transition(store, ids[2], ReplyState.REJECTED, now=NOW)  # the item the file approves
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


def test_a_save_between_read_and_write_is_never_overwritten(store: Store, tmp_path: Path) -> None:
    ids = seed(store)
    q = tmp_path / "queue.yaml"
    approvals.sync(store, q, now=NOW)
    snapshot = queue_file.read(q)
    set_action(q, 1, "approve", "person's words")  # the person saves after our read
    saved = q.read_bytes()
    assert not queue_file.write_if_unchanged(q, "items: []\n", snapshot.digest)
    assert q.read_bytes() == saved
    assert not list(tmp_path.glob(".queue.yaml.*"))  # no temp file left behind
    approvals.sync(store, q, now=NOW)
    assert store.reply(ids[0])["text"] == "person's words"
    assert store.reply(ids[0])["state"] == "approved"


def test_concurrent_writer_thread_loses_no_edit(store: Store, tmp_path: Path) -> None:
    ids = seed(store, 30)
    q = tmp_path / "queue.yaml"
    approvals.sync(store, q, now=NOW)
    stop = threading.Event()
    errors: list[Exception] = []

    def syncer() -> None:
        other = Store(store.path)
        while not stop.is_set():
            try:
                approvals.sync(other, q, now=NOW)
            except QueueFileError:
                pass  # a half-written file from the editor; the next pass reads it whole
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
        other.close()

    thread = threading.Thread(target=syncer)
    thread.start()
    approved: set[str] = set()
    try:
        for _ in range(15):
            # An editor that writes in place (as many do): read, change one item, write back.
            for _attempt in range(50):
                doc = load(q)
                pending = [i for i in doc["items"] if i["action"] == "pending" and i["id"] not in approved]
                if pending:
                    break
            target = pending[0]["id"]
            with queue_file.locked(q):
                doc = load(q)
                for item in doc["items"]:
                    if item["id"] == target:
                        item["action"], item["reply"] = "approve", f"edit for {target}"
                with open(q, "w") as f:
                    YAML(typ="rt").dump(doc, f)
            approved.add(target)
    finally:
        stop.set()
        thread.join()
    approvals.sync(store, q, now=NOW)
    assert not errors
    for cid in approved:
        assert store.reply(cid)["state"] == "approved", cid
        assert store.reply(cid)["text"] == f"edit for {cid}"
    assert len([i for i in ids if store.reply(i)["state"] == "approved"]) == len(approved)


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
        if store.reply(cid)["state"] == "approved":
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
    assert store.reply(ids[0])["text"] == "Changed by another heard command"
    assert [i["reply"] for i in load(q)["items"]] == ["Thanks p2!", "Changed by another heard command", "Thanks p1!"]
    set_action(q, 1, "pending", "a person's own words")  # and a person's edit after that is still read
    assert approvals.sync(store, q, now=NOW).edited == 1
    assert store.reply(ids[0])["text"] == "a person's own words"


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
    assert queue_file.render([]).endswith("items: []\n")
