#!/usr/bin/env python3
"""Build pii_dev3.jsonl (the third development set) from dev3_src/*.txt.

Usage: python annotations/pii/build_dev3.py
"""

from build_from_markup import build

if __name__ == "__main__":
    build("dev3_src", "pii_dev3.jsonl", "PII-F", 61733)
