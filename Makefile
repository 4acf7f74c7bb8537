# The README's commands. `make run` builds data/clean from data/raw; `make test` runs the tests.
# Both create the virtual environment and install what they need on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup system run test test-fast lint bench bench-quick eval clean docs

$(BIN)/riskreg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=25.1"
	$(BIN)/python -m pip install -q -e . --group dev
	touch $@

setup: $(BIN)/riskreg

system:
	@bash scripts/system-deps.sh

run: setup system
	$(BIN)/riskreg build data/raw --out data/clean

test: setup system
	$(BIN)/python -m pytest -q

test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow"

lint: setup
	$(BIN)/ruff check .

eval: setup system
	$(BIN)/python ../shared/eval/score.py ../shared/eval/cases.json --riskreg $(BIN)/riskreg

bench: setup system
	$(BIN)/python bench/run.py --reps 3 --pages 50,200
	$(BIN)/python bench/build.py --files 200
	$(BIN)/python bench/bench_ocr.py --pages 1-14

bench-quick: setup system
	$(BIN)/python bench/run.py --quick

clean:
	rm -rf data/clean data/cache .pytest_cache

docs: setup
	$(BIN)/python -m riskreg.docs README.md
