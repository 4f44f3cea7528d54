"""The keyword baseline: what an auditor does today with Ctrl-F on a word list."""

from __future__ import annotations

from typing import ClassVar

from nlp.analysis import lexicon
from nlp.analysis.analyzer import NoteAnalysis
from nlp.prediction.base import LABELS, SentencePrediction
from nlp.prediction.registry import model_kind


@model_kind("keyword")
class KeywordModel:
    """Flags a sentence when it contains any word of the category's list."""

    name = "keyword"
    descriptions: ClassVar[dict[str, str]] = {
        "keyword": "Ctrl-F on a word list: the baseline an auditor has today."
    }

    def __init__(self) -> None:
        data = lexicon.load("keyword_baseline")
        self.words = {
            k: [w.lower() for w in data[k]]
            for k in ("doing_for", "unrecorded_restriction", "missing_rationale")
        }

    def _hit(self, category: str, text: str) -> str:
        low = f" {text.lower()} "
        return next((w for w in self.words[category] if w in low), "")

    def predict_notes(self, analyses: list[NoteAnalysis]) -> list[list[SentencePrediction]]:
        out = []
        for analysis in analyses:
            preds = []
            for ev in analysis.sentences:
                hits = {
                    "doing_for": self._hit("doing_for", ev.text),
                    "unauthorised": self._hit("unrecorded_restriction", ev.text),
                    "missing_rationale": self._hit("missing_rationale", ev.text),
                }
                hits["restriction"] = hits["unauthorised"]
                preds.append(
                    SentencePrediction(
                        probs={k: 1.0 if hits[k] else 0.0 for k in LABELS},
                        restriction_type=None,
                        source={k: f"keyword:{v}" for k, v in hits.items() if v},
                        thresholds=dict.fromkeys(LABELS, 0.5),
                    )
                )
            out.append(preds)
        return out
