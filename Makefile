# Two commands do all the set-up: `make lab` and `make test`.
# Both create .venv on first use and reuse it afterwards.
# `make test KERAS_BACKEND=jax` (or torch) installs that backend's extra into .venv and runs the
# helper tests and every notebook on it; the default is TensorFlow, and `make lab` stays TensorFlow-only.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LAB_ARGS ?=
KERAS_BACKEND ?= tensorflow
export KERAS_BACKEND
BACKEND_STAMP := $(VENV)/.backend-$(KERAS_BACKEND)
# The browser, Binder and classroom tests run JupyterLab, Binder and a hub as learners get them:
# on TensorFlow. The other backends run everything else.
BACKEND_TEST_ARGS := $(if $(filter tensorflow,$(KERAS_BACKEND)),,--ignore=tests/browser \
	--ignore=tests/test_binder.py --ignore=tests/test_classroom.py)
# On JAX, one pytest process per test file (tools/pytest_per_file.py): in one long process of
# thousands of eager compilations JAX 0.10.2 crashed with a segmentation fault.
TEST_RUNNER := $(if $(filter jax,$(KERAS_BACKEND)),$(BIN)/python tools/pytest_per_file.py,$(BIN)/python -m pytest)
# make seeds SEEDS="--range 1 200 --only 08 09 --jobs 2"
SEEDS ?= 1 2 3
# JupyterLab refuses to run as root (containers, some CI machines) unless told it is deliberate.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: install backend-install lab test lint toc bench seeds clean

install: $(STAMP)

$(STAMP): pyproject.toml src/helpers/mind-the-pad.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	$(BIN)/python -m helpers.lab_settings
	touch $(STAMP)

lab: install
	$(BIN)/jupyter lab notebooks/00-start-here.ipynb $(ALLOW_ROOT) $(LAB_ARGS)

$(VENV)/.backend-tensorflow: $(STAMP)
	touch $@

$(VENV)/.backend-jax $(VENV)/.backend-torch: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,$(KERAS_BACKEND)]'
	touch $@

# The extra for KERAS_BACKEND alone, without running anything (CI installs torch before the
# TensorFlow run, so that the PyTorch-library tests and cells run there too).
backend-install: install $(BACKEND_STAMP)

test: install $(BACKEND_STAMP)
	@echo "make test: Keras backend $(KERAS_BACKEND)"
	$(TEST_RUNNER) $(BACKEND_TEST_ARGS)

lint: install
	$(BIN)/ruff check src tests benchmarks tools notebooks

toc: install
	$(BIN)/python tools/update_toc.py

# make bench KERAS_BACKEND=jax: the notebooks that declare JAX, on JAX (the README table is TensorFlow's).
bench: install $(BACKEND_STAMP)
	$(BIN)/python benchmarks/run_all.py

seeds: install
	$(BIN)/python tools/check_seeds.py $(SEEDS)

clean:
	rm -rf $(VENV) build src/*.egg-info

# Binder and the classroom (README: "For instructors"; classroom/README.md). CI runs both tests.
# binder-test: a fresh environment from .binder/ alone, every notebook run in it (tests/test_binder.py).
# classroom-install: the one-machine JupyterHub's environment (the runtime pins and the classroom
# extra, installed as classroom/Dockerfile installs them) and its proxy from npm, under build/.
CLASSROOM_ENV  := build/classroom-venv
CLASSROOM_NODE := build/classroom-node

.PHONY: binder-test classroom-install classroom-test classroom-bench

binder-test: install
	MTP_BINDER_TEST=1 $(BIN)/python -m pytest tests/test_binder.py

classroom-install: $(CLASSROOM_ENV)/.installed $(CLASSROOM_NODE)/.installed

$(CLASSROOM_ENV)/.installed: pyproject.toml $(shell find src -name '*.py')
	test -x $(CLASSROOM_ENV)/bin/python || $(PYTHON) -m venv $(CLASSROOM_ENV)
	$(CLASSROOM_ENV)/bin/python -m pip install --quiet --disable-pip-version-check '.[classroom]'
	touch $@

$(CLASSROOM_NODE)/.installed: classroom/package.json classroom/package-lock.json
	mkdir -p $(CLASSROOM_NODE)
	cp classroom/package.json classroom/package-lock.json $(CLASSROOM_NODE)/
	cd $(CLASSROOM_NODE) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

classroom-test: install classroom-install
	MTP_CLASSROOM_TEST=1 $(BIN)/python -m pytest tests/test_classroom.py

classroom-bench: install classroom-install
	$(BIN)/python classroom/loadtest.py --students 10 --write-readme
