"""Rule-level missing_rationale: a decision with no reason in the sentence or its
neighbours; habit is not a reason; staffing and a threat's condition are."""

import pytest

from nlp.analysis.rule_labels import label_note


def _labels(analyzer, text, note_type="daily_note"):
    analysis = analyzer.analyse_one(text, note_type)
    return [
        (ev.text, lab.missing_rationale)
        for ev, lab in zip(analysis.sentences, label_note(analysis), strict=True)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Trip to town cancelled.",
        "PRN given at 14:00.",
        "Staff removed her phone.",
        "Visits stopped.",
        "Bed at 9pm as usual and the kitchen was locked.",
    ],
)
def test_flags_decisions_without_reason(analyzer, text):
    assert any(m for _, m in _labels(analyzer, text)), text


@pytest.mark.parametrize(
    "text",
    [
        "PRN paracetamol given for toothache.",
        "Trip cancelled as the minibus broke down; John chose the cinema instead.",
        "Outing cancelled due to staff shortage.",
        "John had a good day.",
        "Kitchen locked after 9pm as per John's best-interests decision of 3 May.",
    ],
)
def test_silent_when_reason_given(analyzer, text):
    assert not any(m for _, m in _labels(analyzer, text)), text


def test_reason_in_the_next_sentence_counts(analyzer):
    labels = _labels(
        analyzer,
        "His phone was taken at 10pm. This was because he had been ringing 999 all evening.",
    )
    assert labels[0][1] == 0


def test_reason_two_sentences_away_does_not(analyzer):
    text = (
        "He was upset because his mum did not ring. He watched TV. His phone was taken at "
        "10pm. He went to bed."
    )
    labels = _labels(analyzer, text)
    assert labels[2][1] == 1


def test_very_long_care_plan_is_audited_in_pieces(analyzer):
    from nlp.audit.auditor import Auditor
    from nlp.prediction.rules_model import RulesModel
    from nlp.schema import Note

    text = "He slept well. " * 8000 + "Kitchen locked after 9pm."
    note = Note(note_id="L1", person_id="P", date="2026-01-01", text=text, note_type="care_plan")
    result = Auditor(RulesModel(), analyzer=analyzer).run([note])
    flag = next(f for f in result.flags if f.category == "unrecorded_restriction")
    assert text[flag.start:flag.end] == flag.span_text and flag.start > 100_000
