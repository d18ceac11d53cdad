"""The whole loop on the bundled recording, as `heard demo` and `heard replay` run it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from heard.cli import cli
from listener.platforms.replay import read_outbox, read_recording
from listener.store import Store
from responders.judge import SKIP_REASONS
from tests.conftest import ROOT

RECORDING = ROOT / "config" / "demo" / "recording.jsonl"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A copy of the project's config in a scratch folder, as a user's checkout would have it."""
    shutil.copytree(ROOT / "config", tmp_path / "config")
    return tmp_path


def run_demo(workdir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "heard", "demo"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_recording_covers_the_cases_a_demo_must_show() -> None:
    accounts, items = read_recording(RECORDING)
    platforms = {"x", "reddit", "mastodon", "bluesky", "youtube"}
    assert set(accounts) == platforms
    assert len(items) >= 60
    assert {i["platform"] for i in items} == platforms


def test_demo_runs_the_whole_loop_then_is_idempotent(workdir: Path) -> None:
    first = run_demo(workdir)
    assert first.returncode == 0, first.stderr
    assert "stored 104 new comments" in first.stdout
    store = Store(workdir / "demo" / "heard.db")
    decisions = {d["id"]: d for d in store.decisions()}
    # Every comment that needs a reply got a queue item (a suggestion, or a "needs a human" item).
    needing = {i for i, d in decisions.items() if d["tags"]["needs_reply"]}
    assert needing
    for i in needing:
        d = decisions[i]
        # Queued, or answered on the platform by one of our accounts.
        assert d["decision"] in ("suggested", "approved", "posted") or d["decided_by"] == "thread", d
        assert d["reason"]["code"] is None, d
    # Skipped, with the reason, for our own comments, bots and spam.
    for d in decisions.values():
        comment = store.comment(d["id"])
        if comment.is_own:
            assert (d["decision"], d["reason"]["code"]) == ("skipped", "own_account"), d
        elif comment.author.is_bot:
            assert (d["decision"], d["reason"]["code"]) in {("skipped", "bot"), ("skipped", "duplicate")}, d
        if d["decision"] == "skipped":
            assert not d["tags"]["needs_reply"] and not d["reply"] and d["priority"] == "low", d
    queue_text = (workdir / "demo" / "queue.yaml").read_text()
    queued = {line.split("id: ", 1)[1].strip() for line in queue_text.splitlines() if line.startswith("- id: ")}
    own_or_bots = {
        d["id"] for d in decisions.values() if store.comment(d["id"]).is_own or store.comment(d["id"]).author.is_bot
    }
    assert not queued & own_or_bots
    with_text = [d for d in decisions.values() if d["decision"] in ("suggested", "approved", "posted") and d["reply"]]
    assert len(with_text) >= len(needing) * 0.6
    # The outbox holds exactly the approved replies, once each.
    outbox = read_outbox(workdir / "demo" / "outbox.jsonl")
    posted = {i for i, d in decisions.items() if d["decision"] == "posted"}
    assert len(outbox) == len(posted) == 4
    assert {e["comment_id"] for e in outbox} == posted
    assert any(e["text"].endswith("\u2615") for e in outbox)  # the person's edit went out
    assert "waiting past the SLA" in first.stdout
    comments, events = store.count_comments(), len(store.events())
    store.close()

    second = run_demo(workdir)
    assert second.returncode == 0, second.stderr
    assert "stored 0 new comments, 104 already known" in second.stdout
    assert len(read_outbox(workdir / "demo" / "outbox.jsonl")) == 4
    store = Store(workdir / "demo" / "heard.db")
    assert store.count_comments() == comments
    assert Counter(e["kind"] for e in store.events())["stored"] == 104
    assert len(store.events()) >= events
    store.close()


def test_post_with_a_broken_queue_file_names_the_line_and_changes_nothing(workdir: Path) -> None:
    assert run_demo(workdir).returncode == 0
    queue = workdir / "demo" / "queue.yaml"
    db = workdir / "demo" / "heard.db"
    original = queue.read_text()
    cases = {
        "invalid yaml": original.replace("\n  action: pending", "\n  action: [approve", 1),
        "unknown action": original.replace("\n  action: pending", "\n  action: maybe", 1),
        "not pending": original + "- id: x:2126371886956451754\n  action: approve\n  reply: hi\n",
    }
    for name, text in cases.items():
        queue.write_text(text)
        before_db, before_out = db.read_bytes(), (workdir / "demo" / "outbox.jsonl").read_bytes()
        result = subprocess.run(
            [sys.executable, "-m", "heard", "--db", str(db), "post"],
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert result.returncode != 0, name
        assert "queue.yaml:" in result.stderr and "Nothing was changed" in result.stderr, (name, result.stderr)
        line = int(result.stderr.split("queue.yaml:")[1].split(":")[0])
        assert 1 <= line <= len(text.splitlines()), name
        assert queue.read_text() == text
        assert (workdir / "demo" / "outbox.jsonl").read_bytes() == before_out
        store = Store(db)
        assert store.state_counts().get("posted") == 4
        store.close()
        del before_db


def test_replay_json_reports_every_comment(workdir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    os.chdir(workdir)
    result = runner.invoke(cli, ["replay", str(RECORDING), "--db", str(tmp_path / "r" / "heard.db"), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(rows) == 104, result.output[-2000:]
    schema = {"id", "platform", "source", "decision", "reason", "priority", "tags", "reply", "auto", "duplicate_of"}
    assert all(schema <= set(r) for r in rows)
    tag_keys = {"is_question", "sentiment", "intent", "needs_reply", "lang", "spam_score", "bot_score"}
    assert all(tag_keys <= set(r["tags"]) and set(r["reason"]) == {"code", "text"} for r in rows)
    own = [r for r in rows if r["decision"] == "skipped" and r["reason"]["code"] == "own_account"]
    assert len(own) == 13
    codes = {r["reason"]["code"] for r in rows}
    assert codes <= {None, *SKIP_REASONS}, codes


def test_the_demos_closing_hint_posts_what_a_person_approved(workdir: Path) -> None:
    first = run_demo(workdir)
    assert first.returncode == 0, first.stderr
    hint = first.stdout.strip().splitlines()[-1].strip()
    assert hint == f"{Path(sys.executable).name} -m heard demo", hint  # as this test started heard
    queue = workdir / "demo" / "queue.yaml"
    text = queue.read_text()
    # A person approves one more item that has a draft, then runs what the hint says.
    at = text.index("  reply: |")
    pending = text.rindex("  action: pending", 0, at)
    queue.write_text(text[:pending] + "  action: approve" + text[pending + len("  action: pending") :])
    again = run_demo(workdir)
    assert again.returncode == 0, again.stderr
    assert len(read_outbox(workdir / "demo" / "outbox.jsonl")) == 5


def test_replay_without_a_database_leaves_nothing_behind(workdir: Path, tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "heard", "replay", str(RECORDING)],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(scratch)},
    )
    assert result.returncode == 0, result.stderr
    assert "pass --db PATH to keep them" in result.stderr
    assert not [p for p in scratch.iterdir() if p.name.startswith("heard-replay-")]
