"""Round 15: a town word replaced anywhere in a note, as a name or as a town no position
put as a place, is replaced everywhere in that note, also where a cue or travel word
would have kept it (``SN Crewe on nights ... went to Crewe``): a word left as written in
one sentence would tell a reader the word replaced in another. A single letter closing a
rota entry after a name is the surname's initial. A room code found as a room (``Room
G4``, ``F2 – Mrs Ali``) is a room at every mention in the service's notes where a room
fits (``moved to g4``), with one pseudonym; a room's number is a room after a word of place
in its note (``sensor mat in 22``). The fresh-eyes review's probes of everyday numbers,
codes and shorthand the first version took are tests here too."""

from __future__ import annotations

import re

import pytest


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("SN Crewe on nights. He went to Crewe with his son.", "Crewe"),
        ("Spoke to SN Crewe. Later she went to Crewe.", "Crewe"),
        ("Bolton rang about meds. Later we went to Bolton.", "Bolton"),
        ("She comes from Crewe and visited Crewe station.", "Crewe"),
    ],
)
def test_a_town_word_replaced_once_is_replaced_everywhere(
    pseudonymise, text: str, word: str
) -> None:
    (out,) = pseudonymise(text)
    assert word not in out, out


@pytest.mark.parametrize(
    ("text", "town"),
    [
        ("Lives in Whitby. Went to Whitby market with staff.", "Whitby"),
        ("Went to Leeds with her son. Enjoyed the trip to Leeds.", "Leeds"),
    ],
)
def test_a_town_kept_at_every_mention_stays(pseudonymise, text: str, town: str) -> None:
    (out,) = pseudonymise(text)
    assert out.count(town) == 2, out


@pytest.mark.parametrize(
    ("text", "letter"),
    [
        ("12:30 dorota k – lunch, sandwich and soup.", " k "),
        ("carer: elaine h | tea made.", " h "),
        ("Watched the match with mhairi and joe v, good banter.", " v,"),
        ("Sandy B, Jeanie L, Rocky and Marion attended.", " L,"),
    ],
)
def test_a_surname_initial_closing_an_entry_is_replaced(
    pseudonymise, text: str, letter: str
) -> None:
    (out,) = pseudonymise(text)
    assert letter not in out, out


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Told Jeanie I would come back.", " I would"),
        ("Gave mary a drink.", " a drink"),
        ("Thanks, Julie x", " x"),
        ("Plan B agreed with Mary.", "Plan B agreed"),
    ],
)
def test_a_word_or_kiss_after_a_name_is_no_initial(pseudonymise, text: str, kept: str) -> None:
    (out,) = pseudonymise(text)
    assert kept in out, out


def test_a_room_code_found_once_is_a_room_at_every_mention(pseudonymise) -> None:
    text = "Asked to move to a window bed – moved to A2 at 16:00. Room A2 is by the window."
    (out,) = pseudonymise(text)
    assert "A2" not in out, out
    new = re.search(r"Room (\S+) is", out).group(1)  # one room, one pseudonym
    assert f"moved to {new} at" in out, out


def test_a_room_code_is_learned_across_the_notes_of_a_service(pseudonymise) -> None:
    first, second = pseudonymise(
        "Admitted to Room G4 from hospital, settled.",
        "Repositioning chart – g4 – turned 02:00 and 04:00.",
    )
    assert "G4" not in first and "g4" not in second, (first, second)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Room S3 is free. Printed the plan on A4 paper.", "A4 paper"),
        ("Moved to Room B12 today. Takes vitamin B12 daily.", "vitamin B12"),
        ("Room F2 checked. Special rules (SR1) form sent.", "(SR1)"),
    ],
)
def test_codes_never_named_a_room_stay(pseudonymise, text: str, kept: str) -> None:
    (out,) = pseudonymise(text)
    assert kept in out, out


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Mabli Skyrme (BR 7) upset at tea.", "7"),
        ("Incident: Kris Hebble (B/R 9) knocked on doors.", "9"),
        ("ruairi bdrm 3 – awake 22:00", "3"),
        ("Carole moved from bed 5 to the side room SR 6 overnight.", "6"),
        ("Rhif 4 – Emlyn – turned 2-hrly", "4"),
        ("Rooms 8-10 deep cleaned after the outbreak.", "10"),
        ("Connor lives in flat five with two others.", "five"),
    ],
)
def test_more_room_forms_are_replaced(pseudonymise, text: str, number: str) -> None:
    (out,) = pseudonymise(text)
    assert f" {number} " not in f" {out.replace(')', ' ').replace('-', ' ')} ", out


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Special rules (SR1) form sent to the DWP.", "(SR1)"),
        ("She said it was a flat one, not a hill.", "a flat one"),
    ],
)
def test_near_room_forms_that_are_not_rooms_stay(pseudonymise, text: str, kept: str) -> None:
    (out,) = pseudonymise(text)
    assert kept in out, out


def test_codes_of_a_learned_series_are_rooms(pseudonymise) -> None:
    (out,) = pseudonymise(
        "Room A2 and Room A4 cleaned. A1 awaiting POC | A3 – OT today. D2A pathway. Takes B12."
    )
    assert not re.search(r"\bA[1-4]\b", out), out
    assert "D2A pathway" in out and "B12" in out, out


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Muriel – b2 – pressure areas intact, turned 2-hrly.", "b2"),
        ("Physio – SR2 – Norrie – alert today.", "SR2"),
        ("Wellbeing check – Thirza GEDNEY – A/17\nNot collected her paper.", "A/17"),
        ("G7 – Della – morning call 08:00, meds given.", "G7"),
    ],
)
def test_a_code_standing_as_a_dashed_field_is_a_room(pseudonymise, text: str, code: str) -> None:
    (out,) = pseudonymise(text)
    assert code not in out, out


@pytest.mark.parametrize(
    "text", ["Discharge – P1 – home with package.", "Seen by Dr Khan – FY2 – plan agreed."]
)
def test_a_pathway_or_grade_in_a_dashed_field_stays(pseudonymise, text: str) -> None:
    (out,) = pseudonymise(text)
    assert re.search(r"– (P1|FY2) –", out), out


# the fresh-eyes review's probes: everyday numbers and codes the room rules took
@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Room 2 – Mrs Hale. Hoisted with assistance of 2.", "assistance of 2"),
        ("Room 4 – Mr Pike. Reduced from 4 to 2 tablets.", "from 4 to 2 tablets"),
        ("Room 8 – Mrs Lowe. Pain score 8 out of 10.", "score 8 out of 10"),
        ("Room 7 – Mr Orme. Pain went up to 7 after lunch.", "up to 7"),
        ("Room 1 – Mrs Kay. Needs 1 to 1 supervision.", "1 to 1 supervision"),
        ("A2 – Mrs Hale. Needs assist of 2, changed to 2 hourly.", "assist of 2, changed to 2"),
        ("Mary c/o headache, Jean h/o falls, Ann w/c to lounge.", "c/o headache"),
        ("Obs: BR 18, HR 88, BP 120/80.", "BR 18"),
        ("SR 1 form completed for the DWP.", "SR 1 form"),
        ("Beds 2-3 hourly turns done.", "2-3 hourly"),
        ("Aeth ar y bws rhif 42 i'r dref.", "rhif 42"),
        ("Mood flat two visits running.", "flat two visits"),
    ],
)
def test_everyday_numbers_beside_rooms_stay(pseudonymise, text: str, kept: str) -> None:
    (out,) = pseudonymise(text)
    assert kept in out, out


def test_codes_learned_in_a_service_stay_where_no_room_fits(pseudonymise) -> None:
    *_, falls, last, vitamins = pseudonymise(
        "Room E1 – Mrs Ferris settled after tea.",
        "Room E2 – Mr Gould up early.",
        "Room A1 – Mrs Tandy. Room A2 – Mr Pike.",
        "Falls – x2 – both unwitnessed. Assisted to bed x2 overnight.",
        "E45 cream applied. Son drove down the A30. Printed on A4 paper.",
        "Vitamin B6 and B1 started.",
    )
    assert "– x2 –" in falls and "bed x2" in falls, falls
    for kept in ("E45 cream", "the A30", "A4 paper"):
        assert kept in last, last
    assert "B6 and B1" in vitamins, vitamins


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("O2 – 2L via nasal cannula – sats 94%.", "O2 –"),
        ("Q1 – How is your mood? – better.", "Q1 –"),
        ("Road – A30 – closed at Chiverton.", "– A30 –"),
    ],
)
def test_a_dashed_field_with_no_name_beside_it_stays(pseudonymise, text: str, code: str) -> None:
    (out,) = pseudonymise(text)
    assert code in out, out


def test_a_room_number_is_a_room_where_a_place_goes_in_the_same_note(pseudonymise) -> None:
    (out,) = pseudonymise(
        "Resident: Mr Packwood   Room: 22\nFound on floor in RM 22. Sensor mat in 22 was off."
        "\n04:00 22 calling out, checked on 22. Walked 22 metres. Back in 22 minutes."
    )
    new = re.search(r"Room: (\d+)", out).group(1)
    assert f"RM {new}." in out and f"mat in {new} was" in out, out  # one room, one number
    assert f"04:00 {new} calling" in out and f"checked on {new}." in out, out
    assert "Walked 22 metres" in out and "in 22 minutes" in out, out


def test_a_room_number_gives_way_to_an_address(pseudonymise) -> None:
    (out,) = pseudonymise("Room 22 – Mrs Hale. Moved from 22 Oak Road last year.")
    assert "Oak Road" not in out, out
