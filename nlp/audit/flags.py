"""Turn sentence predictions into auditor-facing flags and restriction mentions.

Each flag carries its evidence: the shortest span a rule found (or the whole
sentence when only the classifier fired), a score, the parts that fired
(``source``), and an explanation and a suggestion written for a care worker,
specific to the sentence (:mod:`nlp.audit.suggestions`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nlp.analysis.analyzer import Finding, NoteAnalysis, SentenceEvidence
from nlp.audit import suggestions
from nlp.audit.register_match import IN_REGISTER, OUT_OF_DATE, Register
from nlp.prediction.base import SentencePrediction
from nlp.schema import Flag, RestrictionMention, make_flag_id


@dataclass(slots=True)
class NoteFindings:
    flags: list[Flag] = field(default_factory=list)
    restrictions: list[RestrictionMention] = field(default_factory=list)


def _span(ev: SentenceEvidence, findings: list[Finding]) -> tuple[int, int, str]:
    if findings:
        f = findings[0]
        return f.start, f.end, f.text
    return ev.start, ev.end, ev.text


def build_note_findings(
    analysis: NoteAnalysis, preds: list[SentencePrediction], register: Register
) -> NoteFindings:
    """Flags and restriction mentions for one note."""
    note = analysis.note
    out = NoteFindings()
    person = suggestions.person_in(note.text)

    def flag(
        category: str,
        ev: SentenceEvidence,
        span: tuple[int, int, str],
        score: float,
        source: str,
        explanation: str,
        suggestion: str = "",
        **extra: str,
    ) -> None:
        out.flags.append(
            Flag.for_note(
                note,
                flag_id=make_flag_id(note.note_id, note.text, category, ev.start, ev.end),
                category=category,
                start=span[0],
                end=span[1],
                span_text=span[2],
                sentence_start=ev.start,
                sentence_end=ev.end,
                score=round(score, 3),
                source=source,
                explanation=explanation,
                suggestion=suggestion,
                **extra,
            )
        )

    for ev, pred in zip(analysis.sentences, preds, strict=True):
        if pred.positive("doing_for"):
            span = _span(ev, ev.doing_for)
            rule = ev.doing_for[0].rule if ev.doing_for else ""
            why, tip = suggestions.doing_for(ev.text, span[2], rule, person)
            flag(
                "doing_for",
                ev,
                span,
                pred.probs["doing_for"],
                pred.source.get("doing_for", ""),
                why,
                suggestion=tip,
            )
        if pred.positive("restriction") or pred.positive("unauthorised"):
            _restriction(out, flag, note, ev, pred, register)
        if pred.positive("missing_rationale"):
            span = _span(ev, ev.decisions)
            flag(
                "missing_rationale",
                ev,
                span,
                pred.probs["missing_rationale"],
                pred.source.get("missing_rationale", ""),
                *suggestions.missing_rationale(span[2], ev.text, person),
            )
    return out


def _restriction(
    out: NoteFindings,
    flag,
    note,
    ev: SentenceEvidence,
    pred: SentencePrediction,
    register: Register,
) -> None:
    rtype = pred.restriction_type or "routine_rule"
    typed = [f for f in ev.restrictions if f.label == rtype] or ev.restrictions
    span = _span(ev, typed)
    authorised = not pred.positive("unauthorised")
    match = register.match(note.person_id, rtype, ev.text, note.date)
    if authorised:
        status = "authorised_in_text"
    elif match.status == IN_REGISTER:
        status = "recorded"
    else:
        status = "unrecorded"
    out.restrictions.append(
        RestrictionMention(
            note_id=note.note_id,
            person_id=note.person_id,
            service=note.service,
            author=note.author,
            date=note.date,
            note_type=note.note_type,
            restriction_type=rtype,
            start=span[0],
            end=span[1],
            span_text=span[2],
            sentence_start=ev.start,
            sentence_end=ev.end,
            authority_cited="; ".join(sorted(set(ev.authority))),
            register_match=match.description,
            register_status=match.status,
            status=status,
            score=round(max(pred.probs["restriction"], pred.probs["unauthorised"]), 3),
        )
    )
    if status != "unrecorded":
        return
    why, tip = suggestions.restriction(
        span[2],
        ev.text,
        rtype,
        match.status,
        suggestions.person_in(note.text),
        match.entry.review_date if match.entry and match.status == OUT_OF_DATE else "",
    )
    flag(
        "unrecorded_restriction",
        ev,
        span,
        pred.probs["unauthorised"],
        pred.source.get("unauthorised", ""),
        why,
        suggestion=tip,
        restriction_type=rtype,
        register_status=match.status,
    )
