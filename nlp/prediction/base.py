"""Sentence-level predictions shared by every model (rules, sklearn, transformer, hybrid)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from nlp.analysis.analyzer import NoteAnalysis

# "unauthorised": a restriction with no authority cited in the text (the register check
# comes after); it gates the unrecorded_restriction flag.
LABELS: tuple[str, ...] = ("doing_for", "restriction", "unauthorised", "missing_rationale")


@dataclass(slots=True)
class SentencePrediction:
    """Probabilities per label for one sentence, and which part produced each."""

    probs: dict[str, float]
    restriction_type: str | None = None
    source: dict[str, str] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)

    def positive(self, label: str) -> bool:
        return self.probs.get(label, 0.0) >= self.thresholds.get(label, 0.5)


class SentenceModel(Protocol):
    """What the audit needs from a model."""

    name: str

    def predict_notes(self, analyses: list[NoteAnalysis]) -> list[list[SentencePrediction]]: ...
