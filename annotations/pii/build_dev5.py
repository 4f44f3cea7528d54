#!/usr/bin/env python3
"""Build pii_dev5.jsonl (the fifth development set) from dev5_src/*.txt.

Usage: python annotations/pii/build_dev5.py
"""

from build_from_markup import build

if __name__ == "__main__":
    build("dev5_src", "pii_dev5.jsonl", "PII-J", 27191)
