"""Sentence labels from the rule pipeline alone (the ``rules`` model).

Turns a :class:`~nlp.analysis.NoteAnalysis` into guideline labels per sentence:
doing_for, restriction (+ type), authorised_in_text and missing_rationale. The
rationale check looks at the sentence and its immediate neighbours in the same
note, as the guidelines say.
"""

from __future__ import annotations

from dataclasses import dataclass

from nlp.analysis.analyzer import NoteAnalysis, SentenceEvidence

WINDOW = 1  # neighbouring sentences searched for a reason or an authority


@dataclass(slots=True)
class RuleLabels:
    doing_for: int
    restriction: int
    restriction_type: str | None
    authorised_in_text: int
    decision: int
    reason_nearby: int
    missing_rationale: int


def has_reason(ev: SentenceEvidence) -> bool:
    return bool(ev.reasons or ev.authority)


def primary_restriction(ev: SentenceEvidence) -> str | None:
    """The sentence's restriction type: its longest restriction span."""
    if not ev.restrictions:
        return None
    return max(ev.restrictions, key=lambda f: f.end - f.start).label


def reason_nearby(sentences: list[SentenceEvidence], i: int, window: int = WINDOW) -> bool:
    lo, hi = max(0, i - window), min(len(sentences), i + window + 1)
    return any(has_reason(sentences[j]) for j in range(lo, hi))


def authority_nearby(sentences: list[SentenceEvidence], i: int) -> bool:
    """An authority in the sentence or the next one ('... Agreed at BI meeting.')."""
    nxt = sentences[i + 1] if i + 1 < len(sentences) else None
    return bool(sentences[i].authority) or bool(nxt and nxt.authority)


def label_note(analysis: NoteAnalysis) -> list[RuleLabels]:
    sents = analysis.sentences
    out: list[RuleLabels] = []
    for i, ev in enumerate(sents):
        rtype = primary_restriction(ev)
        decision = bool(ev.decisions) or rtype is not None
        nearby = reason_nearby(sents, i)
        out.append(
            RuleLabels(
                doing_for=int(bool(ev.doing_for)),
                restriction=int(rtype is not None),
                restriction_type=rtype,
                authorised_in_text=int(rtype is not None and authority_nearby(sents, i)),
                decision=int(decision),
                reason_nearby=int(nearby),
                missing_rationale=int(decision and not nearby),
            )
        )
    return out
