# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Outside the checkout: the postgres user must reach it even when the checkout sits in a private directory.
PG_DIR := $(shell mktemp -u /tmp/oms-pgtest.XXXXXX)
PG_PORT ?= 55432

.PHONY: demo test venv install install-test clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

venv: $(VENV)/bin/activate

install: venv
	$(PY) -m pip install -q -e .

install-test: venv
	$(PY) -m pip install -q -e '.[test]'

demo: install
	$(VENV)/bin/oms demo

# Runs the whole suite against SQLite and a throw-away PostgreSQL cluster on loopback.
test: install-test
	@url=$$(scripts/pg-test.sh start $(PG_DIR) $(PG_PORT)) || exit 1; \
	OMS_TEST_POSTGRES_URL=$$url OMS_REQUIRE_POSTGRES=1 $(PY) -m pytest -n 2 -p no:cacheprovider; \
	status=$$?; scripts/pg-test.sh stop $(PG_DIR); exit $$status

clean:
	rm -rf $(VENV) *.egg-info oms.db* demo-output
