"""Stage 1, records: what comes in and what goes out as files.

In: care-record exports (CSV/TSV/JSONL/Parquet/XLSX), the restriction register
CSV, gold JSONL corpora, audit run folders. Out: validated :class:`~nlp.schema.Note`
objects, a list of problem rows (file, row, column, reason), and run folders
written with one spreadsheet-safe writer. Nothing here knows about spaCy or models.
"""
