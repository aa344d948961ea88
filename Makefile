# Two commands on a fresh machine with only Python 3 and make:
#   make demo   - venv, install, run mypy with the plugin on examples/chat_service
#   make test   - venv, install, lint, mypy --strict, the suite on the newest and the floor mypy
PYTHON ?= python3
VENV ?= .venv
VENV_FLOOR ?= .venv-floor
MYPY_FLOOR ?= 1.19.1
# Versions below the supported range: the plugin must say one line, never crash.
OLD_MYPYS ?= 1.14.1 1.18.2
OLD_VENVS := $(foreach v,$(OLD_MYPYS),.venv-mypy-$(v))
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
	$(FLOOR_BIN)/python -m pip install -q -e '.[dev]' 'mypy==$(MYPY_FLOOR)'
	touch $@

# A scratch venv per old mypy, with this plugin installed without its version pin.
.venv-mypy-%/.installed: pyproject.toml
	$(PYTHON) -m venv .venv-mypy-$*
	.venv-mypy-$*/bin/python -m pip install -q 'mypy==$*'
	.venv-mypy-$*/bin/python -m pip install -q --no-deps -e .
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

pytest: $(VENV)/.installed $(foreach v,$(OLD_VENVS),$(v)/.installed)
	$(BIN)/python -m mypy --version
	PATH="$(CURDIR)/$(BIN):$$PATH" WSPLUGIN_OLD_MYPY_VENVS="$(addprefix $(CURDIR)/,$(OLD_VENVS))" \
		$(BIN)/pytest -n $(JOBS) -q

pytest-floor: $(VENV_FLOOR)/.installed
	$(FLOOR_BIN)/python -m mypy --version
	PATH="$(CURDIR)/$(FLOOR_BIN):$$PATH" $(FLOOR_BIN)/pytest -n $(JOBS) -q

test: lint typecheck pytest pytest-floor

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/realworld.py

clean:
	rm -rf $(VENV) $(VENV_FLOOR) $(OLD_VENVS) .mypy_cache .pytest_cache
