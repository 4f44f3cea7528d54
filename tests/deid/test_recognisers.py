"""Pattern recognisers and date shifting (no model needed)."""

from __future__ import annotations

import pytest

from nlp.deid import nhs_checksum_ok, shift_date_text
from nlp.deid.entities import resolve
from nlp.deid.recognisers import find_patterns


def found(text: str) -> list[tuple[str, str]]:
    return [(e.kind, text[e.start : e.end]) for e in resolve(find_patterns(text))]


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("943 476 5919", True),
        ("9434765919", True),
        ("943-476-5919", True),
        ("943 476 5918", False),  # wrong check digit
        ("943 476 591", False),  # nine digits
        ("401 023 2137", True),
        ("401 023 2138", False),
        ("123 456 7890", False),  # check digit would be 10: never issued
    ],
)
def test_nhs_numbers_are_checked_by_modulus_11(number: str, valid: bool) -> None:
    assert nhs_checksum_ok(number) is valid


def test_nhs_number_needs_a_valid_checksum_or_a_label() -> None:
    assert found("Seen, 943 476 5919.") == [("nhs_number", "943 476 5919")]
    assert ("nhs_number", "943 476 5918") not in found("Seen, 943 476 5918.")
    # a labelled number that fails the check is still removed, as an id
    assert found("NHS no 943 476 5918") == [("id", "943 476 5918")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ring 0114 496 0381 today", ("phone", "0114 496 0381")),
        ("mob +44 7700 900123.", ("phone", "+44 7700 900123")),
        ("postcode s6 3lq", ("postcode", "s6 3lq")),
        ("Sheffield S93FT.", ("postcode", "S93FT")),
        ("NI: BX 22 67 93 A.", ("ni_number", "BX 22 67 93 A")),
        ("mail p.kaminski@example.net now", ("email", "p.kaminski@example.net")),
        ("Hosp no STH-4419028", ("id", "STH-4419028")),
        ("moved to Room 12 today", ("room", "Room 12")),
        ("RESIDENT RM 3 FLUIDS", ("room", "RM 3")),
        ("in flat 1b", ("room", "flat 1b")),
        ("GP: Darnall Road Surgery.", ("gp_surgery", "Darnall Road Surgery")),
        ("CHECK AT HARBOUR VIEW SURGERY WITH", ("gp_surgery", "HARBOUR VIEW SURGERY")),
        ("From Flat 9, 31 Nelson Street, Bristol", ("address", "Flat 9, 31 Nelson Street")),
        ("at 112 Abbeydale Road South, Sheffield", ("address", "112 Abbeydale Road South")),
        ("lives at 4 Maes y Llan, Bethesda", ("address", "4 Maes y Llan")),
        ("bloods 04/02 then", ("date", "04/02")),
        ("DOB 9th Sept 1944.", ("date", "9th Sept 1944")),
    ],
)
def test_patterns(text: str, expected: tuple[str, str]) -> None:
    assert expected in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Bed 20:00.",
        "bed 21:15, settled",
        "RANG 999 AT ONCE",
        "BP 128/80",
        "pain 08/10 after",
        "gave 2 Paracetamol",
        "700ML TODAY",
    ],
)
def test_no_false_patterns(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("written", "days", "shifted"),
    [
        ("2026-02-28", 1, "2026-03-01"),
        ("14/03/26", -20, "22/02/26"),
        ("3/1/2026", 31, "3/2/2026"),
        ("3 May", 31, "3 June"),
        ("3rd of May 2026", 1, "4th of May 2026"),
        ("Sept 30, 2026", 1, "Oct 1, 2026"),
        ("March 21st", 1, "March 22nd"),
        ("15/02", 1, "16/02"),
        ("11.11.1939", 30, "11.12.1939"),
        ("31/02/2026", 1, None),
    ],
)
def test_date_shift_keeps_the_format(written: str, days: int, shifted: str | None) -> None:
    assert shift_date_text(written, days) == shifted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Scheme Manager\n(0121) 496 0683", ("phone", "(0121) 496 0683")),
        ("call (01632) 960219 today", ("phone", "(01632) 960219")),
        ("Sowerby Bridge hx61ab\nTel", ("postcode", "hx61ab")),
        ("Flat 4, 2 Mount Pleasant Road, Leeds", ("address", "Flat 4, 2 Mount Pleasant Road")),
        ("at 14-16 High Street", ("address", "14-16 High Street")),
        ("Flat 0/1, 23 Byres Road, Glasgow", ("address", "Flat 0/1, 23 Byres Road")),
        (
            "Flat 2, Riverside Court, 12 Mill Lane",
            ("address", "Flat 2, Riverside Court, 12 Mill Lane"),
        ),
        ("lives at 14 harehills lane now", ("address", "14 harehills lane")),
        ("back to bed 0230 rm 4.", ("room", "rm 4")),
        ("GP: Meddygfa Teilo, Llandeilo", ("gp_surgery", "Meddygfa Teilo")),
    ],
)
def test_more_patterns(text: str, expected: tuple[str, str]) -> None:
    assert expected in found(text)


@pytest.mark.parametrize(
    "text",
    ["back to bed 0230.", "code bq12ab sent", "took 2 sugars in tea road", "had 2 green tea"],
)
def test_more_non_patterns(text: str) -> None:
    assert found(text) == []


def test_words_made_from_common_words_are_common() -> None:
    from nlp.deid.lexicons import load

    lex = load()
    assert lex.is_common("unwitnessed") and lex.is_common("reassessed")
    assert not lex.is_common("underwood") and not lex.is_common("unwin")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # identifiers: labels such as Datix, LA ref, MRN; codes of letters and digits
        ("Datix ref: DX-2291 logged", ("id", "DX-2291")),
        ("LA ref LA/ab/2291 open", ("id", "LA/ab/2291")),
        ("MRN: rx55a21b", ("id", "rx55a21b")),
        ("Hospital no: K4431927", ("id", "K4431927")),
        ("code ab12cd34 on the form", ("id", "ab12cd34")),
        ("Court of Protection COP 14470921 filed", ("id", "COP 14470921")),
        ("complaint BNH-COMP-026 closed", ("id", "BNH-COMP-026")),
        # addresses: house names, a flat in a named building, number ranges
        ("Address: Brook Farm, The Street, Cley", ("address", "Brook Farm, The Street")),
        (
            "Lower Moss Farm Cottage, 4 Saxlingham Road, Norwich",
            ("address", "Lower Moss Farm Cottage, 4 Saxlingham Road"),
        ),
        (
            "14 Stonehall Flats, Keyham Road, Plymouth",
            ("address", "14 Stonehall Flats, Keyham Road"),
        ),
        ("lives at Flat 17, Tiverton Court now", ("address", "Flat 17, Tiverton Court")),
        # rooms: Welsh and other room words
        ("Moved to Ystafell 4 today", ("room", "Ystafell 4")),
        ("in bedspace 12 overnight", ("room", "bedspace 12")),
        ("w/ pat rm4b", ("room", "rm4b")),
    ],
)
def test_wider_identifier_address_and_room_forms(text: str, expected: tuple[str, str]) -> None:
    assert expected in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "gave 1000ml and 500mg at 0930hrs on the 21st",
        "Covid-19 test negative, NEWS2 score 3",
        "BP 120/80, sats 96%, 2x500mg",
        "Went to the Farm, then Mill Road",
    ],
)
def test_measures_and_plain_words_are_no_identifiers(text: str) -> None:
    assert [k for k, _ in found(text) if k in ("id", "address")] == []
