"""Serve a fake HTTP API from a thread on 127.0.0.1, fast enough for real clients."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

Handler = Callable[["Request"], "Response"]


class Request:
    """What a fake route sees of one HTTP request."""

    def __init__(self, method: str, target: str, headers: dict[str, str], body: bytes) -> None:
        parts = urlsplit(target)
        self.method, self.path, self.headers, self.body = method, parts.path, headers, body
        self.query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        self.query_all = parse_qs(parts.query, keep_blank_values=True)

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        """The body parsed as a urlencoded form."""
        return {k: v[-1] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}


class Response:
    """A fake route's answer."""

    def __init__(
        self,
        status: int = 200,
        body: Any = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        delay: float = 0.0,
    ) -> None:
        self.status, self.headers, self.delay = status, dict(headers or {}), delay
        if raw is not None:
            self.payload = raw
        else:
            self.payload = json.dumps(body if body is not None else {}).encode()
            self.headers.setdefault("Content-Type", "application/json; charset=utf-8")


class FakeServer:
    """A threaded HTTP server that hands every request to one handler function."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.log: list[Request] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321``."""
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeServer:
        """Start serving on a free port of 127.0.0.1."""
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # One buffered write per response and TCP_NODELAY: otherwise delayed ACKs stall
            # every keep-alive request by ~40 ms (measured; see DESIGN.md).
            wbufsize = -1

            def setup(self) -> None:
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(self.command, self.path, dict(self.headers), body)
                fake.log.append(request)
                response = fake.handler(request)
                if response.delay:
                    threading.Event().wait(response.delay)
                self.send_response(response.status)
                for key, value in response.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(response.payload)))
                self.end_headers()
                self.wfile.write(response.payload)
                self.wfile.flush()

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def count(self, path_contains: str = "") -> int:
        """How many requests whose path contains the given text reached the server."""
        return sum(1 for r in self.log if path_contains in r.path)


class FakeHarness:
    """The plumbing every harness shares: a ``fake`` with a ``server``, ``posted`` replies, ``hold``
    and ``fail_next``. Subclasses add the platform's own parts (see tests/fakes/__init__.py)."""

    fake: Any

    def start(self) -> Self:
        """Serve on a free port of 127.0.0.1."""
        self.fake.server.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.fake.server.stop()

    @property
    def url(self) -> str:
        """The fake's base URL."""
        return str(self.fake.server.url)

    def replies(self) -> list[dict[str, Any]]:
        """The replies the fake received."""
        return [{"in_reply_to": p["in_reply_to"], "text": p["text"]} for p in self.fake.posted]

    def hold_replies(self, seconds: float) -> None:
        """Record each reply at once, but answer it only after ``seconds``."""
        self.fake.hold = seconds

    def fail_next(self, kind: str, count: int = 1) -> None:
        """Make the next ``count`` requests fail in the given way."""
        self.fake.fail_next(kind, count)

    def requests(self, path_contains: str = "") -> int:
        """How many requests reached the fake."""
        return int(self.fake.server.count(path_contains))
