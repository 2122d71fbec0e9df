# eucaim-wizard: `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= out

.PHONY: setup demo test bench clean ui browser

setup: $(STAMP)

# The venv is (re)built when the dependencies change.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,ui]'
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

# The browser wizard's end-to-end tests drive Debian's chromium: installed here where we are
# root and it is missing (they skip, saying why, where it cannot be).
browser:
	@command -v chromium >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1 || \
	  { echo "installing Debian's chromium for the browser tests"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null 2>&1 && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1; } || \
	    echo "could not install chromium: the browser tests will skip"; }

# pytest exits 5 when it collected no test: that fails `make test` like any failure.
test: setup browser
	$(BIN)/python -m pytest -q

# The browser wizard on the shipped imaging example (127.0.0.1:8501).
ui: setup
	$(BIN)/eucaim-wizard ui examples/imaging/imaging_metadata.csv

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .hypothesis
