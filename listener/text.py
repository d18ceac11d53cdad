r"""Make text safe to keep and to show: valid Unicode that SQLite, YAML, spaCy and a terminal all accept.

``clean_text`` is applied by every platform's ``normalise`` to what it reads (comment text, handles,
names, bios, urls); the payload as the platform sent it stays in ``Comment.raw``. It

- replaces a lone surrogate (half of a cut emoji) with U+FFFD, and joins a split surrogate pair;
- turns line breaks of every kind (CR LF, lone CR, VT, FF, NEL, U+2028, U+2029) into ``\n``;
- drops the other C0 and C1 control characters (NUL, ESC, DEL, ...) but keeps ``\n`` and ``\t``:
  no platform shows them, and YAML cannot hold them;
- drops Unicode noncharacters (U+FFFE, U+FFFF, U+FDD0..U+FDEF and the last two of every plane);
- cuts absurd lengths to ``limit`` characters (no platform allows half of ``MAX_TEXT``; spaCy
  refuses a text over 1,000,000).

Two lighter cleaners serve the quarantine, which keeps what failed as close to how it came as it can:
``storable`` only repairs surrogates (SQLite cannot encode a lone one) and cuts, and ``printable``
shows every unprintable character as U+FFFD before a person's terminal sees it.
"""

from __future__ import annotations

import re

MAX_TEXT = 100_000  # characters kept of one text; X's longest posts are 25,000, Reddit's 40,000
CUT_MARK = "…"  # ends a text that was cut, so a reader knows there was more

_BREAKS = "\r\x0b\x0c\x85\u2028\u2029"
_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17)
)
# Everything clean_text changes; nearly every real text matches none of it, and one search says so.
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff{_NONCHARACTERS}]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value: str, limit: int = MAX_TEXT) -> str:
    """``value`` as valid, printable Unicode of at most ``limit`` characters (see the module docstring)."""
    if _UNSAFE.search(value):
        if _SURROGATE.search(value):
            value = _whole_characters(value)
        value = _UNSAFE.sub(_replacement, value.replace("\r\n", "\n"))
    if len(value) > limit:
        value = value[: limit - len(CUT_MARK)] + CUT_MARK
    return value


def is_clean(value: str, limit: int = MAX_TEXT) -> bool:
    """Whether ``clean_text`` would leave ``value`` as it is."""
    return len(value) <= limit and not _UNSAFE.search(value)


def storable(value: str, limit: int | None = None) -> str:
    """``value`` with its surrogates repaired (as ``clean_text`` does), cut to ``limit`` characters when given.

    Nothing else changes: an error message or an item id is stored as it was, control characters and all.
    """
    value = value[:limit] if limit else value
    return _whole_characters(value) if _SURROGATE.search(value) else value


def printable(value: str) -> str:
    """``value`` with every unprintable character shown as U+FFFD: a terminal shows it, ESC must not drive it."""
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in value)


def _whole_characters(value: str) -> str:
    # UTF-16 round trip: a proper pair becomes its character, a lone half becomes U+FFFD.
    return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _replacement(match: re.Match[str]) -> str:
    return "\n" if match.group() in _BREAKS else ""
