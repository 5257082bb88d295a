# Two commands on a fresh Debian machine with Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export HELPDESK_TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
export HELPDESK_TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test venv assets system-deps lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

venv: $(BIN)/.installed

node_modules/.package-lock.json: package-lock.json
	@if ! command -v npm >/dev/null && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; \
	fi
	npm ci --no-audit --no-fund

helpdesk/static/dist/console.js: node_modules/.package-lock.json $(shell find frontend -type f 2>/dev/null)
	npm run build

assets: helpdesk/static/dist/console.js

# Dovecot (IMAP tests), Chromium (browser tests) and nginx (tests/deploy, the proxy of deploy/nginx.conf)
# come from Debian's packages when we are root.
system-deps:
	@if [ "$$(id -u)" = 0 ] && { ! command -v chromium >/dev/null || ! command -v dovecot >/dev/null || ! [ -x /usr/sbin/nginx ]; }; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium dovecot-imapd nginx >/dev/null; \
	fi

run: venv assets
	$(BIN)/helpdesk db upgrade
	$(BIN)/helpdesk demo
	$(BIN)/helpdesk run

# One worker per core (TEST_WORKERS=3 was tried on two cores: no faster, and more timing failures).
TEST_WORKERS ?= auto

# Bytecode is cached (__pycache__, ignored by git) even where PYTHONDONTWRITEBYTECODE is set: the run
# starts ~30 Python processes (test workers, servers), each would compile the project again.
test: venv assets system-deps
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

lint: venv
	$(BIN)/ruff check helpdesk channels sla knowledge_base tests bench
	$(BIN)/mypy channels sla
	$(BIN)/hadolint Dockerfile

bench: venv
	@echo "see bench/README.md"

clean:
	rm -rf $(VENV) node_modules helpdesk/static/dist instance
