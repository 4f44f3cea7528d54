"""``careaudit deidentify`` through the CLI: the PII set's targets, formats, bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from nlp.deid.evaluation import load_pii, score

PII = Path(__file__).resolve().parents[2] / "annotations" / "pii"
runner = CliRunner()


def deidentify(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["deidentify", *args, "--no-progress"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, " ".join(result.output.split())  # unwrap rich's lines


# Presidio's default analyser on the same file (docs/deid_results_test.json)
PRESIDIO = {"name": 0.664, "all": 0.733, "non_pii_spans": 0.578, "other_tokens": 0.890}
IDENTIFIERS = ("nhs_number", "ni_number", "id")
OTHERS = ("phone", "email", "postcode", "address", "room", "gp_surgery", "date")


@pytest.fixture(scope="module")
def pii_test_run(deid_analyzer, tmp_path_factory: pytest.TempPathFactory):
    """``careaudit deidentify`` on ``pii_test.jsonl``, once: (records, rows, score).

    The file was used to develop the rules after its first report, so it is a development
    set now; the held-out figures come from ``pii_holdout.jsonl`` (docs/deid.md).
    """
    path = PII / "pii_test.jsonl"
    if not path.exists():
        pytest.skip(f"{path} not written yet")
    out = tmp_path_factory.mktemp("deid") / "deid.jsonl"
    code, output = deidentify(str(path), "--out", str(out), "--seed", "1")
    assert code == 0, output
    records = load_pii(path)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(records)  # every row, in the input's order
    return records, rows, score(records, [row["text"] for row in rows])


def test_deidentify_on_the_pii_set_beats_presidio_and_holds_its_level(pii_test_run) -> None:
    records, rows, result = pii_test_run
    summary = result.to_dict()
    for kind in IDENTIFIERS:
        assert result.recall(kind) >= 0.99, (kind, summary)
    for kind in OTHERS:
        assert result.recall(kind) >= 0.97, (kind, summary)
    assert result.recall("name") >= 0.99, summary  # measured 1.000 (a development set now)
    assert result.span_precision >= 0.97, summary  # measured 0.998
    assert result.token_precision >= 0.97, summary  # measured 0.988
    assert result.recall("name") > PRESIDIO["name"] and result.recall() > PRESIDIO["all"]
    assert result.span_precision > PRESIDIO["non_pii_spans"]
    assert result.token_precision > PRESIDIO["other_tokens"]
    people = {r["person_id"] for r in records}
    assert len({row["person_id"] for row in rows}) == len(people)
    assert not people & {row["person_id"] for row in rows}


def test_deidentify_meets_the_issue_targets_on_the_pii_set(pii_test_run) -> None:
    _, _, result = pii_test_run
    for kind in ("name", *IDENTIFIERS):
        assert result.recall(kind) >= 0.99, kind
    for kind in OTHERS:
        assert result.recall(kind) >= 0.97, kind
    assert result.span_precision >= 0.97
    assert result.token_precision >= 0.97


def test_csv_out_is_formula_safe_and_bad_rows_are_reported(deid_analyzer, tmp_path: Path) -> None:
    src = tmp_path / "notes.csv"
    src.write_text(
        "Id,Who,When,Body,Home,Writer\n"
        'N-1,P-7,2026-03-01,"=HYPERLINK(""http://x"") Mary Jones was calm.",Oak Lodge,Ann Lee\n'
        "N-2,P-7,not a date,Mary rang.,Oak Lodge,Ann Lee\n"
        "N-3,P-7,02/03/2026,mary went to Oak Lodge garden with Ann.,Oak Lodge,Ann Lee\n",
        encoding="utf-8",
    )
    out = tmp_path / "out" / "deid.csv"
    columns = "note_id=Id,person_id=Who,date=When,text=Body,service=Home,author=Writer"
    code, output = deidentify(str(src), "--out", str(out), "--columns", columns)
    assert code == 0, output
    assert "rejected:" in output and "row 3 column When" in output
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["note_id"] for r in rows] == ["N-T-0001", "N-T-0002"]
    assert rows[0]["text"].startswith("'=HYPERLINK")  # neutralised for spreadsheets
    joined = json.dumps(rows)
    for original in ("Mary", "mary", "Jones", "Ann", "Lee", "Oak Lodge", "2026-03-01", "P-7"):
        assert original not in joined, original
    assert rows[0]["person_id"] == rows[1]["person_id"] and rows[0]["service"] == "Service A"
    assert rows[1]["text"].split()[0] == rows[0]["text"].split()[1].lower()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv", "--out", "x.csv"], "error:"),
        (["{pii}", "--out", "x.txt"], "must end in .csv or .jsonl"),
    ],
)
def test_clear_errors_no_tracebacks(tmp_path: Path, args: list[str], message: str) -> None:
    args = [a.replace("{pii}", str(PII / "pii_dev.jsonl")) for a in args]
    code, output = deidentify(*[str(tmp_path / a) if a.endswith(".csv") else a for a in args])
    assert code == 2 and message in output and "Traceback" not in output
