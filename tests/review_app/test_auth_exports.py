"""Users and passwords; CSV and supervision-pack exports; note highlighting."""

from __future__ import annotations

import csv
import io

import pytest

from nlp.records.spreadsheet import excel_safe
from review_app.auth import ROLE_VIEWS, UserError, authenticate, create_user, list_users
from review_app.exports import (
    DECISION_COLUMNS,
    csv_text,
    decision_rows,
    export_decisions,
    supervision_pack,
)
from review_app.importer import import_run
from review_app.render import Span, highlight
from review_app.store import FlagFilter, User, list_flags, record_decision
from review_app.teaching import teachable_flags

from .conftest import PASSWORD, RUN_B


def test_users_hashed_and_checked(loaded_sqlite) -> None:
    _, engine = loaded_sqlite
    from sqlalchemy.orm import Session

    with Session(engine) as s:
        stored = s.query(User).filter_by(username="ann").one().password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert authenticate(engine, "ann", PASSWORD).role == "auditor"  # type: ignore[union-attr]
    assert authenticate(engine, "ann", "wrong password") is None
    assert authenticate(engine, "nobody", PASSWORD) is None
    with pytest.raises(UserError, match="already exists"):
        create_user(engine, "ann", "auditor", PASSWORD)
    with pytest.raises(UserError, match="role must be"):
        create_user(engine, "zed", "root", PASSWORD)
    with pytest.raises(UserError, match="too short"):
        create_user(engine, "zed", "auditor", "short")  # the full policy: test_signin.py
    assert ("sue", "supervisor", True) in list_users(engine)


def test_role_views() -> None:
    assert ROLE_VIEWS["auditor"] == ("Queue", "Dashboard")
    assert ROLE_VIEWS["supervisor"] == ("Supervision", "Dashboard")
    assert ROLE_VIEWS["trainer"] == ("Teaching examples",)
    assert set(ROLE_VIEWS["admin"]) >= {"Queue", "Supervision", "Teaching examples", "Import"}


@pytest.mark.parametrize("value", ["=1+1", "+44", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_neutralised(value: str) -> None:
    assert excel_safe(value) == "'" + value
    rows = list(csv.reader(io.StringIO(csv_text([{"a": value}], ["a"]), newline="")))
    assert rows == [["a"], ["'" + value]]


def test_plain_cells_untouched() -> None:
    assert excel_safe("Staff washed Tom") == "Staff washed Tom"
    assert excel_safe(0.5) == 0.5


def test_export_decisions_csv(loaded_sqlite, tmp_path) -> None:
    _, engine = loaded_sqlite
    flags = list_flags(engine)
    phone = next(f for f in flags if f.span_text == "took his phone off him")
    flags = [f for f in flags if f is not phone]
    record_decision(engine, phone.flag_id, "confirmed", "ann", 0, comment='=HYPERLINK("evil")')
    record_decision(engine, flags[0].flag_id, "dismissed", "al", 0, reason="other", comment="-x")
    record_decision(engine, flags[0].flag_id, "reopened", "ann", 1)
    record_decision(engine, flags[1].flag_id, "dismissed", "al", 0, reason="wrong person")
    out = tmp_path / "decisions.csv"
    assert export_decisions(engine, out) == 2  # the reopened flag is open again
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert list(rows[0]) == DECISION_COLUMNS
    by_id = {r["flag_id"]: r for r in rows}
    assert by_id[phone.flag_id]["comment"] == '\'=HYPERLINK("evil")'
    assert by_id[phone.flag_id]["decision"] == "confirmed"
    assert (by_id[phone.flag_id]["sequence"], by_id[phone.flag_id]["previous_state"]) == (
        "1",
        "open",
    )
    assert by_id[phone.flag_id]["reviewer"] == "ann" and by_id[phone.flag_id]["decided_at"]
    assert by_id[phone.flag_id]["sentence"] == "Staff took his phone off him."
    assert by_id[flags[1].flag_id]["reason"] == "wrong person"
    assert export_decisions(engine, out, history=True) == 4
    history = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [r["decision"] for r in history if r["flag_id"] == flags[0].flag_id] == [
        "dismissed",
        "reopened",
    ]
    assert next(r["comment"] for r in history if r["flag_id"] == flags[0].flag_id) == "'-x"


def test_supervision_pack(loaded_sqlite) -> None:
    _, engine = loaded_sqlite
    dana = list_flags(engine, FlagFilter(authors=["Dana Kerr"]))
    sam = list_flags(engine, FlagFilter(authors=["Sam Oyelaran"]))
    for f in dana:
        if f.note_id != "N-0002":
            record_decision(engine, f.flag_id, "confirmed", "ann", 0, comment="<script>x</script>")
    record_decision(
        engine,
        next(f for f in dana if f.note_id == "N-0002").flag_id,
        "dismissed",
        "ann",
        0,
        reason="other",
        comment="ok",
    )
    for f in sam:
        record_decision(engine, f.flag_id, "confirmed", "ann", 0)
    html, csv_data = supervision_pack(engine, "Dana Kerr", "2026-01-01", "2026-02-28")
    # Dana's confirmed flags Jan-Feb: N-0001 (3 flags) and N-0004 (1); N-0008 is April.
    # One entry per note, as the Supervision page shows them, not one per flag.
    rows = list(csv.DictReader(io.StringIO(csv_data)))
    assert [r["note_id"] for r in rows] == ["N-0001", "N-0004"]
    assert [r["flags"] for r in rows] == ["3", "1"]
    assert {r["author"] for r in rows} == {"Dana Kerr"}
    first = rows[0]
    assert first["categories"] == "Doing for; Missing rationale; Unrecorded restriction"
    flagged = first["flagged_text"].split("\n")
    assert flagged == [
        "1. Doing for: Staff washed and dressed Tomasz Wren",
        "2. Missing rationale: Kitchen locked",
        "3. Unrecorded restriction: Kitchen locked",
    ]
    suggestions = first["suggestions"].split("\n")
    assert len(suggestions) == 3 and all(len(line) > 10 for line in suggestions)
    assert len(first["flag_ids"].split("; ")) == 3
    assert "Kitchen locked" in first["note_text"]
    # HTML: one section per note, every confirmed flag of it highlighted in the note
    assert html.count('<section class="note-entry">') == 2
    assert html.count("note N-0001") == 1 and html.count("note N-0004") == 1
    n1 = html.split('<section class="note-entry">')[1]
    assert n1.count("<mark") >= 2 and n1.count("<li>") == 3
    assert n1.count("Suggestion:") == 3
    assert html.index("note N-0001") < html.index("note N-0004")  # oldest first
    assert "Doing for\n1" in html and "Missing rationale\n2" in html  # by-category line
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "N-0002" not in html and "N-0008" not in html and "Sam Oyelaran" not in html
    empty_html, empty_csv = supervision_pack(engine, "Dana Kerr", "2025-01-01", "2025-01-31")
    assert "No confirmed flags" in empty_html
    assert list(csv.DictReader(io.StringIO(empty_csv))) == []


def test_highlight_escapes_and_marks() -> None:
    text = "Bev said BP <140 & <b>fine</b>. Kitchen locked."
    start = text.index("Kitchen locked")
    html = highlight(
        text,
        [
            Span(start, start + 14, "unrecorded_restriction", current=True),
            Span(start, start + 7, "missing_rationale"),
        ],
    )
    assert "<b>" not in html and "&lt;b&gt;fine&lt;/b&gt;" in html and "&lt;140 &amp;" in html
    assert html.count("<mark") == 2
    assert 'class="ca-current"' in html
    assert ">Kitchen</mark>" in html and "> locked</mark>" in html
    plain = html
    for tag in ("</mark>",):
        plain = plain.replace(tag, "")
    assert plain.endswith(".")


def test_decisions_on_an_edited_note_stay_in_exports(loaded_sqlite) -> None:
    _, engine = loaded_sqlite
    old = next(f for f in list_flags(engine) if f.span_text == "took his phone off him")
    record_decision(engine, old.flag_id, "confirmed", "ann", 0)
    import_run(engine, RUN_B)  # N-0003 was edited: its old flags leave the queue
    assert old.flag_id not in {f.flag_id for f in list_flags(engine)}
    assert [r["flag_id"] for r in decision_rows(engine)] == [old.flag_id]
    assert [r["flag_id"] for r in decision_rows(engine, history=True)] == [old.flag_id]
    assert [f.flag_id for f in teachable_flags(engine)] == [old.flag_id]
