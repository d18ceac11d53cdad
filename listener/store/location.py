"""Tell a PostgreSQL URL from a SQLite file path, and name a database without its password."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

# What a database setting starts with when it names a PostgreSQL server rather than a SQLite file.
URL_SCHEMES = ("postgresql://", "postgres://")
# What stands for a password wherever a URL is shown, logged or used as a key.
MASK = "***"


def is_url(where: str | Path) -> bool:
    """Whether ``where`` (``[heard] database``, ``--db``) names a PostgreSQL database rather than a SQLite file."""
    return isinstance(where, str) and where.startswith(URL_SCHEMES)


def masked(url: str) -> str:
    """The URL with its password (in the user part, or a ``password`` parameter) replaced by ``***``."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}:{MASK}@{host}"
    query, pairs = parts.query, parse_qsl(parts.query, keep_blank_values=True)
    if any(k == "password" for k, _ in pairs):  # otherwise the query stays as written (libpq reads "+" as "+")
        query = urlencode([(k, MASK if k == "password" else v) for k, v in pairs], safe="*", quote_via=quote)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
