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

.PHONY: run test lint translations extract-messages bench clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

translations: $(MO_FILES)

run: $(STAMP) translations
	$(BIN)/quizapp db upgrade
	$(BIN)/quizapp bank import question_bank
	$(BIN)/quizapp users create --role admin --username admin --name 管理员 --if-missing < /dev/null
	$(BIN)/quizapp run --host $(HOST) --port $(PORT)

test: $(STAMP) translations
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
