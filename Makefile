# hotswap: online schema changes for MySQL/MariaDB (PostgreSQL to come).
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)
GO ?= go
BIN := bin/hotswap
APT_PACKAGES := mariadb-server mariadb-client

.PHONY: setup build test demo bench bench-setup vet tidy clean torture fuzz

# setup installs what is missing (idempotent): MariaDB from Debian, Go modules.
setup:
	@missing=""; \
	command -v mariadbd >/dev/null || missing="$(APT_PACKAGES)"; \
	[ -x /usr/lib/postgresql/15/bin/postgres ] || missing="$$missing postgresql-15"; \
	[ -x /usr/lib/postgresql/15/bin/pg_basebackup ] || missing="$$missing postgresql-client-15"; \
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
	@unformatted="$$($$($(GO) env GOROOT)/bin/gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$unformatted" ]; then echo "not gofmt-formatted (run gofmt -w): $$unformatted" >&2; exit 1; fi

# tidy fails when go.mod or go.sum is not what `go mod tidy` would write (then run it and commit).
tidy:
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run 'go mod tidy' and commit the result" >&2; exit 1; }

# test: the whole suite against throwaway MariaDB and PostgreSQL servers it starts itself.
test: setup tidy vet
	$(GO) test -race -count=1 -timeout 40m ./...

# demo: a real online migration of a 1M-row table under write load, on a throwaway MariaDB
# (ENGINE=postgres: PostgreSQL 15). ROWS=... on the command line resizes the table.
ENGINE ?= mysql
demo: setup build
	$(GO) run ./internal/demo -bin $(BIN) -engine $(ENGINE)$(if $(filter command line,$(origin ROWS)), -rows $(ROWS))

# bench: per engine (ENGINE=mysql|postgres|all, default all here), on the table `sysbench oltp_read_write prepare`
# makes (ROWS rows), each step on a fresh copy of it: the blocking ALTER, hotswap and (MariaDB) pt-online-schema-change,
# idle and under `sysbench oltp_write_only --rate=LOAD_RATE --threads=4`; prints per engine time, ratio to the
# blocking ALTER, the writers' p95 and app errors with the targets, and writes bench/results/*.json.
# Not part of make test. BENCH_FLAGS=... for more (e.g. -skip-checksum -alter-mysql '...'; go run ./internal/bench -h).
ROWS ?= 1000000
LOAD_RATE ?= 300
BENCH_ENGINE = $(if $(filter command line environment,$(origin ENGINE)),$(ENGINE),all)
bench: setup bench-setup build
	@mkdir -p bench/results
	$(GO) run ./internal/bench -bin $(BIN) -engine $(BENCH_ENGINE) -rows $(ROWS) -load-rate $(LOAD_RATE) $(BENCH_FLAGS)

# bench-setup installs the bench's own tools when missing: sysbench (the load) and percona-toolkit
# (pt-online-schema-change), both from Debian. make test does not need them.
bench-setup:
	@missing=""; \
	command -v sysbench >/dev/null || missing="sysbench"; \
	command -v pt-online-schema-change >/dev/null || missing="$$missing percona-toolkit"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# fuzz: runs each fuzz test for FUZZTIME (a go test -fuzztime: 30s, 10000x): the ALTER analysis (MySQL's
# parse, PostgreSQL's TYPE ... USING check) and the derived table names (schema), the control socket's
# commands (control). Crashers land in the package's testdata/fuzz.
# Not part of make test, which runs only their seed corpora.
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParseMySQLAlter$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./schema/
	$(GO) test -run '^$$' -fuzz '^FuzzDerivedName$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./schema/
	$(GO) test -run '^$$' -fuzz '^FuzzPostgresTypeUsing$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./schema/
	$(GO) test -run '^$$' -fuzz '^FuzzCommand$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./control/

# torture: many random migrations (shapes, ALTERs, write loads) with random faults (kill -9 then --resume, the
# stream's connection killed, cut-over blocked), every row compared. TORTURE_MIGRATIONS, TORTURE_MINUTES, and
# TORTURE_SEED (printed by every run) to replay one. `make test` runs a short one.
TORTURE_MIGRATIONS ?= 40
TORTURE_MINUTES ?= 30
torture: setup
	HOTSWAP_TORTURE_MIGRATIONS=$(TORTURE_MIGRATIONS) HOTSWAP_TORTURE_MINUTES=$(TORTURE_MINUTES) HOTSWAP_TORTURE_ROWS=30000 \
	$(if $(TORTURE_SEED),HOTSWAP_TORTURE_SEED=$(TORTURE_SEED)) \
	$(GO) test -race -count=1 -v -timeout $$(( $(TORTURE_MINUTES) + 20 ))m -run 'TestTorture$$' ./cmd/hotswap/

clean:
	rm -rf bin
