from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

from listener.errors import QueueFileError
from listener.store import Store
from responders import approvals, lifecycle
from responders.lifecycle import ReplyState
from tests.conftest import NOW, make_comment, make_tags, on_both
from tests.test_queue_file import load, saved_long_ago, seed, set_action

PENDING = re.compile(r"^- id: (\S+)\n  action: pending\n", re.M)


def approve_in_text(text: str, cid: str) -> str:
    """A person's edit: approve one item and rewrite its reply (the seeded replies are unique)."""
    start = text.index(f"- id: {cid}\n  action: pending\n")
    end = text.find("\n- id: ", start + 1)
    end = len(text) if end < 0 else end
    block = text[start:end].replace("action: pending", "action: approve", 1)
    block = re.sub(r"(  reply: \|-\n    )[^\n]*", rf"\g<1>edit for {cid} #1", block, count=1)
    return text[:start] + block + text[end:]


def save_in_place(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:  # truncate and write the same file (nano, VS Code)
        handle.write(text)


def save_by_rename(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.swp")  # write a copy, rename it over (vim, emacs)
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def race(store: Store, q: Path, edits: int) -> tuple[int, int]:
    """A person saves ``edits`` approvals each way while heard syncs; return (edits made, edits lost)."""
    stop = threading.Event()
    errors: list[Exception] = []

    def heard() -> None:
        other = Store(store.path)
        while not stop.is_set():
            try:
                approvals.sync(other, q, now=NOW, max_items=40)
            except QueueFileError as exc:
                errors.append(exc)
        other.close()

    thread = threading.Thread(target=heard)
    thread.start()
    made: list[str] = []
    # Saves go on until ``edits`` each way are made: a loaded machine syncs slower, so the person waits
    # more often for the file to show new items; the deadline only bounds a broken run.
    deadline = time.monotonic() + 120
    try:
        while len(made) < 2 * edits and time.monotonic() < deadline:
            text = q.read_text(encoding="utf-8")
            free = [cid for cid in PENDING.findall(text) if cid not in made]
            if not free:
                time.sleep(0.002)
                continue
            (save_in_place if len(made) % 2 else save_by_rename)(q, approve_in_text(text, free[0]))
            made.append(free[0])
    finally:
        stop.set()
        thread.join()
    approvals.sync(store, q, now=NOW, max_items=40)
    assert not errors, errors[:3]
    lost = [c for c in made if (store.reply(c).state, store.reply(c).text) != ("approved", f"edit for {c} #1")]
    return len(made), len(lost)


@on_both
def test_racing_saves_in_place_and_by_rename_lose_no_edit(store: Store, tmp_path: Path) -> None:
    seed(store, 400)
    q = tmp_path / "queue.yaml"
    approvals.sync(store, q, now=NOW, max_items=40)
    made, lost = race(store, q, 200)
    assert (made, lost) == (400, 0)


@on_both
def test_a_slow_in_place_save_spanning_a_sync_is_not_lost(store: Store, tmp_path: Path) -> None:
    ids = seed(store, 3)
    q = tmp_path / "queue.yaml"
    approvals.sync(store, q, now=NOW)
    edited = approve_in_text(q.read_text(), ids[2])
    with open(q, "w", encoding="utf-8") as handle:  # the editor has truncated the file, not yet written
        thread = threading.Thread(target=lambda: approvals.sync(Store(store.path), q, now=NOW))
        thread.start()
        time.sleep(0.2)
        handle.write(edited)
    thread.join()
    approvals.sync(store, q, now=NOW)
    assert (store.reply(ids[2]).state, store.reply(ids[2]).text) == ("approved", f"edit for {ids[2]} #1")


@on_both
def test_the_file_shows_the_most_urgent_items_and_counts_the_rest(store: Store, tmp_path: Path) -> None:
    ids = seed(store, 30)
    q = tmp_path / "queue.yaml"
    result = approvals.sync(store, q, now=NOW, max_items=10)
    assert (result.pending, result.shown) == (30, 10)
    text = q.read_text()
    assert "# 20 more items waiting, not shown here" in text
    shown = PENDING.findall(text)
    assert shown == [i["id"] for i in approvals.pending_items(store)[:10]]
    q.write_text(approve_in_text(text, shown[0]))
    result = approvals.sync(store, q, now=NOW, max_items=10)
    assert (result.approved, result.pending, result.shown) == (1, 29, 10)
    assert PENDING.findall(q.read_text()) == [i["id"] for i in approvals.pending_items(store)[:10]]
    assert set(ids) >= set(PENDING.findall(q.read_text()))


@on_both
def test_an_over_long_approval_in_the_file_waits_with_the_reason_and_the_rest_go_through(
    store: Store, tmp_path: Path
) -> None:
    ids = []
    for i in range(2):
        c = make_comment(i, author=f"p{i}", minutes_ago=50 - i)
        store.save_page("s", [c], None, now=NOW)
        store.save_tags([make_tags(c)], now=NOW)
        lifecycle.create(store, c.id, ReplyState.SUGGESTED, now=NOW, text="Thanks!", suggested_text="Thanks!")
        ids.append(c.id)
    q = tmp_path / "queue.yaml"
    approvals.sync(store, q, now=NOW)
    text = q.read_text()
    # The person approves both, one with a reply far over X's 280 weighted characters.
    long_reply = "Thank you so much! " * 30
    text = text.replace("action: pending", "action: approve")
    text = text.replace("Thanks!", long_reply.strip(), 1)
    q.write_text(text)
    approvals.sync(store, q, now=NOW)
    states = {i: store.reply(i).state for i in ids}
    assert sorted(states.values()) == ["approved", "suggested"]
    waiting = next(i for i, s in states.items() if s == "suggested")
    assert "X allows 280" in store.reply(waiting).reason
    assert store.reply(waiting).text.startswith("Thank you so much!")


@on_both
def test_an_approval_with_rewritten_text_counts_as_approved_and_edited(store: Store, tmp_path: Path) -> None:
    q = tmp_path / "queue.yaml"
    ids = seed(store)
    approvals.sync(store, q, now=NOW, max_items=40)
    ordered = [str(i["id"]) for i in load(q)["items"]]
    set_action(q, ordered.index(ids[0]), "approve", "Thanks so much, see you Friday!")
    set_action(q, ordered.index(ids[1]), "approve")  # approved as heard wrote it: not an edit
    saved_long_ago(q)
    result = approvals.sync(store, q, now=NOW, max_items=40)
    assert (result.approved, result.edited) == (2, 1)
    assert store.reply(ids[0]).text == "Thanks so much, see you Friday!"


def test_a_sync_with_nothing_changed_reads_one_number_and_writes_nothing(store: Store, tmp_path: Path) -> None:
    ids = seed(store, 30)
    q = tmp_path / "queue.yaml"
    approvals.sync(store, q, now=NOW, max_items=10)
    before = q.stat()
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    result = approvals.sync(store, q, now=NOW, max_items=10)
    store.db.conn.set_trace_callback(None)
    assert (result.pending, result.shown, result.written) == (30, 10, False)
    assert statements == ["SELECT serial FROM changes WHERE name = 'queue'"]
    assert (q.stat().st_ino, q.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # Anything the file shows changing elsewhere (here `heard approve`) brings the next sync back to work.
    lifecycle.transition(store, ids[2], ReplyState.APPROVED, now=NOW, decided_by="person")
    result = approvals.sync(store, q, now=NOW, max_items=10)
    assert (result.pending, result.written) == (29, True) and ids[2] not in q.read_text()
    # So does a person's save, even when the database has not changed.
    text = q.read_text()
    shown = PENDING.findall(text)
    q.write_text(approve_in_text(text, shown[0]))
    assert approvals.sync(store, q, now=NOW, max_items=10).approved == 1
    # And a different number of items to show.
    assert approvals.sync(store, q, now=NOW, max_items=5).shown == 5
