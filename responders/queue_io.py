"""Replace the queue file without ever losing a person's save, whichever way their editor saves.

Editors save in place (truncate and write the same file: nano, VS Code) or by rename (write a copy and
rename it over: vim, emacs). Neither takes our lock, so a check-then-rename always leaves a window in
which a save lands and is overwritten. Instead the new text is swapped in atomically
(``renameat2(RENAME_EXCHANGE)``): what was at the path comes out under our temporary name, and if it is
not exactly the file we read (another inode: a rename save; other bytes: an in-place save, even one
still being written into the old inode), it is handed back as the person's version to apply.
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

END = "# end of the queue file\n"
# A file without our last line, modified this recently, may be an in-place save still being written.
SETTLE_SECONDS = 0.5


@dataclass(frozen=True)
class Current:
    """The queue file as found: its bytes, its identity (device, inode; None when absent), when modified."""

    data: bytes
    identity: tuple[int, int] | None
    mtime: float = 0.0


@dataclass(frozen=True)
class Swap:
    """The outcome of one replace: whether our text is in place, and a person's version it displaced."""

    written: bool
    displaced: bytes | None = None


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock so two heard processes never sync the same queue file at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # flock underneath: the lock dies with its process, so a crash never leaves the file locked.
    with FileLock(path.with_name(path.name + ".lock")):
        yield


def current(path: Path) -> Current:
    """Read the file once, with the identity of exactly the inode whose bytes were read."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return Current(b"", None)
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        return Current(handle.read(), (st.st_dev, st.st_ino), st.st_mtime)


def settled(path: Path) -> Current:
    """Read the file, waiting (up to about a second) while it looks like a save still being written."""
    deadline = time.monotonic() + 2 * SETTLE_SECONDS
    while True:
        found = current(path)
        if complete(found) or time.time() - found.mtime >= SETTLE_SECONDS or time.monotonic() > deadline:
            return found
        time.sleep(0.01)


def complete(found: Current) -> bool:
    """Whether the file ends with the line heard writes last (a person's save keeps it), or is absent."""
    return found.identity is None or found.data.rstrip().endswith(END.strip().encode())


def replace_if(path: Path, data: bytes, expected: Current) -> Swap:
    """Put ``data`` at ``path``; return whatever a person saved there since ``expected`` was read.

    ``Swap(False)``: nothing was written (the file appeared or vanished meanwhile): read it again.
    ``Swap(True, displaced)``: our text is in place and ``displaced`` is a person's version to apply.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if expected.identity is None:
            try:
                os.link(tmp, path)  # creates the file only if no one did meanwhile
            except FileExistsError:
                return Swap(False)
            return Swap(True)
        try:
            _exchange(tmp, path)
        except FileNotFoundError:
            return Swap(False)  # the file is gone for a moment: an editor's save by rename in progress
        except _NoExchange:
            return _replace_then_check(tmp, path, expected)
        return _judge(settled(tmp), expected)
    finally:
        tmp.unlink(missing_ok=True)


def _judge(displaced: Current, expected: Current) -> Swap:
    if displaced.identity == expected.identity and displaced.data == expected.data:
        return Swap(True)
    return Swap(True, displaced.data)


def _replace_then_check(tmp: Path, path: Path, expected: Current) -> Swap:
    # Without an atomic exchange: hold the current inode under a second name, check it, then rename.
    # An in-place save into it is still seen afterwards; only a rename save in the microseconds between
    # the link and the rename can be missed.
    held = tmp.with_name(tmp.name + ".held")
    try:
        try:
            os.link(path, held)
        except FileNotFoundError:
            return Swap(False)
        now = current(held)
        if now.identity != expected.identity or now.data != expected.data:
            return Swap(False)
        os.replace(tmp, path)
        return _judge(settled(held), expected)
    finally:
        held.unlink(missing_ok=True)


class _NoExchange(Exception):
    """Raised where the system or file system cannot swap two names atomically."""


_LIBC = ctypes.CDLL(None, use_errno=True)
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # Linux renameat2 flag; macOS renamex_np's RENAME_SWAP has the same value


def _exchange(a: Path, b: Path) -> None:
    """Swap the two names atomically, or raise _NoExchange where that is not supported."""
    renameat2 = getattr(_LIBC, "renameat2", None)
    renamex = getattr(_LIBC, "renamex_np", None) if sys.platform == "darwin" else None
    if renameat2 is not None:
        rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    elif renamex is not None:
        rc = renamex(os.fsencode(a), os.fsencode(b), _RENAME_EXCHANGE)
    else:
        raise _NoExchange
    if rc != 0:
        code = ctypes.get_errno()
        if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise _NoExchange
        raise OSError(code, os.strerror(code), str(b))
