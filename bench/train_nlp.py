"""Retrain the shipped sentiment and question weights from the training files (never validation).

Data: ``<repo>/../shared/data`` by default (override with ``--data DIR``):
``tweet-sentiment-train/train.jsonl`` (SemEval 2013-2016, CC BY 3.0) and
``tweetact-questions/train.jsonl`` (BSD-2-Clause). Writes ``listener/nlp/weights/{sentiment,question}.npz``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import spacy
from scipy import sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, recall_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from listener.nlp.features import N_BUCKETS, Sparse
from listener.nlp.inputs import question_inputs, sentiment_inputs
from listener.nlp.linear import LinearModel

WEIGHTS = Path(__file__).resolve().parents[1] / "listener" / "nlp" / "weights"
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SEED = 13


def read_jsonl(path: Path) -> list[dict]:
    """Read one JSON object per line."""
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def design(sparse: Sparse, dense: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Stack hashed and standardised dense features into one matrix for scikit-learn."""
    mean, scale = dense.mean(axis=0), dense.std(axis=0) + 1e-6
    h = sp.csr_matrix((sparse.vals, (sparse.rows, sparse.cols)), shape=(sparse.n_rows, N_BUCKETS))
    return sp.hstack([h, sp.csr_matrix((dense - mean) / scale)]).tocsr(), mean, scale


def export(
    clf: LogisticRegression, classes: tuple[str, ...], mean: np.ndarray, scale: np.ndarray
) -> LinearModel:
    """Split a fitted model's coefficients back into hashed and dense parts."""
    coef = clf.coef_.T.astype(np.float32)
    return LinearModel(
        classes, coef[:N_BUCKETS], coef[N_BUCKETS:], clf.intercept_.astype(np.float32), mean, scale
    )


def train_sentiment(rows: list[dict], nlp: spacy.Language, c: float, cv: bool) -> LinearModel:
    """Fit the 3-class sentiment model with balanced class weights."""
    docs = list(nlp.tokenizer.pipe(r["text"] for r in rows))
    x, mean, scale = design(*sentiment_inputs(docs))
    y = np.array([r["label"] for r in rows])
    clf = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, random_state=SEED)
    if cv:
        pred = cross_val_predict(clf, x, y, cv=StratifiedKFold(5, shuffle=True, random_state=SEED))
        print(f"sentiment  5-fold CV macro recall on train: {recall_score(y, pred, average='macro'):.4f}")
    clf.fit(x, y)
    print(f"sentiment  macro recall on train (fit): {recall_score(y, clf.predict(x), average='macro'):.4f}")
    return export(clf, tuple(str(k) for k in clf.classes_), mean, scale)


def train_question(rows: list[dict], nlp: spacy.Language, c: float) -> LinearModel:
    """Fit the binary question model on tweets."""
    docs = list(nlp.tokenizer.pipe(r["text"] for r in rows))
    x, mean, scale = design(*question_inputs(docs))
    y = np.array([bool(r["is_question"]) for r in rows])
    clf = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, random_state=SEED)
    prob = cross_val_predict(
        clf, x, y, cv=StratifiedKFold(5, shuffle=True, random_state=SEED), method="predict_proba"
    )
    print(f"question   5-fold CV F1 on train (p>=0.5): {f1_score(y, prob[:, 1] >= 0.5):.4f}")
    clf.fit(x, y)
    return export(clf, ("no", "yes"), mean, scale)


def main(argv: list[str] | None = None) -> int:
    """Train both models and write their weights."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=WEIGHTS)
    ap.add_argument("--sentiment-c", type=float, default=0.5)
    ap.add_argument("--question-c", type=float, default=0.5)
    ap.add_argument("--only", choices=("sentiment", "question"), help="retrain one model")
    ap.add_argument("--cv", action="store_true", help="also report 5-fold CV for sentiment (slow)")
    args = ap.parse_args(argv)
    sent, ques = (
        args.data / "tweet-sentiment-train" / "train.jsonl",
        args.data / "tweetact-questions" / "train.jsonl",
    )
    for p in (sent, ques):
        if not p.exists():
            print(f"missing training file: {p} (use --data DIR)", file=sys.stderr)
            return 2
    nlp = spacy.blank("en")
    args.out.mkdir(parents=True, exist_ok=True)
    if args.only != "question":
        train_sentiment(read_jsonl(sent), nlp, args.sentiment_c, args.cv).save(args.out / "sentiment.npz")
    if args.only != "sentiment":
        train_question(read_jsonl(ques), nlp, args.question_c).save(args.out / "question.npz")
    print(f"wrote weights to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
