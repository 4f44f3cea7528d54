"""Round 12: the author column as care systems export it (``BOWEN, Carys``, ``Carys Bowen -
Night Senior``, two authors, a job title alone, an unclosed bracket) gives the staff's
names and initials (the teaching export learns every author the review store knows:
``tests/review_app/test_deid_teaching.py``)."""

from __future__ import annotations

import pytest

from nlp.deid import DeidAnalyzer
from nlp.deid.pseudonymiser import author_names, staff_initials
from nlp.deid.recognisers import find_patterns
from tests.deid.test_names import words
from tests.deid.test_round11 import deidentified


@pytest.mark.parametrize(
    ("author", "names"),
    [
        ("Carys Bowen (Nurse)", ["Carys Bowen"]),
        ("Carys Bowen (Nurse", ["Carys Bowen"]),  # bracket never closed
        ("Carys Bowen [agency]", ["Carys Bowen"]),
        ("Carys Bowen - Night Senior", ["Carys Bowen"]),
        ("Carys Bowen, RGN, Nights", ["Carys Bowen"]),
        ("Senior Carer, Carys Bowen", ["Carys Bowen"]),
        ("Bowen, Carys", ["Carys Bowen"]),
        ("Bowen, Carys (RGN)", ["Carys Bowen"]),
        ("BOWEN Carys", ["Carys BOWEN"]),
        ("Carys BOWEN", ["Carys BOWEN"]),
        ("O'Neill, Mary-Jane", ["Mary-Jane O'Neill"]),
        ("Ahmed, Dr Sana", ["Dr Sana Ahmed"]),
        ("Carys Bowen / Tom Reid", ["Carys Bowen", "Tom Reid"]),
        ("Bowen, Carys & Reid, Tom", ["Carys Bowen", "Tom Reid"]),
        ("Carys Bowen RGN", ["Carys Bowen"]),
        ("Agency (Ruth Mawhinney RGN)", ["Ruth Mawhinney"]),  # the name in the brackets
        ("Bank staff (Tom Reid / Ann Lee)", ["Tom Reid", "Ann Lee"]),
        ("Andrea Anderson", ["Andrea Anderson"]),  # "and" only between spaces
        ("Carys Cook", ["Carys Cook"]),  # a job word in a name is a surname
        ("Support Worker", []),  # a job title alone names nobody
        ("Night Senior", []),
        ("", []),
    ],
)
def test_author_columns_give_the_people_named(author: str, names: list[str]) -> None:
    assert author_names(author) == names


def test_inverted_authors_give_forename_first_initials() -> None:
    assert [staff_initials(n) for n in author_names("BOWEN, Carys")] == [{"CB"}]
    assert [staff_initials(n) for n in author_names("Reid, Tom / Bowen, Carys")] == [
        {"TR"},
        {"CB"},
    ]


@pytest.mark.parametrize(
    ("authors", "text", "gone", "kept"),
    [
        (("BOWEN, Carys",), "Handed over to CB at 07:00.", ("CB",), ("Handed",)),
        (("Bowen, Carys (RGN)",), "Carys rang the GP.", ("Carys",), ("GP",)),
        (("Carys Bowen / Tom Reid",), "Meds given by TR.", ("TR",), ("Meds",)),
        (("Carys Bowen - Night Senior",), "Night senior checked the doors.", (), ("Night",)),
        (("Support Worker",), "Support worker SW helped with lunch.", (), ("Support",)),
    ],
)
def test_staff_from_messy_author_columns_are_replaced(
    deid_analyzer: DeidAnalyzer,
    authors: tuple[str, ...],
    text: str,
    gone: tuple[str, ...],
    kept: tuple[str, ...],
) -> None:
    out = deidentified(deid_analyzer, text, authors=authors)
    assert not any(w in words(out) for w in gone), out
    assert all(w in words(out) for w in kept), out


def test_a_learned_name_with_a_bare_s_is_its_possessive(pseudonymise) -> None:
    _, second = pseudonymise(
        "Tommy Proctor back from hospital, settled.",
        "Text from wife: Tommys sensor keeps falling off. Ring her re mahbubs meds.\n"
        "Her brother Mahbub visited.",
    )
    assert "Tommy" not in second and "Mahbub" not in second.title(), second
    assert "sensor keeps falling off" in second, second


@pytest.mark.parametrize(
    "text",
    [
        "Lots of hugs today, she loves cats.",  # English words with s stay
        "Pats on the back all round.",
    ],
)
def test_an_english_plural_is_no_possessive_name(pseudonymise, text: str) -> None:
    out = pseudonymise("Pat Hewitt visited her mum.", text)[1]
    assert out == text


TABLE = """Night staff: Josephine Dsouza, Rhea Mensah (agency)
| Rm | Resident | Night | Sign |
|----|----------|-------|------|
| 2 | Gladys Pepper | Slept well. Pad change x2. | RM |
| 14 | Fred Lark | Up at 05:00, 2 biscuits. | JD |
"""


def test_a_pasted_tables_room_and_sign_columns(deid_analyzer: DeidAnalyzer) -> None:
    found = {(e.kind, TABLE[e.start : e.end]) for e in find_patterns(TABLE)}
    assert {("room", "2"), ("room", "14"), ("name", "RM"), ("name", "JD")} <= found
    assert ("room", "05") not in found and all(t != "x2" for _, t in found)
    tsv = "Room\tName\tInitials\n12\tAnn\tTM\n"
    found = {(e.kind, tsv[e.start : e.end]) for e in find_patterns(tsv)}
    assert {("room", "12"), ("name", "TM")} <= found


def test_a_table_without_a_room_header_has_no_rooms() -> None:
    text = "| Time | Fluids |\n| 10:00 | 200 |\n| 14 | 150 |\n"
    assert [e for e in find_patterns(text) if e.kind in ("room", "name")] == []


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Plan to close on the fifth of December full stop.", "fifth of December"),
        ("Review on December the twenty-first.", "December the twenty-first"),
    ],
)
def test_spoken_and_timed_dates(text: str, date: str) -> None:
    assert date in {text[e.start : e.end] for e in find_patterns(text) if e.kind == "date"}


@pytest.mark.parametrize(
    "text",
    [
        "Ate 3/4 of lunch.",
        "Pain 5/10 at rest.",
        "Second of all, no.",
        "Ate 3/4 at 12:00. Pain 5/10 at 14:00, PRN given.",  # scores before a time (review)
    ],
)
def test_fractions_and_ordinals_are_no_dates(text: str) -> None:
    assert [e for e in find_patterns(text) if e.kind == "date"] == []


@pytest.mark.parametrize(
    ("text", "room"),
    [("22:00 Meadow (BR7) asleep.", "BR7"), ("NIGHT - arjun br1 - typed on talker", "br1")],
)
def test_bedroom_codes(text: str, room: str) -> None:
    assert room in {text[e.start : e.end] for e in find_patterns(text) if e.kind == "room"}


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("Johnny Joe Ward rang about the visit.", ("Johnny", "Joe", "Ward")),
        ("Mary Ann Hall visited with flowers.", ("Mary", "Ann", "Hall")),
    ],
)
def test_forenames_before_a_surname_that_heads_a_venue_are_a_person(
    pseudonymise, text: str, gone: tuple[str, ...]
) -> None:
    out = pseudonymise(text)[0]
    assert not words(out) & set(gone), out


def test_a_ward_before_a_bed_is_a_ward(pseudonymise) -> None:
    out = pseudonymise("Your father, Brian Sugden (Calder Ward, bed 14), is settled.")[0]
    assert "(Calder Ward, bed" in out and "Sugden" not in out, out


@pytest.mark.parametrize(
    "text",
    [
        "Known link to a nail bar in Woolwich.",
        "Grew up near Knottingley, worked at the glassworks.",
    ],
)
def test_a_gazetteer_town_alone_is_no_name(pseudonymise, text: str) -> None:
    assert pseudonymise(text) == [text]


def test_a_gazetteer_town_with_a_title_is_a_person(pseudonymise) -> None:
    out = pseudonymise("Mr Dingwall rang about his wife.")[0]
    assert "Dingwall" not in out, out


@pytest.mark.parametrize(
    ("author", "initials"),
    [("Cook, Carys", {"CC"}), ("Day, Tom", {"TD"}), ("C. Bowen", {"CB"}), ("J. Smith", {"JS"})],
)
def test_review_a_surname_that_is_a_job_word_and_a_leading_initial(
    author: str, initials: set[str]
) -> None:
    assert set().union(*(staff_initials(n) for n in author_names(author))) == initials


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("Keys are with Mandy Office.", "Mandy"),
        ("TOLD PENNY OFFICE ABOUT FALL", "PENNY"),
        ("DAUGHTER ABBEY VISITED.", "ABBEY"),
        ("Jean Hall, room 14, settled well tonight.", "Jean"),
        ("Mary Ward side rails up overnight.", "Mary"),
    ],
)
def test_review_names_beside_venue_and_office_words_are_replaced(
    pseudonymise, text: str, gone: str
) -> None:
    out = pseudonymise(text)[0]
    assert gone not in out, out


@pytest.mark.parametrize(
    "text",
    [
        "MAR\n| Date | Dose | Given by |\n| 01/03 | 10mg | RM |\n| 02/03 | 10mg | JD |",
        "| Time | Fluid | Amount | Sign |\n| 10:00 | tea | 200 | KL |",
    ],
)
def test_review_sign_columns_under_other_headers(text: str) -> None:
    names = {text[e.start : e.end] for e in find_patterns(text) if e.kind == "name"}
    assert names and names <= {"RM", "JD", "KL"}


@pytest.mark.parametrize(
    "text",
    [
        "Obs taken\nInitials\tRM\nBP\t120/80\nHR\t72\nRR\t18",  # key and value, no table
        "Location:\tBedroom\nTime on floor (mins):\t15",
        "| Time | Fluid | Amount | Sign |\n| 10:00 | tea | 200 | NA |\n| 11:00 | tea | 90 | PRN |",
    ],
)
def test_review_key_value_lines_and_answers_are_no_table_cells(text: str) -> None:
    assert [e for e in find_patterns(text) if e.kind in ("room", "name")] == []


@pytest.mark.parametrize(
    "texts",
    [
        ("Cath Boyle visited.", "caths changed today, site clean."),
        ("Reg Smith visited.", "All done as per regs."),
    ],
)
def test_review_clinical_plurals_are_no_bare_possessives(pseudonymise, texts) -> None:
    assert pseudonymise(*texts)[1] == texts[1]


def test_review_a_product_named_twice_is_still_a_product(pseudonymise) -> None:
    text = "Hydrocoll applied to sacrum. Hydrocoll reapplied at 14:00."
    assert pseudonymise(text) == [text]
