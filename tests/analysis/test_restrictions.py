"""Restrictions: one positive set per restriction_type and the hard negatives of the
guidelines (own choice, negation, hypothetical, PRN for pain, routine checks)."""

import pytest

POSITIVE = [
    ("Kitchen locked after 9pm.", "environmental"),
    ("The fridge was kept locked overnight.", "environmental"),
    ("Front door is on a keypad and he does not know the code.", "environmental"),
    ("Wifi switched off at 11pm.", "environmental"),
    ("Two staff held his arms until he calmed.", "physical"),
    ("Staff guided him away from the door.", "physical"),
    ("Bed rails up overnight.", "mechanical"),
    ("Lap belt on while in the lounge.", "mechanical"),
    ("Her chair was tilted back so she could not stand.", "mechanical"),
    ("PRN lorazepam given for agitation.", "chemical"),
    ("Meds given covertly in her yoghurt.", "chemical"),
    ("He was sent to his room.", "seclusion"),
    ("She was asked to stay in her flat for the afternoon.", "seclusion"),
    ("He is on 1:1 observations.", "supervision_surveillance"),
    ("Sensor mat in place by her bed.", "supervision_surveillance"),
    ("Checks every 15 minutes overnight.", "supervision_surveillance"),
    ("She must not go out on her own.", "supervision_surveillance"),
    ("Bedtime is 9pm for everyone.", "routine_rule"),
    ("Trip to town cancelled.", "routine_rule"),
    ("He is not allowed in the garden after dark.", "routine_rule"),
    ("Staff took his phone off him.", "possessions_finance"),
    ("Her cigarettes are kept in the office.", "possessions_finance"),
    ("Visits from his brother have been stopped.", "contact_communication"),
    ("She is not allowed to phone her boyfriend.", "contact_communication"),
    ("John was told he could not go to the shop until he tidied his room.", "coercion_threat"),
    ("No pub on his next stay as a consequence.", "coercion_threat"),
]

NEGATIVE = [
    "Mary chose to stay in her room.",
    "John locked his bedroom door.",
    "He declined to go out.",
    "The kitchen is never locked.",
    "Staff did not restrict access.",
    "John wore his seatbelt in the car.",
    "Supported John to lock his door at night, which he asked for.",
    "Two-hourly checks overnight, asleep at each.",
    "If he becomes distressed staff may offer a walk.",
    "He used to have his phone taken at his previous placement.",
]


@pytest.mark.parametrize(("text", "rtype"), POSITIVE)
def test_restriction_fires_with_type(sentence, text, rtype):
    found = sentence(text).restrictions
    assert found, f"no restriction in {text!r}"
    assert rtype in {f.label for f in found}, [(f.text, f.label) for f in found]


@pytest.mark.parametrize("text", NEGATIVE)
def test_restriction_silent_on_hard_negatives(sentence, text):
    assert sentence(text).restrictions == [], text


def test_dropped_matches_say_why(sentence):
    ev = sentence("The kitchen is never locked.")
    assert [f.why for f in ev.dropped] == ["negated"]
    ev = sentence("John locked the kitchen door himself.")
    assert {f.why for f in ev.dropped} & {"own_action", "own_choice"}


def test_care_plan_keeps_planned_restrictions(sentence):
    text = "If he becomes distressed staff may give PRN lorazepam for agitation."
    assert sentence(text, "daily_note").restrictions == []
    assert sentence(text, "care_plan").restrictions


def test_pain_prn_is_not_chemical_restriction(sentence):
    assert sentence("PRN paracetamol given for headache.").restrictions == []
