"""The write-ahead log is copied into the database file by a thread of its own, not by the writer's commit."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from listener.store import Store
from listener.store.checkpoint import BACKSTOP_PAGES
from tests.conftest import NOW, make_comment


def in_the_file(path: Path, comment_id: str) -> bool:
    """Whether the database file itself holds the comment (an immutable reader never looks at the log)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        return conn.execute("SELECT 1 FROM comments WHERE id = ?", [comment_id]).fetchone() is not None
    except sqlite3.DatabaseError:  # read while the checkpoint was writing the file: not there yet
        return False
    finally:
        conn.close()


def checkpoint_threads() -> int:
    return sum(t.name == "heard-checkpoint" and t.is_alive() for t in threading.enumerate())


def test_a_commit_leaves_the_log_to_the_checkpoint_thread_which_copies_it_into_the_file(tmp_path):
    store = Store(tmp_path / "heard.db")
    try:
        assert store.engine.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == BACKSTOP_PAGES
        comment = make_comment(1)
        store.save_page("s", [comment], "c1", now=NOW)
        assert not in_the_file(tmp_path / "heard.db", comment.id)  # the commit itself copied nothing
        deadline = time.monotonic() + 10
        while not in_the_file(tmp_path / "heard.db", comment.id) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert in_the_file(tmp_path / "heard.db", comment.id)
    finally:
        store.close()


def test_closing_a_store_checkpoints_what_is_left_and_ends_its_thread(tmp_path):
    before = checkpoint_threads()
    store = Store(tmp_path / "heard.db")
    comment = make_comment(1)
    store.save_page("s", [comment], "c1", now=NOW)
    assert checkpoint_threads() == before + 1
    store.close()
    assert checkpoint_threads() == before
    assert in_the_file(tmp_path / "heard.db", comment.id)
