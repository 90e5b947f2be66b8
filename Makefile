# Two commands set everything up on a fresh machine: `make site` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed
BASE_URL ?=
# Python keeps its modules' compiled bytecode unless told not to, and some machines tell it not to (this one's shell
# sets PYTHONDONTWRITEBYTECODE): the tests start the generator in a hundred subprocesses, each of which would compile
# its 80 modules again (0.2 s each), and pytest would rewrite every test module's asserts on every run.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: site test test-fast check serve clean chromium bench bench-languages screenshots translations

site: $(RUNTIME)  ## create .venv, install pinned dependencies, build content/ into output/
	$(PY) -m generator build $(if $(BASE_URL),--base-url $(BASE_URL))

test: $(DEV) chromium  ## the same set-up, then the whole test suite
	@$(call in_test_folder,$(PY) -m pytest --basetemp="$$base")

test-fast: $(DEV)  ## the test suite without the browser tests (no chromium needed), a fifth of the Hypothesis examples, on two processes
	@$(call in_test_folder,HYPOTHESIS_PROFILE=fast $(PY) -m pytest -m "not browser" -n 2 --basetemp="$$base")

# The tests' scratch sites (about 400 MB a run) go into a folder of the run's own: in memory (/dev/shm) when it has
# 2 GB free, as a disk may create files many times slower for minutes after many were deleted (this machine's does,
# and pytest deletes an old run's files at the end of each); else under $TMPDIR. Removed when the run passes, kept
# (and named) when it fails.
define in_test_folder
shm=/dev/shm; if [ -d $$shm ] && [ -w $$shm ] && [ "$$(df -Pk $$shm | awk 'NR==2 {print $$4}')" -gt 2097152 ]; then \
  parent=$$shm; else parent=$${TMPDIR:-/tmp}; fi; \
base=$$(mktemp -d "$$parent/timeline-tests.XXXXXX") || exit 1; \
echo '$(1)'; $(1); status=$$?; \
if [ $$status -eq 0 ]; then rm -rf "$$base"; else echo "The tests' files are kept in $$base"; fi; exit $$status
endef

check: $(RUNTIME)
	$(PY) -m generator check --strict

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# pip first: older ones (Python 3.11's own is 23.2) warn that lxml lacks the extra html_clean that jusText asks
# for, which lxml spells html-clean (the same name since PEP 685).
PIP_VERSION := 25.3

$(RUNTIME): requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(DEV): requirements.txt requirements-dev.txt $(RUNTIME)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Browser tests drive Debian's chromium; install it when missing (never a downloaded browser).
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
	    sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else echo "chromium is not installed and cannot be installed without root: browser tests will be skipped"; fi; \
	fi

clean:
	rm -rf output .cache .output.* .pytest_cache .mypy_cache

bench: $(DEV)  ## build-time benchmarks for 1,000 and 10,000 generated events (see bench/README.md)
	$(PY) bench/run.py

bench-languages: $(DEV)  ## what a second language costs: 10,000 events in one and in two languages (bench/README.md)
	$(PY) bench/languages.py

screenshots: $(DEV) chromium  ## build the site and photograph home, event and actor pages at 375 and 1280 px into screenshots/
	$(PY) scripts/screenshots.py

translations: $(RUNTIME)  ## extract the interface's words and create or update each language's catalog
	$(PY) scripts/translations.py

serve: $(RUNTIME)  ## preview with live reload
	$(PY) -m generator serve
