"""Quality improvement actions: create → overdue → done, and the next report's re-audit."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from nlp.governance.actions import (
    ActionsError,
    actions_engine,
    add_action,
    complete_action,
    list_actions,
    load_actions,
    reaudit,
)
from nlp.records.run_reader import load_run
from tests.governance.builders import flag, note, write_run


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """Ash Lodge: 20 notes a month; unrecorded restrictions 6, 6, then 1, 1 a month.

    Before 1 March: 12 flags in 40 notes = 30.0 per 100 (Garwood k = 12: 6.2006–20.9616,
    /40 notes → 15.50–52.40).  From March: 2 in 40 = 5.0 per 100 (Garwood k = 2:
    0.2422–7.2247 → 0.61–18.06).  Birch View: 20 notes a month, no flags.
    """
    notes, flags, i = [], [], 0
    for m, per_month in zip(["2026-01", "2026-02", "2026-03", "2026-04"], [6, 6, 1, 1],
                            strict=True):
        ash = [note(i := i + 1, m, "Ash Lodge") for _ in range(20)]
        birch = [note(i := i + 1, m, "Birch View") for _ in range(20)]
        notes += ash + birch
        flags += [flag(n, "unrecorded_restriction") for n in ash[:per_month]]
    return write_run(tmp_path / "run", notes, flags)


def new_action(engine, **extra):  # type: ignore[no-untyped-def]
    fields = dict(problem="Restrictions written up without their authority",
                  standard="Restriction recording standard",
                  staff_practice="Prompt card; shift lead checks at handover",
                  owner="Registered manager", due_date=date(2026, 3, 1),
                  metric="unrecorded_restriction_per_100", service="Ash Lodge", target=10.0)
    fields.update(extra)
    return add_action(engine, **fields)


def test_action_round_trip(tmp_path: Path, run_dir: Path) -> None:
    engine = actions_engine(f"sqlite:///{tmp_path / 'store.db'}")
    action = new_action(engine)
    assert action.id == 1 and action.status == "open"
    assert action.state(date(2026, 2, 28)) == "open"
    assert action.state(date(2026, 3, 10)) == "overdue"
    assert action.days_overdue(date(2026, 3, 10)) == 9
    later = new_action(engine, problem="Second", due_date=date(2026, 6, 1))
    run = load_run(run_dir)
    table = reaudit(list_actions(engine), run.notes, run.flags, run.restrictions,
                    date(2026, 3, 10))
    assert table["id"].tolist() == [1, 2]  # overdue first
    assert table["state"].tolist() == ["overdue", "open"]
    row = table.iloc[0]
    assert (row["before_count"], row["before_notes"], row["after_count"], row["after_notes"]) \
        == (12, 40, 2, 40)
    assert row["before"] == pytest.approx(30.0) and row["after"] == pytest.approx(5.0)
    assert (row["before_lo"], row["before_hi"]) == pytest.approx((15.50, 52.40), abs=0.01)
    assert (row["after_lo"], row["after_hi"]) == pytest.approx((0.61, 18.06), abs=0.01)
    assert (row["change"], row["outcome"], row["target_met"]) == ("lower", "better", "yes")
    assert table.iloc[1]["change"] == "no notes since 2026-06-01 yet"

    done = complete_action(engine, 1, on=date(2026, 3, 5), by="lead", note="cards in use")
    assert done.state(date(2026, 3, 10)) == "done" and done.action_date == date(2026, 3, 5)
    with pytest.raises(ActionsError, match="already marked done"):
        complete_action(engine, 1)
    with pytest.raises(ActionsError, match="no action 9"):
        complete_action(engine, 9)
    table = reaudit(list_actions(engine), run.notes, run.flags, run.restrictions,
                    date(2026, 3, 10))
    assert table["id"].tolist() == [later.id, 1]  # open before done
    engine.dispose()


def test_actions_need_their_fields_and_a_known_measure(tmp_path: Path) -> None:
    engine = actions_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with pytest.raises(ActionsError, match="owner"):
        new_action(engine, owner=" ")
    with pytest.raises(ActionsError, match="unknown measure"):
        new_action(engine, metric="happiness")
    engine.dispose()


def test_load_actions_never_creates_a_store(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    assert load_actions(f"sqlite:///{missing}") == [] and not missing.exists()
    assert load_actions(None) == []


def test_cli_round_trip_and_next_report(invoke: Callable, tmp_path: Path,
                                        run_dir: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    result = invoke("actions", "add", "--db", db, "--problem", "<b>Unrecorded</b> restrictions",
                    "--standard", "Recording standard", "--apply", "Prompt card",
                    "--owner", "Manager", "--due", "2026-03-01",
                    "--metric", "unrecorded_restriction_per_100", "--service", "Ash Lodge",
                    "--target", "10", "--from-run", run_dir)
    assert result.exit_code == 0, result.output
    # starting point: the whole run, 14 flags in 80 Ash Lodge notes = 17.5 per 100
    assert "action 1 added" in result.output and "17.5 (95% CI" in result.output
    assert invoke("actions", "add", "--db", db, "--problem", "Doing for", "--standard", "Guide",
                  "--apply", "Supervision", "--owner", "Deputy", "--due", "2026-06-30",
                  "--metric", "doing_for_per_100").exit_code == 0
    listed = invoke("actions", "list", "--db", db, "--as-of", "2026-04-30").output
    assert re.search(r"^1\tOVERDUE 60 days\tdue 2026-03-01\tManager", listed, re.M)
    assert listed.index("OVERDUE") < listed.index("Doing for")
    html = report_html(invoke, run_dir, db)
    section = html.split('id="actions"')[1].split("</section>")[0]
    assert '<td class="alert">OVERDUE (60 days)</td>' in section
    assert "&lt;b&gt;Unrecorded&lt;/b&gt;" in section and "<b>Unrecorded" not in section
    assert section.index("OVERDUE") < section.index("Doing for")
    assert "2 actions: 1 overdue, 1 open, 0 done." in section
    assert "Improvement actions overdue" in html

    bad = invoke("actions", "add", "--db", db, "--problem", "x", "--standard", "x", "--apply",
                 "x", "--owner", "x", "--due", "31/03/2026", "--metric", "doing_for_per_100")
    assert bad.exit_code == 1 and "not a date" in bad.output
    assert invoke("actions", "done", "1", "--db", db, "--on", "2026-03-05",
                  "--note", "cards in use").exit_code == 0
    assert "done 2026-03-05" in invoke("actions", "list", "--all", "--db", db).output
    section = report_html(invoke, run_dir, db).split('id="actions"')[1].split("</section>")[0]
    assert "OVERDUE" not in section and "done 2026-03-05" in section
    assert "cards in use" in section
    # re-audit split at the done date: 30.0 (15.5–52.4) before, 5.0 (0.6–18.1) after
    assert re.search(r"30\.0</td><td class=\"num\">15\.5–52\.4</td><td>12 in 40</td>"
                     r"<td class=\"num\">5\.0</td><td class=\"num\">0\.6–18\.1</td>"
                     r"<td>2 in 40</td><td>better</td><td>yes</td>", section)


def report_html(invoke: Callable, run_dir: Path, db: str) -> str:
    result = invoke("report", run_dir, "--db", db, "--as-of", "2026-04-30")
    assert result.exit_code == 0, result.output
    return (run_dir / "report.html").read_text(encoding="utf-8")


def test_report_never_creates_a_store(invoke: Callable, run_dir: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    result = invoke("report", run_dir, "--db", f"sqlite:///{missing}")
    assert result.exit_code == 0, result.output
    assert not missing.exists()
    assert "No quality improvement actions are recorded yet" in (
        run_dir / "report.html").read_text(encoding="utf-8")
