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
