"""Provide DraftingConfig: what `[drafting]` in heard.toml says about AI drafting, checked once at start-up."""

from __future__ import annotations

from dataclasses import dataclass, field

# Where the endpoint's key is read from (the process environment, then .env), unless [drafting] names another.
API_KEY_ENV = "HEARD_DRAFTING_API_KEY"
# How the brand sounds, unless [drafting] voice says otherwise.
DEFAULT_VOICE = (
    "Warm, brief and plain-spoken, like a helpful person on the team. No hashtags, no marketing talk, "
    "no emoji unless the commenter used one. Never defensive, never pushy."
)


@dataclass(frozen=True)
class DraftingConfig:
    """Optional AI drafting through an OpenAI-compatible endpoint (off by default)."""

    enabled: bool = False
    base_url: str = ""  # e.g. http://localhost:11434/v1 (Ollama) or http://localhost:8080/v1 (llama.cpp)
    model: str = ""
    api_key_env: str = API_KEY_ENV
    api_key: str = field(default="", repr=False)
    voice: str = DEFAULT_VOICE
    timeout: float = 30.0  # seconds for one request; a slow local model may need more
    max_tokens: int = 300
    temperature: float = 0.4
    # Intents whose AI drafts a rule may approve (posting.auto, the judge and X's rules still decide);
    # none by default: every AI draft waits for a person.
    auto: tuple[str, ...] = ()
    max_attempts: int = 2  # tries per draft: 429, 5xx, a dropped connection or a garbled answer are tried again
