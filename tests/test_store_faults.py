"""A database heard cannot use is one clear line (what, which file, what to do), never a traceback."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from heard.cli import cli
from listener.store import Store, describe_fault
from tests.conftest import ROOT, make_comment


def heard(tmp: Path, *args: str) -> Result:
    cfg = tmp / "heard.toml"
    if not cfg.exists():
        cfg.write_text(f"[heard]\ndatabase = '{tmp / 'heard.db'}'\nreplies = '{ROOT / 'config' / 'replies.toml'}'\n")
    return CliRunner().invoke(cli, ["--config", str(cfg), "--env-file", str(tmp / ".env"), *args])


def one_clear_line(result: Result, *words: str) -> str:
    """The command failed with a single ``Error:`` line holding ``words``, and no traceback."""
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), result.exception  # click's own exit, not a crash
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert all(w in lines[0] for w in words), lines[0]
    return lines[0]


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "heard.db").write_bytes(b"these are my notes, not a database\n" * 200)
    for command in (["status"], ["queue"], ["post"], ["report"]):
        one_clear_line(heard(tmp_path, *command), str(tmp_path / "heard.db"), "not a heard database", "backup")


def test_a_truncated_database(tmp_path: Path) -> None:
    store = Store(tmp_path / "heard.db")
    store.save_page(
        "x:mentions", [make_comment(i, text="word " * 400) for i in range(200)], None, now=make_comment().created_at
    )
    store.close()
    path = tmp_path / "heard.db"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])  # a copy cut short
    one_clear_line(heard(tmp_path, "status"), str(path), "damaged")


def test_a_locked_database(tmp_path: Path) -> None:
    Store(tmp_path / "heard.db").close()
    holder = sqlite3.connect(tmp_path / "heard.db")
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")  # another program holding the whole file
    try:
        one_clear_line(heard(tmp_path, "status"), str(tmp_path / "heard.db"), "locked", "try again")
    finally:
        holder.rollback()
        holder.close()


def test_a_full_disk_is_named_as_such(tmp_path: Path) -> None:
    store = Store(tmp_path / "heard.db")
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "disk full" at the current size
    with pytest.raises(sqlite3.OperationalError) as err:
        store.save_page(
            "x:mentions", [make_comment(i, text="word " * 400) for i in range(50)], None, now=make_comment().created_at
        )
    line = describe_fault(store.path, err.value)
    assert str(store.path) in line and "disk" in line and "full" in line and "free" in line
    store.close()


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make ``folder`` and its files unwritable for this process (root too, where chattr can)."""
    paths = [folder, *folder.iterdir()]
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        if not chattr or subprocess.run([chattr, "+i", *map(str, paths)], check=False).returncode:
            pytest.skip("running as root without chattr: cannot make a file read-only")
        try:
            yield
        finally:
            subprocess.run([chattr, "-i", *map(str, paths)], check=True)
        return
    modes = {p: p.stat().st_mode for p in paths}
    for p in paths:
        p.chmod(0o555 if p.is_dir() else 0o444)
    try:
        yield
    finally:
        for p, mode in modes.items():
            p.chmod(mode)


def test_read_only_commands_work_on_a_read_only_database(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    store = Store(folder / "heard.db")
    store.save_page("x:mentions", [make_comment(1, text="where is my order?")], None, now=make_comment().created_at)
    store.close()
    (tmp_path / "heard.toml").write_text(
        f"[heard]\ndatabase = '{folder / 'heard.db'}'\nqueue_file = '{tmp_path / 'queue.yaml'}'\n"
        f"replies = '{ROOT / 'config' / 'replies.toml'}'\n"
    )
    with read_only(folder):
        status = heard(tmp_path, "status")
        assert status.exit_code == 0, status.output
        assert "comments stored: 1" in status.output
        for command in (["queue"], ["report", "--since", "all"]):
            result = heard(tmp_path, *command)
            assert result.exit_code == 0, result.output
        one_clear_line(heard(tmp_path, "post"), "read-only")
