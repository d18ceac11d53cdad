"""A fake OpenAI-compatible endpoint on 127.0.0.1: /v1/chat/completions, non-streaming, with faults.

The real ``openai`` client talks to it over HTTP. It records every prompt it gets, answers with
whatever the test sets (a fixed text, or a function of the messages: a leaked system prompt, a
hostile reply), and fails the next requests on demand: a timeout, a 429 with retry-after, a 500,
malformed JSON, a completion without choices, a 401 or a 404.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from tests.fakes.http import FakeServer, Request, Response

Answer = str | Callable[[list[dict[str, str]]], str]
_TOKEN = re.compile(r"\w+|[^\w\s]")


def count_tokens(text: str) -> int:
    """The fake's token count: words and punctuation marks (a real tokenizer gives a similar order)."""
    return len(_TOKEN.findall(text))


class FakeOpenAI:
    """One fake endpoint: its answer, its queued faults and what it was asked."""

    def __init__(self, answer: Answer = "Thanks so much, Jane! We're glad you love it.") -> None:
        self.server = FakeServer(self._handle)
        self.answer: Answer = answer
        self.finish_reason = "stop"
        self.prompts: list[list[dict[str, str]]] = []
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.usage: list[dict[str, int]] = []
        self._faults: deque[tuple[str, dict[str, Any]]] = deque()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def start(self) -> FakeOpenAI:
        """Serve on a free port of 127.0.0.1."""
        self.server.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.server.stop()

    @property
    def base_url(self) -> str:
        """What ``[drafting] base_url`` points at: ``http://127.0.0.1:PORT/v1``."""
        return f"{self.server.url}/v1"

    def fail_next(self, kind: str, count: int = 1, **options: Any) -> None:
        """Fail the next ``count`` requests: "timeout" (delay=), "429" (retry_after=, retry_after_ms=), "500",
        "malformed", "no_choices", "401" or "404"."""
        with self._lock:
            self._faults.extend((kind, options) for _ in range(count))

    def clear_faults(self) -> None:
        """Answer every request from now on."""
        with self._lock:
            self._faults.clear()

    def requests(self) -> int:
        """How many chat completion requests reached the fake (faults included)."""
        return self.server.count("/chat/completions")

    def _handle(self, request: Request) -> Response:
        if request.method != "POST" or request.path != "/v1/chat/completions":
            return Response(404, {"error": {"message": f"no route {request.method} {request.path}"}})
        body = request.json()
        with self._lock:
            fault = self._faults.popleft() if self._faults else None
            self.bodies.append(body)
            self.headers.append({k.lower(): v for k, v in request.headers.items()})
            self.prompts.append(list(body.get("messages") or []))
        if body.get("stream"):
            return Response(400, {"error": {"message": "this fake does not stream"}})
        if fault is not None:
            return _fault(*fault)
        messages = body["messages"]
        text = self.answer(messages) if callable(self.answer) else self.answer
        usage = {
            "prompt_tokens": sum(count_tokens(m["content"]) for m in messages),
            "completion_tokens": count_tokens(text),
        }
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        with self._lock:
            self.usage.append(usage)
        return Response(
            200,
            {
                "id": f"chatcmpl-{next(self._ids)}",
                "object": "chat.completion",
                "created": 1764504000,
                "model": body.get("model", ""),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": self.finish_reason,
                    }
                ],
                "usage": usage,
            },
        )


def _fault(kind: str, options: dict[str, Any]) -> Response:
    if kind == "timeout":
        return Response(200, {"choices": []}, delay=float(options.get("delay", 2.0)))
    if kind == "429":
        headers = {}
        if "retry_after" in options:
            headers["retry-after"] = str(options["retry_after"])
        if "retry_after_ms" in options:
            headers["retry-after-ms"] = str(options["retry_after_ms"])
        return Response(429, {"error": {"message": "Rate limit reached", "type": "rate_limit_error"}}, headers)
    if kind == "500":
        return Response(500, {"error": {"message": "model crashed", "type": "server_error"}})
    if kind == "malformed":
        return Response(200, raw=b'{"id": "chatcmpl-x", "choices": [{"message": {"content": "Tha', headers=_JSON)
    if kind == "no_choices":
        return Response(200, {"id": "chatcmpl-x", "object": "chat.completion", "choices": []})
    if kind == "401":
        return Response(401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}})
    if kind == "404":
        return Response(404, {"error": {"message": "model 'nope' not found", "type": "not_found_error"}})
    raise ValueError(f"unknown fault {kind!r}")


_JSON = {"Content-Type": "application/json"}
