"""Read and write the cursors platforms keep in the database: JSON state, one answer to a cursor heard did not write.

A cursor is a JSON object a platform module wrote with ``dump``. One that cannot be read (edited by
hand, cut short, written by another version of heard) is never guessed at or silently restarted:
reading it raises ``CursorUnreadable`` naming the platform and the source, and saying how to start
that source again (``heard reset-cursor <platform>:<source>``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from listener.errors import BadPayload, CursorUnreadable

# What reading a state heard did not write raises: a key missing, a value of the wrong type, a time that is none.
_UNREADABLE = (ValueError, TypeError, KeyError, AttributeError, IndexError, BadPayload)


def unreadable(platform: str, source: str, why: str) -> CursorUnreadable:
    """The error for a stored cursor of ``platform:source`` that heard cannot read."""
    return CursorUnreadable(
        f"{platform} cursor unreadable: the stored {source} cursor is not one heard wrote ({why}): "
        f"run `heard reset-cursor {platform}:{source}`"
    )


@contextmanager
def reading(platform: str, source: str, cursor: str) -> Iterator[dict[str, Any]]:
    """Yield the JSON object in ``cursor``; an error while it is read (or its fields are) is CursorUnreadable."""
    try:
        state = json.loads(cursor)
        if not isinstance(state, dict):
            raise TypeError(f"a JSON {type(state).__name__}, not an object")
        yield state
    except json.JSONDecodeError as exc:
        raise unreadable(platform, source, "not JSON") from exc
    except _UNREADABLE as exc:
        raise unreadable(platform, source, _why(exc)) from exc


def load(platform: str, source: str, cursor: str) -> dict[str, Any]:
    """The JSON object in ``cursor``; CursorUnreadable when it holds none."""
    with reading(platform, source, cursor) as state:
        return state


def dump(state: Mapping[str, Any]) -> str:
    """The cursor string for ``state``: JSON with sorted keys, values of None left out."""
    return json.dumps({k: v for k, v in state.items() if v is not None}, sort_keys=True)


def text_or_none(value: Any) -> str | None:
    """An optional text field of a cursor: a string, or None; TypeError for anything else."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _why(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"no {exc}"
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if len(text) <= 80 else f"{text[:77]}..."
