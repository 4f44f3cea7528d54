#!/usr/bin/env python3
"""Build the seventeenth development set ``pii_dev17.jsonl`` from ``dev17_src/*.txt``.

Thirteen source files, one per invented service; note ids PII-Z-0001..., person ids from the
block P-24001...P-24499; fixed shuffle seed 171717. Emphasis: rooms/beds/flats/addresses, names in
every form, name-like traps.
"""
from build_from_markup import build

if __name__ == "__main__":
    build("dev17_src", "pii_dev17.jsonl", "PII-Z", 171717)
