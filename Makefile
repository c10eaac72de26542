# Two commands set everything up on a fresh machine (Python 3.11 and make are all it needs):
#   make site   build the sample site into site/
#   make test   run every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1

# Debian's chromium drives the browser tests (no browser is ever downloaded); root installs it.
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
NODE_STAMP := node_modules/.installed

.PHONY: site test serve serve-es check links clean chromium pango servers audit bench bench-quarter bench-quick screenshots

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

site: $(STAMP) pango
	$(BIN)/reunify build

# WeasyPrint, which makes the toolkit's PDFs, draws text with Debian's Pango.
pango:
	@ldconfig -p | grep -q libpangoft2-1.0 || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	  libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; }

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	  chromium fonts-dejavu-core >/dev/null; }

# Debian's nginx and Apache, which the tests start on 127.0.0.1 to serve the built site with the
# configuration it writes for them (installing starts no service)
servers:
	@{ test -x /usr/sbin/nginx && test -x /usr/sbin/apache2; } || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	  nginx apache2 >/dev/null; }

test: $(STAMP) $(NODE_STAMP) chromium pango servers
	$(BIN)/python -m pytest

serve: $(STAMP) pango
	$(BIN)/reunify serve

serve-es: $(STAMP) pango
	$(BIN)/reunify serve --language es

check: $(STAMP)
	$(BIN)/reunify check

# ask every outbound link whether it still works (needs the internet; minutes for a big hub)
links: $(STAMP)
	$(BIN)/reunify links check

audit: site $(NODE_STAMP) chromium
	$(BIN)/python tools/audit.py

# docs/screenshots/: the home, partners, a state, a story and a drive at 375 and 1280 pixels
screenshots: site chromium
	$(BIN)/python tools/screenshots.py

BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP) requirements-bench.txt
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt
	touch $@

bench: $(BENCH_STAMP) pango chromium
	$(BIN)/python tools/bench.py national

bench-quarter: $(BENCH_STAMP) pango chromium
	$(BIN)/python tools/bench.py quarter

bench-quick: $(BENCH_STAMP) pango chromium
	$(BIN)/python tools/bench.py quick

clean:
	rm -rf site .site-build-* $(VENV) node_modules
