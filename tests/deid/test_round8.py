"""Round 8: capitals closing a note are initials, towns no reading points at a person stay,
a hospital ward is no room."""

from __future__ import annotations

from collections.abc import Callable

import pytest


@pytest.mark.parametrize(
    ("text", "initials"),
    [
        ("Birthday next week - Gary bringing a cake from Fenwick's. SO", "SO"),
        ("New MAR from 9 May. Pharmacy: Lloyds delivering. OT", "OT"),
    ],
)
def test_capitals_closing_a_note_are_initials_though_they_spell_a_word_or_a_role(
    pseudonymise: Callable[..., list[str]], text: str, initials: str
) -> None:
    (out,) = pseudonymise(text)
    assert not out.rstrip().endswith(initials), out


@pytest.mark.parametrize(
    "text",
    [
        "Referred to OT",
        "Seen today, all fine. ok",
        "Needs a stair rail, refer to ot",
        "Bed at ten. OK",  # "OK" is spelt in capitals: a closing word (round 3)
    ],
)
def test_a_role_or_closing_word_in_lower_case_or_in_the_sentence_stays(
    pseudonymise: Callable[..., list[str]], text: str
) -> None:
    (out,) = pseudonymise(text)
    assert out == text, out


@pytest.mark.parametrize(
    ("text", "town"),
    [
        ("Kacper and me to Hereford FC v Kidderminster, good game.", "Kidderminster"),
        ("Did a jigsaw of Skegness clock tower after tea.", "Skegness"),
        ("Referral sent to Haringey Adult Social Care today.", "Haringey"),
        ("Sunderland match on the radio, he enjoyed it.", "Sunderland"),
    ],
)
def test_a_town_its_position_makes_a_place_stays(
    pseudonymise: Callable[..., list[str]], text: str, town: str
) -> None:
    """Modifying a noun or after "of" / "v", and nothing pointing at a person."""
    (out,) = pseudonymise(text)
    assert town in out, out


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Bradford rang at 3pm about the bill.", "Bradford"),  # a verb's subject
        ("Hastings, Edna seen by the nurse today.", "Hastings"),  # surname, forename
        ("Rang Stafford about the bill.", "Stafford"),  # the review's cases: objects,
        ("Supported Radcliffe with a shower.", "Radcliffe"),  # a line's opening word,
        ("Stafford - refused meds, settled later.", "Stafford"),  # a list of people
        ("Told Stafford her son would visit.", "Stafford"),
        ("Night staff: Bedford x2 checks, Radcliffe x1.", "Radcliffe"),
        ("Called Hastings re: invoice.", "Hastings"),
        ("Reminded Whitby about her appointment.", "Whitby"),
        ("The Whitby family visited at lunch.", "Whitby"),
        ("Photos of Stafford's grandchildren on the wall.", "Stafford"),
    ],
)
def test_a_town_that_may_be_a_person_is_still_replaced(
    pseudonymise: Callable[..., list[str]], text: str, word: str
) -> None:
    (out,) = pseudonymise(text)
    assert word not in out, out


def test_a_hospital_ward_is_no_room_but_the_bed_in_it_is(deid_analyzer) -> None:
    text = "Delayed discharge log: Zsofia Horvath (Ward 6, Bed 9) - medically fit."
    found = {text[e.start : e.end]: e.kind for e in deid_analyzer.analyze(text).entities}
    assert found.get("Bed 9") == "room"
    assert "Ward 6" not in found and "Ward" not in found, found
