"""Entry points: write the audit report, the register review and the person page."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd

from nlp.governance.actions import load_actions
from nlp.governance.confirmed import DecisionsError, load_decisions
from nlp.governance.equality import PeopleFileError, load_people, merge_people, people_from_notes
from nlp.governance.register_review import (
    RegisterError,
    RegisterReview,
    load_register,
    load_register_review,
    review_register,
    write_register_review,
)
from nlp.governance.reporting.errors import ReportError
from nlp.governance.reporting.html import render_report, write_html
from nlp.governance.reporting.pdf import find_chromium, html_to_pdf
from nlp.governance.reporting.person import build_person_report
from nlp.governance.reporting.sections import ReportOptions, build_report
from nlp.governance.reporting.xlsx import write_xlsx
from nlp.governance.stepdown import (
    STEPDOWN_FILE,
    carry_decisions,
    read_stepdown,
    stepdown_table,
    write_stepdown,
)
from nlp.records.run_reader import RunData, load_run

FORMATS = ("html", "pdf", "xlsx")


def check_date(value: str | None, option: str = "--as-of") -> str | None:
    """``value`` if it is a yyyy-mm-dd date (or None), else a :class:`ReportError`."""
    if value is None:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value).isoformat()
    except ValueError:
        pass
    raise ReportError(f"{option} {value!r} is not a date (use yyyy-mm-dd)")


def run_register_review(run: RunData | str | Path, register_path: str | Path,
                        as_of: str | None = None) -> RegisterReview:
    """Load a run (if given a path) and the register, and reconcile them."""
    run = run if isinstance(run, RunData) else load_run(run)
    register = load_register(register_path)
    return review_register(run.restrictions, register, run.notes, as_of=check_date(as_of),
                           trust_run_status=_same_file(run.run_info.get("register"),
                                                       register_path))


def _same_file(audited: object, reviewed: str | Path) -> bool:
    """Whether the audit's register (as recorded in summary.json) is ``reviewed``."""
    if not audited or not isinstance(audited, str):
        return False
    try:
        return Path(audited).resolve() == Path(reviewed).resolve()
    except OSError:
        return False


def register_review_command(run_dir: str | Path, register_path: str | Path,
                            out_dir: str | Path | None = None,
                            as_of: str | None = None) -> tuple[RegisterReview, Path, Path]:
    """Review, then write ``register_review.csv``/``.json`` into ``out_dir`` (default: run)."""
    run = load_run(run_dir)
    review = run_register_review(run, register_path, as_of)
    csv_path, json_path = write_register_review(review, out_dir or run_dir)
    write_stepdown(run_stepdown(run, register_path, review), out_dir or run_dir)
    return review, csv_path, json_path


def run_stepdown(run: RunData, register_path: str | Path,
                 review: RegisterReview) -> pd.DataFrame:
    """Step-down evidence for each entry of the register at ``register_path``."""
    register = load_register(register_path)
    return stepdown_table(register.entries, run.restrictions, run.notes,
                          pd.Timestamp(review.period_end))


def _stepdown_for_report(run: RunData, register: str | Path | None,
                         review: RegisterReview | None) -> pd.DataFrame | None:
    """From ``--register`` (keeping the panel's saved decisions), else the saved CSV."""
    saved = run.path / STEPDOWN_FILE
    try:
        previous = read_stepdown(saved) if saved.is_file() else None
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        run.warnings.append(f"{saved}: ignored ({exc})")
        previous = None
    if register and review is not None:
        table = run_stepdown(run, register, review)
        return carry_decisions(table, previous) if previous is not None else table
    return previous


def _review_for_report(run: RunData, register: str | Path | None,
                       as_of: str | None) -> RegisterReview | None:
    if register:
        return run_register_review(run, register, as_of)
    saved = run.path / "register_review.json"
    if saved.is_file():
        try:
            return load_register_review(saved)
        except RegisterError as exc:
            run.warnings.append(f"{exc}; register section left out")
    return None


def report_command(run_dir: str | Path, fmt: str = "html", *, output: str | Path | None = None,
                   baseline: str | Path | None = None, register: str | Path | None = None,
                   as_of: str | None = None, options: ReportOptions | None = None,
                   decisions: str | Path | pd.DataFrame | None = None,
                   people: str | Path | None = None, actions_db: str | None = None) -> Path:
    """Build the governance report and write it as ``fmt``; returns the file written.

    ``decisions``: a decisions CSV (``careaudit export decisions``) or a frame of
    ``flag_id``/``decision``; ``people``: a person file with protected
    characteristics; ``actions_db``: the store URL holding quality improvement
    actions (read only).
    """
    if fmt not in FORMATS:
        raise ReportError(f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})")
    if fmt == "pdf":
        find_chromium()  # fail before any work when Chromium is missing
    when = check_date(as_of)
    try:
        decided = (load_decisions(decisions) if isinstance(decisions, str | Path)
                   else decisions)
        from_file = load_people(people) if people else None
    except (DecisionsError, PeopleFileError) as exc:
        raise ReportError(str(exc)) from exc
    run = load_run(run_dir)
    base = load_run(baseline) if baseline else None
    review = _review_for_report(run, register, as_of)
    characteristics = merge_people(from_file, people_from_notes(run.path / "notes.jsonl"))
    report = build_report(
        run, baseline=base, review=review, options=options,
        actions=load_actions(actions_db), decisions=decided,
        people=characteristics if len(characteristics.columns) > 1 else None,
        stepdown=_stepdown_for_report(run, register, review),
        as_of=date.fromisoformat(when) if when else None)
    target = Path(output) if output else run.path / f"report.{fmt}"
    if fmt == "xlsx":
        return write_xlsx(report, target)
    html = render_report(report)
    if fmt == "pdf":
        return html_to_pdf(html, target)
    return write_html(html, target)


def person_command(person_id: str, run_dir: str | Path, *, register: str | Path | None = None,
                   output: str | Path | None = None, as_of: str | None = None) -> Path:
    """Write the person page (HTML); default ``<run>/person_<id>.html``."""
    run = load_run(run_dir)
    reg = load_register(register) if register else None
    report = build_person_report(run, person_id, reg, check_date(as_of))
    safe_id = re.sub(r"[^A-Za-z0-9_.-]+", "_", person_id)
    target = Path(output) if output else run.path / f"person_{safe_id}.html"
    return write_html(render_report(report), target)
