"""Campaigns on heard's configuration and secrets: broken configs must fail clearly, secrets never show.

``configs``: a list of broken heard.toml, replies.toml and .env files (typos, wrong types, unknown
sections, bad template fields, .env interpolation) each loaded by a real ``heard doctor``; a case
passes when heard exits non-zero with one line naming the file and the key, and no traceback (or,
for .env cases, keeps the value literally).

``secrets``: every command run by a real ``heard`` process at ``--log-level DEBUG`` against the local
fakes of every platform and a fake Slack, with the fakes' secrets in the environment; every byte of
stdout, stderr, the queue file, the database and what Slack received is searched for each secret.

    .venv/bin/python bench/chaos.py configs secrets
"""

from __future__ import annotations

import inspect
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.heard_toml import heard_table, write_toml  # noqa: E402

# Variables that name an account rather than unlock it: they show up in ordinary output (doctor's "ok: @handle").
NOT_SECRET = ("_USERNAME", "_HANDLE", "_CHANNEL", "_BASE_URL")
FAKES = ("x", "reddit", "mastodon", "bluesky", "youtube")


def heard(args: list[str], *, cwd: Path, env: Mapping[str, str], timeout: float = 120) -> tuple[int, str]:
    """Run the real ``heard`` console entry point; return its exit code and stdout+stderr."""
    proc = subprocess.run(
        [sys.executable, "-c", "from heard.cli import main; main()", *args],
        cwd=cwd,
        env={**_clean_env(), **env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return proc.returncode, proc.stdout + proc.stderr


def _clean_env() -> dict[str, str]:
    prefixes = ("HEARD_", "X_", "REDDIT_", "SLACK_", "MASTODON_", "BLUESKY_", "YOUTUBE_")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)} | {"PRAW_ALLOW_ENDPOINT_OVERRIDE": "1"}


# -- secrets ------------------------------------------------------------------


@dataclass
class World:
    """Running fakes of every platform and Slack, a heard.toml pointing at them, and the secrets."""

    folder: Path
    config: Path
    env: dict[str, str]
    harnesses: dict[str, Any]
    slack: Any

    def secret_values(self) -> dict[str, str]:
        """Variable -> value for each variable that unlocks something, and the path of Slack's webhook URL."""
        prefixes = ("X_", "REDDIT_", "MASTODON_", "BLUESKY_", "YOUTUBE_", "SLACK_")
        found = {k: v for k, v in self.env.items() if k.startswith(prefixes) and not k.endswith(NOT_SECRET)}
        found["SLACK_WEBHOOK_URL path"] = urlsplit(self.env["SLACK_WEBHOOK_URL"]).path
        return found


@contextmanager
def world(folder: Path) -> Iterator[World]:
    """Start every fake, write heard.toml, and give the environment heard runs with."""
    from tests.fakes.slack import FakeSlack
    from tests.harness import start

    with ExitStack() as stack:
        harnesses = {}
        env: dict[str, str] = {}
        tables: dict[str, Mapping[str, Any]] = {
            "heard": heard_table(folder),
            "sla": {"high": 1, "normal": 1, "low": 1},
            "schedule": {"poll_seconds": 10, "work_seconds": 1, "escalate_seconds": 10},
        }
        for name in FAKES:
            h = start(name)
            stack.callback(h.stop)
            harnesses[name] = h
            options, secrets = h.connect_args()
            tables[f"platforms.{name}"] = {"enabled": True, **options}
            env.update(secrets)
        slack = FakeSlack().start()
        stack.callback(slack.stop)
        env["SLACK_WEBHOOK_URL"] = slack.webhook_url
        config = write_toml(folder / "heard.toml", tables)
        yield World(folder, config, env, harnesses, slack)


# What each step runs; "{id}" is a comment waiting in the queue after the second poll.
STEPS: tuple[tuple[str, ...], ...] = (
    ("doctor",),
    ("poll",),
    ("poll",),
    ("status",),
    ("status", "--json"),
    ("queue",),
    ("approve", "{id}"),
    ("post",),
    ("reject", "{id}"),
    ("report", "--since", "all"),
    ("resume",),
    ("run",),
)


def secret_hits(
    folder: Path, steps: tuple[tuple[str, ...], ...] = STEPS
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Run each step at DEBUG against the fakes; return, per step and per stored file, the secrets found
    in it, and the last lines of each step that exited non-zero (a crash could hide a leak)."""
    hits: dict[str, list[str]] = {}
    failed: dict[str, str] = {}
    with world(folder) as w:
        secrets = w.secret_values()
        base = ["--config", str(w.config), "--env-file", str(folder / ".env"), "--log-level", "DEBUG"]
        waiting = ""
        for n, step in enumerate(steps):
            args = [a.replace("{id}", waiting) for a in step]
            if step == ("run",):
                code, output = _run_briefly([*base, "run"], cwd=folder, env=w.env)
            else:
                code, output = heard([*base, *args], cwd=folder, env=w.env)
            if step[0] == "poll" and not waiting:
                for h in w.harnesses.values():
                    # Hours old where the fake allows, so `heard run` escalates them to Slack.
                    old = {"created_at": datetime.now(UTC) - timedelta(hours=3)}
                    takes = "created_at" in inspect.signature(h.add_incoming).parameters
                    h.add_incoming(2, text="does this work with the new filter?", **(old if takes else {}))
            if step[0] == "queue":
                waiting = next(
                    (line.split()[0] for line in output.splitlines() if line[:1].isalpha() and ":" in line.split()[0]),
                    "",
                )
            name = f"{n + 1:02d} {' '.join(step)}"
            hits[name] = [k for k, v in secrets.items() if v in output]
            if code:
                failed[name] = f"exit {code}: " + " | ".join(
                    line for line in output.splitlines()[-40:] if "DEBUG" not in line
                )
        stored = {
            "queue file": _read(folder / "queue.yaml"),
            "database": _dump(folder / "heard.db"),
            "slack": "\n".join(w.slack.texts()),
        }
        for where, text in stored.items():
            hits[where] = [k for k, v in secrets.items() if v in text]
    return hits, failed


def _run_briefly(args: list[str], *, cwd: Path, env: Mapping[str, str], seconds: float = 15) -> tuple[int, str]:
    """Start ``heard run``, let its jobs go round, stop it as systemd would (SIGTERM); return its output."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "from heard.cli import main; main()", *args],
        cwd=cwd,
        env={**_clean_env(), **env, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        out, _ = proc.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.terminate()
        out, _ = proc.communicate(timeout=60)
    return 0 if proc.returncode in (0, -15) else proc.returncode, out


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _dump(path: Path) -> str:
    if not path.exists():
        return ""
    conn = sqlite3.connect(path)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


# -- broken configs -----------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One broken config: the file it breaks, that file's text, and what a clear error must name."""

    what: str
    file: str  # "heard.toml", "replies.toml" or ".env"
    text: str
    names: tuple[str, ...]  # words the one error line must hold besides the file's path
    env: tuple[tuple[str, str], ...] = ()
    literal: tuple[str, str] | None = None  # .env cases: (variable, the value it must keep)


_FAKE_BLUESKY = (("BLUESKY_HANDLE", "brand.example"), ("BLUESKY_APP_PASSWORD", "abcd-efgh-ijkl-mnop"))
_FAKE_MASTODON = (("MASTODON_ACCESS_TOKEN", "tok-0123456789"),)

CASES: tuple[Case, ...] = (
    Case("typo in a key", "heard.toml", "[schedule]\npol_seconds = 60\n", ("pol_seconds", "poll_seconds")),
    Case("typo in a section", "heard.toml", "[schedul]\npoll_seconds = 60\n", ("schedul", "schedule")),
    Case("typo in [heard]", "heard.toml", "[heard]\ndatabse = 'x.db'\n", ("databse", "database")),
    Case("bool as a string", "heard.toml", "[heard]\ndry_run = 'yes'\n", ("heard.dry_run",)),
    Case("int as a string", "heard.toml", "[schedule]\npoll_seconds = '120'\n", ("schedule.poll_seconds",)),
    Case("interval below its minimum", "heard.toml", "[schedule]\npoll_seconds = 5\n", ("schedule.poll_seconds",)),
    Case("float for an int", "heard.toml", "[schedule]\nwork_seconds = 1.5\n", ("schedule.work_seconds",)),
    Case("typo in an SLA priority", "heard.toml", "[sla]\nhihg = 30\n", ("hihg", "high")),
    Case("negative SLA", "heard.toml", "[sla]\nhigh = -1\n", ("sla.high",)),
    Case("typo in a platform SLA", "heard.toml", "[sla.reddit]\nhgh = 30\n", ("hgh", "high")),
    Case("SLA for an unknown platform", "heard.toml", "[sla.redit]\nhigh = 30\n", ("redit", "reddit")),
    Case(
        "typo in [posting]", "heard.toml", "[posting]\ncooldown_minute = 5\n", ("cooldown_minute", "cooldown_minutes")
    ),
    Case("unknown intent", "heard.toml", "[posting.auto]\nx = ['praise', 'complaints']\n", ("posting.auto.x",)),
    Case("auto for an unknown platform", "heard.toml", "[posting.auto]\ntwiter = ['praise']\n", ("twiter",)),
    Case("auto as a string", "heard.toml", "[posting.auto]\nx = 'praise'\n", ("posting.auto.x",)),
    Case("quiet hours of one hour", "heard.toml", "[slack]\nquiet_hours = [22]\n", ("slack.quiet_hours",)),
    Case("unknown timezone", "heard.toml", "[slack]\ntimezone = 'Mars/Olympus'\n", ("slack.timezone",)),
    Case("typo in [slack]", "heard.toml", "[slack]\nmax_item = 5\n", ("max_item", "max_items")),
    Case("typo in a platform option", "heard.toml", "[platforms.x]\nkeywrods = ['acme']\n", ("keywrods", "keywords")),
    Case("unknown platform", "heard.toml", "[platforms.twitter]\nenabled = true\n", ("twitter",)),
    Case("enabled as a string", "heard.toml", "[platforms.x]\nenabled = 'true'\n", ("platforms.x.enabled",)),
    Case(
        "platform option out of range",
        "heard.toml",
        "[platforms.bluesky]\nenabled = true\npage_size = 0\n",
        ("platforms.bluesky.page_size",),
        env=_FAKE_BLUESKY,
    ),
    Case(
        "platform option of the wrong type",
        "heard.toml",
        "[platforms.mastodon]\nenabled = true\napi_base_url = 'http://127.0.0.1:9'\npage_size = 'many'\n",
        ("platforms.mastodon.page_size",),
        env=_FAKE_MASTODON,
    ),
    Case(
        "post rate of zero", "heard.toml", "[platforms.reddit]\nmax_replies_per_hour = 0\n", ("max_replies_per_hour",)
    ),
    Case("unknown top-level key", "heard.toml", "verbose = true\n", ("verbose",)),
    Case("a value where a table goes", "heard.toml", "schedule = 60\n", ("schedule",)),
    Case("typo in [replay]", "heard.toml", "[replay]\noutbx = 'out.jsonl'\n", ("outbx", "outbox")),
    Case("path as a number", "heard.toml", "[heard]\nqueue_file = 5\n", ("heard.queue_file",)),
    Case("broken TOML", "heard.toml", "[heard\ndatabase = 'x.db'\n", ("line 1",)),
    Case("not UTF-8", "heard.toml", "[heard]\ndatabase = '\udcff.db'\n", ("cannot read",)),
    Case(
        "conversion in a field",
        "replies.toml",
        "[[template]]\nvariants = ['Thanks {name!r}!']\n",
        ("template #1", "{name!r}"),
    ),
    Case(
        "format spec in a field",
        "replies.toml",
        "[[template]]\nvariants = ['Hi {name:>10}']\n",
        ("template #1", "{name:>10}"),
    ),
    Case(
        "attribute in a field",
        "replies.toml",
        "[[template]]\nvariants = ['Hi {name.upper}']\n",
        ("template #1", "{name.upper}"),
    ),
    Case("positional field", "replies.toml", "[[template]]\nvariants = ['Hi {0}']\n", ("template #1", "{0}")),
    Case("unknown field", "replies.toml", "[[template]]\nvariants = ['Hi {nmae}']\n", ("template #1", "{nmae}")),
    Case("unclosed field", "replies.toml", "[[template]]\nvariants = ['Hi {name, thanks']\n", ("template #1", "{name")),
    Case("variants as a string", "replies.toml", "[[template]]\nvariants = 'Thanks!'\n", ("template #1", "variants")),
    Case(
        "language as a word",
        "replies.toml",
        "[[template]]\nlang = 'english'\nvariants = ['Hi']\n",
        ("template #1", "lang"),
    ),
    Case("an answer without text", "replies.toml", "[[answer]]\nkeywords = ['refund']\n", ("answer #1", "text")),
    Case("${VAR} in .env", ".env", "X_API_SECRET=pa${HOME}ss\n", (), literal=("X_API_SECRET", "pa${HOME}ss")),
    Case("quoted ' #' in .env", ".env", "X_API_SECRET='our #1 fan'\n", (), literal=("X_API_SECRET", "our #1 fan")),
    Case("backslash in .env", ".env", "X_API_SECRET=a\\nb\n", (), literal=("X_API_SECRET", "a\\nb")),
    Case("not UTF-8 .env", ".env", "X_API_SECRET=\udcff\n", ("cannot read",)),
)


def check_case(case: Case, folder: Path) -> str:
    """Run ``heard doctor`` on the case; return "clear", "accepted", "traceback" or "unclear: <output>"."""
    from click.testing import CliRunner

    from heard.cli import cli
    from heard.settings import load_settings

    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "heard.toml": f"[heard]\ndatabase = '{folder / 'heard.db'}'\nreplies = '{folder / 'replies.toml'}'\n",
        "replies.toml": (ROOT / "config" / "replies.toml").read_text(encoding="utf-8"),
        ".env": "",
    }
    if case.file != "heard.toml":
        files[case.file] = case.text
    elif case.text.startswith("[heard]\n"):  # more keys in [heard], after the database's
        files["heard.toml"] += case.text.removeprefix("[heard]\n")
    elif case.text.startswith("[heard\n"):  # broken TOML: as written
        files["heard.toml"] = case.text
    elif case.text.startswith("["):
        files["heard.toml"] += case.text
    else:  # top-level keys go before the first table
        files["heard.toml"] = case.text + files["heard.toml"]
    for name, text in files.items():
        (folder / name).write_bytes(text.encode("utf-8", "surrogateescape"))
    if case.literal:
        variable, value = case.literal
        try:
            got = load_settings(folder / "heard.toml", env_file=folder / ".env").platforms["x"].secrets.get(variable)
        except Exception as exc:  # a crash is a finding, not a stop
            return f"traceback: {type(exc).__name__}: {exc}"
        return "clear" if got == value else f"unclear: {variable} read as {got!r}"
    env = dict(case.env)
    args = ["--config", str(folder / "heard.toml"), "--env-file", str(folder / ".env"), "doctor"]
    result = CliRunner().invoke(cli, args, env=env)
    if result.exit_code == 0:
        return "accepted"
    if not isinstance(result.exception, SystemExit):
        return f"traceback: {result.exception!r}"
    path = str(folder / case.file)
    lines = [line for line in result.output.splitlines() if path in line]
    if any(all(n in line for n in case.names) for line in lines):
        return "clear"
    return f"unclear: {result.output.strip()[-300:]}"


def run_configs(cases: tuple[Case, ...] = CASES) -> dict[str, str]:
    """Each case's verdict, keyed by what it breaks."""
    with tempfile.TemporaryDirectory(prefix="heard-chaos-config-") as tmp:
        return {case.what: check_case(case, Path(tmp) / f"case{i}") for i, case in enumerate(cases)}


def _configs(n: int | None) -> Any:
    from bench.chaos import Row

    verdicts = run_configs()
    for what, verdict in verdicts.items():
        if verdict != "clear":
            print(f"  configs: {what}: {verdict}", file=sys.stderr)
    clear = sum(v == "clear" for v in verdicts.values())
    accepted = sum(v == "accepted" for v in verdicts.values())
    crashed = sum(v.startswith("traceback") for v in verdicts.values())
    return Row(
        f"broken configs ({len(verdicts)}: heard.toml, replies.toml, .env)",
        f"{clear} clear, {accepted} accepted, {crashed} traceback",
        "all clear (file and key named, or .env kept literal)",
        clear == len(verdicts),
    )


def _secrets(n: int | None) -> Any:
    from bench.chaos import Row

    with tempfile.TemporaryDirectory(prefix="heard-chaos-secrets-") as tmp:
        hits, failed = secret_hits(Path(tmp))
    for name, tail in failed.items():
        print(f"  secrets: {name} {tail[:400]}", file=sys.stderr)
    leaks = sum(len(v) for v in hits.values())
    for where, names in hits.items():
        if names:
            print(f"  secrets: {where}: {', '.join(names)}", file=sys.stderr)
    places = len(hits)
    return Row(
        f"secrets at DEBUG ({len(STEPS)} runs; queue, db, Slack)",
        f"{leaks} secret(s) found in {places} outputs; {len(failed)} run(s) failed",
        "0",
        leaks == 0,
    )


CAMPAIGNS = {"configs": _configs, "secrets": _secrets}
