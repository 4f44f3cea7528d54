"""One register reader (nlp.records.register) behind the audit's matching and the review."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from nlp.audit import register_match
from nlp.governance import register_review
from nlp.records.exports import RecordsError
from nlp.records.register import COLUMNS, RegisterError, read_register

HEADER = ",".join(COLUMNS) + "\n"


def write(tmp_path: Path, body: str, name: str = "register.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_columns_are_declared_once() -> None:
    assert register_match.COLUMNS is COLUMNS
    assert tuple(register_review.REGISTER_COLUMNS) == COLUMNS


@pytest.mark.parametrize(("raw", "iso"), [
    ("2026-02-01", "2026-02-01"),
    ("01/02/2026", "2026-02-01"),
    ("1 Feb 2026", "2026-02-01"),
    ("46054", "2026-02-01"),  # an Excel day number
])
def test_both_callers_parse_dates_the_same_way(tmp_path: Path, raw: str, iso: str) -> None:
    path = write(tmp_path, f"P-1,Door alarm,supervision_surveillance,RA,{raw},2026-12-31\n")
    reg, problems = register_match.load_register(path)
    review = register_review.load_register(path)
    assert problems == [] and review.issues == []
    assert reg.by_person["P-1"][0].start_date == iso
    assert review.entries.iloc[0]["start_date"] == iso
    assert review.entries.iloc[0]["start"] == pd.Timestamp(iso)


def test_bad_rows_reported_by_row_and_column_in_both(tmp_path: Path) -> None:
    path = write(tmp_path, (
        "P-1,Kitchen locked,environmental,BI,2026-01-01,2026-06-30\n"
        ",Door,environmental,BI,2026-01-01,2026-06-30\n"
        "P-2,Belt,Mechanical,BI,9999-12-31,\n"
        "P-3,Rails,mechanical,BI,2026-01-01,٢٠٢٦-٠٦-٠١\n"
        "P-4,Phone,possessions,BI,2026-01-01,2026-06-30\n"
        "P-5,Door alarm,supervision surveillance,BI,2026-01-01,\n"
    ))
    read = read_register(path)
    assert [(p.row, p.column) for p in read.problems] == [
        (3, "person_id"), (4, "start_date"), (5, "review_date"), (6, "restriction_type")]
    assert "placeholder" in read.problems[1].message
    assert "digits other than 0-9" in read.problems[2].message
    assert [r.row for r in read.rows] == [2, 7]
    assert read.rows[1].restriction_type == "supervision_surveillance"
    # the audit cannot call an entry without a review date in date: reported, not used
    reg, problems = register_match.load_register(path)
    assert sorted(reg.by_person) == ["P-1"]
    assert [(p.row, p.column) for p in problems] == [
        (3, "person_id"), (4, "start_date"), (5, "review_date"), (6, "restriction_type"),
        (7, "review_date")]
    assert all(p.file == str(path) for p in problems)
    # the review keeps it (finding no_review_date)
    review = register_review.load_register(path)
    assert review.entries["register_row"].tolist() == [2, 7]
    assert pd.isna(review.entries.iloc[1]["review"])
    assert [(i.row, i.column) for i in review.issues] == [
        (3, "person_id"), (4, "start_date"), (5, "review_date"), (6, "restriction_type")]


def test_jsonl_and_xlsx_registers(tmp_path: Path) -> None:
    row = {"person_id": 17, "restriction": "Kitchen locked", "restriction_type": "environmental",
           "authorised_by": "BI", "start_date": "2026-01-01", "review_date": "2026-12-31"}
    (tmp_path / "r.jsonl").write_text(json.dumps(row) + "\n")
    wb = openpyxl.Workbook()
    wb.active.append(list(COLUMNS))
    wb.active.append([17, "Kitchen locked", "environmental", "BI",
                      pd.Timestamp("2026-01-01").to_pydatetime(), "2026-12-31"])
    wb.save(tmp_path / "r.xlsx")
    for name in ("r.jsonl", "r.xlsx"):
        review = register_review.load_register(tmp_path / name)
        assert review.entries["person_id"].tolist() == ["17"], name
        assert review.entries["start_date"].tolist() == ["2026-01-01"], name


@pytest.mark.parametrize(("content", "message"), [
    ("person_id,Person_ID,restriction,restriction_type,authorised_by,start_date,review_date\n",
     "'person_id' appears 2 times"),
    ("person_id,restriction\n", "lacks column(s) restriction_type"),
    ("", "cannot read register"),
])
def test_unusable_register_is_one_error_for_both(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "r.csv"
    path.write_text(content)
    for load in (register_match.load_register, register_review.load_register):
        with pytest.raises(RegisterError, match=message.replace("(", r"\(").replace(")", r"\)")):
            load(path)
    assert issubclass(RegisterError, RecordsError) and issubclass(RegisterError, ValueError)


def test_register_text_is_cleaned_like_notes(tmp_path: Path) -> None:
    body = "P\x00-1,Kitchen lo\u00adcked,environmental,B\u200bI,2026-01-01,2026-06-30\n"
    path = write(tmp_path, body)
    (row,) = read_register(path).rows
    assert (row.person_id, row.restriction, row.authorised_by) == ("P-1", "Kitchen locked", "BI")
