# gitwave — see README.md. `make demo` and `make test` are the two commands.
SHELL := /bin/bash
GO ?= go

.PHONY: build demo test test-unit bench vet fmt clusters postgres fuzz image

build:
	$(GO) build -o bin/gitwave ./cmd/gitwave

# The README's first command: the bundled example repo on local clusters.
demo:
	hack/demo.sh

# The README's second command: every test, race detector on, against real
# local clusters and a real PostgreSQL, both set up by the project's scripts.
test:
	hack/test.sh

# Tests that need neither clusters nor PostgreSQL: -short skips every test
# that would start local clusters (localcluster.RequireBinaries), and the
# PostgreSQL tests skip without GITWAVE_TEST_POSTGRES_DSN.
test-unit:
	$(GO) test -short -race ./planner/... ./policies/... ./gitrepo/... ./sources/... ./bot/... ./config/... ./cmd/... ./notify/... ./ui/ \
		./store/ ./applier/... ./reconcile/...

bench:
	hack/bench.sh

# Every Go fuzz target of the module (found with go test -list), each for
# FUZZTIME; `go test` alone runs their seed corpora as ordinary tests.
FUZZTIME ?= 30s
fuzz:
	@set -eo pipefail; $(GO) test -list '^Fuzz' ./... | awk '/^Fuzz/ {t[n++] = $$1; next} /^ok/ {for (i = 0; i < n; i++) print $$2, t[i]; n = 0}' | \
	while read -r pkg target; do \
		echo "== $$pkg $$target ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) "$$pkg" </dev/null; \
	done

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }

clusters:
	hack/kube/build.sh

# The container image, with buildah on Debian bases that the script makes
# (no Docker engine or registry needed); it runs `gitwave version` in it.
# 5 to 30 minutes, so `make test` checks the Dockerfile's stages instead
# (hack/image).
IMAGE ?= gitwave:dev
image:
	hack/image/build.sh $(IMAGE)

postgres:
	hack/postgres/start.sh
