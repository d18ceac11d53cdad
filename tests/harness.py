"""Start a platform's fake by name and connect its real client to it.

For the suites parametrised over platforms; the harness contract is in tests/fakes/__init__.py.
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime
from typing import Any

import tests.fakes
from listener.platforms import Platform, spec


def fake_names(*, having: str | None = None) -> list[str]:
    """The platforms with a harness under tests/fakes/, or only those whose harness has the method ``having``."""
    names = []
    for info in pkgutil.iter_modules(tests.fakes.__path__):
        module = importlib.import_module(f"tests.fakes.{info.name}")
        if hasattr(module, "make_harness") and (having is None or hasattr(module.make_harness(), having)):
            names.append(info.name)
    return sorted(names)


def start(name: str, **kwargs: Any) -> Any:
    """A fresh harness of the fake ``tests/fakes/<name>.py``, serving."""
    return importlib.import_module(f"tests.fakes.{name}").make_harness(**kwargs).start()


def client(h: Any, **options: Any) -> Platform:
    """A freshly connected client of the harness's platform, as after a restart."""
    # Import the platform's module by name rather than rely on the registry's discovery.
    importlib.import_module(f"listener.platforms.{h.platform}")
    opts, secrets = h.connect_args()
    return spec(h.platform).connect({**opts, **options}, secrets)


def now() -> datetime:
    return datetime.now(UTC)
