# Two commands on a fresh machine with only Python 3 and make:
#   make demo   - venv, install, run mypy with the plugin on examples/chat_service
#   make test   - venv, install, lint, mypy --strict, the suite on the newest and the floor mypy
#   make fuzz   - differential edit sequences (cold/warm/daemon/-n 2), e.g.
#                 make fuzz STEPS=2000 SEED=1000 [LENGTH=20 JOBS=2 FUZZ_ARGS="--shrink --minutes 60"]
PYTHON ?= python3
VENV ?= .venv
VENV_FLOOR ?= .venv-floor
MYPY_FLOOR ?= 1.19.1
JOBS ?= 2
STEPS ?= 200
SEED ?= 1000
LENGTH ?= 20
FUZZ_OUT ?= fuzz-out
FUZZ_ARGS ?=
BIN := $(VENV)/bin
FLOOR_BIN := $(VENV_FLOOR)/bin

.PHONY: demo test lint typecheck pytest pytest-floor bench fuzz fuzz-floor clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

$(VENV_FLOOR)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV_FLOOR)
	$(FLOOR_BIN)/python -m pip install -q -e '.[dev]' 'mypy==$(MYPY_FLOOR)'
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

# Seeds SEED, SEED+1, ... of LENGTH edits each until STEPS steps were checked; JOBS seeds at
# once. Each divergence is printed (seed, step, edits, files, diff) and written under
# FUZZ_OUT; the last line sums up steps, seeds and divergences. Exit status 1 on divergences.
fuzz: $(VENV)/.installed
	$(BIN)/python -m tests.edit_sequences --steps $(STEPS) --seed $(SEED) --length $(LENGTH) \
		--jobs $(JOBS) --out $(FUZZ_OUT) $(FUZZ_ARGS)

fuzz-floor: $(VENV_FLOOR)/.installed
	$(FLOOR_BIN)/python -m tests.edit_sequences --steps $(STEPS) --seed $(SEED) \
		--length $(LENGTH) --jobs $(JOBS) --out $(FUZZ_OUT)-floor $(FUZZ_ARGS)

clean:
	rm -rf $(VENV) $(VENV_FLOOR) .mypy_cache .pytest_cache $(FUZZ_OUT) $(FUZZ_OUT)-floor
