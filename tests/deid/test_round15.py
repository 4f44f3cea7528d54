"""Round 15: a town word replaced anywhere in a note, as a name or as a town no position
put as a place, is replaced everywhere in that note, also where a cue or travel word
would have kept it (``SN Crewe on nights ... went to Crewe``): a word left as written in
one sentence would tell a reader the word replaced in another. A single letter closing a
rota entry after a name is the surname's initial. A room code found as a room (``Room
G4``, ``F2 – Mrs Ali``) is a room at every mention in the service's notes (``moved to
g4``), with one pseudonym."""

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
        ("Wellbeing check – Thirza – A/17\nNot collected her paper.", "A/17"),
        ("G7 – dell – morning call 08:00, meds given.", "G7"),
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

