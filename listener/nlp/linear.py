"""A linear classifier over hashed sparse plus dense features, scored with numpy alone."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from listener.nlp.features import Floats, Sparse


@dataclass(frozen=True)
class LinearModel:
    """Weights exported from a trained logistic regression: one column per class."""

    classes: tuple[str, ...]
    hashed: Floats  # (N_BUCKETS, n_classes)
    dense: Floats  # (n_dense, n_classes)
    bias: Floats  # (n_classes,)
    mean: Floats  # (n_dense,) standardisation applied before `dense`
    scale: Floats

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        """Read a model written by `save`."""
        with np.load(path, allow_pickle=False) as z:
            return cls(
                tuple(str(c) for c in z["classes"]),
                z["hashed"].astype(np.float32),
                z["dense"].astype(np.float32),
                z["bias"].astype(np.float32),
                z["mean"].astype(np.float32),
                z["scale"].astype(np.float32),
            )

    def save(self, path: Path) -> None:
        """Write the weights compactly; float16 is plenty for hashed weights."""
        np.savez_compressed(
            path,
            classes=np.array(self.classes),
            hashed=self.hashed.astype(np.float16),
            dense=self.dense.astype(np.float32),
            bias=self.bias.astype(np.float32),
            mean=self.mean.astype(np.float32),
            scale=self.scale.astype(np.float32),
        )

    def decision(self, sparse: Sparse, dense: Floats) -> Floats:
        """Return raw class scores, shape (n_rows, n_classes)."""
        out = (((dense - self.mean) / self.scale) @ self.dense + self.bias).astype(np.float32, copy=False)
        contrib = self.hashed[sparse.cols] * sparse.vals[:, None]
        for j in range(out.shape[1]):
            out[:, j] += np.bincount(sparse.rows, weights=contrib[:, j], minlength=sparse.n_rows)
        return out

    def proba(self, sparse: Sparse, dense: Floats) -> Floats:
        """Return class probabilities (softmax, or sigmoid for a single-column binary model)."""
        z = self.decision(sparse, dense)
        if z.shape[1] == 1:
            p = 1.0 / (1.0 + np.exp(-z[:, 0]))
            return np.stack([1.0 - p, p], axis=1)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)
