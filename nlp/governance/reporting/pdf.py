"""Print HTML to PDF with headless Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from nlp.governance.reporting.errors import ChromiumNotFoundError, ReportError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = "install it with: apt-get install -y chromium (or set CAREAUDIT_CHROMIUM=/path)"


def find_chromium() -> str:
    """The Chromium executable: ``$CAREAUDIT_CHROMIUM`` or the first one on PATH."""
    configured = os.environ.get("CAREAUDIT_CHROMIUM")
    if configured:
        if shutil.which(configured):
            return configured
        raise ChromiumNotFoundError(f"CAREAUDIT_CHROMIUM={configured} is not an executable; "
                                    + INSTALL_HINT)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise ChromiumNotFoundError("PDF output needs Chromium, which was not found; " + INSTALL_HINT)


def html_to_pdf(html: str, pdf_path: str | Path, timeout: int = 180) -> Path:
    """Write ``html`` to a temporary file and print it to ``pdf_path``."""
    browser = find_chromium()
    pdf_path = Path(pdf_path).resolve()
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="careaudit-pdf-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu",
               "--no-pdf-header-footer", f"--user-data-dir={tmp}/profile",
               f"--print-to-pdf={pdf_path}", page.as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                  check=False)
        except subprocess.TimeoutExpired as exc:
            raise ReportError(f"Chromium did not finish printing {pdf_path} within "
                              f"{timeout} s") from exc
    if proc.returncode != 0 or not pdf_path.is_file() or pdf_path.stat().st_size == 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise ReportError(f"Chromium failed to print {pdf_path} (exit {proc.returncode}): "
                          f"{detail[0]}")
    return pdf_path
