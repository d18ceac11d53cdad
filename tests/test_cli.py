from __future__ import annotations

import pytest
from click.testing import CliRunner

from heard.cli import cli


def all_commands():
    return sorted(cli.commands)


@pytest.mark.parametrize("name", all_commands())
def test_every_command_has_help(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert cli.commands[name].help and cli.commands[name].help.strip()
    assert "Usage:" in result.output


def test_doctor_with_no_credentials_lists_what_each_platform_needs(tmp_path) -> None:
    from tests.conftest import ROOT

    env = tmp_path / ".env"
    env.write_text("")
    result = CliRunner().invoke(
        cli, ["--config", str(ROOT / "config" / "heard.toml"), "--env-file", str(env), "doctor"]
    )
    assert result.exit_code == 0, result.output
    assert "not enabled" in result.output


def test_doctor_fails_only_for_an_enabled_broken_platform(tmp_path) -> None:
    cfg = tmp_path / "heard.toml"
    cfg.write_text(f"[platforms.replay]\nenabled = true\nrecording = '{tmp_path / 'missing.jsonl'}'\n")
    result = CliRunner().invoke(cli, ["--config", str(cfg), "--env-file", str(tmp_path / ".env"), "doctor"])
    assert result.exit_code == 1
    assert "replay: BROKEN" in result.output


def only_line(result) -> str:
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


def test_a_config_typo_is_one_line_naming_file_key_and_suggestion(tmp_path) -> None:
    cfg = tmp_path / "heard.toml"
    cfg.write_text("[schedule]\npol_seconds = 60\n")
    for command in ("status", "doctor", "poll"):
        result = CliRunner().invoke(cli, ["--config", str(cfg), "--env-file", str(tmp_path / ".env"), command])
        line = only_line(result)
        assert f"unknown key `pol_seconds` in [schedule] of {cfg}: did you mean `poll_seconds`?" in line


def test_a_platform_option_error_names_the_config_file(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("BLUESKY_HANDLE", "brand.example")
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", "abcd-efgh-ijkl-mnop")
    cfg = tmp_path / "heard.toml"
    cfg.write_text(f"[heard]\ndatabase = '{tmp_path / 'h.db'}'\n[platforms.bluesky]\nenabled = true\npage_size = 0\n")
    args = ["--config", str(cfg), "--env-file", str(tmp_path / ".env")]
    line = only_line(CliRunner().invoke(cli, [*args, "poll"]))
    assert f"{cfg}: platforms.bluesky.page_size" in line
    doctor = CliRunner().invoke(cli, [*args, "doctor"])
    assert f"bluesky: BROKEN: {cfg}: platforms.bluesky.page_size" in doctor.output


def test_doctor_checks_the_reply_templates(tmp_path) -> None:
    replies = tmp_path / "replies.toml"
    replies.write_text("[[template]]\nintent = 'praise'\nvariants = ['Thanks {name!r}!']\n")
    cfg = tmp_path / "heard.toml"
    cfg.write_text(f"[heard]\ndatabase = '{tmp_path / 'h.db'}'\nreplies = '{replies}'\n")
    result = CliRunner().invoke(cli, ["--config", str(cfg), "--env-file", str(tmp_path / ".env"), "doctor"])
    assert result.exit_code == 1
    assert f"replies: BROKEN: {replies}: template #1: '{{name!r}}'" in result.output


def test_approve_refuses_an_empty_or_over_long_reply_and_changes_nothing(tmp_path) -> None:
    from listener.store import Store
    from responders import lifecycle
    from responders.lifecycle import ReplyState
    from tests.conftest import NOW, make_comment, make_tags

    db = tmp_path / "heard.db"
    store = Store(db)
    empty, fine = make_comment(1, author="a"), make_comment(2, author="b")
    for c, text in ((empty, ""), (fine, "Thanks!")):
        store.save_page("s", [c], None, now=NOW)
        store.save_tags([make_tags(c)], now=NOW)
        lifecycle.create(store, c.id, ReplyState.SUGGESTED, now=NOW, text=text, suggested_text=text)
    store.close()
    runner = CliRunner()
    base = ["--db", str(db)]
    result = runner.invoke(cli, [*base, "approve", empty.id])
    assert result.exit_code != 0 and "reply is empty" in result.output
    result = runner.invoke(cli, [*base, "approve", fine.id, "--text", "so good! " * 40])
    assert result.exit_code != 0 and "X allows 280" in result.output
    store = Store(db)
    assert {store.reply(c.id).state for c in (empty, fine)} == {"suggested"}
    store.close()
    assert runner.invoke(cli, [*base, "approve", fine.id]).exit_code == 0


@pytest.mark.parametrize("command", ["status", "queue", "report", "quarantine", "reset-cursor x:mentions"])
def test_a_read_only_command_names_a_missing_database_and_creates_none(tmp_path, command) -> None:
    db = tmp_path / "nowhere" / "heard.db"
    result = CliRunner().invoke(cli, ["--db", str(db), *command.split()])
    assert result.exit_code != 0
    assert f"no database at {db}" in result.output and "--db" in result.output
    assert not db.exists() and not db.parent.exists()


def test_status_and_queue_say_which_database_they_read(tmp_path) -> None:
    from listener.store import Store

    db = tmp_path / "heard.db"
    Store(db).close()
    status = CliRunner().invoke(cli, ["--db", str(db), "status"])
    assert status.exit_code == 0 and f"database: {db}" in status.output
    queue = CliRunner().invoke(cli, ["--db", str(db), "queue"])
    assert queue.exit_code == 0 and f"Nothing waiting in {db}" in queue.output


def test_reset_cursor_forgets_only_the_named_source_and_refuses_an_unknown_one(tmp_path) -> None:
    from listener.store import Store
    from tests.conftest import NOW

    db = tmp_path / "heard.db"
    store = Store(db)
    store.save_page("x:mentions", [], "not-a-cursor-heard-wrote", now=NOW)
    store.save_page("reddit:inbox", [], '{"floor": 1}', now=NOW)
    store.close()
    result = CliRunner().invoke(cli, ["--db", str(db), "reset-cursor", "x:mentions"])
    assert result.exit_code == 0 and "x:mentions: cursor reset" in result.output
    store = Store(db)
    assert (store.cursor("x:mentions") or {}).get("cursor") is None
    assert store.cursor("reddit:inbox")["cursor"] == '{"floor": 1}'
    store.close()
    result = CliRunner().invoke(cli, ["--db", str(db), "reset-cursor", "x:search"])
    assert result.exit_code != 0 and "no cursor for x:search" in result.output and "reddit:inbox" in result.output


def test_eval_prints_figures_a_person_reads_not_python_dicts(tmp_path) -> None:
    data = tmp_path / "questions.jsonl"
    rows = [("where are you open on sunday?", True), ("loved the pasta", False), ("can I book for 6?", True)]
    data.write_text("".join(f'{{"text": "{t}", "is_question": {str(q).lower()}}}\n' for t, q in rows))
    result = CliRunner().invoke(cli, ["eval", "--questions", str(data)])
    assert result.exit_code == 0, result.output
    assert "{" not in result.output and "'" not in result.output
    assert f"questions  {data} (3 texts): F1 " in result.output
    assert "comments/s on one core" in result.output


def test_starting_heard_loads_neither_spacy_nor_any_platform_library() -> None:
    import subprocess
    import sys

    heavy = [
        "spacy",
        "thinc",
        "tweepy",
        "praw",
        "mastodon",
        "atproto",
        "googleapiclient",
        "slack_sdk",
        "jinja2",
        "openai",
    ]
    code = (
        "import sys, heard.cli, heard.app, heard.status; from heard.cli import main; "
        "sys.argv = ['heard', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("close", [["dismiss", "--reason", "answered by phone"], ["approve", "--text", "Sorry, Jane!"]])
def test_a_rejected_reply_can_be_closed_from_the_command_line(tmp_path, close) -> None:
    from listener.store import Store
    from responders import lifecycle
    from responders.lifecycle import ReplyState
    from tests.conftest import NOW, make_comment, make_tags

    db = tmp_path / "heard.db"
    store = Store(db)
    c = make_comment(1, author="jane")
    store.save_page("s", [c], None, now=NOW)
    store.save_tags([make_tags(c)], now=NOW)
    lifecycle.create(store, c.id, ReplyState.SUGGESTED, now=NOW, text="Thanks!", suggested_text="Thanks!")
    store.close()
    base = ["--db", str(db)]
    assert CliRunner().invoke(cli, [*base, "reject", c.id]).exit_code == 0
    result = CliRunner().invoke(cli, [*base, *close[:1], c.id, *close[1:]])
    assert result.exit_code == 0, result.output
    store = Store(db)
    reply = store.reply(c.id)
    assert reply is not None and reply.state == ("dismissed" if close[0] == "dismiss" else "approved")
    assert store.ledger_counts()["open"] == (0 if close[0] == "dismiss" else 1)
    store.close()
