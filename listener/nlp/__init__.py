"""The NLP stage: a spaCy pipeline that tags comments with sentiment, questions, intent, spam and language."""

from listener.nlp.evaluate import evaluate_files
from listener.nlp.pipeline import MODEL_VERSION, build_nlp, tag

__all__ = ["MODEL_VERSION", "build_nlp", "evaluate_files", "tag"]
