# gitwave — see README.md. `make demo` and `make test` are the two commands.
SHELL := /bin/bash
GO ?= go

.PHONY: build demo test test-unit bench vet fmt clusters postgres

build:
	$(GO) build -o bin/gitwave ./cmd/gitwave

# The README's first command: the bundled example repo on local clusters.
demo:
	hack/demo.sh

# The README's second command: every test, race detector on, against real
# local clusters and a real PostgreSQL, both set up by the project's scripts.
test:
	hack/test.sh

# Tests that need neither clusters nor PostgreSQL.
test-unit:
	$(GO) test -race ./planner/... ./policies/... ./gitrepo/... ./bot/... ./config/... ./cmd/...

bench:
	hack/bench.sh

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }

clusters:
	hack/kube/build.sh

postgres:
	hack/postgres/start.sh
