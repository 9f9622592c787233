#!/usr/bin/env bash
# The README's first command: the bundled example GitOps repository, its pull
# request diff (offline first, then against the live clusters), the merge
# deployed wave by wave to local clusters, and drift healed. Everything runs
# on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bin
start=$SECONDS
echo "compiling the demo (a few minutes the first time on a new machine; cached afterwards) ..."
go build -o bin/gitwave-demo ./hack/demo
echo "compiled in $((SECONDS - start))s"
exec bin/gitwave-demo "$@"
