"""Stage 6, governance: what a quality meeting reads.

In: one or more audit run folders and the register. Out: the register review,
trends per 100 notes, and the HTML/PDF/XLSX report and person page.
"""
