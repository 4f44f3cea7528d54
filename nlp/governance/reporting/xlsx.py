"""Write a report to XLSX: one sheet per table, cells safe from formula injection."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import xlsxwriter

from nlp.governance.reporting.model import Column, Report, Table, label
from nlp.records.spreadsheet import excel_safe

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_name(name: str, used: set[str]) -> str:
    """A valid, unique sheet name (≤ 31 characters, no ``[]:*?/\\``)."""
    base = _BAD_SHEET_CHARS.sub(" ", name).strip()[:31] or "Sheet"
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def _write(ws: Any, row: int, col: int, value: Any, kind: str, fmts: dict[str, Any]) -> None:
    if value is None:
        ws.write_blank(row, col, None)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, int | float) and kind != "text":
        ws.write_number(row, col, value, fmts.get(kind))
    else:
        text = label(str(value)) if kind == "label" else str(value)
        ws.write_string(row, col, excel_safe(text))


def _xlsx_columns(table: Table) -> list[Column]:
    """The table's columns, each interval (``ci``) split into lower and upper bounds."""
    out: list[Column] = []
    for col in table.columns:
        if col.fmt == "ci":
            base = col.key.removesuffix("_ci")
            header = col.header or "95% CI"
            out += [Column(f"{base}_lo", f"{header} lower", "rate"),
                    Column(f"{base}_hi", f"{header} upper", "rate")]
        else:
            out.append(col)
    return out


def write_table(ws: Any, table: Table, fmts: dict[str, Any]) -> None:
    """Header row, then every row of ``table`` (not just the HTML-limited ones)."""
    table = Table(table.name, _xlsx_columns(table), table.rows)
    for c, col in enumerate(table.columns):
        ws.write_string(0, c, excel_safe(col.header or col.key), fmts["header"])
        width = max([len(col.header or col.key)]
                    + [min(60, len(str(r.get(col.key) or ""))) for r in table.rows[:200]])
        ws.set_column(c, c, min(max(width + 2, 8), 62))
    for r, row in enumerate(table.rows, 1):
        for c, col in enumerate(table.columns):
            _write(ws, r, c, row.get(col.key), col.fmt, fmts)
    ws.freeze_panes(1, 0)
    if table.rows:
        ws.autofilter(0, 0, len(table.rows), max(len(table.columns) - 1, 0))


def write_xlsx(report: Report, path: str | Path) -> Path:
    """Summary sheet (run details and headline figures), then one sheet per table."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False})
    fmts = {"header": wb.add_format({"bold": True, "bg_color": "#EEF1F5", "border": 1}),
            "rate": wb.add_format({"num_format": "0.0"}),
            "change": wb.add_format({"num_format": "+0.0;-0.0;0.0"}),
            "delta": wb.add_format({"num_format": "+0.00;-0.00;0.00"}),
            "pct": wb.add_format({"num_format": "0\"%\""}),
            "int": wb.add_format({"num_format": "#,##0"})}
    used: set[str] = set()
    ws = wb.add_worksheet(sheet_name("Summary", used))
    ws.set_column(0, 0, 44)
    ws.set_column(1, 2, 40)
    ws.write_string(0, 0, excel_safe(report.title), fmts["header"])
    row = 2
    for key, value in report.info:
        ws.write_string(row, 0, excel_safe(key))
        ws.write_string(row, 1, excel_safe(value))
        row += 1
    row += 1
    for h in report.headlines:
        ws.write_string(row, 0, excel_safe(h.label))
        ws.write_string(row, 1, excel_safe(h.value))
        ws.write_string(row, 2, excel_safe(h.note))
        row += 1
    for w in report.warnings:
        row += 1
        ws.write_string(row, 0, excel_safe("Warning: " + w))
    for section in report.sections:
        for table in section.tables:
            write_table(wb.add_worksheet(sheet_name(table.name, used)), table, fmts)
    wb.close()
    return path
