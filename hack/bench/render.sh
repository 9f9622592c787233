#!/usr/bin/env bash
# Figure 1 of issue 2: render the example scaled to APPS apps x CLUSTERS
# clusters with gitwave (`gitwave validate --repo DIR`, which discovers,
# renders and orders every app in one process), and in the same run with
# the `helm template` and `kustomize build` command-line tools, one
# invocation per (app, cluster), commands from hack/bench/peercmds. Prints
# gitwave's time over theirs. Goal: at most 0.3.
#
# Usage: hack/bench/render.sh WORKDIR
# Env:   GITWAVE SCALE PEERCMDS HELM KUSTOMIZE (binaries), BENCH_SUMMARY,
#        BENCH_RUNS, BENCH_RENDER_APPS (300), BENCH_RENDER_CLUSTERS (3)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

work=$1
apps=${BENCH_RENDER_APPS:-300}
clusters=${BENCH_RENDER_CLUSTERS:-3}
repo="$work/render-${apps}x$clusters"
export HELM KUSTOMIZE

log "figure 1: writing $apps apps x $clusters clusters into $repo"
"$SCALE" -dir "$repo" -apps "$apps" -clusters "$clusters"
"$PEERCMDS" -repo "$repo" >"$work/peer.sh"
invocations=$(grep -c '^"\$' "$work/peer.sh")
helms=$(grep -c '^"\$HELM"' "$work/peer.sh" || true)
kustomizes=$(grep -c '^"\$KUSTOMIZE"' "$work/peer.sh" || true)

# One untimed run of each checks that both render the same number of
# objects, and warms the file cache.
summary=$("$GITWAVE" validate --repo "$repo" | tail -n 1)
gitwave_objects=$(sed -n 's/.*, \([0-9]*\) objects,.*/\1/p' <<<"$summary")
peer_objects=$(bash "$work/peer.sh" | grep -c '^kind: ')
log "gitwave: $summary"
log "peer tools: $invocations invocations ($helms helm template, $kustomizes kustomize build), $peer_objects objects"
if [[ "$gitwave_objects" != "$peer_objects" ]]; then
	echo "render.sh: gitwave rendered $gitwave_objects objects, the peer tools $peer_objects: not the same inputs" >&2
	exit 1
fi

t_gitwave=$(time_median "gitwave validate ($apps x $clusters)" "$GITWAVE" validate --repo "$repo")
t_peer=$(time_median "helm template + kustomize build ($invocations runs)" bash "$work/peer.sh")
ratio=$(calc "$t_gitwave / $t_peer")
record "render ${apps}x$clusters: gitwave / (helm template + kustomize build)" \
	"$(printf '%.3f (%.2f s / %.2f s, %d objects)' "$ratio" "$t_gitwave" "$t_peer" "$peer_objects")" \
	"<= 0.3" "$(verdict "$ratio <= 0.3")"
