# fanzha — two commands: `make demo` and `make test`. Both do their own
# set-up on a fresh Debian machine with Go and npm.
GO      ?= go
BIN     := bin/fanzha
ADDR    ?= 127.0.0.1:8080
DATA    ?= ./data/demo
DIST    := internal/web/static/dist
WEBSRC  := $(shell find web/src -type f 2>/dev/null) web/package.json web/build.mjs
# Packages with concurrency (server, workers, streams) run under the race detector.
RACE_PKGS ?= ./internal/web/... ./internal/auth/... ./internal/warning/... ./internal/stream/... ./internal/notify/... ./internal/funds/... ./internal/returns/... ./internal/partner/... ./internal/trace/...

.PHONY: all build web demo test vet gotest race e2e clean

all: build

build: web
	$(GO) build -o $(BIN) ./cmd/fanzha

# The console's JavaScript, built from npm packages (lock file committed)
# into the embedded static folder.
web: $(DIST)/.built

$(DIST)/.built: web/package-lock.json $(WEBSRC)
	cd web && npm ci --no-audit --no-fund --loglevel=error
	cd web && npm run --silent build
	touch $@

demo: build
	./$(BIN) demo --addr $(ADDR) --data $(DATA)

test: vet gotest race e2e

vet: web
	$(GO) vet ./...

gotest: web
	$(GO) test -count=1 ./...

# The race detector slows the whole-server tests (internal/web/server,
# both engines) about fivefold: past go test's default 10-minute limit on
# a busy 2-core machine, so the limit is set here.
race: web
	$(GO) test -count=1 -race -timeout 30m $(RACE_PKGS)

# Browser tests: real headless Chromium (Debian's package) driven by
# playwright-core against a demo server started by the test itself.
e2e: build
	@scripts/ensure-chromium
	cd web && FANZHA_BIN=$(CURDIR)/$(BIN) node --test --test-concurrency=1 e2e/

clean:
	rm -rf bin $(DIST) web/node_modules
