"""Build the audit report (:class:`Report`) from a run, an optional baseline and register review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from nlp.governance import trends
from nlp.governance.actions import Action
from nlp.governance.intervals import MIN_DENOMINATOR, add_rate, ci_text
from nlp.governance.measures import compare as compare_rates
from nlp.governance.measures import from_counts
from nlp.governance.register_review import RegisterReview
from nlp.governance.reporting import charts, quality
from nlp.governance.reporting.model import (
    CATEGORY_LABELS,
    Column,
    Headline,
    Report,
    Section,
    Table,
    fmt,
    label,
)
from nlp.records.run_reader import RunData
from nlp.schema import CATEGORIES

CAT_COLORS = dict(zip(CATEGORIES, charts.PALETTE, strict=False))
FINDING_TEXT: dict[str, str] = {
    "unregistered_use": "Restrictions in use but not in the register (or not in date)",
    "review_overdue": "Register entries past their review date",
    "no_review_date": "Register entries with no review date",
    "not_mentioned": "Entries never mentioned in notes (step-down candidates)",
    "person_not_in_run": "Entries for people with no notes in this run",
}


FLAG_SENTENCE_COLUMNS = [
    Column("category", "Category", "label"), Column("date", "Date", "date"),
    Column("service", "Service"),
    Column("sentence", "Sentence (flagged words highlighted)", "highlight"),
    Column("explanation", "Why flagged"), Column("note_id", "Note", "id"),
]


@dataclass
class ReportOptions:
    """Knobs of the report."""

    min_author_notes: int = 20
    top_authors: int = 10
    samples_per_category: int = 5
    register_rows: int = 100


def _rate_columns(first: Column, table: pd.DataFrame | None = None) -> list[Column]:
    """Rate columns; the note column only when ``table`` has a note to show."""
    cols = [first, Column("notes", "Notes", "int"), Column("flags", "Flags", "int"),
            Column("flags_per_100", "Flags / 100 notes", "rate"),
            Column("flags_per_100_ci", "95% CI", "ci"),
            *[Column(f"{c}_per_100", f"{CATEGORY_LABELS[c]} / 100", "rate") for c in CATEGORIES]]
    if table is not None and "flags_per_100_note" in table and (
            table["flags_per_100_note"].astype(bool).any()):
        cols.append(Column("flags_per_100_note", "Note"))
    return cols


def with_intervals(table: pd.DataFrame) -> pd.DataFrame:
    """Flags per 100 notes with its interval and note; category rates hidden likewise.

    Groups (services, months) with fewer than ``MIN_DENOMINATOR`` notes get no rates.
    """
    out = add_rate(table, "flags", "notes", "flags_per_100")
    few = out["notes"] < MIN_DENOMINATOR
    for c in CATEGORIES:
        out.loc[few, f"{c}_per_100"] = float("nan")
    return out


def headlines(run: RunData, review: RegisterReview | None, plan: dict,
              baseline: RunData | None) -> list[Headline]:
    notes, flags, restr = run.notes, run.flags, run.restrictions
    n = len(notes)
    dates = notes["when"].dropna()
    period = f"{dates.min():%d %b %Y} – {dates.max():%d %b %Y}" if len(dates) else "no dates"
    per100 = len(flags) / n * 100 if n else 0.0
    ci = ci_text(len(flags), n)
    out = [
        Headline("Notes audited", fmt(n, "int"),
                 f"{notes['person_id'].nunique()} people, {notes['service'].nunique()} "
                 f"services, {period}"),
        Headline("Flags per 100 notes", fmt(per100, "rate"),
                 f"{fmt(len(flags), 'int')} flags" + (f"; {ci}" if ci else "")),
    ]
    if baseline is not None and len(baseline.notes):
        before = len(baseline.flags) / len(baseline.notes) * 100
        out[-1].note += f"; baseline {fmt(before, 'rate')} ({fmt(per100 - before, 'change')})"
    counts = flags["category"].value_counts()
    for cat in CATEGORIES:
        c = int(counts.get(cat, 0))
        ci = ci_text(c, n)
        out.append(Headline(CATEGORY_LABELS[cat], fmt(c, "int"),
                            f"{fmt(c / n * 100 if n else 0, 'rate')} per 100 notes"
                            + (f" ({ci})" if ci else "")))
    authorised = int((restr["status"] == "authorised_in_text").sum())
    out.append(Headline("Restrictions found", fmt(len(restr), "int"),
                        f"{restr['person_id'].nunique()} people; {authorised} cite their "
                        "authority in the note"))
    if plan["care_plan_restrictions"] and plan["checked"]:
        out.append(Headline("Care-plan restrictions meeting the standard",
                            fmt(plan["pct_fully_meeting"], "pct"),
                            f"{plan['fully_meeting']} of {plan['care_plan_restrictions']} "
                            "have all four elements"))
    if review is not None:
        c = review.counts()
        out.append(Headline("Register: in use, not registered", fmt(c["unregistered_use"], "int"),
                            f"{c['review_overdue']} reviews overdue, {c['not_mentioned']} "
                            "step-down candidates"))
    if run.rejected:
        out.append(Headline("Input rows rejected", fmt(run.rejected, "int"),
                            "see rejected.csv"))
    return out


def by_category(run: RunData, baseline: RunData | None) -> Section:
    table = trends.category_rates(run.notes, run.flags).assign(notes=len(run.notes))
    table = add_rate(table, "flags", "notes", "per_100")
    chart = charts.hbar_ci_chart([label(c) for c in table["category"]],
                                 table["per_100"].tolist(), table["per_100_lo"].tolist(),
                                 table["per_100_hi"].tolist(),
                                 title="Flags per 100 notes by category, with 95% intervals")
    cols = [Column("category", "Category", "label"), Column("flags", "Flags", "int"),
            Column("per_100", "Per 100 notes", "rate"), Column("per_100_ci", "95% CI", "ci"),
            Column("pct_notes_flagged", "Notes flagged", "pct"),
            Column("people", "People", "int")]
    sec = Section("categories", "Flags by category", [
        "How often each kind of finding appears, per 100 notes audited, with exact "
        "(Poisson) 95% confidence intervals. A flag is a sentence an auditor should look at, "
        "not a confirmed failing."],
        [chart], [Table.from_frame("By category", table, cols)])
    return sec


def by_service(run: RunData) -> Section:
    table = with_intervals(trends.flag_rates(run.notes, run.flags, ["service"]))
    table["service"] = table["service"].replace("", "(no service)")
    table = table.sort_values("flags_per_100", ascending=False, na_position="last")
    chart = charts.stacked_hbar(
        table["service"].tolist(),
        {CATEGORY_LABELS[c]: table[f"{c}_per_100"].fillna(0).tolist() for c in CATEGORIES},
        title="Flags per 100 notes by service", colors=list(CAT_COLORS.values()))
    return Section("services", "Flags per 100 notes by service", [
        "Services are compared on rates, not counts, so larger services are not "
        "penalised for writing more notes. Where the 95% intervals of two services overlap, "
        f"the difference may be chance; no rate is shown for fewer than {MIN_DENOMINATOR} "
        "notes."],
        [chart], [Table.from_frame("By service", table, _rate_columns(
            Column("service", "Service"), table))])


def by_month(month_table: pd.DataFrame) -> Section:
    month_table = with_intervals(month_table)
    months = month_table["month"].tolist()
    chart = charts.line_chart(
        months, {CATEGORY_LABELS[c]: month_table[f"{c}_per_100"].tolist() for c in CATEGORIES},
        title="Flags per 100 notes by month", y_label="flags per 100 notes",
        colors=list(CAT_COLORS.values()))
    return Section("months", "Flags per 100 notes by month", [
        f"Months with fewer than {MIN_DENOMINATOR} notes have no rate (a 2-note month "
        "swings wildly); see the SPC charts below for whether a change is beyond the noise."],
        [chart], [Table.from_frame("By month", month_table, _rate_columns(
            Column("month", "Month", "date"), month_table))])


def restriction_section(run: RunData) -> Section:
    table = trends.restriction_types(run.restrictions, len(run.notes))
    if not table.empty:
        table = add_rate(table.assign(notes=len(run.notes)), "mentions", "notes", "per_100")
    sec = Section("restrictions", "Restriction types", [
        "Restrictions found in notes by type, whether the note cites its authority, and "
        "how they matched the restriction register during the audit."])
    if table.empty:
        sec.intro.append("No restrictions were found in this run.")
        return sec
    sec.charts.append(charts.hbar_chart([label(t) for t in table["restriction_type"]],
                                        table["mentions"].tolist(), digits=0,
                                        title="Restriction mentions by type",
                                        color=charts.PALETTE[1]))
    cols = [Column("restriction_type", "Type", "label"), Column("mentions", "Mentions", "int"),
            Column("people", "People", "int"), Column("per_100", "Per 100 notes", "rate"),
            Column("per_100_ci", "95% CI", "ci"),
            Column("authorised_in_text", "Authority cited", "int"),
            Column("recorded", "Recorded", "int"), Column("unrecorded", "Unrecorded", "int"),
            Column("in_register", "In register", "int"),
            Column("out_of_date", "Register out of date", "int"),
            Column("not_in_register", "Not in register", "int")]
    sec.tables.append(Table.from_frame("Restriction types", table, cols))
    return sec


def plan_checked(run: RunData) -> bool:
    """Whether the run checked the care-plan standard.

    True when it has ``plan_gap`` flags or its summary counts ``plan_gap`` (even
    as 0); a run that never ran the check would otherwise read as 100% compliant.
    """
    if (run.flags["category"] == "plan_gap").any():
        return True
    counts = run.summary.get("flags_by_category") or run.summary.get("by_category") or {}
    return isinstance(counts, dict) and "plan_gap" in counts


def plan_section(table: pd.DataFrame, summary: dict) -> Section:
    sec = Section("plan-standard", "Care-plan restriction standard", [
        "Every restriction in a care plan needs (1) a rationale linked to an assessed risk, "
        "(2) a PBS or less restrictive alternative, (3) an agreed review date and (4) "
        "evidence the person was involved and had it explained."])
    total = summary["care_plan_restrictions"]
    if not total:
        sec.intro.append("No restrictions were found in care-plan notes in this run.")
        return sec
    if not summary.get("checked", True):
        sec.intro.append(f"{total} restrictions were found in care-plan notes, but this run "
                         "did not check them against the standard (no plan_gap results).")
        return sec
    sec.intro.append(f"{summary['fully_meeting']} of {total} care-plan restrictions "
                     f"({fmt(summary['pct_fully_meeting'], 'pct')}) have all four elements; "
                     f"{summary['gaps']} gaps in all.")
    sec.charts.append(charts.hbar_chart([label(e) for e in table["element"]],
                                        table["pct_meeting"].tolist(), digits=0, suffix="%",
                                        title="% of care-plan restrictions with each element",
                                        color=charts.PALETTE[2]))
    cols = [Column("element", "Element", "label"), Column("gaps", "Gaps (plan_gap flags)", "int"),
            Column("restrictions", "Care-plan restrictions", "int"),
            Column("pct_meeting", "Meeting the standard", "pct")]
    sec.tables.append(Table.from_frame("Plan standard", table, cols))
    return sec


def register_section(review: RegisterReview | None, opts: ReportOptions,
                     stepdown: pd.DataFrame | None = None) -> Section:
    sec = Section("register", "Restriction register review")
    if stepdown is not None and len(stepdown):
        sec.tables.append(quality.stepdown_table_view(stepdown))
    if review is None:
        sec.intro.append("No register review for this run. Run `careaudit register-review "
                         "out/ --register register.csv` first, or pass --register to the report.")
        return sec
    sec.intro.append(f"As of {review.as_of}; notes from {review.period_start} to "
                     f"{review.period_end}; {review.entries} valid register entries.")
    counts = pd.DataFrame([{"finding": f, "meaning": FINDING_TEXT[f], "count": c}
                           for f, c in review.counts().items()])
    sec.tables.append(Table.from_frame("Register summary", counts, [
        Column("meaning", "Finding"), Column("count", "Count", "int")]))
    if len(review.by_service):
        sec.tables.append(Table.from_frame("Register by service", review.by_service, [
            Column("service", "Service"), *[Column(f, label(f), "int") for f in FINDING_TEXT],
            Column("total", "Total", "int")]))
    if len(review.findings):
        findings = review.findings.reset_index(drop=True)
        per_finding = max(1, opts.register_rows // len(FINDING_TEXT))
        show = findings.groupby("finding", sort=False).head(per_finding).index.tolist()
        hidden = len(findings) - len(show)
        sec.tables.append(Table.from_frame("Register findings", findings, [
            Column("finding", "Finding", "label"), Column("person_id", "Person", "id"),
            Column("service", "Service"), Column("restriction_type", "Type", "label"),
            Column("mentions", "Mentions", "int"), Column("review_date", "Review date", "date"),
            Column("explanation", "Detail")], show=show,
            caption=f"Up to {per_finding} findings of each kind shown ({hidden} more); all "
                    "are in register_review.csv and the XLSX report." if hidden else ""))
    if stepdown is not None and len(stepdown):  # after the findings
        sec.tables.append(sec.tables.pop(0))
    if review.issues:
        rows = pd.DataFrame([{"row": i.row, "column": i.column, "value": i.value,
                              "message": i.message} for i in review.issues])
        sec.tables.append(Table.from_frame("Register rows skipped", rows, [
            Column("row", "Row", "int"), Column("column", "Column"), Column("value", "Value"),
            Column("message", "Problem")]))
    return sec


def author_section(run: RunData, opts: ReportOptions) -> Section:
    table = trends.author_rates(run.notes, run.flags, opts.min_author_notes, opts.top_authors)
    sec = Section("supervision", "Supervision planning", [
        "Where coaching on recording would help most: the authors whose notes carry the "
        "most flags per 100 notes (authors with at least "
        f"{opts.min_author_notes} notes). Flags describe how a note is written, not the "
        "care given; use this list to plan supervision and shared learning, not to blame. "
        "Bring examples from the sample below."])
    if table.empty:
        sec.intro.append("No author has enough notes in this run to be listed.")
        return sec
    sec.tables.append(Table.from_frame("Supervision", table, [
        Column("author", "Author"), Column("notes", "Notes", "int"),
        Column("flags_per_100", "Flags / 100 notes", "rate"),
        Column("main_category", "Most frequent", "label"),
        Column("supervision_topic", "Suggested supervision topic")]))
    return sec


def baseline_section(run: RunData, base: RunData) -> Section:
    cur_c = trends.category_rates(run.notes, run.flags)
    base_c = trends.category_rates(base.notes, base.flags)
    cats = trends.compare(cur_c, base_c, "category")
    cats = cats.sort_values("category", key=lambda s: s.map(list(CATEGORIES).index))
    cur_s = trends.flag_rates(run.notes, run.flags, ["service"])
    base_s = trends.flag_rates(base.notes, base.flags, ["service"])
    svc = trends.compare(cur_s, base_s, "service", value="flags_per_100")
    n_cur, n_base = len(run.notes), len(base.notes)
    cats["beyond_noise"] = _beyond_noise(
        cats["category"], cur_c.set_index("category")["flags"], n_cur,
        base_c.set_index("category")["flags"], n_base)
    svc["beyond_noise"] = _beyond_noise(
        svc["service"], cur_s.set_index("service")["flags"], cur_s.set_index("service")["notes"],
        base_s.set_index("service")["flags"], base_s.set_index("service")["notes"])
    cols = [Column("baseline", "Baseline / 100 notes", "rate"),
            Column("current", "This run / 100 notes", "rate"),
            Column("change", "Change", "change"), Column("change_pct", "Change %", "change"),
            Column("direction", ""), Column("beyond_noise", "Beyond the noise?")]
    chart = charts.grouped_hbar(
        [label(c) for c in cats["category"]],
        {"baseline": cats["baseline"].fillna(0).tolist(),
         "this run": cats["current"].fillna(0).tolist()},
        title="Flags per 100 notes: baseline and this run",
        colors=[charts.PALETTE[7], charts.PALETTE[0]])
    return Section("baseline", "Change since the baseline run", [
        f"Baseline: {base.path} ({len(base.notes):,} notes). Negative change = fewer flags "
        "per 100 notes than before. 'Beyond the noise?' is an exact test of the two rates "
        "(Poisson, 5% level): 'no clear change' means the difference may be chance."],
        [chart],
        [Table.from_frame("Baseline categories", cats,
                          [Column("category", "Category", "label"), *cols]),
         Table.from_frame("Baseline services", svc, [Column("service", "Service"), *cols])])


def _beyond_noise(keys: pd.Series, cur_k: pd.Series, cur_n: pd.Series | int,
                  base_k: pd.Series, base_n: pd.Series | int) -> list[str]:
    """Per key: lower / higher (exact Poisson test, 5%), no clear change, or why not tested."""
    def pick(values: pd.Series | int, key: str) -> int:
        return values if isinstance(values, int) else int(values.get(key, 0))

    return [compare_rates(from_counts("flags_per_100", pick(base_k, k), pick(base_n, k)),
                          from_counts("flags_per_100", pick(cur_k, k), pick(cur_n, k)))[0]
            for k in keys]


def attach_sentences(rows: pd.DataFrame, notes: pd.DataFrame) -> pd.DataFrame:
    """Add ``sentence`` and its ``before``/``span``/``after`` parts (for highlighting).

    Uses each row's ``sentence_start``/``sentence_end`` and ``start``/``end`` into
    its note's text; falls back to 80 characters around the span when the
    offsets do not fit the text.
    """
    texts = rows["note_id"].map(notes.drop_duplicates("note_id").set_index("note_id")["text"])
    out = []
    for rec, text in zip(rows.to_dict("records"), texts.fillna(""), strict=True):
        s0, s1, a, b = rec["sentence_start"], rec["sentence_end"], rec["start"], rec["end"]
        if not (0 <= s0 <= a <= b <= s1 <= len(text)) or s1 == 0:
            a, b = min(max(a, 0), len(text)), min(max(b, a, 0), len(text))
            s0, s1 = max(0, a - 80), min(len(text), b + 80)
        out.append({"before": text[s0:a], "span": text[a:b] or rec.get("span_text", ""),
                    "after": text[b:s1], "sentence": text[s0:s1] or rec.get("span_text", "")})
    extra = pd.DataFrame(out, index=rows.index, columns=["before", "span", "after", "sentence"])
    return pd.concat([rows, extra], axis=1)


def sample_flags(run: RunData, per_category: int) -> pd.DataFrame:
    """Up to ``per_category`` highest-scoring flags per category, with their sentence."""
    flags = run.flags.sort_values(["score", "flag_id"], ascending=[False, True])
    picked = flags.groupby("category", sort=False).head(per_category).copy()
    picked["_order"] = picked["category"].map({c: i for i, c in enumerate(CATEGORIES)})
    picked = picked.sort_values(["_order", "score"], ascending=[True, False],
                                kind="stable").reset_index(drop=True)
    return attach_sentences(picked, run.notes)


def sample_section(run: RunData, opts: ReportOptions) -> Section:
    sample = sample_flags(run, opts.samples_per_category)
    sec = Section("samples", "Sample of flagged sentences", [
        f"Up to {opts.samples_per_category} of the highest-scoring flags per category, "
        "with the flagged words highlighted, for discussion at the meeting."])
    if sample.empty:
        sec.intro.append("No flags in this run.")
        return sec
    sec.tables.append(Table.from_frame("Sample flags", sample, FLAG_SENTENCE_COLUMNS))
    return sec


def method_section(run: RunData) -> Section:
    info = run.run_info
    lines = [
        "Rates are flags per 100 notes of the same group (service, month, author).",
        "Doing for: staff doing an everyday task for the person with no sign of their "
        "participation. Unrecorded restriction: a restriction with no authority cited in "
        "the note and no in-date register entry. Missing rationale: a decision with no reason "
        "nearby. Care-plan gap: a care-plan restriction lacking one of the four elements.",
        "Enabling language: notes containing words that record what the person did or chose "
        "(supported … to, prompted, encouraged, chose, independently …).",
        "Every rate comes with its count and a 95% confidence interval: exact Poisson "
        "(Garwood) for rates per 100 notes, Wilson for proportions. No rate is shown from "
        f"fewer than {MIN_DENOMINATOR} notes (or reviews); rates built on 1–4 events are "
        "marked 'small number'. Tables by protected characteristic suppress groups of fewer "
        "than 5 people and counts under 5.",
        "Trends are judged with SPC charts (Making Data Count): u-charts for rates per 100 "
        "notes, p-charts for proportions; special cause = a point outside the 3-sigma limits, "
        "7 points in a row on one side of the mean, or 6 points each rising (or falling).",
    ]
    if info.get("model"):
        lines.append(f"Model: {info['model']}.")
    return Section("method", "How to read this report", lines)


def build_report(run: RunData, *, baseline: RunData | None = None,
                 review: RegisterReview | None = None,
                 options: ReportOptions | None = None,
                 actions: list[Action] | None = None,
                 decisions: pd.DataFrame | None = None,
                 people: pd.DataFrame | None = None,
                 stepdown: pd.DataFrame | None = None,
                 as_of: date | None = None) -> Report:
    """Assemble every section of the quality-meeting report.

    ``actions`` (from the store) are listed with their re-audit as of ``as_of``
    (default today); ``decisions`` (flag_id, decision) add confirmed findings;
    ``people`` (person_id + characteristics) adds the protected-characteristics
    table; ``stepdown`` adds step-down evidence to the register section.
    """
    opts = options or ReportOptions()
    month_table = trends.monthly(run.notes, run.flags, run.restrictions)
    plan_table, plan_summary = trends.plan_standard(run.restrictions, run.flags)
    plan_summary["checked"] = plan_checked(run)
    today = as_of or date.today()
    sections = [quality.actions_section(actions, run, today), by_category(run, baseline)]
    warnings = list(run.warnings)
    if decisions is not None and not run.flags["flag_id"].isin(decisions["flag_id"]).any():
        warnings.append(f"none of the {len(decisions)} review decisions match this run's "
                        "flags: confirmed findings left out")
        decisions = None
    if decisions is not None:
        sections.append(quality.confirmed_section(run, decisions))
    sections += [by_service(run), by_month(month_table), quality.spc_section(month_table),
                 restriction_section(run)]
    if people is not None and len(people.columns) > 1:
        sections.append(quality.equality_section(run, people))
    sections += [plan_section(plan_table, plan_summary),
                 register_section(review, opts, stepdown), author_section(run, opts)]
    if baseline is not None:
        sections.append(baseline_section(run, baseline))
    sections += [sample_section(run, opts), method_section(run)]
    info = run.run_info
    details = [("Run directory", str(run.path)), ("Run", str(info.get("run_id", "")) or "–"),
               ("Input", str(info.get("input", "")) or "–"),
               ("Generated", datetime.now().strftime("%Y-%m-%d %H:%M"))]
    if baseline is not None:
        details.append(("Baseline", str(baseline.path)))
    return Report(
        title="Care record audit: governance report",
        subtitle="Doing-for language, restrictive practice and care-plan standard",
        info=details,
        headlines=headlines(run, review, plan_summary, baseline)
        + quality.extra_headlines(actions, today, run, decisions),
        sections=sections,
        warnings=warnings + (list(baseline.warnings) if baseline else []),
    )
