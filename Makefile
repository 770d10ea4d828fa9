# The course's commands. Each creates or updates the virtual environment .venv first.
#   make lab    - install the course and open JupyterLab (student/ to work in, notebooks/ solved)
#   make test   - lint, unit tests, and every notebook run by nbval in fast mode
# More: make install, make student, make execute, make benchmark, make clean.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed-stamp
EXTRAS := lab,test,apps,instructor
JUPYTER_ARGS ?=
ifeq ($(shell id -u 2>/dev/null),0)
  JUPYTER_ARGS += --allow-root
endif

.PHONY: install lab test lint student benchmark execute clean

# Reinstall only when the package's metadata changed: a second `make test` installs nothing
# and needs no network.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -x $(UV) || $(PY) -m pip install --quiet --disable-pip-version-check uv
	$(UV) pip install --python $(PY) --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

install: $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=. $(JUPYTER_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	RNN_COURSE_MODE=fast $(PY) -m pytest

# The published student versions (solutions removed): commit student/ after changing a notebook.
student: $(STAMP)
	$(PY) -m rnn_course.student notebooks/*.ipynb --out student

benchmark: $(STAMP)
	$(PY) benchmarks/run_notebooks.py --mode fast
	$(PY) benchmarks/run_notebooks.py --mode full

# Re-execute every notebook (or NB=notebooks/01_vanilla_rnn.ipynb) in full mode and store
# its outputs; commit the result on its own.
execute: $(STAMP)
	$(PY) benchmarks/run_notebooks.py --mode full --write $(NB)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
