"""The ConText component: trigger categories, directions, scopes and terminators."""

from nlp.analysis.components.context import modifiers


def _target(doc, text):
    start = doc.text.index(text)
    return doc.char_span(start, start + len(text))


def test_negation_scope_forward(analyzer):
    doc = analyzer.parse_sentence("Staff did not lock the kitchen.")
    assert "NEGATED" in modifiers(_target(doc, "lock the kitchen"))


def test_negation_stops_at_terminator(analyzer):
    doc = analyzer.parse_sentence("He was not upset, but the kitchen was locked.")
    assert "NEGATED" not in modifiers(_target(doc, "kitchen was locked"))


def test_hypothetical(analyzer):
    doc = analyzer.parse_sentence("If he shouts, staff will lock the door.")
    assert "HYPOTHETICAL" in modifiers(_target(doc, "lock the door"))


def test_may_as_a_month_is_not_hypothetical(analyzer):
    doc = analyzer.parse_sentence("Agreed at the meeting on 3 May the kitchen locks stay.")
    assert "HYPOTHETICAL" not in modifiers(_target(doc, "the kitchen locks"))


def test_own_choice_and_history(analyzer):
    doc = analyzer.parse_sentence("Mary chose to stay in her room.")
    assert "OWN_CHOICE" in modifiers(_target(doc, "stay in her room"))
    doc = analyzer.parse_sentence("Previously his phone was taken at night.")
    assert "HISTORICAL" in modifiers(_target(doc, "phone was taken"))


def test_own_words_of_a_pattern_do_not_negate_it(analyzer):
    doc = analyzer.parse_sentence("He is not allowed in the garden.")
    span = _target(doc, "not allowed")
    assert "NEGATED" not in modifiers(span, frozenset({"not", "allowed"}))
