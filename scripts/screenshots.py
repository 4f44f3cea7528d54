"""Screenshots of every review-app view at 1366×768, into docs/screenshots/.

Builds a review store from an audit run (default: audits the bundled sample export
into a temporary folder first), adds demo users and some review history (decisions,
blind second opinions, one disagreement), starts the app and photographs each view
in Chromium (Playwright, ``/usr/bin/chromium``).

    .venv/bin/python scripts/screenshots.py                # audit examples/, then shoot
    .venv/bin/python scripts/screenshots.py --run out/     # an existing run directory
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from argon2 import PasswordHasher

from review_app import browser, demo_store
from review_app.importer import import_run
from review_app.store import make_engine

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "screenshot horse battery"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", type=Path, help="audit run directory (default: audit examples/)")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument("--seed-cards", type=int, default=12, help="cards decided before the shots")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="careaudit-shots-") as tmp:
        work = Path(tmp)
        run = args.run
        if run is None:
            run = work / "run"
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "cli.main",
                    "audit",
                    str(ROOT / "examples" / "sample_notes.csv"),
                    "--register",
                    str(ROOT / "examples" / "register.csv"),
                    "--out",
                    str(run),
                    "--no-progress",
                ],
                check=True,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
            )
        url = f"sqlite:///{work / 'review.db'}"
        engine = make_engine(url)
        import_run(engine, run)
        demo_store.add_users(engine, PasswordHasher().hash(PASSWORD))
        demo_store.seed_reviews(engine, cards=args.seed_cards)
        engine.dispose()
        with browser.app_server(url, work) as base, browser.chromium() as chrome:
            for path in browser.capture_views(chrome, base, PASSWORD, args.out):
                print(path)


if __name__ == "__main__":
    main()
