"""doing_for: staff as agent with the person as object, passives, shorthand — and what
must not fire (enabling wording, the person directing help, negation, pets)."""

import pytest

POSITIVE = [
    ("Staff washed and dressed Mary before breakfast.", "active"),
    ("I made his breakfast.", "active"),
    ("we cleaned her room this morning", "active"),
    ("Cut up his food at lunch.", "active"),
    ("I did his laundry and ironing.", "active"),
    ("Got him up at 7.", "active"),
    ("Put her to bed at 8pm.", "active"),
    ("Night staff brushed her hair.", "active"),
    ("Mary was washed and dressed.", "passive"),
    ("He was fed.", "passive"),
    ("Tom was toileted before lunch.", "passive"),
    ("She was taken to the lounge after breakfast.", "passive"),
    ("He was hoisted into his chair.", "passive"),
    ("Personal care given.", "shorthand"),
    ("PC done.", "shorthand"),
    ("All care needs met.", "shorthand"),
    ("Full assistance provided with meals.", "shorthand"),
    ("It was quicker to do it for her.", "shorthand"),
]

NEGATIVE = [
    "Supported Mary to wash her face and hands.",
    "Prompted John to brush his teeth.",
    "Encouraged her to choose her clothes and she dressed herself.",
    "With verbal prompts John made toast.",
    "Mary chose her blue jumper and dressed herself with prompts.",
    "He washed independently.",
    "Mary asked staff to wash her back, which they did.",
    "Assisted with personal care.",
    "Helped with shopping.",
    "Meds given as prescribed.",
    "Staff did not wash him; he washed himself.",
    "Fed the cat.",
    "Needs full support with showering.",
    "Hand over hand, Sam buttered his toast.",
]


@pytest.mark.parametrize(("text", "route"), POSITIVE)
def test_doing_for_fires(sentence, text, route):
    found = sentence(text).doing_for
    assert found, f"no doing_for in {text!r}"
    assert any(f.rule == f"doing_for.{route}" for f in found), [f.rule for f in found]


@pytest.mark.parametrize("text", NEGATIVE)
def test_doing_for_silent_on_hard_negatives(sentence, text):
    assert sentence(text).doing_for == [], text


def test_span_is_the_shortest_evidence(sentence):
    found = sentence("After a long night, staff washed and dressed Mary before breakfast.")
    assert found.doing_for[0].text == "washed and dressed Mary"


def test_passive_with_thing_as_subject_is_not_doing_for(sentence):
    assert sentence("The kitchen was cleaned after tea.").doing_for == []
