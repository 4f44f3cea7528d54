"""Stage 5, evaluation: score an audit against gold, sentence by sentence.

In: a gold JSONL file (and its register) and a model. Out: precision, recall and
F1 per flag, as the annotation guidelines define the scoring.
"""
