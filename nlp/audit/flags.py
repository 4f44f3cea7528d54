"""Turn sentence predictions into auditor-facing flags and restriction mentions.

Each flag carries its evidence: the shortest span a rule found (or the whole
sentence when only the classifier fired), a score, the parts that fired
(``source``), a one-sentence explanation and, for doing_for, an enabling
rewording prompt.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nlp.analysis import lexicon
from nlp.analysis.analyzer import Finding, NoteAnalysis, SentenceEvidence
from nlp.audit.register_match import IN_REGISTER, NO_REGISTER, OUT_OF_DATE, Register
from nlp.prediction.base import SentencePrediction
from nlp.schema import Flag, RestrictionMention, make_flag_id

TYPE_WORDS = {
    "environmental": "a restriction of the environment (locked or removed access)",
    "physical": "physical restraint or holding",
    "mechanical": "a mechanical restraint",
    "chemical": "medication used to control behaviour",
    "seclusion": "seclusion or keeping the person apart",
    "supervision_surveillance": "supervision or surveillance",
    "routine_rule": "a blanket rule or cancelled activity",
    "possessions_finance": "a restriction on possessions or money",
    "contact_communication": "a restriction on contact",
    "coercion_threat": "a threat or sanction",
}


@dataclass(slots=True)
class NoteFindings:
    flags: list[Flag] = field(default_factory=list)
    restrictions: list[RestrictionMention] = field(default_factory=list)


def _span(ev: SentenceEvidence, findings: list[Finding]) -> tuple[int, int, str]:
    if findings:
        f = findings[0]
        return f.start, f.end, f.text
    return ev.start, ev.end, ev.text


def _suggestion(finding: Finding | None) -> str:
    tips = lexicon.load("doing_for")["suggestions"]
    if finding is None or finding.rule.endswith("shorthand"):
        key = "shorthand"
    else:
        words = finding.text.lower()
        key = next(
            (k for k in ("wash", "dress", "feed", "make", "toilet") if k in words), "default"
        )
        if key == "default" and ("fed" in words.split()):
            key = "feed"
    return tips[key].format(person="the person")


def build_note_findings(
    analysis: NoteAnalysis, preds: list[SentencePrediction], register: Register
) -> NoteFindings:
    """Flags and restriction mentions for one note."""
    note = analysis.note
    out = NoteFindings()

    def flag(
        category: str,
        ev: SentenceEvidence,
        span: tuple[int, int, str],
        score: float,
        source: str,
        explanation: str,
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
                **extra,
            )
        )

    for ev, pred in zip(analysis.sentences, preds, strict=True):
        if pred.positive("doing_for"):
            span = _span(ev, ev.doing_for)
            flag(
                "doing_for",
                ev,
                span,
                pred.probs["doing_for"],
                pred.source.get("doing_for", ""),
                f"Staff are recorded doing '{span[2]}' for the person, with no sign of their "
                "participation, choice or prompting.",
                suggestion=_suggestion(ev.doing_for[0] if ev.doing_for else None),
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
                f"'{span[2]}' records a decision or intervention with no reason, no view of the "
                "person and no reference to a documented decision in this or the neighbouring "
                "sentences.",
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
    register_note = {
        OUT_OF_DATE: f"; register entry out of date (review date {match.entry.review_date})"
        if match.entry
        else "",
        NO_REGISTER: "; no register was supplied",
    }.get(match.status, "; not in the person's restriction register")
    flag(
        "unrecorded_restriction",
        ev,
        span,
        pred.probs["unauthorised"],
        pred.source.get("unauthorised", ""),
        f"'{span[2]}' looks like {TYPE_WORDS.get(rtype, 'a restriction')} with no "
        f"authority cited in the note{register_note}.",
        restriction_type=rtype,
        register_status=match.status,
    )
