# quizapp: `make run` serves the app on http://127.0.0.1:5000; `make test` runs the whole suite.
# Both create the virtual environment on first use; nothing needs installing by hand.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
TRANSLATIONS := quizapp/translations
PO_FILES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)
HOST ?= 127.0.0.1
PORT ?= 5000

# Debian packages: a CJK TrueType font that PDFs embed, and poppler (pdftoppm, pdffonts) that the tests
# read PDFs back with; the tests also need chromium, which Playwright drives in tests/browser.
SYSTEM_PACKAGES := fonts-wqy-zenhei poppler-utils poppler-data
test: SYSTEM_PACKAGES += chromium

.PHONY: run test lint translations extract-messages bench clean system-deps

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Installs the missing SYSTEM_PACKAGES when run as root, else says which ones to install; silent when all are
# there. `apt-get update` runs only when an install fails (e.g. a fresh machine without package lists).
system-deps:
	@command -v dpkg >/dev/null || { echo "warning: not Debian-like: install a CJK TrueType font and poppler" \
		"yourself, and set QUIZAPP_PDF_FONT to the font file" >&2; exit 0; }; \
	missing=$$(for package in $(SYSTEM_PACKAGES); do dpkg -s $$package >/dev/null 2>&1 || echo $$package; done); \
	missing=$$(echo $$missing); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" -ne 0 ]; then \
		echo "warning: missing system packages (PDFs and their tests need them):" \
			"sudo apt-get install --no-install-recommends $$missing" >&2; exit 0; \
	fi; \
	echo "installing $$missing"; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get install -y -qq --no-install-recommends $$missing >/dev/null \
		|| { apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; }

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

translations: $(MO_FILES)

run: system-deps $(STAMP) translations
	$(BIN)/quizapp db upgrade
	$(BIN)/quizapp bank import question_bank
	$(BIN)/quizapp users create --role admin --username admin --name 管理员 --if-missing < /dev/null
	$(BIN)/quizapp run --host $(HOST) --port $(PORT)

test: system-deps $(STAMP) translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python tests/perf/run.py $(BENCH_ARGS)

# After changing UI text: extract the messages and merge them into every catalogue.
extract-messages: $(STAMP)
	$(BIN)/pybabel extract --omit-header -F $(TRANSLATIONS)/babel.cfg -k _l -k msg -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)

clean:
	rm -rf $(VENV) $(MO_FILES) .pytest_cache
