#!/usr/bin/env bash
# The README report screenshot: audit the sample export, add quality improvement actions
# and a panel decision, write the report with examples/people.csv and screenshot it.
# Kept for old instructions; scripts/report_screenshot.py does the work.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/report_screenshot.py --work "${1:-/tmp/careaudit_report_demo}"
