# kawan: `make run` sets everything up and starts the node; `make test` sets up and tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.kawan-installed
# Debian packages the tests and benchmarks use: a real browser for the page tests (driven
# by Playwright, never a downloaded browser), Thai fonts for it, wrk and ripgrep for the
# benchmarks. Installed when missing and this is root with apt-get; otherwise the tests
# that need them skip, saying why (CI sets KAWAN_REQUIRE_BROWSER=1, where they fail).
DEBIAN_PACKAGES := chromium fonts-thai-tlwg wrk ripgrep

.PHONY: setup system run test check bench clean

# setup.py compiles the native match prefilter: a changed C file reinstalls (recompiles).
$(STAMP): pyproject.toml setup.py src/kawan/match/_prefilter.c
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

system:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "not installed (needs root and apt-get):$$missing"; fi; fi

setup: $(STAMP)

run: setup
	$(BIN)/kawan db upgrade
	$(BIN)/kawan demo --if-empty
	$(BIN)/kawan serve

test: setup system
	$(BIN)/pytest

check: setup
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

bench: setup system
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/check.py
	$(BIN)/python benchmarks/taxii.py
	$(BIN)/python benchmarks/match.py
	$(BIN)/python benchmarks/check_http.py
	$(BIN)/python benchmarks/sync.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
