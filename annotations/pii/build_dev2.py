#!/usr/bin/env python3
"""Build pii_dev2.jsonl (the second development set) from dev2_src/*.txt.

Usage: python annotations/pii/build_dev2.py
"""

from build_from_markup import build

if __name__ == "__main__":
    build("dev2_src", "pii_dev2.jsonl", "PII-E", 9521)
