#!/usr/bin/env bash
# Runs every gitwave test. It builds what the tests need first: the local
# Kubernetes binaries (cached by version; 16 to 55 minutes on a new
# machine), Debian's Chromium for the status page's browser test, and a
# throwaway PostgreSQL server (Debian's package).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== vet and gofmt"
go vet ./...
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt would change: $unformatted" >&2; exit 1; fi

echo "== local cluster binaries"
GITWAVE_KUBE_BIN=$(hack/kube/build.sh | tail -n 1)
export GITWAVE_KUBE_BIN

echo "== Chromium (the status page's browser test)"
GITWAVE_CHROMIUM=$(hack/chromium/install.sh | tail -n 1)
export GITWAVE_CHROMIUM

echo "== PostgreSQL"
GITWAVE_TEST_POSTGRES_DSN=$(hack/postgres/start.sh | tail -n 1)
export GITWAVE_TEST_POSTGRES_DSN
trap 'hack/postgres/stop.sh >/dev/null 2>&1 || true' EXIT

echo "== go test -race"
go test -race -timeout 45m ./... 2>&1 | tee /tmp/gitwave-test.log
