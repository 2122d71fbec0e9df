# eucaim-wizard: `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= out

.PHONY: setup demo test bench clean

setup: $(STAMP)

# The venv is (re)built when the dependencies change.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# pycanon (independent checker of k, l, t, ... used by the tests) pins old numpy/pandas
	# releases; --no-deps keeps ours (it only needs numpy and pandas at run time).
	$(BIN)/python -m pip install --quiet --no-deps 'pycanon==1.3.6'
	@touch $@

demo: setup
	$(BIN)/eucaim-wizard validate examples/demo/project.yaml
	$(BIN)/eucaim-wizard anonymize examples/demo/project.yaml -o $(OUT)/demo
	$(BIN)/eucaim-wizard anonymize examples/imaging/project.yaml -o $(OUT)/imaging
	$(BIN)/eucaim-wizard anonymize examples/clinical/project.yaml -o $(OUT)/clinical
	@echo "demo outputs: $(OUT)/demo, $(OUT)/imaging and $(OUT)/clinical (anonymized table + result.json)"

# pytest exits 5 when it collected no test: that fails `make test` like any failure.
test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .hypothesis
