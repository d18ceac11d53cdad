"""On PostgreSQL too, every query a recurring pass makes reads what is pending through an index, never a whole table.

The same passes and the same few thousand comments in every stage as tests/test_query_plans.py (SQLite's
planner), behind a longer history of answered ones, as a database in use has: with only a few thousand
rows, reading a table whole is PostgreSQL's cheapest plan, and it would rightly choose it. Then VACUUM
ANALYZE, so the planner weighs real statistics. The plans are the ones the server ran, with the values
the store bound: auto_explain sends each executed statement's plan back as a notice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest

from listener.store import Store
from tests import pg
from tests.test_query_plans import HISTORY, PASSES, build

# The tables that grow into the thousands here (the others hold a few rows, which a plan rightly reads whole).
GROWN = frozenset({"comments", "replies", "tags"}) & HISTORY
# How many answered comments of the year before stand behind the few thousand in every stage.
ANSWERED, STEP = 20_000, 200
_AT = "to_char(timestamp '2025-01-01' + n * interval '1 minute', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') || '+00:00'"
# The answered comments as an import writes them (the triggers keep their markers and counts): half posted.
HISTORY_SQL = (
    "INSERT INTO comments (id, platform, native_id, account, source, author_id, author_handle, author_name,"
    " author_is_bot, author_bio, text, url, created_at, fetched_at, conversation_id, lang, mentions_us, is_own, raw)"
    " SELECT 'x:h' || n, 'x', 'h' || n, 'acme', 'mention', 'u-h' || n % 500, 'h' || n % 500, 'H', 0, '',"
    f" 'old thanks ' || n, 'https://example.invalid/h/' || n, {_AT}, {_AT}, 'x:h' || n, 'en', 1, 0, '{{}}'"
    " FROM generate_series(?::int, ?::int) AS n",
    "INSERT INTO tags (comment_id, sentiment, sentiment_score, is_question, question_score, intent, intent_score,"
    " spam_score, bot_score, needs_reply, priority, lang, model_version, tagged_at) SELECT 'x:h' || n, 'positive',"
    f" 0.9, 0, 0.1, 'praise', 0.9, 0, 0, 1, 'low', 'en', 'test', {_AT} FROM generate_series(?::int, ?::int) AS n",
    "INSERT INTO replies (comment_id, state, text, attempts, decided_by, created_at, updated_at, posted_at)"
    " SELECT 'x:h' || n, CASE n % 2 WHEN 0 THEN 'dismissed' ELSE 'posted' END, 'Thanks ' || n, 1, 'person',"
    f" {_AT}, {_AT}, {_AT} FROM generate_series(?::int, ?::int) AS n",
)


@pytest.fixture(scope="module")
def busy(postgres_server: pg.Server) -> Iterator[Store]:
    url = postgres_server.create_database()
    store = Store(url)
    build(store)
    # In statements of a few hundred rows: each one commits, so the count rows the triggers move keep no long
    # chain of versions that the next update would walk.
    for first in range(1, ANSWERED, STEP):
        for sql in HISTORY_SQL:
            store.engine.execute(sql, [first, first + STEP - 1])
    store.engine.execute("VACUUM ANALYZE")
    for setting in ("log_min_duration = 0", "log_format = 'json'", "log_level = 'notice'"):
        store.engine.execute(f"SET auto_explain.{setting}")
    store.engine.execute("LOAD 'auto_explain'")
    yield store
    store.close()
    postgres_server.drop_database(url)


@contextmanager
def plans(store: Store) -> Iterator[list[dict[str, Any]]]:
    """The plan of every statement the server runs for ``store`` meanwhile, with its text."""
    seen: list[dict[str, Any]] = []

    def on_notice(notice: psycopg.errors.Diagnostic) -> None:
        text = notice.message_primary or ""
        if "plan:" in text:
            seen.append(json.loads(text.split("plan:", 1)[1]))

    conn = store.engine.conn
    conn.add_notice_handler(on_notice)
    try:
        yield seen
    finally:
        conn.remove_notice_handler(on_notice)


def scans(node: dict[str, Any]) -> Iterator[str]:
    """Each grown history table a plan reads whole (a sequential scan), at any depth."""
    if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in GROWN:
        yield node["Relation Name"]
    for child in node.get("Plans", ()):
        yield from scans(child)


def test_every_recurring_query_reads_only_what_is_pending(busy: Store) -> None:
    bad, report = [], []
    for name, run in PASSES.items():
        with plans(busy) as seen:
            run(busy)
        reads = [p for p in seen if p["Query Text"].lstrip().upper().startswith(("SELECT", "WITH"))]
        assert reads, f"{name}: ran no query"
        for p in reads:
            whole = sorted(set(scans(p["Plan"])))
            bad += [f"{name}: reads every row of {table}: {p['Query Text']}" for table in whole]
            report.append(f"{'FAIL' if whole else 'ok  '} {name}: {p['Query Text']}")
    assert not bad, "\n".join(bad) + "\n\nqueries:\n" + "\n".join(report)


def test_the_check_sees_a_full_scan(busy: Store) -> None:
    # The judge of the test above must itself be able to fail, and pass an index look-up.
    with plans(busy) as seen:
        busy.engine.query("SELECT c.id FROM comments c WHERE c.text LIKE '%grinder%'")
        busy.engine.query("SELECT id FROM comments WHERE id = ?", ["x:1001"])
    assert [sorted(set(scans(p["Plan"]))) for p in seen] == [["comments"], []]
