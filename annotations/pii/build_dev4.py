#!/usr/bin/env python3
"""Build pii_dev4.jsonl (the fourth development set) from dev4_src/*.txt.

Usage: python annotations/pii/build_dev4.py
"""

from build_from_markup import build

if __name__ == "__main__":
    build("dev4_src", "pii_dev4.jsonl", "PII-G", 40933)
