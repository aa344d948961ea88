# Two commands on a fresh machine with only Python 3 and make:
#   make demo   - venv, install; the example's planted bugs, mypy's findings, the fix diff
#   make test   - venv, install, lint, mypy --strict, the suite on the newest and the floor
#                 mypy (and libcst), build and check the wheel and sdist
#   make bench  - plain mypy against mypy + the plugin on pinned async libraries (time, memory,
#                 every output line that differs); benchmarks/results/latest.md
#   make recall - seeded await mutations in those libraries: which checker catches them, e.g.
#                 make recall RECALL_ARGS="--per-library 20 --only aiomysql"
#   make fuzz   - differential edit sequences (cold from the stubs cached; warm/daemon/-n 2), e.g.
#                 make fuzz STEPS=2000 SEED=1000 [LENGTH=20 JOBS=2 FUZZ_ARGS="--shrink --minutes 60"]
#   make test-versions - the whole suite on each mypy release between the floor and the newest
PYTHON ?= python3
VENV ?= .venv
VENV_FLOOR ?= .venv-floor
# The oldest release pyproject admits (a patch release can change an internal: 1.19.0 did).
MYPY_FLOOR ?= 1.19.0
LIBCST_FLOOR ?= 1.1.0
# Versions below the supported range: the plugin must say one line, never crash (1.0.0: the
# oldest 1.x, before error codes could be sub-codes of another).
OLD_MYPYS ?= 1.0.0 1.14.1 1.18.2
OLD_VENVS := $(foreach v,$(OLD_MYPYS),.venv-mypy-$(v))
# The releases between the floor and the newest (make test runs those two): make test-versions.
MID_MYPYS ?= 1.19.1 1.20.2 2.0.0 2.1.0 2.2.0 2.3.1 2.4.0
MID_VENVS := $(foreach v,$(MID_MYPYS),.venv-range-$(v))
JOBS ?= 2
STEPS ?= 200
SEED ?= 1000
LENGTH ?= 20
FUZZ_OUT ?= fuzz-out
FUZZ_ARGS ?=
RECALL_ARGS ?=
BIN := $(VENV)/bin
FLOOR_BIN := $(VENV_FLOOR)/bin
# The compiled build (setup.py with MYPY_WSPLUGIN_USE_MYPYC=1): a copy of the package with
# its modules compiled in place by the newest venv's mypyc.  make pytest runs the whole suite
# on it (WSPLUGIN_COMPILED: conftest.py puts it before the source tree); make pytest-floor runs
# it on the pure-Python source, so each build meets the whole suite.
COMPILED ?= .compiled
PACKAGE_SOURCES := $(shell find mypy_wsplugin -name '*.py')
BUILD_FILES := setup.py pyproject.toml README.md LICENSE
# An editable install into venv $(1): setuptools writes the package's egg-info into the venv
# (DIST_EXTRA_CONFIG, an extra setup.cfg), not the source tree, so installs into several
# venvs can run at once under `make -j`.
EDITABLE = printf '[egg_info]\negg_base = %s\n' "$(abspath $(1))" > $(1)/egg-base.cfg && \
	DIST_EXTRA_CONFIG="$(abspath $(1))/egg-base.cfg" $(1)/bin/python -m pip install -q -e
# Byte-compile the package and the tests with venv $(1)'s Python, as pip does for a regular
# install: where the environment sets PYTHONDONTWRITEBYTECODE (as ours does), each of the
# suite's mypy processes would otherwise compile the plugin's source again (an eighth of the
# suite's CPU time).  Only what changed since the last run is compiled again.
BYTECODE = $(1)/bin/python -m compileall -q mypy_wsplugin tests

.PHONY: compiled demo demo-run test test-targets test-versions lint typecheck pytest pytest-floor dist bench recall fuzz fuzz-floor clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(call EDITABLE,$(VENV)) '.[dev]'
	touch $@

$(VENV_FLOOR)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV_FLOOR)
	$(call EDITABLE,$(VENV_FLOOR)) '.[test]' 'mypy==$(MYPY_FLOOR)' 'libcst==$(LIBCST_FLOOR)'
	touch $@

# A scratch venv per old mypy (the plugin comes from the source tree, on PYTHONPATH in
# tests/test_mypy_versions.py: no editable install, so it installs beside the others).  No
# pip of its own (ensurepip costs about 4 s of CPU a venv): the main venv's pip installs
# into it (pip --python).
.venv-mypy-%/.installed: pyproject.toml $(VENV)/.installed
	$(PYTHON) -m venv --without-pip .venv-mypy-$*
	$(BIN)/python -m pip --python .venv-mypy-$*/bin/python install -q 'mypy==$*'
	touch $@

# A venv per release of the supported range, with the plugin installed as in the floor's.
.venv-range-%/.installed: pyproject.toml
	$(PYTHON) -m venv .venv-range-$*
	$(call EDITABLE,.venv-range-$*) '.[test]' 'mypy==$*'
	touch $@

# What the example is, what mypy with the plugin finds in it, the diff `mypy-wsplugin fix`
# would apply, and the command that applies it; exits 0 (examples/demo.sh).
demo: $(VENV)/.installed
	@$(MAKE) --no-print-directory demo-run

# The demo with the mypy and mypy-wsplugin in BIN (tests/test_demo.py passes its own).
demo-run:
	@sh examples/demo.sh "$(abspath $(BIN))" "$(if $(filter /%,$(BIN)),$(BIN),../../$(BIN))"

# Built without debug information (MYPYC_DEBUG_LEVEL=0; a release build uses -g1): gcc then
# emits the same machine code (.text and .rodata compared byte for byte) in less time.  Like
# every build, without gcc's -Wmisleading-indentation (setup.py, quiet_flags): gcc spends
# about 72 CPU seconds on mypyc's large C file instead of 123 (the whole build: about 100).
# Without a C compiler or Python's headers (scripts/check_compiler.py) the build is marked
# unavailable (.unavailable says why) and make pytest runs on the source tree, saying so.
$(COMPILED)/.built: $(VENV)/.installed $(PACKAGE_SOURCES) $(BUILD_FILES) scripts/check_compiler.py
	rm -rf $(COMPILED) && mkdir -p $(COMPILED)
	@if $(BIN)/python scripts/check_compiler.py > $(COMPILED)/.unavailable; then \
		rm $(COMPILED)/.unavailable && cp -r mypy_wsplugin $(BUILD_FILES) $(COMPILED)/ && \
		echo "compiled build: mypyc compiles the package in $(COMPILED)" && \
		(cd $(COMPILED) && MYPY_WSPLUGIN_USE_MYPYC=1 MYPYC_DEBUG_LEVEL=0 $(abspath $(BIN))/python setup.py -q \
			build_ext --inplace > build.log 2>&1 || { cat build.log; exit 1; }) && \
		$(BIN)/python -m compileall -q $(COMPILED)/mypy_wsplugin; \
	else \
		echo "compiled build: $$(cat $(COMPILED)/.unavailable); the suite runs on the source tree only"; \
	fi
	touch $@

compiled: $(COMPILED)/.built

# A suite's temporary files (pytest's tmp_path, mypy's caches, the daemons' sockets) go to a
# directory of their own, on a tmpfs where one has room (scripts/scratch_dir.py: the edit
# sequences took about 6 % less time than on ext4), removed when the suite passes and kept
# (and named) when it fails.  $(SCRATCH) goes before the suite's command, $(END_SCRATCH)
# after it (following a ";"), which keeps its exit status.
SCRATCH = scratch=$$($(PYTHON) scripts/scratch_dir.py) && echo "temporary files: $$scratch" && \
	TMPDIR="$$scratch"
END_SCRATCH = status=$$?; if [ $$status = 0 ]; then rm -rf "$$scratch"; \
	else echo "the failed tests' temporary files: $$scratch"; fi; exit $$status

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed
	$(BIN)/mypy --strict

pytest: $(VENV)/.installed $(COMPILED)/.built $(foreach v,$(OLD_VENVS),$(v)/.installed)
	$(BIN)/python -m mypy --version
	$(call BYTECODE,$(VENV))
	@test ! -f $(COMPILED)/.unavailable || echo "make pytest: no compiled build ($$(cat $(COMPILED)/.unavailable)): the suite runs on the source tree"
	@$(SCRATCH) WSPLUGIN_COMPILED="$$(test -f $(COMPILED)/.unavailable || echo $(abspath $(COMPILED)))" \
		PATH="$(CURDIR)/$(BIN):$$PATH" WSPLUGIN_OLD_MYPY_VENVS="$(addprefix $(CURDIR)/,$(OLD_VENVS))" \
		$(BIN)/pytest -n $(JOBS) -q; $(END_SCRATCH)

pytest-floor: $(VENV_FLOOR)/.installed
	$(FLOOR_BIN)/python -m mypy --version
	$(call BYTECODE,$(VENV_FLOOR))
	@$(SCRATCH) PATH="$(CURDIR)/$(FLOOR_BIN):$$PATH" $(FLOOR_NICE) $(FLOOR_BIN)/pytest -n $(JOBS) -q; \
		$(END_SCRATCH)

# The wheel and sdist: built, `twine check`ed, contents checked, the sdist's tests run
# (scripts/check_dist.py).
dist: $(VENV)/.installed
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/twine check --strict dist/*
	$(BIN)/python scripts/check_dist.py dist

# Three jobs at a time: the two suites and, beside them, lint, mypy --strict and the dist
# check one after the other, so neither suite waits for a free job to start; each target's
# output is printed whole when it ends.  Two xdist workers per suite (SUITE_JOBS): the floor's
# suite takes about 1.45 times the newest's CPU (mypy 1.19 loads the standard library's
# stubs from its cache more slowly, at every run), so with one worker each the floor's
# would run alone on one core for minutes after the newest's has ended (on 2 cores: the
# floor's suite took 747 s with two workers each, 782 s with one, the newest's ending at 570).
# The floor's suite runs at a lower priority (FLOOR_NICE): the newest's waits for the
# compiled build, which shares the cores with the floor's suite.  Where Linux groups
# processes by session for scheduling (autogroup), that priority reaches the floor's pytest
# processes and their plain subprocesses, not the mypy runs forked from its zygotes (each
# zygote is a session of its own): the whole run keeps both cores busy either way, so its
# time is the work divided by two (benchmarks/findings.md, session 48).
SUITE_JOBS ?= 2
FLOOR_NICE ?=
test:
	@$(MAKE) --no-print-directory -j3 --output-sync=target test-targets JOBS=$(SUITE_JOBS) \
		FLOOR_NICE="nice -n 10"

test-targets: pytest pytest-floor lint typecheck dist

# The whole suite on each release in MID_MYPYS, one after the other (about 2 minutes each
# on 2 cores): before a release, or when the supported range or mypy's internals the plugin
# uses change.  Not part of `make test` (its budget is 10 minutes).  Every version runs;
# the last line names those that failed.
test-versions: $(foreach v,$(MID_VENVS),$(v)/.installed)
	@failed=""; for v in $(MID_MYPYS); do \
		echo "== mypy $$v"; \
		$(call BYTECODE,.venv-range-$$v); \
		PATH="$(CURDIR)/.venv-range-$$v/bin:$$PATH" .venv-range-$$v/bin/pytest -n $(JOBS) -q \
			|| failed="$$failed $$v"; \
	done; \
	if [ -n "$$failed" ]; then echo "test-versions: failed on mypy$$failed"; exit 1; fi; \
	echo "test-versions: passed on mypy $(MID_MYPYS)"

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/realworld.py

# Seeded mutations (await added before a sync call, await removed before an async call) in the
# libraries of make bench, checked by plain mypy, mypy --check-untyped-defs, pyright (installed
# with npm into the bench cache) and the plugin; caught/total per kind, annotated or not, and
# checker in benchmarks/results/recall-latest.md (and .json).
recall: $(VENV)/.installed
	$(BIN)/python benchmarks/recall.py $(RECALL_ARGS)

# Seeds SEED, SEED+1, ... of LENGTH edits each until STEPS steps were checked; JOBS seeds at
# once. Each divergence is printed (seed, step, edits, files, diff) and written under
# FUZZ_OUT; the last line sums up steps, seeds and divergences. Exit status 1 on divergences.
fuzz: $(VENV)/.installed
	$(call BYTECODE,$(VENV))
	$(BIN)/python -m tests.edit_sequences --steps $(STEPS) --seed $(SEED) --length $(LENGTH) \
		--jobs $(JOBS) --out $(FUZZ_OUT) $(FUZZ_ARGS)

fuzz-floor: $(VENV_FLOOR)/.installed
	$(call BYTECODE,$(VENV_FLOOR))
	$(FLOOR_BIN)/python -m tests.edit_sequences --steps $(STEPS) --seed $(SEED) \
		--length $(LENGTH) --jobs $(JOBS) --out $(FUZZ_OUT)-floor $(FUZZ_ARGS)

clean:
	rm -rf $(VENV) $(VENV_FLOOR) $(OLD_VENVS) $(MID_VENVS) $(COMPILED) .mypy_cache .pytest_cache dist build $(FUZZ_OUT) $(FUZZ_OUT)-floor
