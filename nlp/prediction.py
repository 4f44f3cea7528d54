"""Sentence-level predictions shared by every model (rules, sklearn, transformer, hybrid)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from nlp.analysis import NoteAnalysis
from nlp.rules import label_note

# "unauthorised": a restriction with no authority cited in the text (the register check
# comes after); it gates the unrecorded_restriction flag.
LABELS: tuple[str, ...] = ("doing_for", "restriction", "unauthorised", "missing_rationale")
RULE_SCORE = 0.9  # nominal score of a rule-only finding (the rules model is not calibrated)


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


class RulesModel:
    """The rule pipeline alone: findings become 0/1 decisions with a nominal score."""

    name = "rules"

    def predict_notes(self, analyses: list[NoteAnalysis]) -> list[list[SentencePrediction]]:
        out: list[list[SentencePrediction]] = []
        for analysis in analyses:
            preds = []
            for ev, lab in zip(analysis.sentences, label_note(analysis), strict=True):
                probs = {
                    "doing_for": float(lab.doing_for),
                    "restriction": float(lab.restriction),
                    "unauthorised": float(lab.restriction and not lab.authorised_in_text),
                    "missing_rationale": float(lab.missing_rationale),
                }
                source = {
                    "doing_for": "rules:" + (ev.doing_for[0].rule if ev.doing_for else ""),
                    "restriction": "rules:" + (ev.restrictions[0].rule if ev.restrictions else ""),
                    "unauthorised": "rules:" + (ev.restrictions[0].rule if ev.restrictions else "")
                    + "+no_authority",
                    "missing_rationale": "rules:decision+no_reason_nearby",
                }
                preds.append(
                    SentencePrediction(
                        probs={k: v * RULE_SCORE if v else 0.0 for k, v in probs.items()},
                        restriction_type=lab.restriction_type,
                        source=source,
                        thresholds=dict.fromkeys(LABELS, 0.5),
                    )
                )
            out.append(preds)
        return out
