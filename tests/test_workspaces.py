"""Several brands in one deployment: [workspaces.<name>], each command's database, and data that never crosses."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from heard.cli import cli
from heard.logs import secrets_in
from heard.settings import build_deployment
from heard.workspaces import workspace_database
from listener.errors import ConfigError
from listener.platforms.replay import read_outbox
from listener.store import Store, keys
from responders import lifecycle
from responders.lifecycle import ReplyState
from tests.conftest import ROOT, make_comment, make_tags
from tests.fakes.slack import TOKEN, FakeSlack
from tests.heard_toml import write_toml

CONFIG = Path("/srv/heard/heard.toml")
REPLIES = str(ROOT / "config" / "replies.toml")


def deploy(doc: dict[str, Any], env: dict[str, str] | None = None, **overrides: Any):
    return build_deployment(doc, env or {}, config_path=CONFIG, overrides=overrides)


def two_brands(**extra: Any) -> dict[str, Any]:
    return {
        "heard": {"database": "var/heard.db"},
        "platforms": {"x": {"keywords": ["base"]}, "replay": {"recording": "rec.jsonl", "outbox": "var/out.jsonl"}},
        "workspaces": {
            "acme": {"platforms": {"x": {"username": "acme", "keywords": ["acme coffee"]}}},
            "bistro": {
                "replies": "config/bistro/replies.toml",
                "platforms": {"x": {"username": "bistro_mcr", "keywords": ["bistro mcr"]}},
                "slack": {"channel": "#bistro"},
                "sla": {"high": 15},
            },
        },
        **extra,
    }


# -- heard.toml ---------------------------------------------------------------------------------------


def test_without_workspaces_heard_is_one_brand_as_before() -> None:
    d = deploy({"heard": {"database": "var/heard.db"}})
    assert d.workspaces == {} and d.pick(None) is d.base and d.each(None) == [d.base]
    assert (d.base.workspace, d.base.database, d.base.queue_file) == ("", Path("var/heard.db"), Path("var/queue.yaml"))
    with pytest.raises(ConfigError, match="no workspace `bistro`: it has no \\[workspaces.<name>\\] tables"):
        d.pick("bistro")


def test_a_workspace_is_its_table_over_the_base_with_files_of_its_own() -> None:
    d = deploy(two_brands())
    acme, bistro = d.workspaces["acme"], d.workspaces["bistro"]
    assert (acme.database, acme.queue_file) == (Path("var/heard-acme.db"), Path("var/queue-acme.yaml"))
    assert (bistro.database, bistro.queue_file) == (Path("var/heard-bistro.db"), Path("var/queue-bistro.yaml"))
    assert acme.platforms["x"].options["keywords"] == ["acme coffee"]
    assert bistro.platforms["x"].options["username"] == "bistro_mcr"
    assert d.base.platforms["x"].options["keywords"] == ["base"]  # the base is left as it was
    assert bistro.replies_path == Path("config/bistro/replies.toml") and acme.replies_path == d.base.replies_path
    assert (bistro.sla_for("x", "high"), acme.sla_for("x", "high")) == (15, 60)
    assert bistro.platforms["replay"].options == {"recording": "rec-bistro.jsonl", "outbox": "var/out-bistro.jsonl"}
    assert bistro.platforms["bluesky"].options["session_file"] == "var/bluesky-bistro.session"
    assert (bistro.outbox, d.base.outbox) == (Path("var/outbox-bistro.jsonl"), Path("var/outbox.jsonl"))


def test_a_workspace_naming_its_own_files_keeps_them_and_db_on_the_command_line_moves_the_base() -> None:
    doc = two_brands()
    doc["workspaces"]["acme"].update(database="/data/acme.db", queue_file="/data/acme-queue.yaml")
    d = deploy(doc, {"HEARD_DATABASE": "/env/heard.db"}, database="/cli/heard.db")
    assert (d.workspaces["acme"].database, d.workspaces["acme"].queue_file) == (
        Path("/data/acme.db"),
        Path("/data/acme-queue.yaml"),
    )
    assert d.workspaces["bistro"].database == Path("/cli/heard-bistro.db")
    assert d.workspaces["bistro"].queue_file == Path("/cli/queue-bistro.yaml")


def test_which_workspace_a_command_uses() -> None:
    d = deploy(two_brands())
    with pytest.raises(ConfigError, match=r"^several workspaces \(acme, bistro\): pass --workspace NAME$"):
        d.pick(None)
    with pytest.raises(ConfigError, match="unknown workspace `bistr`: did you mean `bistro`"):
        d.pick("bistr")
    assert d.pick("bistro").workspace == "bistro"
    assert [s.workspace for s in d.each(None)] == ["acme", "bistro"] and len(d.each("acme")) == 1
    d = deploy(two_brands(heard={"database": "var/heard.db", "default_workspace": "bistro"}))
    assert d.pick(None).workspace == "bistro"
    only = two_brands()
    del only["workspaces"]["acme"]
    assert deploy(only).pick(None).workspace == "bistro"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"Bistro": {}}, "workspace name 'Bistro' in [workspaces]: expected 1 to 40 of a-z, 0-9"),
        ({"-x": {}}, "workspace name '-x'"),
        ({"bistro": "on"}, "key 'workspaces.bistro': expected a table [workspaces.bistro]"),
        ({"bistro": {"replys": "r.toml"}}, "unknown key `replys` in [workspaces.bistro] of " + str(CONFIG)),
        ({"bistro": {"replys": "r.toml"}}, "did you mean `replies`?"),
        ({"bistro": {"schedule": {"pol_seconds": 60}}}, "unknown key `pol_seconds` in [workspaces.bistro.schedule]"),
        ({"bistro": {"platfroms": {"x": {}}}}, "unknown section `platfroms` in [workspaces.bistro]"),
        (
            {"bistro": {"platforms": {"x": {"acount": "b"}}}},
            "unknown option `acount` in [workspaces.bistro.platforms.x]",
        ),
        ({"bistro": {"sla": {"high": 0}}}, "key 'workspaces.bistro.sla.high': expected at least 1"),
        ({"bistro": {"dry_run": "yes"}}, "key 'workspaces.bistro.dry_run': expected bool"),
        ({"bistro": {"heard": {"default_workspace": "a"}}}, "`default_workspace` in [workspaces.bistro.heard]"),
        ({"a-b": {}, "a_b": {}}, "workspaces a-b and a_b would read the same HEARD_A_B_* secrets"),
    ],
)
def test_a_bad_workspace_is_one_error_naming_its_place(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        deploy({"workspaces": change})
    assert message in str(caught.value)


def test_two_workspaces_sharing_a_database_or_queue_file_are_refused_naming_both() -> None:
    doc = two_brands()
    doc["workspaces"]["bistro"]["database"] = "var/heard-acme.db"
    with pytest.raises(ConfigError, match="workspaces acme and bistro share one database \\(var/heard-acme.db\\)"):
        deploy(doc)
    doc = two_brands()
    doc["workspaces"]["acme"]["queue_file"] = "var/q.yaml"
    doc["workspaces"]["bistro"]["queue_file"] = "var/../var/q.yaml"
    with pytest.raises(ConfigError, match="workspaces acme and bistro share one queue file"):
        deploy(doc)
    with pytest.raises(ConfigError, match="default_workspace': names no workspace \\(workspaces: acme, bistro\\)"):
        deploy(two_brands(heard={"default_workspace": "cafe"}))


def test_a_workspace_reads_only_its_own_platform_secrets_and_slack_destination() -> None:
    doc = two_brands()
    doc["platforms"]["x"]["enabled"] = True
    env = {
        **{k: f"base-{k}" for k in ("X_API_KEY", "X_API_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET")},
        **{f"HEARD_BISTRO_{k}": f"bistro-{k}" for k in ("X_API_KEY", "X_API_SECRET", "X_ACCESS_TOKEN")},
        "SLACK_BOT_TOKEN": "xoxb-shared",
        "SLACK_CHANNEL": "#base",
        "SLACK_WEBHOOK_URL": "https://hooks.example/base",
        "HEARD_ACME_SLACK_CHANNEL": "#acme",
    }
    d = deploy(doc, env)
    base, acme, bistro = d.base, d.workspaces["acme"], d.workspaces["bistro"]
    assert base.platforms["x"].secrets["X_API_KEY"] == "base-X_API_KEY" and not base.platforms["x"].missing
    assert bistro.platforms["x"].secrets == {
        "X_API_KEY": "bistro-X_API_KEY",
        "X_API_SECRET": "bistro-X_API_SECRET",
        "X_ACCESS_TOKEN": "bistro-X_ACCESS_TOKEN",
    }
    assert bistro.platforms["x"].missing == ("HEARD_BISTRO_X_ACCESS_TOKEN_SECRET",)  # never the base's
    assert acme.platforms["x"].secrets == {} and len(acme.platforms["x"].missing) == 4
    assert dict(base.slack) == {k: env[k] for k in ("SLACK_BOT_TOKEN", "SLACK_CHANNEL", "SLACK_WEBHOOK_URL")}
    assert dict(acme.slack) == {"SLACK_BOT_TOKEN": "xoxb-shared", "SLACK_CHANNEL": "#acme"}
    assert dict(bistro.slack) == {"SLACK_BOT_TOKEN": "xoxb-shared", "SLACK_CHANNEL": "#bistro"}


def test_a_workspace_secret_is_hidden_like_any_other() -> None:
    env = {"HEARD_BISTRO_X_API_KEY": "bistro-key-1234", "HEARD_BISTRO_SLACK_CHANNEL": "#bistro", "X_API_KEY": "k-1234"}
    assert sorted(secrets_in(env)) == ["bistro-key-1234", "k-1234"]  # a channel names, it does not unlock


def test_workspace_database_inserts_the_name_or_picks_a_schema() -> None:
    assert workspace_database("var/heard.db", "bistro") == "var/heard-bistro.db"
    assert workspace_database("/data/heard", "acme") == "/data/heard-acme"
    assert (
        workspace_database("postgresql://heard:pw@db:5432/heard", "my-brand")
        == "postgresql://heard:pw@db:5432/heard?options=-csearch_path%3Dws_my_brand"
    )
    assert (
        workspace_database("postgresql://db/heard?sslmode=require&options=-cstatement_timeout%3D5000", "bistro")
        == "postgresql://db/heard?sslmode=require&options=-cstatement_timeout%3D5000%20-csearch_path%3Dws_bistro"
    )


# -- the command line ----------------------------------------------------------------------------------


def brand_recording(path: Path, handle: str, texts: list[str], *, first: int) -> Path:
    """A recording of X mentions of ``@handle``, ids from ``first``."""
    created = (datetime.now(UTC) - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    lines = [{"heard_recording": 1, "accounts": {"x": {"id": f"id-{handle}", "handle": handle}}}]
    for n, text in enumerate(texts, first):
        tid, user = str(n), f"u{n}"
        mention = {"start": 0, "end": len(handle) + 1, "username": handle, "id": f"id-{handle}"}
        data = {
            "id": tid,
            "text": f"@{handle} {text}",
            "author_id": user,
            "conversation_id": tid,
            "lang": "en",
            "created_at": created,
            "entities": {"mentions": [mention]},
            "edit_history_tweet_ids": [tid],
        }
        users = [{"id": user, "name": f"Person {n}", "username": f"person{n}", "description": ""}]
        lines.append({"platform": "x", "payload": {"data": data, "includes": {"users": users}}})
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return path


def write_brands(tmp: Path, **extra: dict[str, Any]) -> Path:
    """heard.toml with two brands, acme and bistro, each replaying its own recording."""
    tables: dict[str, dict[str, Any]] = {
        "heard": {"database": str(tmp / "heard.db"), "replies": REPLIES},
        "platforms.replay": {"enabled": True, "outbox": str(tmp / "outbox.jsonl")},
        "workspaces.acme.platforms.replay": {"recording": str(tmp / "acme.jsonl")},
        "workspaces.acme.platforms.x": {"keywords": ["acme coffee"]},
        "workspaces.bistro.platforms.replay": {"recording": str(tmp / "bistro.jsonl")},
        "workspaces.bistro.platforms.x": {"keywords": ["bistro mcr"]},
        **extra,
    }
    return write_toml(tmp / "heard.toml", tables)


def heard(cfg: Path, *args: str) -> Any:
    return CliRunner().invoke(cli, ["--config", str(cfg), "--env-file", str(cfg.parent / ".env"), *args])


def comment_ids(db: Path) -> set[str]:
    store = Store(db)
    try:
        return {row["id"] for row in store.decisions()}
    finally:
        store.close()


def test_data_never_crosses_workspaces(tmp_path: Path) -> None:
    pytest.importorskip("listener.nlp")
    cfg = write_brands(tmp_path)
    brand_recording(tmp_path / "acme.jsonl", "acme", ["do you ship to Canada?", "my order never came"], first=100)
    brand_recording(tmp_path / "bistro.jsonl", "bistro", ["are you open on Sunday?", "the soup was cold"], first=200)
    for brand in ("acme", "bistro"):
        result = heard(cfg, "--workspace", brand, "poll")
        assert result.exit_code == 0, result.output
        assert f"items waiting in {tmp_path / f'queue-{brand}.yaml'}" in result.output
    acme_ids, bistro_ids = comment_ids(tmp_path / "heard-acme.db"), comment_ids(tmp_path / "heard-bistro.db")
    assert acme_ids == {"x:100", "x:101"} and bistro_ids == {"x:200", "x:201"}
    assert not (tmp_path / "heard.db").exists() and not (tmp_path / "queue.yaml").exists()
    acme_queue = (tmp_path / "queue-acme.yaml").read_text()
    bistro_queue = (tmp_path / "queue-bistro.yaml").read_text()
    assert "x:100" in acme_queue and "x:200" not in acme_queue and "@bistro" not in acme_queue
    assert "x:200" in bistro_queue and "x:100" not in bistro_queue and "@acme" not in bistro_queue

    crossed = heard(cfg, "--workspace", "acme", "approve", "x:200", "--text", "Open 9 to 5!")
    assert crossed.exit_code != 0
    assert f"x:200: unknown in {tmp_path / 'heard-acme.db'} of workspace acme; nothing was changed" in crossed.output
    assert heard(cfg, "--workspace", "acme", "dismiss", "x:201").exit_code != 0
    approved = heard(cfg, "--workspace", "bistro", "approve", "x:200", "--text", "Open 9 to 5 on Sundays!")
    assert approved.exit_code == 0, approved.output
    posted = heard(cfg, "--workspace", "bistro", "post")
    assert posted.exit_code == 0 and "posted 1" in posted.output, posted.output
    assert [e["comment_id"] for e in read_outbox(tmp_path / "outbox-bistro.jsonl")] == ["x:200"]
    assert not (tmp_path / "outbox-acme.jsonl").exists() and not (tmp_path / "outbox.jsonl").exists()
    nothing = heard(cfg, "--workspace", "acme", "post")
    assert nothing.exit_code == 0 and "posted 0" in nothing.output
    assert comment_ids(tmp_path / "heard-acme.db") == acme_ids


def seed(db: Path, numbers: range, *, hours: float = 2) -> list[str]:
    """Comments waiting for a person (complaints, high priority) ``hours`` old, in the database at ``db``."""
    store = Store(db)
    now = datetime.now(UTC)
    comments = [
        dataclasses.replace(make_comment(n, author=f"w{n}"), created_at=now - timedelta(hours=hours)) for n in numbers
    ]
    store.save_page("seed", comments, None, now=now)
    tags = [make_tags(c, priority="high", intent="complaint", sentiment="negative") for c in comments]
    store.save_tags(tags, now=now)
    for c in comments:
        lifecycle.create(store, c.id, ReplyState.SUGGESTED, now=now, text="Sorry! Could you DM us?")
    store.close()
    return [c.id for c in comments]


@pytest.mark.parametrize(
    "command",
    [
        "queue",
        "report",
        "quarantine",
        "resume",
        "reset-cursor x:mentions",
        "approve x:1",
        "reject x:1",
        "dismiss x:1",
        "draft x:1",
        "poll",
        "post",
        "inbox --no-open",
        "replay RECORDING",
    ],
)
def test_with_several_workspaces_a_one_database_command_asks_which(tmp_path: Path, command: str) -> None:
    cfg = write_brands(tmp_path)
    args = [str(cfg) if word == "RECORDING" else word for word in command.split()]
    result = heard(cfg, *args)
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == "Error: several workspaces (acme, bistro): pass --workspace NAME"
    assert not list(tmp_path.glob("*.db"))


def test_each_command_reads_the_chosen_workspaces_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = write_brands(tmp_path)
    (acme,) = seed(tmp_path / "heard-acme.db", range(1, 2))
    (bistro,) = seed(tmp_path / "heard-bistro.db", range(7, 8))
    queue = heard(cfg, "--workspace", "bistro", "queue")
    assert queue.exit_code == 0 and bistro in queue.output and acme not in queue.output
    assert f"waiting in {tmp_path / 'heard-bistro.db'}" in queue.output
    monkeypatch.setenv("HEARD_WORKSPACE", "acme")
    report = heard(cfg, "report", "--json", "--since", "all")
    assert report.exit_code == 0 and json.loads(report.output)["responsiveness"]["waiting"] == 1
    dismissed = heard(cfg, "dismiss", acme)
    assert dismissed.exit_code == 0, dismissed.output
    status = heard(cfg, "--workspace", "acme", "status", "--json")
    assert json.loads(status.output)["ledger"] == {"open": 0, "acknowledged": 1, "overdue": 0}
    monkeypatch.delenv("HEARD_WORKSPACE")
    unknown = heard(cfg, "--workspace", "bistr", "queue")
    assert unknown.exit_code == 1 and "unknown workspace `bistr`: did you mean `bistro`?" in unknown.output


def test_status_without_a_workspace_shows_each_in_turn(tmp_path: Path) -> None:
    cfg = write_brands(tmp_path)
    seed(tmp_path / "heard-acme.db", range(1, 3))
    text = heard(cfg, "status")
    assert text.exit_code == 0, text.output
    acme_part, bistro_part = text.output.split("== workspace bistro ==")
    assert acme_part.startswith("== workspace acme ==\n") and f"database: {tmp_path / 'heard-acme.db'}" in acme_part
    assert "needing a reply: 2 open (2 overdue)" in acme_part
    assert f"no database at {tmp_path / 'heard-bistro.db'}" in bistro_part
    assert not (tmp_path / "heard-bistro.db").exists()
    reports = json.loads(heard(cfg, "status", "--json").output)
    assert reports["acme"]["ledger"]["open"] == 2 and reports["bistro"] == {
        "database": str(tmp_path / "heard-bistro.db"),
        "missing": True,
    }


def test_heard_workspaces_lists_each_with_its_files(tmp_path: Path) -> None:
    cfg = write_brands(tmp_path, **{"workspaces.bistro.slack": {"channel": "#bistro"}})
    lines = heard(cfg, "workspaces").output.splitlines()
    assert lines == [
        f"acme: database {tmp_path / 'heard-acme.db'}, queue file {tmp_path / 'queue-acme.yaml'},"
        " platforms replay, slack off (digests go to the log)",
        f"bistro: database {tmp_path / 'heard-bistro.db'}, queue file {tmp_path / 'queue-bistro.yaml'},"
        " platforms replay, slack off (digests go to the log)",
    ]
    alone = write_toml(tmp_path / "one.toml", {"heard": {"database": str(tmp_path / "h.db")}})
    assert heard(alone, "workspaces").output.startswith(f"no workspaces in {alone}: one brand, database")


# -- one service for every workspace ---------------------------------------------------------------


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


def wait_for(predicate: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_heard_run_serves_every_workspace_each_to_its_own_slack_channel(tmp_path: Path, slack: FakeSlack) -> None:
    for brand in ("acme", "bistro", "broken"):
        brand_recording(tmp_path / f"{brand}.jsonl", brand, [], first=1)
    cfg = write_brands(
        tmp_path,
        schedule={"poll_seconds": 10, "work_seconds": 1, "escalate_seconds": 10},
        sla={"high": 1, "normal": 1, "low": 1},
        **{
            "workspaces.acme.slack": {"channel": "C0ACME"},
            "workspaces.bistro.slack": {"channel": "C0BISTRO"},
            # X enabled without its secrets: this brand cannot start, and the others still run.
            "workspaces.broken.platforms.replay": {"recording": str(tmp_path / "broken.jsonl")},
            "workspaces.broken.platforms.x": {"enabled": True},
        },
    )
    acme, bistro = seed(tmp_path / "heard-acme.db", range(1, 3)), seed(tmp_path / "heard-bistro.db", range(5, 6))
    env = {**os.environ, "SLACK_BOT_TOKEN": TOKEN, "SLACK_BASE_URL": slack.api_url, "HEARD_LOG_LEVEL": "INFO"}
    env["SLACK_CHANNEL"] = "C0BASE"  # the base's channel: never a workspace's
    proc = subprocess.Popen(
        [sys.executable, "-m", "heard", "--config", str(cfg), "--env-file", str(tmp_path / ".env"), "run"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        assert wait_for(lambda: len(slack.messages) >= 2 or proc.poll() is not None, 60), "no Slack messages"
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    log = err.decode()
    assert proc.returncode == 0, log[-3000:]
    by_channel = {m["channel"]: json.dumps(m) for m in slack.messages}
    assert set(by_channel) == {"C0ACME", "C0BISTRO"}, log[-3000:]
    assert all(i in by_channel["C0ACME"] for i in acme) and not any(i in by_channel["C0ACME"] for i in bistro)
    assert all(i in by_channel["C0BISTRO"] for i in bistro) and not any(i in by_channel["C0BISTRO"] for i in acme)
    assert "workspace=broken not started error=platform x is enabled but these variables are not set:" in log
    assert "HEARD_BROKEN_X_API_KEY" in log and "workspace=acme job=" not in log  # no job of acme failed
    assert "workspace=bistro" in log and TOKEN not in log
    for brand in ("acme", "bistro"):
        store = Store(tmp_path / f"heard-{brand}.db")
        assert store.meta(keys.SERVICE)["state"] == "stopped" and "escalate" in store.meta(keys.HEARTBEAT)
        store.close()
