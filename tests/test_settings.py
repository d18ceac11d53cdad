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
    table, _, leaf = key.rpartition(".")
    named = f"'{key}'" in message or (f"`{leaf}`" in message and f"[{table}]" in message)
    assert "config/heard.toml" in message and named and expected in message


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


@pytest.mark.parametrize(
    "doc, message",
    [
        (
            {"schedule": {"pol_seconds": 60}},
            "unknown key `pol_seconds` in [schedule] of config/heard.toml: did you mean `poll_seconds`?",
        ),
        ({"schedul": {"poll_seconds": 60}}, "unknown section `schedul` in config/heard.toml: did you mean `schedule`?"),
        ({"heard": {"dryrun": True}}, "unknown key `dryrun` in [heard] of config/heard.toml: did you mean `dry_run`?"),
        ({"slack": {"quiet_hour": [22, 7]}}, "did you mean `quiet_hours`?"),
        (
            {"sla": {"hihg": 30}},
            "unknown priority or platform `hihg` in [sla] of config/heard.toml: did you mean `high`?",
        ),
        ({"sla": {"reddit": {"hgh": 30}}}, "`hgh` in [sla.reddit] of config/heard.toml: did you mean `high`?"),
        (
            {"posting": {"auto": {"redit": ["praise"]}}},
            "`redit` in [posting.auto] of config/heard.toml: did you mean `reddit`?",
        ),
        (
            {"platforms": {"x": {"keywrods": ["acme"]}}},
            "unknown option `keywrods` in [platforms.x] of config/heard.toml: did you mean `keywords`?",
        ),
        (
            {"platforms": {"youtub": {}}},
            "unknown platform `youtub` in [platforms] of config/heard.toml: did you mean `youtube`?",
        ),
        ({"verbose": True}, "unknown key `verbose` in config/heard.toml; expected one of"),
        ({"schedule": 60}, "config/heard.toml: key 'schedule': expected a table"),
    ],
)
def test_unknown_keys_and_sections_are_errors_with_a_suggestion(doc, message) -> None:
    with pytest.raises(ConfigError) as err:
        build(doc)
    assert message in str(err.value)


def test_a_database_given_on_the_command_line_still_reads_heard_database() -> None:
    # An override must not make the key it overrides look unknown (nor skip its type check).
    s = build_settings({"heard": {"database": "a.db"}}, {}, config_path=Path("c.toml"), overrides={"database": "b.db"})
    assert s.database == Path("b.db")
    with pytest.raises(ConfigError, match="heard.database"):
        build_settings({"heard": {"database": 5}}, {}, config_path=Path("c.toml"), overrides={"database": "b.db"})


def test_dotenv_is_read_literally(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME_TOKEN", "expanded")
    env = tmp_path / ".env"
    env.write_text(
        "REDDIT_PASSWORD=pa${HOME_TOKEN}ss\n"
        "X_API_SECRET='you are our #1 customer'\n"
        "X_API_KEY=abc#def\n"
        "MASTODON_ACCESS_TOKEN=tok$en\\n\n",
        encoding="utf-8",
    )
    cfg = tmp_path / "heard.toml"
    cfg.write_text("")
    s = load_settings(cfg, env_file=env)
    assert s.platforms["reddit"].secrets["REDDIT_PASSWORD"] == "pa${HOME_TOKEN}ss"
    assert s.platforms["x"].secrets["X_API_SECRET"] == "you are our #1 customer"
    assert s.platforms["x"].secrets["X_API_KEY"] == "abc#def"
    assert s.platforms["mastodon"].secrets["MASTODON_ACCESS_TOKEN"] == "tok$en\\n"


def test_an_unreadable_config_or_dotenv_names_the_file(tmp_path: Path) -> None:
    cfg = tmp_path / "heard.toml"
    cfg.write_bytes(b"[heard]\ndatabase = '\xff\xfe'\n")
    with pytest.raises(ConfigError, match=r"heard.toml: cannot read"):
        load_settings(cfg)
    cfg.write_text("")
    env = tmp_path / ".env"
    env.write_bytes(b"X_API_KEY=\xff\xfe\n")
    with pytest.raises(ConfigError, match=r"\.env: cannot read"):
        load_settings(cfg, env_file=env)


@pytest.mark.parametrize("field", ["{name!r}", "{name:>10}", "{name.title}", "{0}", "{}", "{name", "name}", "{{name}}"])
def test_template_fields_are_plain_names_only(field: str) -> None:
    from responders.library import parse_library

    with pytest.raises(ConfigError) as err:
        parse_library({"template": [{"intent": "praise", "variants": [f"Thanks {field}!"]}]}, "config/replies.toml")
    assert "config/replies.toml: template #1" in str(err.value) and field in str(err.value)


def test_plain_fields_still_render() -> None:
    from responders.library import parse_library
    from responders.suggest import render

    lib = parse_library({"template": [{"variants": ["Thanks, {name}! {signature}"]}]}, "config/replies.toml")
    assert render(lib.templates[0].variants[0], {"name": "Ada", "signature": "-Bo"}) == "Thanks, Ada! -Bo"


def test_every_broken_config_of_the_campaign_is_one_clear_error() -> None:
    from bench.chaos_config import run_configs

    verdicts = run_configs()  # 43 broken heard.toml, replies.toml and .env files, each through `heard doctor`
    assert len(verdicts) >= 33
    assert {k: v for k, v in verdicts.items() if v != "clear"} == {}
