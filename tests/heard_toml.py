"""Write the heard.toml of a real ``heard`` process run against the replay platform and local fakes.

Used by the tests that start ``heard run`` or ``heard post``, and by bench/soak.py (run from the repo
root as ``PYTHONPATH=. python bench/soak.py``), so the service they start is configured alike.
Secrets never go in the file: the caller passes them in the process's environment.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def write_toml(path: Path, tables: Mapping[str, Mapping[str, Any]]) -> Path:
    """Write ``{"table.name": {key: value}}`` as TOML tables; values are str, int, float, bool or lists of them."""
    lines = []
    for name, table in tables.items():
        lines.append(f"[{name}]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in table.items()]  # JSON spells these as TOML does
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def heard_table(tmp: Path) -> dict[str, Any]:
    """The ``[heard]`` table: the database in ``tmp``, the shipped reply templates."""
    return {"database": str(tmp / "heard.db"), "replies": str(ROOT / "config" / "replies.toml")}


def replay_table(tmp: Path, **settings: Any) -> dict[str, Any]:
    """The replay platform, enabled, reading ``tmp/recording.jsonl`` and writing ``tmp/outbox.jsonl``."""
    return {"enabled": True, "recording": str(tmp / "recording.jsonl"), "outbox": str(tmp / "outbox.jsonl"), **settings}


def fake_platform_table(harness: Any, **settings: Any) -> dict[str, Any]:
    """A platform enabled and pointed at the harness's fake (the contract is in tests/fakes/__init__.py)."""
    options, _secrets = harness.connect_args()
    return {"enabled": True, **settings, **options}


def write_service_config(
    tmp: Path,
    *,
    work_seconds: float,
    auto_praise: str,
    replay: Mapping[str, Any] | None = None,
    platforms: Mapping[str, Mapping[str, Any]] | None = None,
) -> Path:
    """``tmp/heard.toml`` for ``heard run``: fast jobs, every SLA one hour, no cooldown, and praise on the
    platform ``auto_praise`` approved by rule; the replay platform (with ``replay`` settings) and ``platforms``
    (name to table, e.g. from ``fake_platform_table``) enabled."""
    tables: dict[str, Mapping[str, Any]] = {
        "heard": heard_table(tmp),
        "schedule": {"poll_seconds": 10, "work_seconds": work_seconds, "escalate_seconds": 10},
        "sla": {"high": 1, "normal": 1, "low": 1},
        "posting": {"cooldown_minutes": 0},
        "posting.auto": {auto_praise: ["praise"]},
        "platforms.replay": replay_table(tmp, **(replay or {})),
    }
    tables.update({f"platforms.{name}": table for name, table in (platforms or {}).items()})
    return write_toml(tmp / "heard.toml", tables)
