"""Provide what several platform modules share to read payloads: times, ids, texts and typed fields.

The typed accessors (``require_str``, ``optional_str``, ``require_id``, ``require_mapping``,
``optional_list``, ...) are how a normaliser reads a payload: a value of the wrong type is a
``BadPayload`` naming the field (``x tweet 5: "text" expected a string, got list``), never a
TypeError deep inside, and every string they return has been through ``clean_text``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from listener.errors import BadPayload
from listener.text import MAX_TEXT, clean_text, is_clean

# The one clock every platform client takes: the current time, aware and in UTC. Tests pass their own.
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time in UTC: the default ``Clock``."""
    return datetime.now(UTC)


def parse_iso(value: Any, where: str) -> datetime:
    """Parse an ISO-8601 timestamp (``Z`` allowed) into an aware UTC datetime."""
    if not isinstance(value, str):
        raise BadPayload(f"{where}: expected an ISO-8601 time, got {kind(value)}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadPayload(f"{where}: expected an ISO-8601 time, got {_short(value)}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_epoch(value: Any, where: str) -> datetime:
    """Parse epoch seconds (int, float or numeric string) into an aware UTC datetime."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BadPayload(f"{where}: expected epoch seconds, got {kind(value)}")
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)
    except (ValueError, OverflowError, OSError) as exc:  # not a number, NaN, or out of datetime's range
        raise BadPayload(f"{where}: expected epoch seconds, got {_short(value)}") from exc


def require(mapping: Any, key: str, where: str) -> Any:
    """Return ``mapping[key]`` or raise BadPayload naming the place."""
    if not isinstance(mapping, dict) or mapping.get(key) in (None, ""):
        raise BadPayload(f"{where}: missing {key!r}")
    return mapping[key]


def metric(mapping: Any, key: str) -> int:
    """A public count from a payload as an int: absent, null or unreadable counts as zero.

    YouTube sends its counts as strings, and platforms omit a count they hide.
    """
    value = mapping.get(key) if isinstance(mapping, dict) else None
    try:
        return max(0, int(value)) if value is not None and not isinstance(value, bool) else 0
    except (TypeError, ValueError):
        return 0


def ceil_epoch(epoch: float) -> datetime:
    """Epoch seconds (a rate-limit reset) as an aware UTC time, rounded up to the whole second.

    The store keeps whole seconds, and rounding down would resume before the reset.
    """
    return datetime.fromtimestamp(math.ceil(epoch), tz=UTC)


def whole_second(moment: datetime) -> datetime:
    """``moment`` rounded up to the whole second, for the same reason as ``ceil_epoch``."""
    return moment if not moment.microsecond else moment.replace(microsecond=0) + timedelta(seconds=1)


# -- typed accessors: how a normaliser reads a payload ------------------------------------------

MAX_ID = 512  # characters in an id; the longest real ones (Bluesky at:// URIs) are about 100
MAX_NAME = 512  # characters kept of a handle, display name or language code; real ones are under 300
MAX_URL = 4096  # characters kept of a link the platform gives; browsers and platforms stop near 2,000
_KINDS = ((bool, "bool"), (int, "number"), (float, "number"), (str, "string"), (list, "list"), (Mapping, "object"))


def kind(value: Any) -> str:
    """A value's JSON kind for an error message: null, bool, number, string, list or object."""
    if value is None:
        return "null"
    return next((name for t, name in _KINDS if isinstance(value, t)), type(value).__name__)


def expected(where: str, key: str, what: str, value: Any) -> BadPayload:
    """The BadPayload for a field of the wrong kind: ``where: "key" expected what, got kind``."""
    return BadPayload(f'{where}: "{key}" expected {what}, got {kind(value)}')


def _short(value: Any) -> str:
    """``repr(value)`` cut short: an error message must not carry a megabyte of payload."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


def mapping_of(value: Any, where: str) -> Mapping[str, Any]:
    """``value`` itself if it is an object, else BadPayload."""
    # Decoded JSON is plain dicts, lists and strs: ``type() is`` settles them before the dear ABC check.
    if type(value) is dict:
        return value
    if not isinstance(value, Mapping):
        raise BadPayload(f"{where}: expected an object, got {kind(value)}")
    return value


def _get(mapping: Any, key: str, where: str) -> Any:
    return mapping_of(mapping, where).get(key)


def cleaned(value: str, limit: int = MAX_TEXT) -> str:
    """``clean_text(value, limit)``, answered at once for the usual text: printable and short enough."""
    # ``isprintable`` is false for every character clean_text changes (controls, line separators, surrogates,
    # noncharacters: tests/test_normalise_fuzz.py checks each code point) and is some twenty times quicker.
    return value if len(value) <= limit and value.isprintable() else clean_text(value, limit)


# Each accessor reads a plain dict (all decoded JSON is) without a call, and tests ``type() is`` first:
# a normaliser makes some twenty reads an item, and ``isinstance`` against an ABC is the dear part of each.
def require_mapping(mapping: Any, key: str, where: str) -> Mapping[str, Any]:
    """The object at ``mapping[key]``; BadPayload when it is missing or not an object."""
    value = mapping.get(key) if type(mapping) is dict else _get(mapping, key, where)
    if type(value) is dict:
        return value
    if value is None:
        raise BadPayload(f"{where}: missing {key!r}")
    if not isinstance(value, Mapping):
        raise expected(where, key, "an object", value)
    return value


def optional_mapping(mapping: Any, key: str, where: str) -> Mapping[str, Any]:
    """The object at ``mapping[key]``, or ``{}`` when it is missing or null; BadPayload for another kind."""
    value = mapping.get(key) if type(mapping) is dict else _get(mapping, key, where)
    if type(value) is dict:
        return value
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise expected(where, key, "an object", value)
    return value


def optional_list(mapping: Any, key: str, where: str) -> list[Any]:
    """The list at ``mapping[key]``, or ``[]`` when it is missing or null; BadPayload for another kind."""
    value = mapping.get(key) if type(mapping) is dict else _get(mapping, key, where)
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise expected(where, key, "a list", value)
    return list(value)


def optional_mappings(mapping: Any, key: str, where: str) -> list[Mapping[str, Any]]:
    """The objects in the list at ``mapping[key]``, nulls left out; BadPayload if another item is not one."""
    value = mapping.get(key) if type(mapping) is dict else _get(mapping, key, where)
    if value is None:
        return []
    if type(value) is list:
        for item in value:
            if type(item) is not dict:
                break
        else:  # every item a plain dict: nothing to check or leave out
            return value[:]
    items = optional_list(mapping, key, where)
    for i, item in enumerate(items):
        if item is not None and not isinstance(item, Mapping):
            raise expected(where, f"{key}[{i}]", "an object", item)
    return [item for item in items if item is not None]


def optional_str(mapping: Any, key: str, where: str, *, limit: int = MAX_TEXT) -> str:
    """The text at ``mapping[key]`` made clean (``clean_text``), or ``""`` when missing or null."""
    value = mapping.get(key) if type(mapping) is dict else _get(mapping, key, where)
    if type(value) is str and len(value) <= limit and value.isprintable():  # ``cleaned``'s quick answer, inline
        return value
    if value is None:
        return ""
    if not isinstance(value, str):
        raise expected(where, key, "a string", value)
    return cleaned(value, limit)


def require_str(mapping: Any, key: str, where: str, *, limit: int = MAX_TEXT) -> str:
    """The non-empty text at ``mapping[key]`` made clean; BadPayload when it is missing, empty or not text."""
    value = optional_str(mapping, key, where, limit=limit)
    if not value:
        raise BadPayload(f"{where}: missing {key!r}")
    return value


def optional_id(mapping: Any, key: str, where: str) -> str | None:
    """The id at ``mapping[key]`` as text (a number is accepted), or None when missing, null or empty.

    An id is kept as sent or refused, never cleaned: a changed id would address another item.
    """
    value = mapping.get(key) if type(mapping) is dict else _get(mapping, key, where)
    # The usual id, answered at once: ``_readable_id``'s quick test inline ("" is no id; isspace is strip's test).
    if type(value) is str and value and len(value) <= MAX_ID and value.isprintable() and not value.isspace():
        return value
    if value is None or value == "":
        return None
    if type(value) is str:
        text = value
    elif isinstance(value, bool) or not isinstance(value, str | int):
        raise expected(where, key, "an id", value)
    else:
        text = str(value)
    if not _readable_id(text):
        raise BadPayload(f'{where}: "{key}" is not a readable id')
    return text


def _readable_id(text: str) -> bool:
    """Whether ``text`` can be kept as an id: clean as it is (the quick test of ``cleaned`` first) and not blank."""
    return (len(text) <= MAX_ID and text.isprintable() or is_clean(text, MAX_ID)) and bool(text.strip())


def require_id(mapping: Any, key: str, where: str) -> str:
    """The id at ``mapping[key]`` as text; BadPayload when it is missing, empty or not an id."""
    value = optional_id(mapping, key, where)
    if value is None:
        raise BadPayload(f"{where}: missing {key!r}")
    return value
