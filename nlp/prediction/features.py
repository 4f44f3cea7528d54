"""Sentence records: the sentence, its neighbours and the rule evidence, as model input.

Every model sees a sentence together with its neighbours in the note (a rationale
or an authority often sits in the next sentence), and the hybrid also sees what
the rules found — as features, not only as a filter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nlp.analysis.analyzer import NoteAnalysis, SentenceEvidence
from nlp.analysis.rule_labels import label_note
from nlp.prediction.base import LABELS as HEADS

# Evidence keys whose product with the stage-1 restriction score is a stage-2 feature.
RESTRICTION_INTERACTIONS: tuple[str, ...] = (
    "prev:reason",
    "next:reason",
    "self:reason",
    "prev:authority",
    "next:authority",
    "self:authority",
    "self:non_reason",
)


@dataclass(slots=True)
class SentenceRecord:
    text: str
    prev: str
    next: str
    evidence: dict[str, float]
    group: str = ""  # the note it belongs to (keeps neighbours and CV folds together)
    position: int = 0


def _evidence_of(ev: SentenceEvidence, prefix: str) -> dict[str, float]:
    feats: dict[str, float] = {}
    if ev.reasons:
        feats[f"{prefix}reason"] = 1.0
        for r in set(ev.reasons):
            feats[f"{prefix}reason={r}"] = 1.0
    if ev.authority:
        feats[f"{prefix}authority"] = 1.0
    if ev.non_reasons:
        feats[f"{prefix}non_reason"] = 1.0
    return feats


def evidence_features(analysis: NoteAnalysis, i: int, rule_labels=None) -> dict[str, float]:
    """Rule and context evidence for sentence ``i`` of a note, as sparse features."""
    sents = analysis.sentences
    ev = sents[i]
    labels = (rule_labels or label_note(analysis))[i]
    f: dict[str, float] = {f"note_type={analysis.note.note_type}": 1.0}
    f.update(_evidence_of(ev, "self:"))
    if i > 0:
        f.update(_evidence_of(sents[i - 1], "prev:"))
    else:
        f["first_sentence"] = 1.0
    if i + 1 < len(sents):
        f.update(_evidence_of(sents[i + 1], "next:"))
    else:
        f["last_sentence"] = 1.0
    f["candidate"] = float(ev.candidate)
    f["pain_prn"] = float(ev.pain_prn)
    f["standard_med"] = float(ev.standard_med)
    f["self:strong_reason"] = float(ev.strong_reason)
    for finding in ev.doing_for:
        f["rule:doing_for"] = 1.0
        f[f"rule:{finding.rule}"] = 1.0
    for finding in ev.restrictions:
        f["rule:restriction"] = 1.0
        f[f"rule:restriction={finding.label}"] = 1.0
    for finding in ev.dropped:
        f[f"dropped:{finding.why}"] = 1.0
        f[f"dropped_type={finding.label}"] = 1.0
    for finding in ev.decisions:
        f["rule:decision"] = 1.0
        f[f"rule:{finding.rule}"] = 1.0
    for cue in ev.context:
        f[f"context:{cue}"] = 1.0
    f["rule:reason_nearby"] = float(labels.reason_nearby)
    f["rule:missing_rationale"] = float(labels.missing_rationale)
    f["rule:authorised"] = float(labels.authorised_in_text)
    f["n_words"] = min(len(ev.text.split()), 60) / 60.0
    return f


def note_records(analysis: NoteAnalysis) -> list[SentenceRecord]:
    sents = analysis.sentences
    labels = label_note(analysis)
    return [
        SentenceRecord(
            text=ev.text,
            prev=sents[i - 1].text if i > 0 else "",
            next=sents[i + 1].text if i + 1 < len(sents) else "",
            evidence=evidence_features(analysis, i, labels),
            group=analysis.note.note_id,
            position=i,
        )
        for i, ev in enumerate(sents)
    ]


def stack_features(records: Sequence[SentenceRecord], p1: np.ndarray) -> list[dict[str, float]]:
    """Stage-2 features: own and neighbours' stage-1 scores, evidence, interactions.

    ``p1`` holds the stage-1 probabilities of ``records`` (rows in the same order;
    neighbours are the adjacent records of the same note).
    """
    out: list[dict[str, float]] = []
    n = len(records)
    rows = p1.tolist()
    for i, rec in enumerate(records):
        same_prev = i > 0 and records[i - 1].group == rec.group
        same_next = i + 1 < n and records[i + 1].group == rec.group
        f = dict(rec.evidence)
        reason_near = rec.evidence.get("rule:reason_nearby", 0.0)
        for j, head in enumerate(HEADS):
            p = rows[i][j]
            f[f"p:{head}"] = p
            f[f"p:{head}:no_reason_near"] = p * (1.0 - reason_near)
            f[f"p:{head}:prev"] = rows[i - 1][j] if same_prev else 0.0
            f[f"p:{head}:next"] = rows[i + 1][j] if same_next else 0.0
        for key in RESTRICTION_INTERACTIONS:
            v = rec.evidence.get(key, 0.0)
            f[f"p:restriction*{key}"] = rows[i][1] * v
        out.append(f)
    return out
