"""``plan_gap`` flags: the care-plan restriction standard applied to an audited note.

For a ``care_plan`` note with restrictions, the whole note (one plan section,
parsed whole by the analyzer) is read by ``careaudit_plan_elements`` and each
restriction the audit found is checked for the four elements (rationale,
alternative, review date, involvement) by :func:`nlp.plan_standard.plan_gaps`.
"""

from __future__ import annotations

from nlp.analysis import Analyzer, NoteAnalysis
from nlp.plan_standard import plan_gap_flag, plan_gaps
from nlp.schema import Flag, RestrictionMention


def plan_gap_flags(
    analyzer: Analyzer, analysis: NoteAnalysis, restrictions: list[RestrictionMention]
) -> list[Flag]:
    note = analysis.note
    if note.note_type != "care_plan" or not restrictions:
        return []
    doc = (
        analysis.doc
        if analysis.doc is not None
        else analyzer.parse_sentence(note.text, "care_plan")
    )
    spans = []
    for r in restrictions:
        span = doc.char_span(r.start, r.end, label=r.restriction_type, alignment_mode="expand")
        if span is not None:
            spans.append(span)
    return [
        plan_gap_flag(gap, note, score=round(max(r.score for r in restrictions), 3))
        for gap in plan_gaps(doc, spans, note_type="care_plan")
    ]
