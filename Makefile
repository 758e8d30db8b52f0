# rbacdrift: the README's commands. `make demo` and `make test` are the first two a new user runs.
GO      ?= go
BIN     ?= bin/rbacdrift
PKGS    := ./...

.PHONY: all build test lint demo fuzz bench bench-clean clean

all: lint test

## build: compile the command into bin/rbacdrift
build:
	$(GO) build -o $(BIN) ./cmd/rbacdrift

## test: the whole suite against a real PostgreSQL (RBACDRIFT_TEST_DATABASE_URL, else a throwaway initdb cluster)
test:
	$(GO) test -count=1 $(PKGS)

## lint: gofmt and go vet must be clean
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt wants to reformat:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

## demo: a throwaway PostgreSQL loaded with the legacy RBAC database, then a real check of the current model
demo: build
	@sh internal/demo/demo.sh $(BIN)

clean:
	rm -rf bin

## bench: rbacdrift side by side with pg_dump on a 10,000-table catalog (RBACDRIFT_BENCH_URL, default the server on 127.0.0.1:5432); writes BENCHMARKS.md. Not part of test or CI
bench:
	sh bench/bench.sh

## bench-clean: drop the bench databases (rbacdrift_bench_big, rbacdrift_bench_small) and their role
bench-clean:
	$(GO) run ./bench/run -clean

## fuzz: fuzz the model parser (and the writer's round trip) for FUZZTIME, seeded from testdata; not part of test or CI
FUZZTIME ?= 60s
fuzz:
	$(GO) test ./spec -run '^$$' -fuzz=FuzzParse -fuzztime=$(FUZZTIME)
