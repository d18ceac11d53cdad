from __future__ import annotations

from pathlib import Path

import pytest

from heard.settings import build_settings, load_settings
from listener.errors import ConfigError
from tests.conftest import ROOT


def build(doc: dict, env: dict | None = None):
    return build_settings(doc, env or {}, config_path=Path("config/heard.toml"), overrides={})


def test_shipped_config_loads() -> None:
    s = load_settings(ROOT / "config" / "heard.toml", env_file=Path("/nonexistent/.env"))
    assert s.database == Path("var/heard.db")
    assert s.queue_file == Path("var/queue.yaml")
    assert s.sla_for("x", "high") == 60


@pytest.mark.parametrize(
    "doc, key, expected",
    [
        ({"schedule": {"poll_seconds": "soon"}}, "schedule.poll_seconds", "expected int"),
        ({"schedule": {"poll_seconds": 1}}, "schedule.poll_seconds", "at least 10"),
        ({"heard": {"dry_run": "yes"}}, "heard.dry_run", "expected bool"),
        ({"sla": {"x": {"urgent": 5}}}, "sla.x.urgent", "one of high"),
        ({"posting": {"auto": {"reddit": ["everything"]}}}, "posting.auto.reddit", "drawn from"),
        ({"platforms": {"myspace": {}}}, "platforms.myspace", "unknown platform"),
        ({"platforms": {"replay": {"colour": "red"}}}, "platforms.replay.colour", "unknown option"),
        ({"slack": {"quiet_hours": [25, 3]}}, "slack.quiet_hours", "hours 0-23"),
    ],
)
def test_bad_values_name_the_key_the_file_and_the_expectation(doc, key, expected) -> None:
    with pytest.raises(ConfigError) as err:
        build(doc)
    message = str(err.value)
    assert "config/heard.toml" in message and f"'{key}'" in message and expected in message


def test_per_platform_sla_overrides_default() -> None:
    s = build({"sla": {"high": 30, "reddit": {"high": 10}}})
    assert s.sla_for("reddit", "high") == 10
    assert s.sla_for("x", "high") == 30
    assert s.sla_for("reddit", "low") == 1440


def test_environment_wins_over_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "heard.toml"
    cfg.write_text("[heard]\ndatabase = 'from-toml.db'\n")
    env = tmp_path / ".env"
    env.write_text("HEARD_DATABASE=from-dotenv.db\nSLACK_WEBHOOK_URL=http://127.0.0.1:1/hook\n")
    assert load_settings(cfg, env_file=env).database == Path("from-dotenv.db")
    monkeypatch.setenv("HEARD_DATABASE", "from-env.db")
    s = load_settings(cfg, env_file=env)
    assert s.database == Path("from-env.db")
    assert s.slack["SLACK_WEBHOOK_URL"].endswith("/hook")
    assert "127.0.0.1" not in repr(s)  # secrets stay out of reprs (and so out of logs)


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    cfg = tmp_path / "heard.toml"
    cfg.write_text("[heard\n")
    with pytest.raises(ConfigError, match=r"heard.toml: not valid TOML"):
        load_settings(cfg)
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "missing.toml")
