"""Sentence classifiers: features from text, neighbours and rule evidence; sklearn and
transformer heads; safe storage (skops with an explicit allowlist + checksums)."""
