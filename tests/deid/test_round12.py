"""Round 12: the author column as care systems export it (``BOWEN, Carys``, ``Carys Bowen -
Night Senior``, two authors, a job title alone, an unclosed bracket) gives the staff's
names and initials (the teaching export learns every author the review store knows:
``tests/review_app/test_deid_teaching.py``)."""

from __future__ import annotations

import pytest

from nlp.deid import DeidAnalyzer
from nlp.deid.pseudonymiser import author_names, staff_initials
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
