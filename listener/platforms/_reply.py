"""Write a reply the way each platform reads it: how a person is named, how a reply opens, what is markup.

A platform's ``PlatformSpec`` carries these as ``mention``, ``address`` and ``escape``, so the
responders ask the spec rather than know the platforms.
"""

from __future__ import annotations

import re

from listener.records import Comment

# Characters Reddit's markdown reads as formatting, a link, a quote, a heading, a table or a spoiler.
_MARKDOWN = re.compile(r"[\\*_~^`>#\[\]()|]")


def at_handle(handle: str) -> str:
    """``@handle``: how most platforms name a person in a post."""
    return "@" + handle.removeprefix("@")


def plain_text(text: str) -> str:
    """Text for a platform whose replies are plain text: nothing in it is markup, so it stays as it is."""
    return text


def escape_markdown(text: str) -> str:
    """Words taken from a comment, made to read as typed in markdown, not as formatting or a link."""
    return _MARKDOWN.sub(r"\\\g<0>", text)


def as_written(text: str, comment: Comment) -> str:
    """The reply unchanged: the platform threads it under the comment and shows whom it answers."""
    return text


def opened_with(handle: str, text: str, *, anywhere: bool = False) -> str:
    """``text`` opening with ``@handle`` unless it already does (or, ``anywhere``, names them at all)."""
    mention = at_handle(handle)
    said = text.lower()
    if said.startswith(mention.lower()) or (anywhere and mention.lower() in said):
        return text
    return f"{mention} {text}"
