# rbacdrift: the README's commands. `make demo` and `make test` are the first two a new user runs.
GO      ?= go
BIN     ?= bin/rbacdrift
PKGS    := ./...

.PHONY: all build test test-versions golden lint demo fuzz bench bench-clean clean image release-snapshot

all: lint test

## build: compile the command into bin/rbacdrift
build:
	$(GO) build -o $(BIN) ./cmd/rbacdrift

## test: the whole suite against a real PostgreSQL (RBACDRIFT_TEST_DATABASE_URL, else a throwaway initdb cluster)
test:
	$(GO) test -count=1 $(PKGS)

## golden: rewrite every golden file (and testscript script) with the output the tests get; review with git diff. internal/check first: it writes the findings drift/report's goldens are rendered from
golden:
	RBACDRIFT_UPDATE_GOLDEN=1 $(GO) test -count=1 ./internal/check
	RBACDRIFT_UPDATE_GOLDEN=1 $(GO) test -count=1 $(PKGS)

## test-versions: the database tests once per PostgreSQL major in PG_MAJORS, each on a throwaway cluster of that major's binaries (scripts/pg-fetch.sh, cached); a pass/fail line per major
PG_MAJORS ?= 13 14 15 16 17 18
# Majors at once. go test already runs the packages of one major side by
# side; two majors at once did not end sooner on a 2-core machine.
PG_JOBS   ?= 1
# Not run here, still run by `make test`: the fetched binaries have no
# pg_basebackup (and Debian's refuses a newer server than its own), so
# StartReplica copies the data directory there instead, which the
# "file copy" subtest covers; the pg_basebackup subtest needs the real tool.
PG_SKIP   := TestStartReplica/pg_basebackup
test-versions:
	@GO='$(GO)' PG_JOBS='$(PG_JOBS)' PG_SKIP='$(PG_SKIP)' sh scripts/test-versions.sh $(PG_MAJORS)

## lint: gofmt and go vet must be clean
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt wants to reformat:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

## demo: a throwaway PostgreSQL loaded with the legacy RBAC database, then a real check of the current model
demo: build
	@sh scripts/demo.sh $(BIN)

clean:
	rm -rf bin

## image: the container image IMAGE (FROM scratch: the static binary, a CA bundle, a non-root user) with docker or podman when one answers, else buildah (no daemon); nothing is pulled
IMAGE    ?= rbacdrift:latest
CA_CERTS ?= /etc/ssl/certs/ca-certificates.crt
image:
	@mkdir -p bin/image
	CGO_ENABLED=0 GOOS=linux $(GO) build -o bin/image/rbacdrift ./cmd/rbacdrift
	cp $(CA_CERTS) bin/image/ca-certificates.crt
	printf 'root:x:0:0:root:/:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/:/sbin/nologin\n' > bin/image/passwd
	@if docker info >/dev/null 2>&1; then \
		echo "docker build -t $(IMAGE) ."; docker build -t $(IMAGE) .; \
	elif podman info >/dev/null 2>&1; then \
		echo "podman build -t $(IMAGE) ."; podman build -t $(IMAGE) .; \
	elif command -v buildah >/dev/null 2>&1; then \
		echo "buildah --storage-driver vfs bud --isolation chroot -t $(IMAGE) ."; \
		buildah --storage-driver vfs bud --isolation chroot -t $(IMAGE) .; \
	else \
		echo "make image: no container engine: install docker, podman or buildah (apt-get install buildah)" >&2; exit 1; \
	fi

## release-snapshot: a local goreleaser build of every platform into dist/, without publishing (goreleaser from the Go module proxy; GORELEASER overrides)
GORELEASER ?= $(GO) run github.com/goreleaser/goreleaser/v2@v2.17.0
release-snapshot:
	$(GORELEASER) release --snapshot --clean

## bench: rbacdrift side by side with pg_dump on a 10,000-table catalog (RBACDRIFT_BENCH_URL, default the server on 127.0.0.1:5432); writes BENCHMARKS.md. Not part of test or CI
bench:
	sh bench/bench.sh

## bench-clean: drop the bench databases (rbacdrift_bench_big, rbacdrift_bench_small, the scale ones) and their role
bench-clean:
	$(GO) run ./bench/run -clean
	$(GO) run ./bench/scale -clean

## fuzz: fuzz each parser of untrusted input for FUZZTIME each (the model parser and the writer's round trip, the Prisma schema parser, the drizzle-kit snapshot and journal reader, the migration plan readers, the server log and harvested file readers of harvest, the reader of EXPLAIN plans), seeded from testdata and the hostile inputs of issue 19; not part of test or CI
FUZZTIME ?= 60s
FUZZ_TARGETS := ./spec:FuzzParse ./internal/derive/prisma:FuzzParse ./internal/derive/drizzle:FuzzParse ./internal/derive/replay:FuzzPlan ./internal/harvest:FuzzParseLog ./internal/harvest:FuzzParseFile ./internal/explain:FuzzParse
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzz $$pkg $$fn for $(FUZZTIME)"; \
		$(GO) test $$pkg -run '^$$' -fuzz="^$$fn\$$" -fuzztime=$(FUZZTIME) || exit 1; \
	done
