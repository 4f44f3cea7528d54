"""Register review on the hand-written fixture run and register."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from nlp.governance.register_review import (
    FINDING_COLUMNS,
    RegisterError,
    RegisterReview,
    load_register,
    load_register_review,
    review_register,
)
from nlp.records.run_reader import load_run
from tests.governance.conftest import FIXTURES


@pytest.fixture(scope="module")
def review() -> RegisterReview:
    run = load_run(FIXTURES / "run_small")
    return review_register(run.restrictions, load_register(FIXTURES / "register.csv"), run.notes)


def rows(review: RegisterReview, finding: str) -> pd.DataFrame:
    return review.findings[review.findings["finding"] == finding]


def test_period_and_counts(review: RegisterReview) -> None:
    assert (review.period_start, review.period_end, review.as_of) == (
        "2026-01-05", "2026-03-28", "2026-03-28")
    assert review.counts() == {"unregistered_use": 5, "review_overdue": 2, "no_review_date": 1,
                               "not_mentioned": 1, "person_not_in_run": 1}
    assert list(review.findings.columns) == FINDING_COLUMNS


def test_restrictions_in_use_but_not_registered(review: RegisterReview) -> None:
    unreg = rows(review, "unregistered_use")
    got = {(r.person_id, r.restriction_type, r.register_status, r.mentions)
           for r in unreg.itertuples()}
    assert got == {
        ("P-002", "environmental", "not_in_register", 2),
        ("P-002", "routine_rule", "not_in_register", 1),
        ("P-002", "possessions_finance", "not_in_register", 1),
        ("P-003", "environmental", "out_of_date", 1),  # keypad entry lapsed 2026-01-31
        ("P-004", "routine_rule", "not_in_register", 1),
    }
    kitchen = unreg[unreg["restriction_type"] == "environmental"].iloc[0]
    assert kitchen["example_note_ids"] == "N-002;N-014"
    assert (kitchen["first_mention"], kitchen["last_mention"]) == ("2026-01-08", "2026-03-09")


def test_entries_past_review_date(review: RegisterReview) -> None:
    overdue = rows(review, "review_overdue").set_index("register_row")
    assert overdue["days_overdue"].to_dict() == {4: 56, 3: 28}
    assert "due for review on 2026-01-31" in overdue.loc[4, "explanation"]


def test_step_down_candidates_and_other_entry_findings(review: RegisterReview) -> None:
    silent = rows(review, "not_mentioned").iloc[0]
    assert silent["person_id"] == "P-001"
    assert silent["restriction_type"] == "supervision_surveillance"
    assert "step-down candidate" in silent["explanation"]
    assert rows(review, "no_review_date")["register_row"].tolist() == [6]
    assert rows(review, "person_not_in_run")["person_id"].tolist() == ["P-009"]


def test_counts_per_person_and_service(review: RegisterReview) -> None:
    svc = review.by_service.set_index("service")
    assert svc.loc["Cedar Court", ["unregistered_use", "review_overdue", "total"]].tolist() == [
        2, 2, 4]
    assert svc.loc["Willow House", "total"] == 5
    person = review.by_person.set_index("person_id")
    assert person.loc["P-002", "unregistered_use"] == 3


def test_as_of_moves_overdue_and_period_end() -> None:
    run = load_run(FIXTURES / "run_small")
    reg = load_register(FIXTURES / "register.csv")
    early = review_register(run.restrictions, reg, run.notes, as_of="2026-02-15")
    overdue = early.findings[early.findings["finding"] == "review_overdue"]
    assert overdue["register_row"].tolist() == [4]  # phone entry not yet due on 15 Feb
    # the bed-rails mention (22 March) is after the period end: the entry is now silent
    silent = early.findings[early.findings["finding"] == "not_mentioned"]
    assert sorted(silent["register_row"].tolist()) == [5, 6]


def test_bad_register_rows_are_reported_with_row_and_column() -> None:
    reg = load_register(FIXTURES / "register_bad.csv")
    assert [(i.row, i.column) for i in reg.issues] == [
        (3, "restriction_type"), (4, "person_id"), (5, "review_date"), (6, "start_date"),
        (7, "review_date")]
    assert "review_date is before start_date" in str(reg.issues[-1])
    assert reg.entries["register_row"].tolist() == [2]


def test_register_variants_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "reg.csv"
    path.write_text("\ufeffPerson_ID, restriction ,Restriction_Type,authorised_by,start_date,"
                    "review_date\nP-1,Door alarm,Supervision Surveillance,RA,01/02/2026,\n",
                    encoding="utf-8")
    reg = load_register(path)
    assert reg.issues == []
    entry = reg.entries.iloc[0]
    assert entry["restriction_type"] == "supervision_surveillance"
    assert entry["start"] == pd.Timestamp("2026-02-01")


@pytest.mark.parametrize(("content", "message"), [
    ("person_id,restriction\nP-1,x\n", "lacks column(s) restriction_type"),
    ("", "cannot read register"),
])
def test_unusable_register_is_one_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "reg.csv"
    path.write_text(content)
    with pytest.raises(RegisterError, match=re.escape(message)):
        load_register(path)
    with pytest.raises(RegisterError, match="not found"):
        load_register(tmp_path / "missing.csv")


def test_cli_writes_csv_json_and_prints_summary(invoke: Callable, run_small: Path,
                                                 register_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "review"
    result = invoke("register-review", run_small, "--register", register_csv, "--out", out)
    assert result.exit_code == 0, result.output
    assert "restrictions in use but not registered: 5" in result.output
    assert "Cedar Court: unregistered_use 2, review_overdue 2" in result.output
    table = pd.read_csv(out / "register_review.csv")
    assert list(table.columns) == FINDING_COLUMNS and len(table) == 10
    data = json.loads((out / "register_review.json").read_text())
    assert data["counts"]["review_overdue"] == 2
    assert load_register_review(out / "register_review.json").counts() == data["counts"]


def test_cli_bad_rows_warn_and_strict_fails(invoke: Callable, run_small: Path) -> None:
    bad = FIXTURES / "register_bad.csv"
    result = invoke("register-review", run_small, "--register", bad)
    assert result.exit_code == 0
    assert "row 6, column start_date: start_date is not a date" in result.output
    assert (run_small / "register_review.csv").is_file()
    strict = invoke("register-review", run_small, "--register", bad, "--strict")
    assert strict.exit_code == 1
    assert "5 bad row(s) skipped" in strict.output


@pytest.mark.parametrize("args", [
    ("--register", "nope.csv"),
    ("--register", str(FIXTURES / "register.csv"), "--as-of", "31/03/2026"),
])
def test_cli_errors_are_messages_not_tracebacks(invoke: Callable, run_small: Path,
                                                args: tuple[str, ...]) -> None:
    result = invoke("register-review", run_small, *args)
    assert result.exit_code == 1
    assert result.output.startswith("error: ")
    assert "Traceback" not in result.output


def test_audit_wording_match_counts_only_when_trusted() -> None:
    run = load_run(FIXTURES / "run_small")
    reg = load_register(FIXTURES / "register_bad.csv")  # P-004's phone row is invalid

    def unregistered(trust: bool) -> set[tuple[str, str]]:
        rv = review_register(run.restrictions, reg, run.notes, trust_run_status=trust)
        unreg = rv.findings[rv.findings["finding"] == "unregistered_use"]
        return set(zip(unreg["person_id"], unreg["restriction_type"], strict=True))

    # the audit matched N-004 (P-004 phone) and N-017 (P-001 bed rails) to the register
    assert {("P-004", "possessions_finance"), ("P-001", "mechanical")} <= unregistered(False)
    assert not {("P-004", "possessions_finance"), ("P-001", "mechanical")} & unregistered(True)
