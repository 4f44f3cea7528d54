"""Reading messy exports: encodings, blank rows, HTML, long notes, duplicates, bad rows,
and the one-message errors for unreadable input."""

import json

import pandas as pd
import pytest

from nlp.records.exports import RecordsError, parse_column_map, read_notes

HEADER = "note_id,person_id,date,service,author,note_type,text\n"


def _write(tmp_path, name, content, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(content.encode(encoding))
    return path


def test_cp1252_csv_with_pound_sign_and_uk_dates(tmp_path):
    path = _write(
        tmp_path,
        "notes.csv",
        HEADER + 'N1,P1,14/03/2026,Oak,carer,Daily Note,"Gave him £5 – he chose crisps."\n',
        encoding="cp1252",
    )
    read = read_notes(path)
    assert [n.text for n in read.notes] == ["Gave him £5 – he chose crisps."]
    assert read.notes[0].date == "2026-03-14"
    assert read.notes[0].note_type == "daily_note"


def test_utf8_bom_csv(tmp_path):
    path = _write(tmp_path, "notes.csv", "\ufeff" + HEADER + "N1,P1,2026-03-14,,,,Settled.\n")
    assert read_notes(path).notes[0].note_id == "N1"


def test_blank_rows_skipped_and_row_numbers_are_spreadsheet_rows(tmp_path):
    path = _write(
        tmp_path,
        "notes.csv",
        HEADER + ",,,,,,\nN1,P1,2026-03-14,,,,Fine.\nN2,P1,not a date,,,,Fine.\n",
    )
    read = read_notes(path)
    assert [n.note_id for n in read.notes] == ["N1"]
    (problem,) = read.problems
    assert (problem.row, problem.column, problem.action) == (4, "date", "rejected")
    assert "not a date" in problem.reason


def test_html_fragments_become_plain_text(tmp_path):
    text = "<p>Kitchen locked &amp; fridge too.</p><p>Slept <b>well</b>.</p>"
    path = _write(tmp_path, "notes.csv", HEADER + f'N1,P1,2026-03-14,,,,"{text}"\n')
    assert read_notes(path).notes[0].text == "Kitchen locked & fridge too.\n\nSlept well."


def test_duplicates(tmp_path):
    path = _write(
        tmp_path,
        "notes.csv",
        HEADER + "N1,P1,2026-03-14,,,,Same.\nN1,P1,2026-03-14,,,,"
        "Same.\nN1,P1,2026-03-14,,,,Different.\n",
    )
    read = read_notes(path)
    assert len(read.notes) == 1
    assert [(p.row, p.action) for p in read.problems] == [(3, "skipped"), (4, "rejected")]
    assert "different text" in read.problems[1].reason


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (",P1,2026-03-14,,,,Text.", "note_id", "no note id"),
        ("N1,P1,2026-03-14,,,,", "text", "no note text"),
        ("N1,,2026-03-14,,,,Text.", "person_id", "no person id"),
    ],
)
def test_unusable_rows_are_reported_with_column(tmp_path, row, column, reason):
    path = _write(tmp_path, "notes.csv", HEADER + row + "\nN9,P1,2026-03-14,,,,Good.\n")
    read = read_notes(path)
    assert [n.note_id for n in read.notes] == ["N9"]
    assert (read.problems[0].row, read.problems[0].column, read.problems[0].reason) == (
        2,
        column,
        reason,
    )


def test_unknown_note_type_is_a_warning_not_a_rejection(tmp_path):
    path = _write(tmp_path, "notes.csv", HEADER + "N1,P1,2026-03-14,,,Handover,Fine.\n")
    read = read_notes(path)
    assert read.notes[0].note_type == "daily_note"
    assert read.problems[0].action == "warning"


def test_very_long_note_is_kept(tmp_path):
    body = "Staff washed and dressed him. " * 4000
    path = _write(tmp_path, "notes.csv", HEADER + f'N1,P1,2026-03-14,,,,"{body}"\n')
    read = read_notes(path)
    assert len(read.notes[0].text) > 100_000
    assert read.problems[0].action == "warning"


def test_column_mapping(tmp_path):
    path = _write(tmp_path, "notes.csv", "Id,Client,Created,NoteBody\nN1,P1,2026-03-14,Fine.\n")
    mapping = parse_column_map("note_id=Id,person_id=Client,date=Created,text=NoteBody")
    assert read_notes(path, mapping).notes[0].text == "Fine."


def test_missing_column_is_one_clear_error(tmp_path):
    path = _write(tmp_path, "notes.csv", "Id,Client,Created,Body\nN1,P1,2026-03-14,Fine.\n")
    with pytest.raises(RecordsError) as err:
        read_notes(path)
    message = str(err.value)
    assert "notes.csv" in message and "note_id" in message and "--columns" in message


@pytest.mark.parametrize("name", ["notes.docx", "notes"])
def test_unknown_format(tmp_path, name):
    path = _write(tmp_path, name, "whatever")
    with pytest.raises(RecordsError, match="unknown format"):
        read_notes(path)


def test_missing_file(tmp_path):
    with pytest.raises(RecordsError, match="no such file"):
        read_notes(tmp_path / "nope.csv")


def test_unreadable_parquet(tmp_path):
    path = _write(tmp_path, "notes.parquet", "not parquet at all")
    with pytest.raises(RecordsError, match="cannot be read as parquet"):
        read_notes(path)


def test_bad_column_map():
    with pytest.raises(RecordsError, match="unknown field"):
        parse_column_map("body=Text")


def test_jsonl_parquet_and_xlsx_read_the_same(tmp_path):
    rows = [
        {"note_id": "N1", "person_id": "P1", "date": "2026-03-14", "text": "Fine."},
        {"note_id": "N2", "person_id": "P2", "date": "15/03/2026", "text": "Slept."},
    ]
    jsonl = tmp_path / "n.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in rows) + "\n{not json\n")
    pd.DataFrame(rows).to_parquet(tmp_path / "n.parquet")
    pd.DataFrame(rows).to_excel(tmp_path / "n.xlsx", index=False)
    for name in ("n.jsonl", "n.parquet", "n.xlsx"):
        read = read_notes(tmp_path / name)
        assert [(n.note_id, n.date) for n in read.notes] == [
            ("N1", "2026-03-14"),
            ("N2", "2026-03-15"),
        ], name
    bad = read_notes(jsonl).problems
    assert bad and bad[0].row == 3 and "not valid JSON" in bad[0].reason


def test_broken_csv_row_is_rejected_alone(tmp_path):
    path = _write(tmp_path, "notes.csv", HEADER + "N1,P1,2026-03-14,,,,Fine.\n"
                  "N2,P1,2026-03-14,,,,Kitchen locked, fridge too, door as well.\n"
                  "N3,P1,2026-03-14,,,,Slept.\n")
    read = read_notes(path)
    assert [n.note_id for n in read.notes] == ["N1", "N3"]
    assert read.problems[0].row == 3 and "fields" in read.problems[0].reason


@pytest.mark.parametrize(("raw", "iso"), [
    ("46095", "2026-03-14"),  # an Excel date cell exported as a number
    ("2026-03-14T10:00:00Z", "2026-03-14"),
    ("2026-03-14T10:00:00.123+01:00", "2026-03-14"),
    ("14 March 2026", "2026-03-14"),
])
def test_more_date_shapes(raw, iso):
    from nlp.records.exports import parse_date

    assert parse_date(raw) == iso


def test_angle_brackets_that_are_not_html_are_kept(tmp_path):
    text = "Mary &amp; John. Staff said <Mary> must stay in room."
    path = _write(tmp_path, "notes.csv", HEADER + f'N1,P1,2026-03-14,,,,"{text}"\n')
    assert read_notes(path).notes[0].text == "Mary & John. Staff said <Mary> must stay in room."


def test_duplicates_are_found_after_the_id_index_spills_to_disk(tmp_path, monkeypatch):
    import os

    import nlp.records.note_index as note_index
    from nlp.records.exports import iter_notes

    monkeypatch.setattr(note_index, "MEMORY_LIMIT", 3)
    rows = [f"N{i},P1,2026-03-14,,,,Note {i}." for i in range(10)]
    rows += ["N1,P1,2026-03-14,,,,Note 1.", "N8,P1,2026-03-14,,,,Changed."]
    path = _write(tmp_path, "notes.csv", HEADER + "\n".join(rows) + "\n")
    chunks = list(iter_notes(path, None, 4))  # read in chunks, as the audit does
    notes = [n.note_id for c in chunks for n in c.notes]
    problems = [(p.row, p.action, p.reason) for c in chunks for p in c.problems]
    assert notes == [f"N{i}" for i in range(10)]
    assert problems[0][:2] == (12, "skipped") and "row 3" in problems[0][2]  # N1, spilled
    assert problems[1][:2] == (13, "rejected") and "row 10" in problems[1][2]

    index = note_index.NoteIdIndex(memory_limit=2)
    for i in range(5):
        index[f"id{i}"] = (bytes([i]), i + 2)
    assert len(index) == 5 and index.get("id0") == (b"\x00", 2) and index.get("id9") is None
    path_on_disk = index._path
    assert path_on_disk and os.path.exists(path_on_disk)
    index.close()
    assert not os.path.exists(path_on_disk)


def test_parquet_missing_values_are_empty_cells(tmp_path):
    """pandas' NA (string columns) and NaT (date columns) are missing values, not the
    text '<NA>' / 'NaT': a note without an id is reported, not given the id '<NA>'."""
    frame = pd.DataFrame(
        {
            "note_id": pd.array(["N-1", pd.NA], dtype="string"),
            "person_id": ["P-1", "P-2"],
            "date": pd.to_datetime(["2026-01-05", None]),
            "text": ["Mary washed her face.", "Staff dressed John."],
        }
    )
    frame.to_parquet(tmp_path / "n.parquet")
    read = read_notes(tmp_path / "n.parquet")
    assert [n.note_id for n in read.notes] == ["N-1"]
    assert {p.column for p in read.problems} >= {"note_id"}
    assert not any("<NA>" in p.reason or "NaT" in p.reason for p in read.problems)
