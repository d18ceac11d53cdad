"""heard's store on PostgreSQL: SQLite's schema, migrations written once, faults in one line, the same guarantees."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner, Result
from sqlite_utils.migrations import Migrations

from heard.cli import cli
from listener.errors import StoreError
from listener.records import ReplyState
from listener.store import Store, schema_pg
from listener.store.location import is_url, masked
from listener.store.postgres import RowRefused
from listener.store.schema_both import Both, Target, both
from tests import pg
from tests.conftest import NOW, ROOT, make_comment, make_tags

S = ReplyState


def sqlite_schema(store: Store) -> dict[str, object]:
    """The tables (with their columns in order), indexes (partial or not) and triggers of a SQLite store."""
    e = store.engine
    tables = [r[0] for r in e.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()]
    return {
        "columns": {t: [r[1] for r in e.execute(f"PRAGMA table_info('{t}')").fetchall()] for t in tables},
        "indexes": {
            r[1]: r[4] == 1 for t in tables for r in e.execute(f"PRAGMA index_list('{t}')").fetchall() if r[3] == "c"
        },
        "triggers": {r[0] for r in e.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()},
    }


def postgres_schema(store: Store) -> dict[str, object]:
    """The same of a PostgreSQL store (its own additions, the TRUNCATE guard, left out)."""
    e = store.engine
    columns: dict[str, list[str]] = {}
    for table, column in e.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
        " ORDER BY table_name, ordinal_position"
    ).fetchall():
        columns.setdefault(table, []).append(column)
    indexes = e.execute(
        "SELECT c.relname, i.indpred IS NOT NULL FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND NOT i.indisprimary"
    ).fetchall()
    triggers = e.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname != 'events_no_truncate'")
    return {"columns": columns, "indexes": dict(indexes), "triggers": {r[0] for r in triggers.fetchall()}}


# PostgreSQL's own: reply_counts moved at commit by triggers of their own (m011), on SQLite by the replies triggers.
PG_ONLY_TRIGGERS = {"reply_counted_in", "reply_counted_moved", "reply_counted_out"}


def test_a_new_postgres_database_has_sqlites_schema_after_m010(tmp_path: Path, pg_url: str) -> None:
    sqlite, postgres = Store(tmp_path / "heard.db"), Store(pg_url)
    expected = sqlite_schema(sqlite)
    expected["triggers"] = expected["triggers"] | PG_ONLY_TRIGGERS  # type: ignore[operator]
    assert postgres_schema(postgres) == expected
    names = [r[0] for r in postgres.engine.execute("SELECT name FROM _sqlite_migrations ORDER BY id").fetchall()]
    later = [step.__name__ for step in both.steps]
    assert names == [r["name"] for r in sqlite.db["_sqlite_migrations"].rows] == [*schema_pg.BASELINE_NAMES, *later]
    sqlite.close()
    postgres.close()


def test_an_empty_database_is_migrated_once_and_reopens_cleanly(postgres_server: pg.Server) -> None:
    url = postgres_server.create_database(migrated=False)
    Store(url).close()
    again = Store(url)
    migrations = again.engine.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
    assert migrations == len(schema_pg.BASELINE_NAMES) + len(both.steps)
    assert again.queue_serial() == 0 and again.count_comments() == 0
    again.close()
    postgres_server.drop_database(url)


def test_a_migration_written_once_runs_on_both_engines_once(tmp_path: Path, pg_url: str) -> None:
    later = Both(Migrations("heard"))

    @later
    def m011_example(db: Target) -> None:
        db.execute("ALTER TABLE comments ADD COLUMN example TEXT")
        db.execute("CREATE INDEX idx_comments_example ON comments (example) WHERE example IS NOT NULL")
        db.execute("UPDATE comments SET example = ? WHERE is_own = 1", [db.dialect])

    sqlite, postgres = Store(tmp_path / "heard.db"), Store(pg_url)
    for store in (sqlite, postgres):
        store.save_page("s", [make_comment(1, is_own=True), make_comment(2)], None, now=NOW)
    for _ in range(2):  # the second time, nothing is left to run
        later.sqlite_set.apply(sqlite.db)
        schema_pg.migrate(postgres.engine, later.steps, location=postgres.location, read_only=False)
    for store, dialect in ((sqlite, "sqlite"), (postgres, "postgresql")):
        rows = store.engine.execute("SELECT id, example FROM comments ORDER BY id").fetchall()
        assert [tuple(r) for r in rows] == [("x:1001", dialect), ("x:1002", None)]
        recorded = store.engine.execute("SELECT count(*) FROM _sqlite_migrations WHERE name = 'm011_example'")
        assert recorded.fetchone()[0] == 1
    sqlite.close()
    postgres.close()


def test_a_database_holding_other_tables_is_refused(postgres_server: pg.Server) -> None:
    url = postgres_server.create_database(migrated=False)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE comments (id text)")
    with pytest.raises(StoreError, match="not a heard database"):
        Store(url)
    postgres_server.drop_database(url)


def test_faults_are_one_line_naming_the_url_without_its_password(postgres_server: pg.Server) -> None:
    wrong = postgres_server.url("postgres", user=pg.PASSWORD_USER, password="not-the-password")
    with pytest.raises(StoreError) as refused:
        Store(wrong)
    assert "credentials" in str(refused.value) and "not-the-password" not in str(refused.value)
    assert f"{pg.PASSWORD_USER}:***@" in str(refused.value)
    with pytest.raises(StoreError, match="does not exist.*createdb"):
        Store(postgres_server.url("no_such_database"))
    nobody = f"postgresql://heard:{pg.PASSWORD}@127.0.0.1:{pg.free_port()}/heard"
    with pytest.raises(StoreError, match="cannot reach the PostgreSQL server") as unreachable:
        Store(nobody)
    assert pg.PASSWORD not in str(unreachable.value)


def test_a_user_who_may_only_read_opens_it_read_only_and_its_password_is_never_shown(pg_url: str) -> None:
    writer = Store(pg_url)
    writer.save_page("s", [make_comment(1)], None, now=NOW)
    writer.engine.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {pg.PASSWORD_USER}")
    reader = Store(pg_url.replace("://heard@", f"://{pg.PASSWORD_USER}:{pg.PASSWORD}@"))
    assert reader.read_only and reader.count_comments() == 1 and not writer.read_only
    assert pg.PASSWORD not in reader.location and pg.PASSWORD not in str(reader.path)
    assert reader.location == pg_url.replace("://heard@", f"://{pg.PASSWORD_USER}:***@")
    reader.close()
    writer.close()


def test_a_lost_connection_is_a_store_error_and_the_next_statement_reconnects(
    pg_url: str, postgres_server: pg.Server
) -> None:
    store = Store(pg_url)
    pid = store.engine.execute("SELECT pg_backend_pid()").fetchone()[0]
    with postgres_server.admin() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    with pytest.raises(StoreError, match=r"127\.0\.0\.1.*connection to the server was lost"):
        store.count_comments()
    assert store.count_comments() == 0  # the next statement opens a new connection
    store.close()


def test_a_value_postgres_cannot_hold_sets_that_comment_aside_alone(pg_url: str) -> None:
    store = Store(pg_url)
    page = [make_comment(1), make_comment(2, text="a NUL \x00 character"), make_comment(3, author="kim")]
    saved = store.store_page("s", page, "c1", now=NOW)
    assert saved.new == [page[0].id, page[2].id] and [r.item for r in saved.set_aside] == [page[1].id]
    assert "NUL" in saved.set_aside[0].error and store.cursor("s")["cursor"] == "c1"
    assert store.quarantine_counts() == {"store": 1} and store.author("x", "u-jane")["comments"] == 1
    with pytest.raises(RowRefused):
        store.engine.execute("INSERT INTO counts (name, n) VALUES (?, ?)", ["big", 10**30])
    store.close()


def test_only_one_of_two_racing_moves_wins(pg_url: str) -> None:
    first, second = Store(pg_url), Store(pg_url)
    wins: dict[str, int] = {}
    for n in range(20):
        c = make_comment(n)
        first.save_page("s", [c], None, now=NOW)
        first.create_reply(c.id, S.SUGGESTED.value, now=NOW, text="hi")
        start, won = threading.Barrier(2), []
        racers = ((first, S.APPROVED), (second, S.DISMISSED))
        threads = [threading.Thread(target=_move, args=(store, c.id, to, start, won)) for store, to in racers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(won) == 1 and first.reply(c.id).state is won[0]
        wins[won[0].value] = wins.get(won[0].value, 0) + 1
    assert first.state_counts() == wins and sum(wins.values()) == 20
    first.close()
    second.close()


def _move(store: Store, cid: str, to: ReplyState, start: threading.Barrier, won: list[ReplyState]) -> None:
    start.wait()
    if store.move_reply(cid, [S.SUGGESTED.value], to.value, now=NOW):
        won.append(to)


def test_writers_do_not_queue_on_the_shared_counters_and_the_counters_stay_exact(pg_url: str) -> None:
    # One writer holds its transaction open after writing tags and a reply; another writes its own and must not
    # wait for it (the counters move at commit). Then both commit and every counter equals a recount.
    first, second = Store(pg_url), Store(pg_url)
    comments = [make_comment(n) for n in range(4)]
    first.save_page("s", comments, None, now=NOW)
    serial = first.queue_serial()
    with first.transaction():
        first.save_tags([make_tags(comments[0]), make_tags(comments[1])], now=NOW)
        first.create_reply(comments[0].id, S.SUGGESTED.value, now=NOW, text="hi")
        done = threading.Event()

        def other() -> None:
            second.engine.execute("SET lock_timeout = '2s'")
            with second.transaction():
                second.save_tags([make_tags(comments[2])], now=NOW)
                second.create_reply(comments[2].id, S.SUGGESTED.value, now=NOW, text="hello")
                second.move_reply(comments[2].id, [S.SUGGESTED.value], S.APPROVED.value, now=NOW)
            done.set()

        writer = threading.Thread(target=other)
        writer.start()
        writer.join(10)
        assert done.is_set(), "the second writer waited on the first's open transaction"
    assert first.queue_serial() > serial
    recount = dict(first.engine.execute("SELECT state, count(*) FROM replies GROUP BY state").fetchall())
    assert first.state_counts() == recount == {"suggested": 1, "approved": 1}
    needing = first.engine.execute(
        "SELECT platform, coalesce(priority, ''), coalesce(reply_state, ''), count(*) FROM comments"
        " WHERE needs_reply = 1 AND is_own = 0 GROUP BY 1, 2, 3"
    ).fetchall()
    kept = first.engine.execute("SELECT * FROM needing_counts WHERE comments > 0").fetchall()
    assert sorted(map(tuple, kept)) == sorted(map(tuple, needing))
    assert first.count_comments() == 4
    deferred = first.engine.execute(
        "SELECT tgname FROM pg_trigger WHERE tgdeferrable AND tginitdeferred AND NOT tgisinternal"
    ).fetchall()
    assert {"queue_reply_inserted", "needing_updated", "reply_counted_in"} <= {r[0] for r in deferred}
    first.close()
    second.close()


def test_a_lock_is_held_by_one_connection_at_a_time(pg_url: str) -> None:
    first, second = Store(pg_url), Store(pg_url)
    order: list[str] = []
    with first.lock("post"):
        waiter = threading.Thread(target=lambda: _take(second, order))
        waiter.start()
        waiter.join(0.3)
        order.append("first done")
    waiter.join(5)
    assert order == ["first done", "second"]
    first.close()
    second.close()


def _take(store: Store, order: list[str]) -> None:
    with store.lock("post"):
        order.append("second")


def test_a_database_not_in_utf8_is_refused(postgres_server: pg.Server) -> None:
    with postgres_server.admin() as admin:
        admin.execute("CREATE DATABASE ascii_db ENCODING 'SQL_ASCII' TEMPLATE template0")
    with pytest.raises(StoreError, match="ENCODING 'UTF8'"):
        Store(postgres_server.url("ascii_db"))
    postgres_server.drop_database(postgres_server.url("ascii_db"))


def test_a_url_is_told_from_a_path_and_masked() -> None:
    assert is_url("postgresql://h/db") and is_url("postgres://h/db")
    assert not is_url("var/heard.db") and not is_url(Path("postgresql:/h/db"))
    assert masked("postgresql://me:pa%40ss@db.example:5433/heard?sslmode=require&password=x") == (
        "postgresql://me:***@db.example:5433/heard?sslmode=require&password=***"
    )
    assert masked("postgresql://me@db.example/heard") == "postgresql://me@db.example/heard"


def test_a_postgres_store_has_no_sqlite_database(pg_url: str) -> None:
    store = Store(pg_url)
    assert store.path == store.location == pg_url and store.engine.dialect == "postgresql"
    with pytest.raises(AttributeError, match="not a SQLite database"):
        _ = store.db
    store.close()


def test_each_schema_named_by_the_url_holds_a_database_of_its_own(pg_url: str) -> None:
    bistro, cafe = (Store(f"{pg_url}?options=-csearch_path%3Dws_{name}") for name in ("bistro", "cafe"))
    bistro.save_page("s", [make_comment(1), make_comment(2)], None, now=NOW)
    cafe.save_page("s", [make_comment(1)], None, now=NOW)
    assert (bistro.count_comments(), cafe.count_comments()) == (2, 1)
    assert bistro.engine.schema == "ws_bistro" and [c.id for c in cafe.untagged()] == ["x:1001"]
    with bistro.lock("post"), cafe.lock("post"):  # one brand's poster never waits for another's
        pass
    bistro.close()
    cafe.close()


def run_heard(tmp: Path, *args: str) -> Result:
    cfg = tmp / "heard.toml"
    cfg.write_text(f"[heard]\nreplies = '{ROOT / 'config' / 'replies.toml'}'\n")
    return CliRunner().invoke(cli, ["--config", str(cfg), "--env-file", str(tmp / ".env"), *args])


def test_heard_runs_on_a_postgresql_url_and_never_prints_its_password(tmp_path: Path, pg_url: str) -> None:
    store = Store(pg_url)
    store.save_page("x:mention", [make_comment(1)], None, now=NOW)
    store.engine.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {pg.PASSWORD_USER}")
    store.close()
    reader = pg_url.replace("://heard@", f"://{pg.PASSWORD_USER}:{pg.PASSWORD}@")
    result = run_heard(tmp_path, "--db", reader, "status", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["comments"] == 1 and report["database"] == reader.replace(pg.PASSWORD, "***")
    assert pg.PASSWORD not in result.output
    refused = run_heard(tmp_path, "--db", reader.replace(pg.PASSWORD, "wrong-one"), "status")
    assert refused.exit_code == 1 and "wrong-one" not in refused.output
    assert refused.output.startswith("Error: ") and "refused heard's credentials" in refused.output


def test_placeholders_become_psycopgs_outside_quotes_only(pg_url: str) -> None:
    store = Store(pg_url)
    row = store.engine.execute('SELECT \'50% off?\' || ?, "n" FROM (SELECT ? AS "n") AS q', ["!", 7]).fetchone()
    assert tuple(row) == ("50% off?!", 7)
    assert store.engine.execute("SELECT 'no parameters: 100%'").fetchone()[0] == "no parameters: 100%"
    store.close()
