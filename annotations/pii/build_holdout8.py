#!/usr/bin/env python3
"""Build the eighth held-out PII set, ``pii_holdout8.jsonl``, from ``holdout8_src/*.txt``.

Invented UK social-care notes (15 services) written by hand in the inline mark-up read by
:mod:`build_from_markup`; note ids ``PII-H8-0001``..., person ids ``P-16501``...``P-16999``,
fixed shuffle seed 80808. Held out: evaluation only, never used to tune rules or models.
"""
from build_from_markup import build

if __name__ == "__main__":
    build("holdout8_src", "pii_holdout8.jsonl", "PII-H8", 80808)
