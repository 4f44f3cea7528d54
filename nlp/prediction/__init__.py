"""Stage 3, prediction: sentence models.

In: :class:`~nlp.analysis.analyzer.NoteAnalysis` objects. Out: one
:class:`~nlp.prediction.base.SentencePrediction` per sentence (calibrated
probability per head, restriction type, which part fired). Model kinds register
themselves in :mod:`nlp.prediction.registry`; :mod:`nlp.prediction.store` saves and
loads model folders safely (skops allowlist + SHA-256) and imports no model.
Training and the model cards live here too.
"""
