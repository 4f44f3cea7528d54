"""Stage 4, audit: predictions become flags.

In: notes, a model, a register. Out: :class:`~nlp.schema.Flag` and
:class:`~nlp.schema.RestrictionMention` rows (register matching decides
``unrecorded_restriction``; care plans get ``plan_gap`` flags), and a run folder.
:func:`nlp.audit.auditor.run_audit` is the one entry point that the CLI and
tests call.
"""
