"""careaudit's spaCy pipeline components, each registered with ``@Language.factory``.

Importing this package registers the factories ``careaudit_context``,
``careaudit_evidence``, ``careaudit_candidates``, ``careaudit_doing_for``,
``careaudit_restrictions`` and ``careaudit_decisions``. Their findings live on the
Doc as span groups (``doc.spans[...]``); ``span.id_`` names the rule that fired
and ``span.label_`` the category or restriction type.
"""

from nlp.analysis.components import (  # noqa: F401  (imported for factory registration)
    candidates,
    context,
    decisions,
    doing_for,
    evidence,
    restrictions,
    sentences,
)
