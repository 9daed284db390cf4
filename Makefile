# Two commands a newcomer needs: `make report` and `make test`.
# Both create .venv at the repository root and install the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: report test venv clean-reports strip-notebooks

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed; run: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed-run

venv: $(VENV)/.installed-run

## Execute every notebook headless; executed notebooks, HTML, figures and tables go to reports/.
report: $(VENV)/.installed-run
	$(BIN)/python -m analysis.report

## Run the whole test suite.
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

## Remove outputs from notebooks before committing (keeps diffs readable).
strip-notebooks: $(VENV)/.installed-run
	$(BIN)/python -m analysis.report --strip

clean-reports:
	rm -rf reports
