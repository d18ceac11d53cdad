"""A fake Slack on 127.0.0.1: chat.postMessage and an incoming webhook, validating every payload."""

from __future__ import annotations

import itertools
import json
import threading
from collections import deque
from typing import Any

from tests.fakes.http import FakeServer, Request, Response

WEBHOOK_PATH = "/services/T/B/X"
TOKEN = "xoxb-test-token-0000"
MAX_BLOCKS = 50
HEADER_CHARS = 150
TEXT_CHARS = 3000


class PayloadError(AssertionError):
    """A message Slack would refuse, or that breaks our own rules."""


def validate(payload: dict[str, Any]) -> None:
    """Check a message against Slack's Block Kit limits; raise PayloadError naming the problem."""
    if not isinstance(payload.get("text"), str) or not payload["text"].strip():
        raise PayloadError("missing the text= fallback")
    blocks = payload.get("blocks") or []
    if len(blocks) > MAX_BLOCKS:
        raise PayloadError(f"{len(blocks)} blocks (max {MAX_BLOCKS})")
    actions = [e.get("action_id") for b in blocks for e in _elements(b) if e.get("action_id")]
    if len(actions) != len(set(actions)):
        raise PayloadError("duplicate action_id")
    for block in blocks:
        if block.get("type") == "header":
            text = block["text"]
            if text.get("type") != "plain_text" or len(text["text"]) > HEADER_CHARS:
                raise PayloadError(f"header must be plain_text of at most {HEADER_CHARS} characters")
        for obj in _texts(block):
            if obj.get("type") not in ("plain_text", "mrkdwn") or not obj.get("text"):
                raise PayloadError(f"bad text object {obj!r}")
            if len(obj["text"]) > TEXT_CHARS:
                raise PayloadError(f"text of {len(obj['text'])} characters")


def _elements(block: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(block.get("elements") or [])
    if block.get("accessory"):
        found.append(block["accessory"])
    return found


def _texts(block: dict[str, Any]) -> list[dict[str, Any]]:
    found = [block["text"]] if isinstance(block.get("text"), dict) else []
    for element in _elements(block):
        if element.get("type") in ("plain_text", "mrkdwn"):
            found.append(element)
        elif isinstance(element.get("text"), dict):
            found.append(element["text"])
    return found


class FakeSlack:
    """Record each accepted message; answer scripted failures (429 with Retry-After, 500) when told to."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.rejected: list[str] = []
        self.failures: deque[int] = deque()
        self.failing_status: int | None = None
        self.delay = 0.0  # seconds to hold each accepted message, to catch a sender mid-request
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self.server = FakeServer(self.handle)

    def start(self) -> FakeSlack:
        """Start serving."""
        self.server.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.server.stop()

    @property
    def api_url(self) -> str:
        """The Web API base URL (with its trailing slash, as slack_sdk needs)."""
        return self.server.url + "/api/"

    @property
    def webhook_url(self) -> str:
        """The incoming webhook URL."""
        return self.server.url + WEBHOOK_PATH

    def fail_next(self, *statuses: int) -> None:
        """Answer the next requests with these statuses (429 comes with Retry-After: 1)."""
        self.failures.extend(statuses)

    def texts(self) -> list[str]:
        """Every string in every recorded message, flattened (for assertions on what people saw)."""
        return [s for m in self.messages for s in _strings(m)]

    def handle(self, request: Request) -> Response:
        with self._lock:
            status = self.failures.popleft() if self.failures else self.failing_status
        if status == 429:
            return Response(429, {"ok": False, "error": "ratelimited"}, headers={"Retry-After": "1"})
        if status:
            return Response(status, {"ok": False, "error": "fatal_error"})
        if request.method == "POST" and request.path == WEBHOOK_PATH:
            return self._accept(request, webhook=True)
        if request.method == "POST" and request.path == "/api/chat.postMessage":
            if request.headers.get("Authorization") != f"Bearer {TOKEN}":
                return Response(200, {"ok": False, "error": "invalid_auth"})
            return self._accept(request, webhook=False)
        return Response(404, raw=b"not found")

    def _accept(self, request: Request, *, webhook: bool) -> Response:
        payload = _payload(request)
        try:
            validate(payload)
        except PayloadError as exc:
            self.rejected.append(str(exc))
            if webhook:
                return Response(400, raw=b"invalid_blocks")
            return Response(200, {"ok": False, "error": "invalid_blocks"})
        with self._lock:
            self.messages.append(payload)
            ts = f"1700000000.{next(self._ts):06d}"
        if webhook:
            return Response(200, raw=b"ok", headers={"Content-Type": "text/html"}, delay=self.delay)
        return Response(200, {"ok": True, "channel": payload.get("channel"), "ts": ts, "message": {}}, delay=self.delay)


def _payload(request: Request) -> dict[str, Any]:
    if request.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
        form = request.form()
        if "blocks" in form:
            form["blocks"] = json.loads(form["blocks"])
        return dict(form)
    return request.json() or {}


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []
