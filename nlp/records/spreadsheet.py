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


class CsvAppender:
    """A formula-safe CSV written row by row (a path: UTF-8 with BOM; header first).

    Used by :func:`write_csv` and by writers that stream rows as they are made.
    """

    def __init__(self, target: Path | str | TextIO, columns: Sequence[str]) -> None:
        self._owned = isinstance(target, (str, Path))
        self.fh: TextIO = (
            open(target, "w", newline="", encoding="utf-8-sig")  # noqa: SIM115
            if isinstance(target, (str, Path))
            else target
        )
        self.columns = list(columns)
        self.writer = csv.DictWriter(self.fh, fieldnames=self.columns, extrasaction="ignore")
        self.writer.writeheader()
        self.rows = 0

    def write(self, row: Mapping[str, Any]) -> None:
        self.writer.writerow({k: excel_safe(row.get(k, "")) for k in self.columns})
        self.rows += 1

    def close(self) -> None:
        if self._owned:
            self.fh.close()


def write_csv(
    target: Path | str | TextIO,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
) -> int:
    """Write ``rows`` (only ``columns``, in order) as formula-safe CSV; return the row count.

    ``target`` is a path (written UTF-8 with BOM) or an open text file.
    """
    out = CsvAppender(target, columns)
    try:
        for row in rows:
            out.write(row)
    finally:
        out.close()
    return out.rows
