"""Stage 2, analysis: the linguistics.

In: notes. Out: per-sentence evidence (:class:`~nlp.analysis.analyzer.NoteAnalysis`):
sentence boundaries, rule findings as spans with rule ids (doing_for,
restrictions, decisions, authorities, reasons), ConText modifiers (negated,
hypothetical, own choice, historical, enabling) and the rules-only labels. Two
spaCy pipelines: a cheap blank-tokenizer pass over every sentence and a parsed
pass (``en_core_web_sm``) over the sentences that need it. Patterns and lexicons
are data in ``resources/``; every custom attribute is declared in ``extensions``.
"""

from nlp.analysis.spacy_import import keep_torch_out_of_thinc

keep_torch_out_of_thinc()  # before any module here imports spaCy: keeps torch out of it
