"""The one spreadsheet-safe writer: every CSV and XLSX cell careaudit writes goes through it.

A cell beginning with ``= + - @``, a tab, CR, LF or ``|`` is prefixed with ``'`` so
Excel, LibreOffice and Google Sheets show it as text instead of running it as a
formula (CSV injection). CSV files are written UTF-8 with a BOM so Excel opens
them with the right encoding; fields with line breaks are quoted by :mod:`csv`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|")


def excel_safe(value: Any) -> Any:
    """Neutralise a cell a spreadsheet would run as a formula (leading ``'``)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(
    target: Path | str | TextIO,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
) -> int:
    """Write ``rows`` (only ``columns``, in order) as formula-safe CSV; return the row count.

    ``target`` is a path (written UTF-8 with BOM) or an open text file.
    """
    if isinstance(target, (str, Path)):
        with open(target, "w", newline="", encoding="utf-8-sig") as fh:
            return write_csv(fh, columns, rows)
    writer = csv.DictWriter(target, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow({k: excel_safe(row.get(k, "")) for k in columns})
        n += 1
    return n
