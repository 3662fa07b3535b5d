# k2connect developer commands. `make test` and `make demo` build their own virtual environment.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed
# `make demo` needs only the package with its sandbox and cli extras: a first run installs those (seconds,
# tens of MB); `make test`/`make setup` add the development tools to the same .venv later.
DEMO_STAMP := $(VENV)/.demo-installed
SPEC := openapi/k2connect.yaml
GEN_PKG := generated/k2connect_client
REDOCLY := @redocly/cli@2.77.0
# ruff runs as a post-hook of the generator: it must be on PATH, and --fail-on-warning turns
# "ruff not found" into an error instead of silently unformatted output.
GENERATE = PATH="$(BIN):$$PATH" $(BIN)/openapi-python-client generate --path $(SPEC) \
	--config generator-config.yml --meta none --fail-on-warning --custom-template-path templates

.PHONY: help setup generate check-generated lint lint-spec typecheck test test-fast bench demo sandbox contract reliability fuzz

help:
	@echo "make demo            every K2 flow end to end against the embedded sandbox"
	@echo "make test            the whole test suite (lint, types, drift, spec lint, unit, sandbox, contract)"
	@echo "make setup           create .venv with the package and the pinned dev tools"
	@echo "make generate        regenerate generated/k2connect_client (with its registry) and the webhook payload rules from $(SPEC)"
	@echo "make check-generated fail if generated/ differs from what the spec generates"
	@echo "make lint-spec       openapi-spec-validator + Redocly lint"
	@echo "make contract        schemathesis CLI suite against K2_BASE_URL (default: a sandbox it starts)"
	@echo "make reliability     the whole fault matrix (one table, 0 problems) and the full payment-intent crash test"
	@echo "make fuzz            the hypothesis fuzz tests of tests/reliability, at least 100k cases"
	@echo "make bench           every speed figure beside its floor: BENCHMARKS.md + bench/benchmarks.png"
	@echo "make docs            the documentation site into site/ (mkdocs --strict); make docs-serve serves it on 127.0.0.1:8000"
	@echo "make lint / typecheck"

setup: $(STAMP)

$(STAMP): pyproject.toml requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet -e '.[sandbox,fastapi,flask,django,cli,aiohttp]'
	touch $(STAMP)

# The output folder is wiped first: --overwrite only replaces api/ and models/, so stale files would survive.
generate: $(STAMP)
	rm -rf $(GEN_PKG)
	$(GENERATE) --output-path $(GEN_PKG)
	rm -rf $(GEN_PKG)/.ruff_cache
	touch $(GEN_PKG)/py.typed
	$(BIN)/python scripts/generate_registry.py
	$(BIN)/python scripts/generate_payload_rules.py
	$(BIN)/python scripts/generate_event_docs.py

check-generated: $(STAMP)
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(GENERATE) --output-path "$$tmp/k2connect_client" >/dev/null; \
	rm -rf "$$tmp/k2connect_client/.ruff_cache"; touch "$$tmp/k2connect_client/py.typed"; \
	$(BIN)/python scripts/generate_registry.py --output "$$tmp/k2connect_client/registry.py"; \
	if diff -r -x __pycache__ "$$tmp/k2connect_client" $(GEN_PKG); then echo "generated/ matches $(SPEC)"; \
	else echo "generated/ has drifted from $(SPEC): run 'make generate' and commit"; exit 1; fi; \
	$(BIN)/python scripts/generate_payload_rules.py --output "$$tmp/_payload_rules.py"; \
	if diff -u k2connect_ext/webhooks/_payload_rules.py "$$tmp/_payload_rules.py"; then \
	echo "k2connect_ext/webhooks/_payload_rules.py matches $(SPEC)"; \
	else echo "k2connect_ext/webhooks/_payload_rules.py has drifted from $(SPEC): run 'make generate' and commit"; \
	exit 1; fi; \
	$(BIN)/python scripts/generate_event_docs.py --check

lint-spec: $(STAMP)
	$(BIN)/openapi-spec-validator --validation-errors all $(SPEC)
	npx --yes $(REDOCLY) lint --config redocly.yaml --format=stylish $(SPEC)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy --strict k2connect_ext k2connect_sandbox k2connect_cli
	$(BIN)/mypy --strict examples/fastapi_app examples/flask_app examples/many_machines examples/demo.py bench
	cd generated && $(BIN)/mypy --strict k2connect_client
	$(BIN)/mypy --strict tests

# The fuzz tests run a slice here (100 examples each, about 5,000 cases); `make fuzz` runs 100k or more.
# pytest-xdist spreads the tests over every core (-n auto: 2 workers on CI's 2 cores); pytest-cov
# combines the workers' coverage before the 100% bar is checked. The 15 slowest tests are listed at the end,
# so a test that grows the suite towards its 10-minute budget shows where.
test: $(STAMP) lint typecheck
	K2_FUZZ_EXAMPLES=$${K2_FUZZ_EXAMPLES:-100} \
	$(BIN)/pytest -q -rs -p no:cacheprovider -n auto --durations=15 \
		--cov=k2connect_ext --cov-report=term-missing:skip-covered --cov-fail-under=100

$(DEMO_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[sandbox,cli]'
	touch $(DEMO_STAMP)

# A .venv that already has everything (make setup / make test) serves the demo as it is.
demo: $(if $(wildcard $(STAMP)),$(STAMP),$(DEMO_STAMP))
	$(BIN)/python examples/demo.py

# Every speed figure beside its floor, measured in one run (< 10 min): writes BENCHMARKS.md and
# bench/benchmarks.png. bench/bench_webhooks.py and bench/bench_sandbox.py remain for a closer look.
bench: $(STAMP)
	$(BIN)/python bench/run_all.py

# The documentation site (mkdocs.yml, sources in docs/) into site/. --strict: a broken link, or a docstring
# mkdocstrings cannot read, fails the build. The generated pages (docs/webhooks.md, docs/sandbox.md) must
# match the specs they come from (scripts/generate_event_docs.py) before they are published.
.PHONY: docs docs-serve
docs: $(STAMP)
	$(BIN)/python scripts/generate_event_docs.py --check
	$(BIN)/mkdocs build --strict

docs-serve: $(STAMP)
	$(BIN)/mkdocs serve -a 127.0.0.1:8000

# schemathesis CLI (contract/schemathesis.toml: all phases incl. stateful, all checks, fail on missing
# auth) against K2_BASE_URL with K2_CLIENT_ID/K2_CLIENT_SECRET; without K2_BASE_URL against a local
# sandbox started and stopped by the script. Reports in st-report/. Exit code is schemathesis'.
contract: $(STAMP)
	BIN="$(BIN)" scripts/contract.sh

test-fast: $(STAMP)
	$(BIN)/pytest -q -x -m "not slow"

# Every fault of tests/reliability/faultserver.py against the token request, a GET and every create, sync
# and async; prints one table and exits non-zero when any case has a problem (see tests/reliability/matrix.py).
reliability: $(STAMP)
	$(BIN)/python -m tests.reliability.run
	K2_CRASH_FULL=1 $(BIN)/pytest -q -p no:cacheprovider tests/multi/test_intents_crash.py

# K2_FUZZ_EXAMPLES is derived from K2_FUZZ_TARGET (default 100000) and the number of fuzz tests.
fuzz: $(STAMP)
	$(BIN)/python -m tests.reliability.fuzz
