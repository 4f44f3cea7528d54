#!/usr/bin/env python3
"""Build the tenth development set ``pii_dev10.jsonl`` from ``dev10_src/*.txt``.

The notes were written by hand in the inline mark-up read by ``build_from_markup.py``
(14 files, one per invented service); note ids ``PII-R-0001``..., person ids
``P-16001``...``P-16499``, fixed shuffle seed 101010.
"""
from build_from_markup import build

if __name__ == "__main__":
    build("dev10_src", "pii_dev10.jsonl", "PII-R", 101010)
