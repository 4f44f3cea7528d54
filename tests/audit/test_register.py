"""Register logic: in date, lapsed, other person, not started, same practice vs same type,
and bad register rows reported by row and column."""

import pytest

from nlp.audit.register_match import (
    IN_REGISTER,
    NO_REGISTER,
    NOT_IN_REGISTER,
    OUT_OF_DATE,
    Register,
    load_register,
)
from nlp.records.exports import RecordsError

HEADER = "person_id,restriction,restriction_type,authorised_by,start_date,review_date\n"


@pytest.fixture
def register(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text(
        HEADER + "P-1,Kitchen locked at night,environmental,BI decision,2026-01-01,"
        "2026-06-30\nP-1,Cigarettes held by staff,possessions_finance,BI,2025-01-01,"
        "2025-12-31\nP-2,Sensor mat by bed,supervision_surveillance,DoLS,2026-03-01,"
        "2026-09-01\n"
    )
    reg, problems = load_register(path)
    assert problems == []
    return reg


def test_in_date_entry_covers(register):
    m = register.match("P-1", "environmental", "Kitchen locked after 9pm.", "2026-03-14")
    assert m.status == IN_REGISTER and "Kitchen" in m.description


def test_lapsed_entry_is_out_of_date(register):
    m = register.match(
        "P-1", "possessions_finance", "His cigarettes are kept in the office.", "2026-03-14"
    )
    assert m.status == OUT_OF_DATE and m.entry.review_date == "2025-12-31"


def test_other_persons_entry_does_not_count(register):
    assert (
        register.match("P-1", "supervision_surveillance", "Sensor mat on.", "2026-04-01").status
        == NOT_IN_REGISTER
    )


def test_entry_not_started_yet(register):
    assert (
        register.match("P-2", "supervision_surveillance", "Sensor mat on.", "2026-02-01").status
        == NOT_IN_REGISTER
    )


def test_same_type_but_different_practice_is_not_covered(register):
    m = register.match("P-1", "environmental", "Wifi switched off at 11pm.", "2026-03-14")
    assert m.status == NOT_IN_REGISTER


def test_wording_match_across_types(register):
    m = register.match("P-1", "routine_rule", "Kitchen locked at night as usual.", "2026-03-14")
    assert m.status == IN_REGISTER


def test_no_register_supplied():
    assert Register.empty().match("P-1", "environmental", "x", "2026-01-01").status == NO_REGISTER


def test_bad_rows_reported_good_rows_kept(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text(
        HEADER + "P-1,Kitchen locked,environmental,BI,2026-01-01,2026-06-30\n"
        "P-1,Door alarm,alarmy,BI,2026-01-01,2026-06-30\n"
        "P-2,Lap belt,mechanical,BI,2026-13-01,2026-06-30\n"
        "P-3,Rails,mechanical,BI,2026-06-01,2026-01-01\n"
    )
    reg, problems = load_register(path)
    assert sum(len(v) for v in reg.by_person.values()) == 1
    assert [(p.row, p.column) for p in problems] == [
        (3, "restriction_type"),
        (4, "start_date"),
        (5, "review_date"),
    ]


def test_register_missing_columns(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text("person_id,restriction\nP-1,x\n")
    with pytest.raises(RecordsError, match="missing column"):
        load_register(path)


def test_jsonl_register_with_numeric_ids_matches_text_ids(tmp_path):
    import json

    path = tmp_path / "register.jsonl"
    rows = [
        {
            "person_id": 17,
            "restriction": "Kitchen locked",
            "restriction_type": "environmental",
            "authorised_by": "BI",
            "start_date": "2026-01-01",
            "review_date": "2026-12-31",
        },
        {
            "person_id": None,
            "restriction": "",
            "restriction_type": "",
            "authorised_by": "",
            "start_date": "",
            "review_date": "",
        },
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    reg, problems = load_register(path)
    assert problems == []
    assert reg.match("17", "environmental", "Kitchen locked.", "2026-03-01").status == IN_REGISTER
