# careaudit: every target sets itself up on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export STREAMLIT_BROWSER_GATHER_USAGE_STATS := false

.PHONY: install audit test lint bench review report evaluate train corpus clean

$(STAMP): pyproject.toml
	@echo "==> careaudit set-up (first run only, about 3 minutes): creating $(VENV) with $(PY)"
	$(PY) -m venv $(VENV)
	@echo "==> installing careaudit and its dependencies from the package registry:"
	@echo "    spaCy + English model, scikit-learn, pandas, Streamlit, Presidio, Dask, torch (CPU) ..."
	$(BIN)/pip install --progress-bar off -e ".[transformer,dev]"
	@echo "==> set-up done"
	touch $(STAMP)

install: $(STAMP)

audit: $(STAMP)
	@echo "==> auditing the bundled sample export (examples/sample_notes.csv) into out/"
	$(BIN)/careaudit audit examples/sample_notes.csv --register examples/register.csv --out out/

test: $(STAMP)
	bash scripts/test_system_deps.sh
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python scripts/bench.py --notes 1500 --steady-notes 10000 --out bench/
	$(BIN)/python scripts/bench_report.py --notes 100000

evaluate: $(STAMP)
	$(BIN)/careaudit evaluate annotations/test.jsonl --register annotations/test_register.csv

review: $(STAMP)
	$(BIN)/careaudit review out/

report: $(STAMP)
	$(BIN)/careaudit register-review out/ --register examples/register.csv
	$(BIN)/careaudit report out/ --format html

train: $(STAMP)
	$(BIN)/careaudit train --model hybrid --out models/hybrid

corpus: $(STAMP)
	$(BIN)/python annotations/build_corpus.py

clean:
	rm -rf out/ .pytest_cache .ruff_cache
