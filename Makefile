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
	# bytecode now, as an installed package has it (an editable install compiles nothing,
	# and where PYTHONDONTWRITEBYTECODE is set every start would compile ~30 modules again)
	$(BIN)/python -m compileall -q src
	@touch $@

# The whole workflow (validate, guard, risk, search, export, utility, PDF report) on the three
# shipped synthetic examples.
demo: setup
	$(BIN)/eucaim-wizard run examples/imaging/project.yaml -o $(OUT)/imaging
	$(BIN)/eucaim-wizard run examples/clinical/project.yaml -o $(OUT)/clinical
	$(BIN)/eucaim-wizard run examples/demo/project.yaml -o $(OUT)/demo
	@echo "demo outputs (anonymized table, result/risk/utility/report JSON, report.pdf): $(OUT)/imaging, $(OUT)/clinical, $(OUT)/demo"

# pytest exits 5 when it collected no test: that fails `make test` like any failure.
test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .hypothesis
