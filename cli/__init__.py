"""careaudit command line (Typer). Calls into :mod:`nlp`; nothing here is imported by it."""
