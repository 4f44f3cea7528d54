"""``plan_gap`` flags: the care-plan restriction standard applied to an audited note.

For a ``care_plan`` note with restrictions, the whole note (one plan section,
parsed whole by the analyzer) is read by ``careaudit_plan_elements`` and each
restriction the audit found is checked for the four elements (rationale,
alternative, review date, involvement) by :func:`nlp.plan_standard.plan_gaps`; the
suggestion says what to add for that restriction (:func:`nlp.audit.suggestions.plan_gap`).
"""

from __future__ import annotations

from nlp.analysis.analyzer import NoteAnalysis
from nlp.analysis.components.plan_elements import plan_gap_flag, plan_gaps
from nlp.audit import suggestions
from nlp.schema import Flag, RestrictionMention


def plan_gap_flags(analysis: NoteAnalysis, restrictions: list[RestrictionMention]) -> list[Flag]:
    """Missing plan elements of each restriction the audit found in a care-plan note.

    Care plans longer than the analyzer reads whole are not checked (the analyzer
    read them in pieces; the records reader warns about such notes).
    """
    note = analysis.note
    if note.note_type != "care_plan" or not restrictions or analysis.doc is None:
        return []
    doc = analysis.doc
    spans = []
    for r in restrictions:
        span = doc.char_span(r.start, r.end, label=r.restriction_type, alignment_mode="expand")
        if span is not None:
            spans.append(span)
    person = suggestions.person_in(note.text)
    flags = []
    for gap in plan_gaps(doc, spans, note_type="care_plan"):
        flag = plan_gap_flag(gap, note, score=round(max(r.score for r in restrictions), 3))
        basis = gap.span_text
        if not suggestions.has_content(basis):  # e.g. 'is not to go': quote the sentence
            basis = note.text[flag.sentence_start : flag.sentence_end].strip() or basis
        flag.suggestion = suggestions.plan_gap(gap.element, basis, person)
        flags.append(flag)
    return flags
