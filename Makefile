# Two commands set everything up on a fresh machine (Python 3.11 and make are all it needs):
#   make site   build the sample site into site/
#   make test   run every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1

.PHONY: site test serve check clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

site: $(STAMP)
	$(BIN)/reunify build

test: $(STAMP)
	$(BIN)/python -m pytest

serve: $(STAMP)
	$(BIN)/reunify serve

check: $(STAMP)
	$(BIN)/reunify check

clean:
	rm -rf site .site-build-* $(VENV)
