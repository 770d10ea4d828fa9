# The course's commands. Each creates or updates the virtual environment .venv first.
#   make lab    - install the course and open JupyterLab (student/ to work in, notebooks/ solved)
#   make test   - lint, unit tests, and every notebook run by nbval in fast mode
#   make test-jax - the backend's unit tests again on JAX (CI runs both)
#   make site   - the course website from the notebooks' stored outputs, in build/site/html
#   make site-test - that site checked page by page in a real Chromium, offline
# More: make install, make student, make execute, make benchmark, make clean.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed-stamp
EXTRAS := lab,test,apps,instructor
# Installed on top of EXTRAS by `make site` / `make site-test` only.
SITE_EXTRAS := site
SITE_STAMP := $(VENV)/.site-installed-stamp
SITE := build/site
# MathJax 3 from the npm registry, checked against this sha256 and served by the site itself.
MATHJAX_VERSION := 3.2.2
MATHJAX_SHA256 := 1b9c0a1c44df864e915690558e72adb9cc5203360daefd385084ced3b6c64c09
MATHJAX_STAMP := $(SITE)/mathjax-$(MATHJAX_VERSION).stamp
JUPYTER_ARGS ?=
# pytest processes for `make test` / `make test-jax` (pytest-xdist; each notebook stays whole in
# one). 2 suits a 2-core machine; TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= 2
ifeq ($(shell id -u 2>/dev/null),0)
  JUPYTER_ARGS += --allow-root
endif

.PHONY: install lab test test-jax lint student benchmark execute site site-test clean

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
	RNN_COURSE_MODE=fast $(PY) -m pytest -n $(TEST_WORKERS) --no-loadscope-reorder

# The unit tests again on the JAX backend: the course's layers, models, decoding and helpers
# are backend-neutral (keras.ops), and this keeps it so. Left out: what does not touch the
# backend (notebook files, nbgrader, packaging, data loaders, plots, the nbval harness, the
# student versions) and the exercises' self-checks (NumPy answers; they run on TensorFlow above).
JAX_SKIP := notebooks nbgrader packaging data data_loaders plots harness student
test-jax: $(STAMP)
	KERAS_BACKEND=jax RNN_COURSE_MODE=fast $(PY) -m pytest -n $(TEST_WORKERS) -q tests \
		$(foreach t,$(JAX_SKIP),--ignore=tests/test_$(t).py) --ignore-glob='tests/test_exercises*.py'

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

# The website: every notebook in notebooks/ (in file-name order) becomes a page rendered from its
# stored outputs, nothing executed; -W makes any warning (a broken link, a page missing from the
# navigation) an error. The first run needs PyPI and the npm registry, later ones no network.
$(SITE_STAMP): $(STAMP)
	$(UV) pip install --python $(PY) --quiet -e ".[$(EXTRAS),$(SITE_EXTRAS)]"
	touch $(SITE_STAMP)

$(MATHJAX_STAMP):
	rm -rf $(SITE)/npm $(SITE)/static/mathjax
	mkdir -p $(SITE)/npm $(SITE)/static/mathjax
	cd $(SITE)/npm && npm pack --silent mathjax@$(MATHJAX_VERSION) >/dev/null
	echo "$(MATHJAX_SHA256)  $(SITE)/npm/mathjax-$(MATHJAX_VERSION).tgz" | sha256sum -c --quiet
	tar -xzf $(SITE)/npm/mathjax-$(MATHJAX_VERSION).tgz -C $(SITE)/npm
	cd $(SITE)/npm/package && cp -R LICENSE es5/tex-mml-chtml.js es5/a11y es5/input es5/output \
		es5/sre es5/ui ../../static/mathjax/
	rm -rf $(SITE)/npm/package
	touch $(MATHJAX_STAMP)

site: $(SITE_STAMP) $(MATHJAX_STAMP)
	rm -rf $(SITE)/src $(SITE)/html $(SITE)/doctrees $(SITE)/jupyter_execute
	mkdir -p $(SITE)/src
	cp -R docs/index.md README.md notebooks student $(SITE)/src/
	$(VENV)/bin/sphinx-build -W --keep-going -q -b html -c docs -d $(SITE)/doctrees \
		$(SITE)/src $(SITE)/html
	@echo "site: $(SITE)/html/index.html ($$(du -sh $(SITE)/html | cut -f1))"

# Chromium: $$CHROMIUM, else Debian's `chromium` or an installed Chrome; screenshots of every
# page go to build/site/screenshots/.
site-test: site
	$(PY) -m pytest -q docs/test_site.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache $(SITE)
