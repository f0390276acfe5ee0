# hotswap: online schema changes for MySQL/MariaDB (PostgreSQL to come).
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)
GO ?= go
BIN := bin/hotswap
APT_PACKAGES := mariadb-server mariadb-client

.PHONY: setup build test demo bench vet clean

# setup installs what is missing (idempotent): MariaDB from Debian, Go modules.
setup:
	@missing=""; \
	command -v mariadbd >/dev/null || missing="$(APT_PACKAGES)"; \
	[ -x /usr/lib/postgresql/15/bin/postgres ] || missing="$$missing postgresql-15"; \
	command -v nc >/dev/null || missing="$$missing netcat-openbsd"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	$(GO) mod download

build:
	$(GO) build -o $(BIN) ./cmd/hotswap

vet:
	$(GO) vet ./...

# test: the whole suite against throwaway MariaDB and PostgreSQL servers it starts itself.
test: setup vet
	$(GO) test -race -count=1 -timeout 40m ./...

# demo: a real online migration of a 1M-row table under write load, on a throwaway MariaDB
# (ENGINE=postgres: PostgreSQL 15). ROWS=... on the command line resizes the table.
ENGINE ?= mysql
demo: setup build
	$(GO) run ./internal/demo -bin $(BIN) -engine $(ENGINE)$(if $(filter command line,$(origin ROWS)), -rows $(ROWS))

# bench: blocking ALTER vs hotswap on the same server in one run (not part of make test). ROWS=... to resize.
ROWS ?= 2000000
bench: setup build
	$(GO) run ./internal/bench -bin $(BIN) -rows $(ROWS)

clean:
	rm -rf bin
