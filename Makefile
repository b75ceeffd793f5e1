# moodplayer — two commands set up everything on a fresh machine:
#   make run    install what is missing (venv, Python and Debian packages) and open the app
#   make test   install the same and run the test suite
#   make package  build the installer: dist/moodplayer/ (PyInstaller) and dist/moodplayer_<version>_amd64.deb
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.moodplayer-installed

.PHONY: run test setup system-deps lint bench clean package

run: setup
	$(BIN)/moodplayer $(ARGS)

test: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

setup: system-deps $(STAMP)

system-deps:
	@PYTHON=$(PYTHON) bash packaging/system-deps.sh

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev,packaging]"
	@touch $(STAMP)

lint: setup
	$(BIN)/ruff check moodplayer tests bench

bench: setup
	for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

# PyInstaller (the `packaging` extra, installed by setup) builds the bundle from
# packaging/moodplayer.spec, then packaging/build_deb.py wraps it in a .deb.
package: setup
	$(BIN)/python packaging/build.py

clean:
	rm -rf build dist .pytest_cache
