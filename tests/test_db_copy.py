"""`heard db copy`: a whole heard database from SQLite to PostgreSQL and back, every row and count, once."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from heard.cli import cli
from heard.workspaces import workspace_database
from listener.store import Store
from listener.store import copy as copying
from listener.store.copy import Copied, CopyConflict
from listener.store.kinds import ErrorKind
from tests import pg
from tests.conftest import NOW, ROOT
from tests.test_store_pending import busy_day, from_the_rows, from_the_store


def every_table(path: Path) -> Store:
    """A SQLite store with a row in every table of heard's schema, each written by the store's own writes."""
    store = Store(path)
    ids = busy_day(store)
    store.record_notices([(ids[10], 1), (ids[11], 2)], "slack", now=NOW)
    store.schedule_notices([(ids[12], NOW + timedelta(minutes=30))])
    store.save_draft(ids[0], "model-a", "h1", "A draft", prompt_tokens=120, completion_tokens=30, now=NOW)
    store.save_own_posts(
        [{"platform": "x", "post_id": "p1", "url": "https://x.test/p1", "created_at": NOW, "followers_at_post": 900,
          "likes": 12, "reposts": 3, "replies": 2, "quotes": 0, "views": 1500}],
        now=NOW,
    )  # fmt: skip
    store.source_failed("mastodon:mentions", "401 Unauthorized", kind=ErrorKind.AUTH, now=NOW)
    store.sync_alerts({"auth:mastodon": "Mastodon refused the token"}, now=NOW)
    store.set_opted_out("x", "u-a3", now=NOW, why="asked to be left alone")
    store.log_event("note", now=NOW, comment_id=ids[3], said="ünïcode ✓ and 'quotes'")
    store.set_meta("heard.sample", {"score": 0.25, "list": [1, 2]})
    empty = [t.name for t in copying.tables() if not copying.counts(store)[t.name]]
    assert not empty, f"the sample leaves {empty} empty"
    return store


def rows(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of heard's schema, table by table, ordered by key."""
    out = {}
    for t in copying.tables():
        columns, key = ", ".join(f'"{c}"' for c in t.columns), ", ".join(f'"{k}"' for k in t.key)
        out[t.name] = [tuple(r) for r in store.engine.execute(f"SELECT {columns} FROM {t.name} ORDER BY {key}")]
    return out


def counts_read(store: Store) -> dict[str, Any]:
    """What the passes read from the kept counts and markers (the queue serial aside: it only has to move)."""
    kept = copying.kept(store)
    kept.pop("changes")
    return {**from_the_store(store), "waiting": store.waiting_count(), "kept": kept}


def status(where: str | Path, tmp_path: Path) -> dict[str, Any]:
    """`heard status --json` of a database: the clock, its name and the service's cluster (a server's) left out."""
    args = ["--config", str(ROOT / "config/heard.toml"), "--env-file", str(tmp_path / "none.env"), "--db", str(where)]
    result = CliRunner().invoke(cli, [*args, "status", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    return {k: v for k, v in report.items() if k not in ("now", "database", "cluster")}


def copy_command(*args: str) -> Any:
    return CliRunner().invoke(cli, ["db", "copy", *args])


def test_sqlite_to_postgres_and_back_keeps_every_row_and_count(tmp_path: Path, pg_url: str) -> None:
    source = every_table(tmp_path / "source.db")
    expected_rows, expected_counts = rows(source), counts_read(source)
    assert from_the_store(source) == from_the_rows(source)
    source.close()

    there = copy_command(str(tmp_path / "source.db"), pg_url)
    assert there.exit_code == 0, there.output
    assert "kept counts: the same as the source's" in there.stdout
    assert "  events: " in there.stderr and "  drafts: 1 rows, 1 added" in there.stderr
    back = tmp_path / "back.db"
    assert copy_command(pg_url, str(back)).exit_code == 0

    for where in (pg_url, back):
        store = Store(where)
        assert rows(store) == expected_rows
        assert counts_read(store) == expected_counts
        assert from_the_store(store) == from_the_rows(store)
        store.close()
    assert status(pg_url, tmp_path) == status(tmp_path / "source.db", tmp_path) == status(back, tmp_path)

    # Once more, both ways: nothing is added, not even a move of the queue serial.
    postgres = Store(pg_url)
    serial = postgres.queue_serial()
    for src, dst in ((tmp_path / "source.db", pg_url), (pg_url, back)):
        again = copy_command(str(src), str(dst))
        assert again.exit_code == 0 and "copied: 0 rows added" in again.stdout, again.output
    assert postgres.queue_serial() == serial and rows(postgres) == expected_rows
    # The events' ids were given, not drawn: the next event written on PostgreSQL gets a new one.
    postgres.log_event("after", now=NOW)
    assert [e["kind"] for e in postgres.events()][-1] == "after"
    postgres.close()


def test_a_copy_cut_short_is_finished_by_running_it_again(tmp_path: Path, pg_url: str) -> None:
    source, destination = every_table(tmp_path / "source.db"), Store(pg_url)

    def stop_in_replies(done: Copied) -> None:
        if done.table == "replies":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        copying.copy(source, destination, batch=7, progress=stop_in_replies)
    assert 0 < copying.counts(destination)["replies"] < copying.counts(source)["replies"]
    outcome = copying.copy(source, destination, batch=7)
    assert outcome.kept_checked and outcome.kept_differences == ()
    assert rows(destination) == rows(source) and counts_read(destination) == counts_read(source)
    assert sum(c.present for c in outcome.tables) > 0


def test_a_destination_with_other_data_under_a_key_is_refused_and_left_alone(tmp_path: Path, pg_url: str) -> None:
    source = every_table(tmp_path / "source.db")
    first = source.engine.execute("SELECT id FROM comments ORDER BY id LIMIT 1").fetchone()[0]
    copying.copy(source, Store(tmp_path / "other.db"))
    other = Store(tmp_path / "other.db")
    other.engine.execute("UPDATE comments SET text = 'edited elsewhere' WHERE id = ?", [first])
    before = rows(other)

    with pytest.raises(CopyConflict, match=f"table comments already holds key '{first}' with other data"):
        copying.copy(source, other)
    assert rows(other) == before
    result = copy_command(str(tmp_path / "source.db"), str(tmp_path / "other.db"))
    assert result.exit_code == 1 and "(text differs)" in result.output and "never overwrites" in result.output
    with pytest.raises(CopyConflict, match="the same database"):
        copying.copy(source, Store(tmp_path / "source.db"))


def test_databases_at_different_schema_versions_are_refused(tmp_path: Path, pg_url: str) -> None:
    source, destination = every_table(tmp_path / "source.db"), Store(pg_url)
    destination.engine.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('heard', 'm099_future', '')"
    )
    with pytest.raises(CopyConflict, match="different schema versions .*m099_future"):
        copying.copy(source, destination)
    assert copying.counts(destination)["comments"] == 0


def test_a_workspace_schema_is_copied_to_and_from(tmp_path: Path, pg_url: str) -> None:
    source = every_table(tmp_path / "source.db")
    workspace = workspace_database(pg_url, "bistro")
    assert copy_command(str(tmp_path / "source.db"), workspace).exit_code == 0
    assert copy_command(workspace, str(tmp_path / "back.db")).exit_code == 0
    assert rows(Store(tmp_path / "back.db")) == rows(source)
    public = Store(pg_url)
    assert copying.counts(public)["comments"] == 0  # the workspace's rows are in its own schema only
    found = public.engine.execute("SELECT count(*) FROM ws_bistro.comments").fetchone()[0]
    assert found == copying.counts(source)["comments"]
    # PostgreSQL to PostgreSQL: one workspace's schema into another's, on the same database.
    second = workspace_database(pg_url, "second")
    assert copy_command(workspace, second).exit_code == 0
    assert rows(Store(second)) == rows(source) and counts_read(Store(second)) == counts_read(source)


def test_a_dry_run_counts_and_writes_nothing(tmp_path: Path) -> None:
    source = every_table(tmp_path / "source.db")
    result = copy_command("--dry-run", str(tmp_path / "source.db"), str(tmp_path / "new.db"))
    assert result.exit_code == 0, result.output
    assert f"  {'comments':<14} {copying.counts(source)['comments']:>12,}" in result.stdout
    assert "nothing written" in result.stdout and not (tmp_path / "new.db").exists()


def test_a_missing_source_or_a_refused_login_is_one_line_without_the_password(
    tmp_path: Path, postgres_server: pg.Server
) -> None:
    missing = copy_command(str(tmp_path / "nowhere.db"), str(tmp_path / "new.db"))
    assert missing.exit_code == 1 and "no database at" in missing.output and not (tmp_path / "nowhere.db").exists()
    every_table(tmp_path / "source.db").close()
    url = postgres_server.url("postgres", user=pg.PASSWORD_USER, password="not-the-Pw")
    refused = copy_command(str(tmp_path / "source.db"), url)
    assert refused.exit_code == 1 and "credentials" in refused.output
    assert "not-the-Pw" not in refused.output and f"{pg.PASSWORD_USER}:***@" in refused.output
