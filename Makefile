# Two commands on a fresh machine with only Python 3 and make:
#   make demo   - venv, install, run mypy with the plugin on examples/chat_service
#   make test   - venv, install, lint, mypy --strict, the suite on the newest and the floor
#                 mypy (and libcst), build and check the wheel and sdist
PYTHON ?= python3
VENV ?= .venv
VENV_FLOOR ?= .venv-floor
MYPY_FLOOR ?= 1.19.1
LIBCST_FLOOR ?= 1.1.0
JOBS ?= 2
BIN := $(VENV)/bin
FLOOR_BIN := $(VENV_FLOOR)/bin

.PHONY: demo test lint typecheck pytest pytest-floor bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

$(VENV_FLOOR)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV_FLOOR)
	$(FLOOR_BIN)/python -m pip install -q -e '.[dev]' 'mypy==$(MYPY_FLOOR)' 'libcst==$(LIBCST_FLOOR)'
	touch $@

# mypy exits 1 when it finds errors (the demo's point) and 2 on a crash or bad config.
demo: $(VENV)/.installed
	@echo "mypy + mypy_wsplugin on examples/chat_service:"
	@cd examples/chat_service && ../../$(BIN)/mypy .; status=$$?; test $$status -le 1

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed
	$(BIN)/mypy --strict

pytest: $(VENV)/.installed
	$(BIN)/python -m mypy --version
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest -n $(JOBS) -q

pytest-floor: $(VENV_FLOOR)/.installed
	$(FLOOR_BIN)/python -m mypy --version
	PATH="$(CURDIR)/$(FLOOR_BIN):$$PATH" $(FLOOR_BIN)/pytest -n $(JOBS) -q

test: lint typecheck pytest pytest-floor

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/realworld.py

clean:
	rm -rf $(VENV) $(VENV_FLOOR) .mypy_cache .pytest_cache
