"""Keep a Bluesky session across restarts in a file only its owner reads: logins are rate limited, sessions secret.

The file holds atproto's session string (handle, DID, access and refresh tokens, PDS). It is
written with mode 0600 through a temporary file and a rename, so it is never half written nor,
for a moment, readable by others. Nothing read from it is ever logged.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

MODE = 0o600


class SessionFile:
    """One session string on disk, read at start and rewritten whenever atproto makes a new session."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> str | None:
        """The session kept by an earlier process, or None when there is none or it cannot be read."""
        try:
            text = self.path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("bluesky session file %s unreadable (%s); logging in instead", self.path, type(exc).__name__)
            return None
        return text or None

    def write(self, session: str) -> None:
        """Keep ``session`` for the next process; a failure is logged (the next start logs in again), never raised."""
        partial = self.path.with_name(f".{self.path.name}.partial")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, MODE)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                os.fchmod(out.fileno(), MODE)  # a partial file left by a crash keeps its old mode otherwise
                out.write(session)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, self.path)
        except OSError as exc:
            log.warning("bluesky session not kept in %s: %s", self.path, type(exc).__name__)
