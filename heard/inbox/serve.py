"""Run the inbox under uvicorn: on a socket bound first (so a busy port is one clear line), in front or in a thread."""

from __future__ import annotations

import errno
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import uvicorn

from heard.inbox.server import Inbox
from listener.errors import ConfigError

# A stopped inbox gives open connections this long to finish (an event stream never does by itself).
GRACE_SECONDS = 1


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (0: any free port).

    :raises ConfigError: the port is taken, or the address is not this machine's.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(f"port {port} on {host} is in use: pass another with --port") from exc
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    return sock


class _Server(uvicorn.Server):
    """uvicorn's server, ending the inbox's event streams as soon as it is told to stop (Ctrl+C)."""

    def __init__(self, inbox: Inbox) -> None:
        config = uvicorn.Config(
            inbox.asgi(),
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=GRACE_SECONDS,
        )
        super().__init__(config)
        self.inbox = inbox

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.inbox.stop()
        super().handle_exit(sig, frame)


def serve(inbox: Inbox, sock: socket.socket) -> None:
    """Serve until interrupted (Ctrl+C), then close the store."""
    try:
        _Server(inbox).run(sockets=[sock])
    finally:
        inbox.close()


@contextmanager
def in_thread(inbox: Inbox, sock: socket.socket) -> Iterator[str]:
    """Serve in a background thread while the block runs; yield the inbox's URL (for tests and benches)."""
    server = _Server(inbox)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    if not server.started:
        raise RuntimeError("the inbox did not start")
    host, port = sock.getsockname()[:2]
    try:
        yield f"http://{host if ':' not in host else f'[{host}]'}:{port}"
    finally:
        inbox.stop()
        server.should_exit = True
        thread.join(timeout=10)
        inbox.close()
