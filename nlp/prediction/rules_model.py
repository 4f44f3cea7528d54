"""The ``rules`` model: the spaCy rule pipeline alone, as 0/1 decisions."""

from __future__ import annotations

from typing import ClassVar

from nlp.analysis.analyzer import NoteAnalysis
from nlp.analysis.rule_labels import label_note
from nlp.prediction.base import LABELS, SentencePrediction
from nlp.prediction.registry import model_kind

RULE_SCORE = 0.9  # nominal score of a rule-only finding (the rules model is not calibrated)


@model_kind("rules")
class RulesModel:
    """The rule pipeline alone: findings become 0/1 decisions with a nominal score."""

    name = "rules"
    descriptions: ClassVar[dict[str, str]] = {
        "rules": "The spaCy rule pipeline alone: findings become 0/1 decisions, nominal score."
    }

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
