# The two commands a newcomer needs: `make run` (the local stack) and `make test` (lint + all tests).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run reset test lint unit integration e2e demo bench package clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m devstack up

# The local stack from nothing: forgets what earlier `make run`s kept in .devstack/, then starts it.
reset: $(STAMP)
	$(PY) -m devstack up --reset

test: $(STAMP) lint
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

unit: $(STAMP)
	$(PY) -m pytest -q tests/unit

integration: $(STAMP)
	$(PY) -m pytest -q tests/integration

e2e: $(STAMP)
	$(PY) -m pytest -q tests/e2e

demo: $(STAMP)
	$(PY) -m devstack demo

# Performance and cost figures on a fresh embedded stack of its own (printed, never asserted; see README "Measuring").
bench: $(STAMP)
	$(PY) benchmarks/bench.py

# The deployable CloudFormation template: Chalice's output with infra/template.json merged in.
package: $(STAMP)
	$(PY) -m devstack package --stage dev --out build/package
	$(VENV)/bin/cfn-lint build/package/sam.json

clean:
	rm -rf $(VENV) build .devstack .pytest_cache .ruff_cache .hypothesis
