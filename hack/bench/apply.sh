#!/usr/bin/env bash
# Figures of issue 4, on local clusters (hack/localcluster):
#   1. sync of OBJECTS objects in 5 waves with gitwave's applier against
#      `kubectl apply --server-side` wave by wave, each wave followed by
#      `kubectl wait` for its Deployments (hack/bench/applybench); goal:
#      gitwave / kubectl <= 0.5; the requests each tool made are shown
#      next to the times (gitwave's counted by its client, kubectl's from
#      its -v=6 log);
#   2. live diff of the same objects, 10% of them edited, against
#      `kubectl diff --server-side` (applybench); goal: ratio <= 0.5;
#   3. drift check when nothing changed (BenchmarkDriftNoChange in applier/)
#      at each app count of BENCH_DRIFT_APPS on 3 clusters: time and API
#      requests per check; goal: requests that do not grow with the apps
#      that exist (at most one more per cluster at the largest count than
#      at the smallest).
# kubectl is the one hack/kube/build.sh builds from k8s.io/kubectl at the
# clusters' version. About 6 minutes on 2 cores.
#
# Usage: hack/bench/apply.sh WORKDIR
# Env:   BENCH_SUMMARY, BENCH_RUNS, GITWAVE_KUBE_BIN (else hack/kube/build.sh),
#        BENCH_APPLY_OBJECTS (1000), BENCH_DRIFT_APPS ("100 300"),
#        GITWAVE_BENCH_CLUSTERS=0 records the figures as skipped
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."

work=$1
objects=${BENCH_APPLY_OBJECTS:-1000}
read -r -a drift_apps <<<"${BENCH_DRIFT_APPS:-100 300}"

if [[ ${GITWAVE_BENCH_CLUSTERS:-1} == 0 ]]; then
	record "issue 4: sync, live diff and drift against kubectl on a local cluster" "not run" "see hack/bench/apply.sh" \
		"SKIPPED (GITWAVE_BENCH_CLUSTERS=0)"
	exit 0
fi
if [[ -z ${GITWAVE_KUBE_BIN:-} ]]; then
	GITWAVE_KUBE_BIN=$(hack/kube/build.sh | tail -n 1)
	export GITWAVE_KUBE_BIN
fi
mkdir -p "$work/bin"
go build -o "$work/bin/applybench" ./hack/bench/applybench
kubectl_version=$("$GITWAVE_KUBE_BIN/kubectl" version --client | sed -n 's/^Client Version: //p')

log "figures 1 and 2 of issue 4: sync and live diff of $objects objects, gitwave against kubectl"
figures=$("$work/bin/applybench" -runs "${BENCH_RUNS:-3}" -objects "$objects")
get() { sed -n "s/^$1=//p" <<<"$figures"; }

ratio=$(get SYNC_RATIO)
record "sync $objects objects in $(get WAVES) waves, time gitwave / kubectl $kubectl_version apply --server-side" \
	"$(printf 'ratio %.2f: %.1f s / %.1f s (health waits %.1f s / %.1f s; requests: gitwave %d, kubectl %d)' "$ratio" \
		"$(get SYNC_GITWAVE_S)" "$(get SYNC_KUBECTL_S)" "$(get SYNC_GITWAVE_WAIT_S)" "$(get SYNC_KUBECTL_WAIT_S)" \
		"$(get SYNC_GITWAVE_REQUESTS)" "$(get SYNC_KUBECTL_REQUESTS)")" \
	"ratio <= 0.5" "$(verdict "$ratio <= 0.5")"
ratio=$(get DIFF_RATIO)
record "live diff of $objects objects ($(get DIFF_CHANGED) changed), time gitwave / kubectl $kubectl_version diff --server-side" \
	"$(printf 'ratio %.2f: %.1f s / %.1f s (requests: gitwave %d, kubectl %d)' "$ratio" \
		"$(get DIFF_GITWAVE_S)" "$(get DIFF_KUBECTL_S)" "$(get DIFF_GITWAVE_REQUESTS)" "$(get DIFF_KUBECTL_REQUESTS)")" \
	"ratio <= 0.5" "$(verdict "$ratio <= 0.5")"

log "figure 3 of issue 4: drift check with nothing changed, ${drift_apps[*]} apps x 3 clusters"
go test -c -o "$work/bin/applier.test" ./applier/
declare -A requests
for apps in "${drift_apps[@]}"; do
	out=$(cd applier && GITWAVE_BENCH_APPS=$apps "$work/bin/applier.test" \
		-test.run '^$' -test.bench '^BenchmarkDriftNoChange$' -test.benchtime 3x 2>&1) || {
		echo "$out" >&2
		record "drift check, nothing changed, $apps apps x 3 clusters" "benchmark failed" "-" FAIL
		exit 1
	}
	# BenchmarkDriftNoChange-2  3  52911266 ns/op  300.0 app-clusters  0 requests/op
	line=$(grep '^BenchmarkDriftNoChange' <<<"$out")
	metric() { awk -v unit="$1" '{for (i = 3; i < NF; i++) if ($(i + 1) == unit) print $i}' <<<"$line"; }
	requests[$apps]=$(metric requests/op)
	goal="-" ok="-"
	if [[ $apps == "${drift_apps[-1]}" && $apps != "${drift_apps[0]}" ]]; then
		goal="requests/op <= those at ${drift_apps[0]} apps + 3 (grow with change, not size)"
		ok=$(verdict "${requests[$apps]} <= ${requests[${drift_apps[0]}]} + 3")
	fi
	record "drift check, nothing changed, $apps apps x 3 clusters" \
		"$(printf '%.0f ms a check of %.0f app-clusters, %g requests/op' "$(calc "$(metric ns/op) / 1e6")" \
			"$(metric app-clusters)" "${requests[$apps]}")" \
		"$goal" "$ok"
done
