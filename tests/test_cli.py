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
