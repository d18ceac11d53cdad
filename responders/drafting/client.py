"""Ask an OpenAI-compatible endpoint for one chat completion, with bounded retries, in our own error words.

DraftingError
 ├── Refused       the endpoint refused the key or does not know the model (401/403/404): no retry helps
 └── Busy          429: not for ``after`` seconds
Any other DraftingError is a timeout, a 5xx, a dropped connection or an answer that is not a completion.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from listener.errors import HeardError
from responders.drafting.config import DraftingConfig

if TYPE_CHECKING:
    from openai import OpenAI

# The longest a 429's retry-after is waited out inside one draft; a longer one pauses drafting instead.
MAX_WAIT = 10.0
# Back-off before trying again after a timeout, 5xx, dropped connection or garbled answer: 0.5 s, 1 s, 2 s...
BACKOFF = 0.5
MAX_BACKOFF = 4.0


class DraftingError(HeardError):
    """The endpoint gave no usable answer; ``kind`` names how (timeout, server, connection, malformed...)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class Refused(DraftingError):
    """The endpoint refused our key or does not know the model: retrying cannot help."""


class Busy(DraftingError):
    """The endpoint is rate limiting us (429) and asks us to wait ``after`` seconds (None: it did not say)."""

    def __init__(self, message: str, after: float | None) -> None:
        super().__init__("rate_limited", message)
        self.after = after


@dataclass(frozen=True)
class Completion:
    """The endpoint's answer: its text, what it cost, and why it stopped ("length": at max_tokens)."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str = ""


def endpoint_label(base_url: str) -> str:
    """The endpoint as a person may see it: scheme, host and path, never a user, password or query."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}".rstrip("/")


class ChatClient:
    """The official openai client pointed at ``[drafting] base_url``; imported on the first draft only."""

    def __init__(self, config: DraftingConfig, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self.endpoint = endpoint_label(config.base_url)
        self._sleep = sleep
        self._openai: OpenAI | None = None

    def complete(self, messages: Sequence[Mapping[str, str]]) -> Completion:
        """One chat completion, tried up to ``max_attempts`` times with back-off.

        A 429's retry-after is honoured when it is at most MAX_WAIT seconds; a longer one is raised
        as ``Busy`` at once, so a draft never holds a decide pass for long.
        :raises DraftingError: when no attempt gave a usable answer.
        """
        attempts = self.config.max_attempts
        for attempt in range(1, attempts + 1):
            try:
                return self._once(messages)
            except DraftingError as exc:
                wait = _wait(exc, attempt)
                if attempt == attempts or wait is None:
                    raise
                self._sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _client(self) -> OpenAI:
        if self._openai is None:
            import openai  # about 0.4 s: paid only once drafting is on and a draft is asked for

            self._openai = openai.OpenAI(
                base_url=self.config.base_url,
                # Local servers (Ollama, llama.cpp) want no key, but the client insists on one.
                api_key=self.config.api_key or "no-key",
                timeout=self.config.timeout,
                max_retries=0,  # retries are ours: bounded, and a long retry-after pauses drafting instead
            )
        return self._openai

    def _once(self, messages: Sequence[Mapping[str, str]]) -> Completion:
        import openai

        try:
            response: Any = self._client().chat.completions.create(
                model=self.config.model,
                messages=[{"role": m["role"], "content": m["content"]} for m in messages],  # type: ignore[misc]
                max_tokens=self.config.max_tokens,
                temperature=self.config.temperature,
                stream=False,
            )
        except openai.APITimeoutError as exc:
            raise DraftingError("timeout", f"no answer within {self.config.timeout:g} s") from exc
        except openai.APIConnectionError as exc:
            raise DraftingError("connection", f"cannot reach {self.endpoint}: {exc}") from exc
        except openai.RateLimitError as exc:
            after = _retry_after(exc.response.headers)
            raise Busy(
                "rate limited (429)" + (f", retry after {after:g} s" if after is not None else ""), after
            ) from exc
        except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
            raise Refused(
                "refused", f"the endpoint refused the key ({exc.status_code}): check {self.config.api_key_env} in .env"
            ) from exc
        except openai.NotFoundError as exc:
            raise Refused(
                "refused", f"not found (404): check [drafting] model ({self.config.model!r}) and base_url"
            ) from exc
        except openai.APIStatusError as exc:
            kind = "server" if exc.status_code >= 500 else "request"
            raise DraftingError(kind, f"{exc.status_code} from the endpoint") from exc
        except (openai.APIResponseValidationError, ValueError) as exc:
            raise DraftingError("malformed", "the answer is not a chat completion (unreadable JSON)") from exc
        except openai.OpenAIError as exc:
            raise DraftingError("error", f"{type(exc).__name__}: {exc}") from exc
        return _completion(response)


def _completion(response: Any) -> Completion:
    """Read the one answer out of a chat completion, or say why it is not one."""
    try:
        choice = response.choices[0]
        text = choice.message.content
        finish = choice.finish_reason if isinstance(choice.finish_reason, str) else ""
    except (AttributeError, IndexError, KeyError, TypeError) as exc:
        raise DraftingError("malformed", "the answer is not a chat completion (no choices)") from exc
    if not isinstance(text, str) or not text.strip():
        raise DraftingError("malformed", "the answer is empty")
    usage = getattr(response, "usage", None)
    return Completion(
        text,
        _count(getattr(usage, "prompt_tokens", 0)),
        _count(getattr(usage, "completion_tokens", 0)),
        finish,
    )


def _count(value: Any) -> int:
    return value if isinstance(value, int) and value >= 0 else 0


def _wait(exc: DraftingError, attempt: int) -> float | None:
    """Seconds to wait before trying again, or None when trying again cannot help (yet)."""
    if isinstance(exc, Refused) or exc.kind == "request":
        return None
    if isinstance(exc, Busy) and exc.after is not None:
        return exc.after if exc.after <= MAX_WAIT else None
    return min(BACKOFF * 2 ** (attempt - 1), MAX_BACKOFF)


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds a 429 asks us to wait: ``retry-after-ms``, or ``retry-after`` in seconds or as an HTTP date."""
    try:
        return max(0.0, float(headers.get("retry-after-ms", "")) / 1000)
    except ValueError:
        pass
    value = headers.get("retry-after", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (parsed - datetime.now(UTC)).total_seconds()) if parsed.tzinfo else None
