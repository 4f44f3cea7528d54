"""Round 11: the initials of the staff who write a service's notes (the export's author
column) are people in that service's notes, wherever initials can stand; the same
letters as an abbreviation, after a determiner or before a noun or a number stay. Rooms
and addresses in more conventions (cells, dormitories, boats, plots, Welsh house names);
a town right before a postcode is a town and kept."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from nlp.deid import DeidAnalyzer, Pseudonymiser
from nlp.deid.export import deidentify_notes
from nlp.deid.pseudonymiser import staff_initials
from nlp.deid.recognisers import find_patterns
from tests.deid.test_names import words

AUTHORS = ("Derek Rennie (Night Carer)", "Fiona Gilchrist (Manager)", "Bernie Price")


def deidentified(
    analyzer: DeidAnalyzer,
    text: str,
    service: str = "Elm Court",
    other: str = "Elm Court",
    authors: tuple[str, ...] = AUTHORS,
) -> str:
    """``text`` as the last note of a batch whose other notes are signed by ``authors``
    in the service ``other``; ``text`` itself is in ``service``."""
    notes = [
        SimpleNamespace(
            note_id=f"N{k}",
            person_id="P1",
            date=f"2026-01-0{k + 1}",
            service=other,
            author=author,
            note_type="daily_note",
            text="Quiet shift, no concerns.",
        )
        for k, author in enumerate(authors)
    ]
    notes.append(
        SimpleNamespace(
            note_id="N9",
            person_id="P2",
            date="2026-01-09",
            service=service,
            author="",
            note_type="daily_note",
            text=text,
        )
    )
    return deidentify_notes(notes, Pseudonymiser(analyzer, seed=3))[-1]["text"]


def test_an_authors_initials_are_how_colleagues_write_them() -> None:
    assert staff_initials("Mary-Jane O'Neill") == {"MJO", "MO"}
    assert staff_initials("Steve W.") == {"SW"}
    assert staff_initials("Bex") == set()


@pytest.mark.parametrize(
    ("text", "gone", "kept"),
    [
        ("HANDED OVER TO FG AT 07:00.", ("FG",), ("HANDED", "TO", "AT")),
        ("Door alarm was off - DR has reinstated it.", ("DR",), ("Door", "alarm")),
        (
            "bp 142/88 (manual, BP machine batteries low - BP to bring new ones).",
            ("BP",),
            ("bp", "machine"),
        ),
        ("Lunch declined, handed to fg at 1pm.", ("fg",), ("handed",)),
        ("Fluids encouraged per F.G. and recorded.", ("F", "G"), ("Fluids",)),
        ("Settled by 10pm.\nJM / DR", ("DR",), ("Settled",)),
    ],
)
def test_staff_initials_in_their_services_notes_are_replaced(
    deid_analyzer: DeidAnalyzer, text: str, gone: tuple[str, ...], kept: tuple[str, ...]
) -> None:
    out = deidentified(deid_analyzer, text)
    before, after = re.findall(r"[^\W\d_]+", text), re.findall(r"[^\W\d_]+", out)
    assert all(after.count(w) < before.count(w) for w in gone), out  # "BP machine ... BP to"
    assert all(after.count(w) == before.count(w) for w in kept), out


@pytest.mark.parametrize(
    "text",
    [
        "BP machine batteries are low.",
        "BP 142/88 this morning, GP informed.",
        "Her BP was fine and she ate well.",
        "Our DR appointment is on Friday.",  # a determiner: the letters are a thing
    ],
)
def test_the_same_letters_as_an_abbreviation_stay(deid_analyzer: DeidAnalyzer, text: str) -> None:
    out = deidentified(deid_analyzer, text)
    for w in ("BP", "DR"):
        assert (w in words(text)) == (w in words(out)), out


def test_staff_initials_count_in_their_own_service_only(deid_analyzer: DeidAnalyzer) -> None:
    out = deidentified(deid_analyzer, "Checked BP and sats at 6pm.", service="Oak Lodge")
    assert "BP" in words(out), out  # no author BP writes Oak Lodge's notes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # prison cells, dormitories, floor-and-room numbers, a Polish room word, boats, plots
        ("He is on B wing, cell 2-14 until Friday.", ("room", "cell 2-14")),
        ("then healthcare unit cell 3 before transfer", ("room", "cell 3")),
        ("hoist motor in rm 1.07 not charging", ("room", "rm 1.07")),
        ("ibrahim (dorm 2, bed 3) woke at 0215", ("room", "dorm 2")),
        ("is he still in pokój 7 or did you move him?", ("room", "pokój 7")),
        ("The boat's still at Hilperton, mooring 6.", ("room", "mooring 6")),
        ("visit - len at plot 17. fridge checked", ("room", "plot 17")),
        (
            "home mooring at Berth 14, Foxhangers Wharf, Rowde",
            ("address", "Berth 14, Foxhangers Wharf"),
        ),
        # a room code in brackets after people, two of one series or more
        ("Present: Jackie (F2), Gunner (F9), Ann (F11).", ("room", "F9")),
        # Welsh house names before a Welsh lane
        ("Pen-y-Bryn, Heol Tylacoch\nTreorci", ("address", "Pen-y-Bryn, Heol Tylacoch")),
        ("Ty'r Glowr, Heol y Graig, Cwmparc", ("address", "Ty'r Glowr, Heol y Graig")),
        ("at Penlan Farm, Heol y Preseli, Crymych", ("address", "Penlan Farm, Heol y Preseli")),
    ],
)
def test_more_room_and_address_forms(text: str, expected: tuple[str, str]) -> None:
    found = [(e.kind, text[e.start : e.end]) for e in find_patterns(text)]
    assert expected in found, found


@pytest.mark.parametrize(
    "text",
    [
        "back to bed 12.30 after a drink",  # a time, not a bed
        "Took Vitamin (B12) and Folic (B9) daily.",  # codes after no person
        "cell count 14 on the bloods",
    ],
)
def test_times_and_vitamins_are_no_rooms(text: str) -> None:
    assert [e for e in find_patterns(text) if e.kind == "room"] == []


def test_a_town_before_a_postcode_is_kept(deid_analyzer: DeidAnalyzer) -> None:
    text = "Mum Claire Birch, 4 Silver Birch Way, Harlow CM18 7HE, rang today."
    out = deidentified(deid_analyzer, text)
    assert "Harlow" in words(out) and "Claire" not in words(out), out


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("Son arrived as we left. -jb", ("jb",)),  # one token to the tokenizer: "-jb"
        ("Settled after tea, told the office. -kt/rw", ("kt", "rw")),
        ("Self-neglect concern.\nMaxine SEAL, 62, living all year in a static.", ("SEAL",)),
    ],
)
def test_dashed_sign_offs_and_shouted_surnames_are_replaced(
    deid_analyzer: DeidAnalyzer, text: str, gone: tuple[str, ...]
) -> None:
    out = deidentified(deid_analyzer, text, service="Oak Lodge")  # no staff initials known
    assert not [w for w in gone if w in words(out)], out


@pytest.mark.parametrize("text", ["All good today. -lol", "Seen at 2pm -ok", "Bloods due. -tbc"])
def test_dashed_closing_words_stay(deid_analyzer: DeidAnalyzer, text: str) -> None:
    assert deidentified(deid_analyzer, text) == text


def test_a_kab_sign_off_of_staff_is_replaced_though_it_spells_a_word(
    deid_analyzer: DeidAnalyzer,
) -> None:
    text = "Handed to kab for am. -kab"
    out = deidentified(deid_analyzer, text, authors=("Kay Ann Bell (Carer)",))
    assert "kab" not in words(out), out


# the review of round 11: what the first version over- or under-replaced
@pytest.mark.parametrize(
    "text",
    [
        "Checked BP, 120/80.",
        "BP and sats normal.",
        "Covid LFT -ve, no symptoms.",
        "Temp 37.8 slight rise.",
        "Drove 20 minutes each way",
        "Sickle cell 2 crisis, seen by the GP.",
        "Meeting in room 1.30 today",
        "Jean REFUSED, will try later.",
    ],
)
def test_clinical_text_beside_staff_initials_stays(deid_analyzer: DeidAnalyzer, text: str) -> None:
    out = deidentified(deid_analyzer, text, authors=(*AUTHORS, "Vera Evans"))
    changed = set(re.findall(r"[^\W\d_]+", text)) - set(re.findall(r"[^\W\d_]+", out))
    assert changed <= {"Jean", "GP"} and "120" not in changed, out


def test_both_numbers_of_a_floor_and_room_are_replaced(deid_analyzer: DeidAnalyzer) -> None:
    out = deidentified(deid_analyzer, "Hoist in rm 1.07 not charging; he was in cell 2-14.")
    assert "1.07" not in out and "07" not in out and "2-14" not in out and "14" not in out, out


def test_staff_initials_found_once_are_a_name_in_other_services(
    deid_analyzer: DeidAnalyzer,
) -> None:
    notes = [
        SimpleNamespace(
            note_id=str(k),
            person_id=person,
            date="2026-01-02",
            service=service,
            author=author,
            note_type="daily_note",
            text=text,
        )
        for k, (person, service, author, text) in enumerate(
            [
                ("P1", "Plas", "Rhiannon Protheroe", "HANDOVER 07:45 - TO DAY NURSE RHIANNON / RP"),
                ("P2", "Wigan", "", "RP rang police at 10pm."),
            ]
        )
    ]
    out = deidentify_notes(notes, Pseudonymiser(deid_analyzer, seed=3))
    assert all("RP" not in words(r["text"]) for r in out), out
