"""The monthly metrics with a trend: name -> (label, the direction that is good).

Kept apart from :mod:`nlp.governance.trends` (pandas) so the command line can name them
in its help without importing pandas.
"""

TREND_METRICS: dict[str, tuple[str, str]] = {
    "enabling_pct": ("Notes with enabling (independence) language, %", "rising"),
    "doing_for_per_100": ("Doing-for flags per 100 notes", "falling"),
    "restrictions_per_100": ("Restriction mentions per 100 notes", "falling"),
    "unrecorded_restriction_per_100": ("Unrecorded restrictions per 100 notes", "falling"),
    "missing_rationale_per_100": ("Missing rationale per 100 notes", "falling"),
    "plan_gap_per_100": ("Care-plan gaps per 100 notes", "falling"),
    "flags_per_100": ("All flags per 100 notes", "falling"),
}
