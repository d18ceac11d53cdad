"""The NLP stage: a spaCy pipeline that tags comments with sentiment, questions, intent, spam and language.

Importing this package, or its text cues (`signals`, `triage`, `lang`), does not import spaCy or numpy: they
load when the pipeline is first built or run (`build_nlp`, `tag`, `MODEL_VERSION`), which keeps the commands
that only read the store fast to start.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from listener.nlp.evaluate import evaluate_files

if TYPE_CHECKING:
    from listener.nlp.pipeline import MODEL_VERSION, build_nlp, tag

__all__ = ["MODEL_VERSION", "build_nlp", "evaluate_files", "tag"]
_FROM_PIPELINE = frozenset({"MODEL_VERSION", "build_nlp", "tag"})

if not TYPE_CHECKING:  # mypy reads the imports above; an `Any` fallback would hide misspelt names from it

    def __getattr__(name: str) -> object:
        """Import the pipeline (and spaCy) on first use of one of its names (PEP 562)."""
        if name in _FROM_PIPELINE:
            return getattr(import_module("listener.nlp.pipeline"), name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
