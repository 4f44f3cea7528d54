"""Regenerate docs/report_screenshot.png from the bundled sample data.

Steps (all in a scratch folder, default /tmp/careaudit_report_screenshot):

1. audit examples/sample_notes.csv against examples/register.csv (``careaudit audit``);
2. cut the January–February notes out as the run the quality meeting first saw;
3. record three quality improvement actions raised from that run in a scratch
   review store (``careaudit actions add``; one marked done) and a panel's
   decision in the step-down log (``careaudit register-review``);
4. write the report of the whole run as of its last note date, with
   examples/people.csv (``careaudit report --people --db --as-of``);
5. screenshot the headline cards and the sections that show intervals, the
   actions and the protected-characteristics table with headless Chromium.

Usage: .venv/bin/python scripts/report_screenshot.py [--work DIR] [--full]
(``--full`` screenshots the whole report instead of the selected sections).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CAREAUDIT = [str(Path(sys.executable).with_name("careaudit"))]
AS_OF = "2026-05-12"
SECTIONS = ("actions", "categories", "trends", "equality")
ACTIONS = [
    dict(
        problem="Restrictions at Larkspur House written up without their authority (BI, DoLS "
        "or care plan)",
        standard="Restriction recording standard: every restriction names its authority "
        "and the register entry",
        apply="Prompt card in the night file; shift lead checks the night's notes at handover",
        owner="Registered manager, Larkspur House",
        due="2026-03-20",
        metric="unrecorded_restriction_per_100",
        service="Larkspur House",
        target="25",
    ),
    dict(
        problem="Doing-for language in home care visit notes",
        standard="Enabling recording guide: write what the person did, chose and said",
        apply="Guide covered in team meeting and each carer's next supervision",
        owner="Care coordinator, Brightside North",
        due="2026-03-31",
        metric="doing_for_per_100",
        service="Brightside Home Care (North team)",
        target="60",
        done="2026-03-02",
        note="Guide issued 02/03; 11 of 12 carers supervised by 31/03",
    ),
    dict(
        problem="Care-plan restrictions missing a review date and a less restrictive alternative",
        standard="Care-plan restriction standard (4 elements) in the plan template",
        apply="Plans checked against the template at each monthly review",
        owner="Deputy manager, St Aidan's",
        due="2026-06-30",
        metric="plan_gap_per_100",
        service="St Aidan's Nursing Home",
        target="10",
    ),
]
PANEL = {
    ("P-305", "environmental"): (
        "reduce",
        "Cooker not mentioned since January; trial with knobs back on and a timer, "
        "agreed with her and her son, review 30/06",
    )
}


def run(*args: str) -> str:
    proc = subprocess.run(
        [*CAREAUDIT, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        sys.exit(f"careaudit {' '.join(args[:2])} failed:\n{proc.stderr or proc.stdout}")
    return proc.stdout


def first_period(full: Path, target: Path, last_month: str = "2026-02") -> None:
    """A copy of run ``full`` holding only the notes up to ``last_month`` (and their flags)."""
    from nlp.records.spreadsheet import write_csv
    from nlp.schema import FLAG_COLUMNS, RESTRICTION_COLUMNS

    target.mkdir(parents=True, exist_ok=True)
    keep: set[str] = set()
    lines = []
    for line in (full / "notes.jsonl").read_text(encoding="utf-8").splitlines():
        note = json.loads(line)
        if note.get("date", "")[:7] <= last_month:
            keep.add(note["note_id"])
            lines.append(line)
    (target / "notes.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name, columns in (("flags.csv", FLAG_COLUMNS), ("restrictions.csv", RESTRICTION_COLUMNS)):
        table = pd.read_csv(full / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        write_csv(target / name, columns, table[table["note_id"].isin(keep)].to_dict("records"))


def add_panel_decisions(run_dir: Path) -> None:
    """Fill in the panel's columns of register_stepdown.csv for the PANEL entries."""
    from nlp.governance.stepdown import STEPDOWN_COLUMNS, read_stepdown
    from nlp.records.spreadsheet import write_csv

    path = run_dir / "register_stepdown.csv"
    table = read_stepdown(path)
    for (person, rtype), (decision, log) in PANEL.items():
        rows = (table["person_id"] == person) & (table["restriction_type"] == rtype)
        table.loc[rows, ["panel_decision", "decision_log"]] = [decision, log]
    write_csv(path, STEPDOWN_COLUMNS, table.to_dict("records"))


def selected_sections(html: str, keep: tuple[str, ...]) -> str:
    """The report with only the headline cards and the ``keep`` sections."""

    def drop(match: re.Match[str]) -> str:
        return match.group(0) if match.group(1) in (*keep, "headlines") else ""

    return re.sub(r'<section id="([^"]+)">.*?</section>', drop, html, flags=re.S)


def screenshot(html_path: Path, png: Path, height: int = 9000) -> None:
    """Headless Chromium screenshot 1200 px wide, cropped below the last content."""
    from nlp.governance.reporting.pdf import find_chromium

    with tempfile.TemporaryDirectory(prefix="careaudit-shot-") as tmp:
        raw = Path(tmp) / "shot.png"
        subprocess.run(
            [
                find_chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--user-data-dir={tmp}/profile",
                f"--window-size=1200,{height}",
                f"--screenshot={raw}",
                html_path.as_uri(),
            ],
            capture_output=True,
            check=True,
            timeout=180,
        )
        try:
            from PIL import Image, ImageChops  # Pillow comes with Streamlit
        except ImportError:
            shutil.copyfile(raw, png)
            return
        image = Image.open(raw).convert("RGB")
        blank = Image.new("RGB", image.size, (255, 255, 255))
        box = ImageChops.difference(image, blank).getbbox()
        bottom = min(image.height, (box[3] if box else image.height) + 24)
        image.crop((0, 0, image.width, bottom)).save(png, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "careaudit_report_screenshot"
    )
    parser.add_argument("--full", action="store_true", help="Screenshot the whole report.")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "report_screenshot.png")
    args = parser.parse_args()
    work: Path = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    full, period1 = work / "run", work / "run_jan_feb"
    register = ROOT / "examples" / "register.csv"
    print("auditing the sample export (about a minute) ...")
    run(
        "audit",
        str(ROOT / "examples" / "sample_notes.csv"),
        "--register",
        str(register),
        "--out",
        str(full),
        "--no-progress",
    )
    first_period(full, period1)
    db = f"sqlite:///{work / 'store.db'}"
    for action in ACTIONS:
        args_ = ["actions", "add", "--db", db, "--from-run", str(period1)]
        for key in ("problem", "standard", "apply", "owner", "due", "metric", "service", "target"):
            args_ += [f"--{key}", action[key]]
        out = run(*args_)
        if "done" in action:
            number = re.search(r"action (\d+) added", out).group(1)  # type: ignore[union-attr]
            run(
                "actions",
                "done",
                number,
                "--db",
                db,
                "--on",
                action["done"],
                "--note",
                action["note"],
            )
    run("register-review", str(full), "--register", str(register))
    add_panel_decisions(full)
    report = work / "report.html"
    run(
        "report",
        str(full),
        "--people",
        str(ROOT / "examples" / "people.csv"),
        "--db",
        db,
        "--as-of",
        AS_OF,
        "--register",
        str(register),
        "--output",
        str(report),
    )
    shown = report if args.full else work / "report_selected.html"
    if not args.full:
        shown.write_text(
            selected_sections(report.read_text(encoding="utf-8"), SECTIONS), encoding="utf-8"
        )
    screenshot(shown, args.out)
    print(f"report: {report}\nscreenshot: {args.out}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
