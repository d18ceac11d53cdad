"""Check a reply against its platform's length rules before anyone asks the platform to post it.

Every path that approves or posts a reply (queue file, ``heard approve --text``, a rule, the poster)
calls ``problem`` with the same text, so a reply is refused in the same words wherever it comes from.
"""

from __future__ import annotations

from listener.errors import ConfigError
from listener.platforms import spec
from listener.records import Comment


def problem(comment: Comment, text: str | None, *, limit: int | None = None) -> str | None:
    """Why ``text`` cannot be posted in reply to ``comment`` as it stands (empty, too long), or None when it can.

    The length is the platform's count of the reply as posted, with any opening the platform adds (Mastodon's
    ``@acct``). ``limit`` overrides the platform's default (a Mastodon instance's ``max_characters``).
    """
    platform = comment.platform
    if not (text or "").strip():
        return "reply is empty"
    try:
        rule = spec(platform)
    except ConfigError:
        return None  # a platform heard does not know: the platform itself decides
    allowed = limit or rule.reply_limit
    if not allowed or rule.fits(text or "", to=comment, limit=allowed):
        return None
    used = rule.reply_length(text or "", to=comment)
    return f"reply is {used} {rule.reply_unit}; {rule.title or platform} allows {allowed}"
