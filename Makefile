# Two commands do all the set-up: `make lab` and `make test`.
# Both create .venv on first use and reuse it afterwards.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LAB_ARGS ?=
# make seeds SEEDS="--range 1 200 --only 08 09 --jobs 2"
SEEDS ?= 1 2 3
# JupyterLab refuses to run as root (containers, some CI machines) unless told it is deliberate.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: install lab test lint toc bench seeds clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

lab: install
	$(BIN)/jupyter lab notebooks/00-start-here.ipynb $(ALLOW_ROOT) $(LAB_ARGS)

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check src tests benchmarks tools notebooks

toc: install
	$(BIN)/python tools/update_toc.py

bench: install
	$(BIN)/python benchmarks/run_all.py

seeds: install
	$(BIN)/python tools/check_seeds.py $(SEEDS)

clean:
	rm -rf $(VENV) build src/*.egg-info
