#!/usr/bin/env bash
# The README's first command: the bundled example GitOps repository, its pull
# request diff, the merge deployed wave by wave to local clusters, and drift
# healed. Everything runs on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./hack/demo "$@"
