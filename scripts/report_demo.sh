#!/usr/bin/env bash
# Follow-up audit demo for the README screenshot: the sample export split into two
# periods (Jan-Feb = baseline audit, Mar-May = follow-up), each audited, then the
# follow-up's register review and report with the baseline, screenshotted by Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/careaudit_report_demo}
rm -rf "$work" && mkdir -p "$work"
.venv/bin/python - "$work" <<'PY'
import sys
import pandas as pd
work = sys.argv[1]
d = pd.read_csv("examples/sample_notes.csv", encoding="cp1252", dtype=str, keep_default_na=False)
month = d["date"].str[3:5]
d[month.isin(["01", "02"])].to_csv(f"{work}/period1.csv", index=False)
d[~month.isin(["01", "02"])].to_csv(f"{work}/period2.csv", index=False)
PY
for p in period1 period2; do
  .venv/bin/careaudit audit "$work/$p.csv" --register examples/register.csv --out "$work/$p" --no-progress >/dev/null
done
.venv/bin/careaudit register-review "$work/period2" --register examples/register.csv >/dev/null
.venv/bin/careaudit report "$work/period2" --format html --baseline "$work/period1" --output "$work/report.html"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,3000 \
  --screenshot=docs/report_screenshot.png "file://$work/report.html" 2>/dev/null
echo "report: $work/report.html, screenshot: docs/report_screenshot.png"
