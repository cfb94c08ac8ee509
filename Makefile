# Kizuna: `make run` serves on the embedded default; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# The official Node SDK for tests/conformance/test_node_sdk.py (npm ci: exactly the lock file).
NODE_SDK := tests/node/node_modules/.package-lock.json

.PHONY: run test lint format bench soak install node-sdk chromium clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

$(NODE_SDK): tests/node/package.json tests/node/package-lock.json
	@command -v npm >/dev/null || ! command -v apt-get >/dev/null || [ "$$(id -u)" != 0 ] || \
		{ apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; } || true
	@if command -v npm >/dev/null; then \
		cd tests/node && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.package-lock.json; \
	else echo "npm not found: the Node SDK test will skip (and fail under CI=true)"; fi

node-sdk: $(NODE_SDK)

run: install
	$(BIN)/kizuna serve

# The console's browser tests drive Debian's chromium (Playwright never downloads a browser);
# a CJK font so plan names and users' Japanese or Chinese text render as they would on a phone.
chromium:
	test -x /usr/bin/chromium -a -d /usr/share/fonts/opentype/noto || \
		(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-noto-cjk)

test: install chromium node-sdk
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: install
	$(BIN)/ruff check app tests bench migrations examples
	$(BIN)/ruff format --check app tests bench migrations examples
	$(BIN)/mypy app

format: install
	$(BIN)/ruff check --fix app tests bench migrations examples
	$(BIN)/ruff format app tests bench migrations examples

bench: install
	$(BIN)/python bench/seed.py
	$(BIN)/python bench/broadcast.py --kill
	$(BIN)/python bench/broadcast_sqlite.py
	$(BIN)/python bench/push.py
	$(BIN)/python bench/webhook.py
	$(BIN)/python bench/webhook_latency.py
	$(BIN)/python bench/audience_upload.py

# Ten minutes of push at 1,000/s, the server's memory sampled (apart: it takes a while).
soak: install
	$(BIN)/python bench/soak.py

clean:
	rm -rf $(VENV) .kizuna .pytest_cache .mypy_cache .ruff_cache .hypothesis tests/node/node_modules
