"""Round 13: a number after a wing or unit the batch named is a room (``Shimna 5`` once
a note has named the Shimna Suite; the unit's name stays, as the PII README's ``Rowan
Wing`` does), a lone room code after a person (``Kayleigh (F5)``) and a labelled address
line with a house name and no number (``Address: Quoyness, Sandwick, Orkney KW16 3JQ``)."""

from __future__ import annotations

import re

import pytest

from nlp.deid.evaluation import GENERIC
from nlp.deid.recognisers import find_patterns, unit_names


def rooms(text: str, units: frozenset[str] = frozenset()) -> set[str]:
    return {text[e.start : e.end] for e in find_patterns(text, units) if e.kind == "room"}


def test_a_unit_the_batch_named_makes_its_number_a_room() -> None:
    units = frozenset(unit_names("Room 21, Shimna Suite. Later moved to Rivelin Unit."))
    assert units == {"shimna", "rivelin"}
    assert rooms("End of life care. Shimna 5.", units) == {"5"}  # the unit's name stays
    assert rooms("Allocated RIVELIN 8 on arrival.", units) == {"8"}
    assert unit_names("Moved to the Cedar Unit, the Pain Unit.") == set()  # English words
    assert rooms("End of life care. Shimna 5.") == set()  # not without the batch


@pytest.mark.parametrize(
    "text",
    [
        "Day Unit closed. Day 5 of antibiotics.",  # a kind of unit, and a word with a number
        "Stroke Unit staff said stage 2 pressure sore.",
        "East Wing quiet. East 3 no answer.",
    ],
)
def test_words_that_name_a_kind_of_unit_are_not_learned(text: str) -> None:
    units = frozenset(unit_names(text))
    assert not units & {"day", "stroke", "east"}
    assert not {r for r in rooms(text, units) if r.split()[0].lower() in ("day", "stage", "east")}


def test_a_named_wing_stays_and_its_rooms_number_goes(pseudonymise) -> None:
    first, second = pseudonymise(
        "Settled in Room 8, Ness Wing. Daughter visited.", "Ness 11 call bell checked."
    )
    assert "Room" in first and "Ness Wing." in first and " 8," not in first, first
    assert second.startswith("Ness ") and "11" not in second, second


@pytest.mark.parametrize(
    ("text", "room"),
    [("Kayleigh (F5) bright and chatty this morning.", "F5"), ("Yusuf Mirza (F2) fasting.", "F2")],
)
def test_a_lone_room_code_after_a_person(text: str, room: str) -> None:
    assert room in rooms(text)


@pytest.mark.parametrize(
    "text",
    ["Medical recommendations: Dr Anand Rao (s12), Dr Bronwen Sowerby.", "Kayleigh (s2) today."],
)
def test_a_section_code_after_a_person_is_no_room(text: str) -> None:
    assert not {r for r in rooms(text) if r.lower().startswith("s")}


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Address: Quoyness, Sandwick, Orkney KW16 3JQ\nGP: Hamnavoe", "Quoyness, Sandwick"),
        (
            "ADDRESS: MAINS OF BLACKHILLS, LHANBRYDE ROAD, BY ELGIN IV30 8QN",
            "MAINS OF BLACKHILLS, LHANBRYDE ROAD",
        ),
        (
            "Address: Higher Trenoweth, Holy Vale, St Mary's, Isles of Scilly TR21 0JY",
            "Higher Trenoweth, Holy Vale",
        ),
        ("Letter: Mr R. Whiteside, 19 Westgate, Morecambe LA4 4AF", "19 Westgate"),
        ("from home (19 Westgate, Morecambe LA4 4AF) for symptom control", "19 Westgate"),
    ],
)
def test_a_house_name_or_untyped_street_before_town_and_postcode(text: str, address: str) -> None:
    found = {text[e.start : e.end] for e in find_patterns(text) if e.kind == "address"}
    assert address in found, found


@pytest.mark.parametrize(
    "text",
    [
        "Address: Oakwood Hospice, Leeds LS12 4NF",  # an institution, no house
        "Address: Moorside Care Home, Leeds LS12 4NF",
        "Address: as above",  # no postcode, no number: nothing to go on
        "Gave 2 Paracetamol, Lisa rang LS1 staff.",  # no town and postcode after it
    ],
)
def test_a_labelled_institution_is_no_house(text: str) -> None:
    assert [e for e in find_patterns(text) if e.kind == "address"] == []


def test_room_words_are_generic_in_the_metric() -> None:
    assert {"fl", "cell", "dorm", "wing"} <= GENERIC


def test_new_house_and_room_numbers_avoid_the_notes_own(pseudonymise) -> None:
    text = "Tenancy review: Flat 2, Tŷ Derwen, 58 Heol Hir, Cardiff. Room 12 at respite."
    for seed in range(12):
        out = pseudonymise(text, seed=seed)[0]
        numbers = set(re.findall(r"\d+", out))
        assert not numbers & {"2", "58", "12"}, out


def test_an_address_lines_town_stays_though_the_batch_names_the_word(pseudonymise) -> None:
    first, second = pseudonymise(
        "LEONARD SUTTON visited. Mr Sutton and Mrs Hyde chatted.",
        "Address: Plot 17, Marram Park, Sutton-on-Sea LN12 2RX. Home: 12 Gower Place, Hyde "
        "SK14 2ND",
    )
    assert "Sutton" not in first and "Hyde" not in first, first
    assert "Sutton-on-Sea " in second and ", Hyde " in second, second
    assert "Marram" not in second and "Gower" not in second, second


@pytest.mark.parametrize(
    ("text", "room"),
    [("Read post for Mrs Haxby (F15) as agreed.", "F15"), ("Keith Storr (B2). Present:", "B2")],
)
def test_a_lone_room_code_after_an_unlisted_surname(text: str, room: str) -> None:
    assert room in rooms(text)


def test_a_lone_code_after_a_thing_or_a_section_is_no_room() -> None:
    assert rooms("Paracetamol (P1) given. Teenie Swankie (S1) settled.") == set()


@pytest.mark.parametrize(
    ("text", "date"),
    [("DATE OF BIRTH: 05 04 1940   NI: BM982084B", "05 04 1940"), ("born 5 4 1940", "5 4 1940")],
)
def test_a_date_written_in_spaces(text: str, date: str) -> None:
    assert date in {text[e.start : e.end] for e in find_patterns(text) if e.kind == "date"}


def test_numbers_in_spaces_are_no_date_inside_a_longer_run() -> None:
    text = "Phone 01632 960 05 04 1940 now."
    assert [e for e in find_patterns(text) if e.kind == "date"] == []


def test_a_phone_number_read_out_digit_by_digit() -> None:
    text = "brother's mobile is 0 7 7 0 0 9 0 0 7 5 7 full stop"
    found = {(e.kind, text[e.start : e.end]) for e in find_patterns(text)}
    assert ("phone", "0 7 7 0 0 9 0 0 7 5 7") in found


def test_a_house_number_and_the_paddocks() -> None:
    text = "letters go to her at 2 The Paddocks, Mill Road not to the farm"
    assert "2 The Paddocks" in {
        text[e.start : e.end] for e in find_patterns(text) if e.kind == "address"
    }


def test_counties_and_council_areas_stay(pseudonymise) -> None:
    text = "Placing authority: Flintshire. Moving to the Denbighshire leaving care team."
    assert pseudonymise(text)[0] == text


# -- the review's findings ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("Visited by son, Mark Whiteside LA4 4AF.", "Whiteside"),
        ("Letter to daughter, Jean Sutton, SK14 2ND re visit", "Sutton"),
        ("Forwarded to, Mr R. Whiteside LA4 4AF", "Whiteside"),
    ],
)
def test_review_a_person_before_a_postcode_is_no_town(pseudonymise, text: str, person: str):
    assert person not in pseudonymise(text)[0]


def test_review_measures_and_sections_are_no_unit_rooms(pseudonymise) -> None:
    texts = (
        "Moved to Rose Wing, then the Pain Unit. Transferred to Section 3. Moved to Band 6.",
        "HR rose 20 bpm. Pain 7 out of 10. Remains on section 2. band 5 nurse.",
    )
    first, second = pseudonymise(*texts)
    assert "Section 3" in first and "Band 6" in first, first
    assert second == texts[1], second


def test_review_a_learned_unit_is_matched_as_written_and_not_before_a_measure() -> None:
    units = frozenset(unit_names("Room 21, Shimna Suite."))
    assert rooms("shimna 5 too. Shimna 5 days later. SHIMNA 5.", units) == {"5"}
    text = "SHIMNA 5."
    assert rooms(text, units) == {"5"}


@pytest.mark.parametrize(
    "text",
    [
        "Dr Amir Khan (FY2) reviewed.",
        "Nurse Lisa Oldroyd (B6) on shift.",
        "Lucy (B12) injection due.",
        "Priya Shah (ST3) saw him.",
        "Anand Rao (S12) and Bronwen Sowerby (S12) signed.",
    ],
)
def test_review_grades_bands_and_sections_in_brackets_are_no_rooms(text: str) -> None:
    assert rooms(text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "Pain scale 0 1 2 3 4 5 6 7 8 9 10 explained",
        "NEWS2 by round: 0 1 1 2 0 0 1 0 2 1 1",
        "Weights 10 12 2000 and Scores: 3 4 2019",
        "Gave 2 Paracetamol, Leeds LS1 3EX",
        "Address: HMP Leeds, Armley LS12 2TJ",
    ],
)
def test_review_scales_scores_and_doses_are_no_phone_date_or_address(text: str) -> None:
    kinds = {e.kind for e in find_patterns(text)}
    assert not kinds & {"phone", "date", "address"}, kinds


def test_review_a_dictated_number_with_a_double_space_is_a_phone() -> None:
    text = "brother's mobile is 0 7 7 0 0  9 0 0 7 5 7 full stop"
    assert "phone" in {e.kind for e in find_patterns(text)}


def test_review_units_are_learned_per_service(deid_analyzer) -> None:
    from nlp.deid import Pseudonymiser

    p = Pseudonymiser(deid_analyzer, seed=3)
    texts = ["Room 8, Ness Wing.", "Ness 11 call bell checked."]
    p.learn(texts, services=["Elm Court", "Oak House"])
    assert p.pseudonymise(texts[1], service="Oak House").text.startswith("Ness 11")
    assert "11" not in p.pseudonymise(texts[1], service="Elm Court").text


def test_room_codes_after_a_logs_clock_time_or_before_a_title() -> None:
    log = "03/07 09:35 F7 – Thelma says her daughter coming.\n03/07 09:50 F12 – Mavis asked."
    assert {"F7", "F12"} <= rooms(log)
    handover = "Handover 14:00\nSC1 Sister Bonaventure – settled.\nSC4 Sister Perpetua – bell."
    assert {"SC1", "SC4"} <= rooms(handover)
    assert rooms("09:35 A1 – Amlodipine given. 10:00 A2 – Atorvastatin given.") == set()
