#!/usr/bin/env bash
# `make bench`: every benchmark of gitwave, then the figures of issue 2, then
# one table with each figure and its goal.
#
#   1. go test -run '^$' -bench . -benchmem over every package that has
#      benchmarks (packages whose tests start local clusters get the cluster
#      binaries from hack/kube/build.sh, cached, as `make test` does);
#   2. render 300 apps x 3 clusters: gitwave against `helm template` and
#      `kustomize build` built from the same module versions (hack/bench/render.sh);
#   3. diff of a one-app change in repositories of 250, 500 and 1000 apps
#      (hack/bench/diff.sh);
#   4. peak memory of `gitwave apps` over 1000 apps x 10 clusters
#      (hack/bench/memory.sh);
#   5. the status page's render of 1000 apps x 3 clusters, from step 1's
#      BenchmarkStatusPage;
#   6. the /metrics body with 1000 apps x 3 clusters (hack/bench/metrics.sh).
#
# On a fresh machine it installs what it lacks (git, jq, hyperfine, GNU time)
# with apt-get and builds helm and kustomize once into
# ~/.cache/gitwave/bench-tools. The machine's load average is printed with
# the table: the figures are wall times and move with it.
#
# Env: GITWAVE_BENCH_RUNS   repetitions per timed command (default 3)
#      GITWAVE_BENCH_GO=0   skip the Go benchmarks
#      GITWAVE_BENCH_CLUSTERS=0
#                           skip the Go benchmarks that need local clusters
#                           (building their binaries takes 16 to 40 min the first time)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source hack/bench/lib.sh

export BENCH_RUNS=${GITWAVE_BENCH_RUNS:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/gitwave-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export BENCH_SUMMARY="$work/summary.tsv"
: >"$BENCH_SUMMARY"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$SECONDS
status=0

command -v go >/dev/null || { echo "bench.sh: go is not installed (gitwave needs Go $(sed -n 's/^go //p' go.mod))" >&2; exit 1; }
ensure_packages git:git jq:jq hyperfine:hyperfine /usr/bin/time:time
command -v hyperfine >/dev/null || log "hyperfine unavailable: timing with the shell's clock"

log "building gitwave and the benchmark programs"
go build -o bin/gitwave ./cmd/gitwave
go build -o "$work/bin/" ./hack/bench/scale ./hack/bench/peercmds
export GITWAVE="$root/bin/gitwave" SCALE="$work/bin/scale" PEERCMDS="$work/bin/peercmds"

# bench_packages prints the import path of every package of the module
# with a Benchmark function in its tests; with "clusters" only those whose
# tests import hack/localcluster, with "plain" only the others.
bench_packages() {
	local want=$1 pkg dir files imports
	go list -f '{{.ImportPath}}|{{.Dir}}|{{join .TestGoFiles " "}} {{join .XTestGoFiles " "}}|{{join .TestImports " "}} {{join .XTestImports " "}}' ./... |
		while IFS='|' read -r pkg dir files imports; do
			[[ -n "${files// /}" ]] || continue
			(cd "$dir" && grep -qs '^func Benchmark' $files) || continue
			if [[ " $imports " == *"/hack/localcluster "* ]]; then
				[[ $want == clusters ]] && echo "$pkg"
			else
				[[ $want == plain ]] && echo "$pkg"
			fi
		done
}

# go_benchmarks runs the Go benchmarks of the given packages and records
# how many ran and whether they passed.
go_benchmarks() {
	local label=$1
	shift
	(($# > 0)) || return 0
	log "go benchmarks ($label): $*"
	local out="$work/go-bench-$label.txt" ok=PASS
	go test -run '^$' -bench . -benchmem -timeout 40m "$@" 2>&1 | tee "$out" || { ok=FAIL; status=1; }
	record "go benchmarks ($label): $(grep -c '^Benchmark' "$out") results in $# packages" \
		"see the go test output above" "all run and pass" "$ok"
}

if [[ ${GITWAVE_BENCH_GO:-1} != 0 ]]; then
	mapfile -t plain < <(bench_packages plain)
	mapfile -t clustered < <(bench_packages clusters)
	go_benchmarks plain "${plain[@]}"
	if ((${#clustered[@]} > 0)); then
		if [[ ${GITWAVE_BENCH_CLUSTERS:-1} == 0 ]]; then
			record "go benchmarks (local clusters): ${clustered[*]}" "not run" "all run and pass" "SKIPPED (GITWAVE_BENCH_CLUSTERS=0)"
		else
			GITWAVE_KUBE_BIN=$(hack/kube/build.sh | tail -n 1)
			export GITWAVE_KUBE_BIN
			go_benchmarks clusters "${clustered[@]}"
		fi
	fi
fi

# issue 13: the status page (ui.BenchmarkStatusPage, among the plain
# benchmarks above) renders 1,000 apps x 3 clusters in under 200 ms.
page_ms=$(awk '/^BenchmarkStatusPage/ {for (i = 2; i <= NF; i++) if ($i == "ms/render") print $(i - 1)}' "$work/go-bench-plain.txt" 2>/dev/null | tail -n 1 || true)
if [[ -n $page_ms ]]; then
	record "status page, 1000 apps x 3 clusters (ui.BenchmarkStatusPage)" "$page_ms ms" "< 200 ms" "$(verdict "$page_ms < 200")"
else
	record "status page, 1000 apps x 3 clusters (ui.BenchmarkStatusPage)" "not run" "< 200 ms" "SKIPPED (GITWAVE_BENCH_GO=0)"
fi

log "peer tools"
tools=$(hack/bench/tools.sh)
HELM=$(sed -n 's/^HELM=//p' <<<"$tools") KUSTOMIZE=$(sed -n 's/^KUSTOMIZE=//p' <<<"$tools")
export HELM KUSTOMIZE
helm_version=$(sed -n 's/^HELM_VERSION=//p' <<<"$tools")
kustomize_version=$(sed -n 's/^KUSTOMIZE_VERSION=//p' <<<"$tools")

hack/bench/render.sh "$work" || status=1
hack/bench/diff.sh "$work" || status=1
hack/bench/memory.sh "$work" || status=1
hack/bench/apply.sh "$work" || status=1 # issue 4: sync, live diff and drift against kubectl
hack/bench/metrics.sh "$work" || status=1 # issue 13: /metrics of 1000 apps x 3 clusters

load_end=$(cut -d' ' -f1-3 /proc/loadavg)
echo
echo "== gitwave benchmarks ($(date -u +%Y-%m-%dT%H:%MZ), $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(go version | cut -d' ' -f3))"
echo "machine: $(nproc) CPUs; load average (1, 5, 15 min) $load_start at start, $load_end at end; $((SECONDS - started)) s in all"
echo "peers: helm $helm_version, kustomize $kustomize_version; timings: median of $BENCH_RUNS runs"
echo
awk -F'\t' '
	{ for (i = 1; i <= 4; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } }
	END {
		split("figure|value|goal|verdict", head, "|")
		for (i = 1; i <= 4; i++) if (length(head[i]) > w[i]) w[i] = length(head[i])
		fmt = "%-" w[1] "s  %-" w[2] "s  %-" w[3] "s  %s\n"
		printf fmt, head[1], head[2], head[3], head[4]
		printf fmt, sprintf("%*s", w[1], ""), "", "", "" 
		for (r = 1; r <= NR; r++) printf fmt, cell[r, 1], cell[r, 2], cell[r, 3], cell[r, 4]
	}' "$BENCH_SUMMARY" | sed '2s/ /-/g'
if grep -q $'\tMISS$\|\tFAIL$' "$BENCH_SUMMARY"; then
	echo
	echo "a figure misses its goal: the numbers above are the report; see MISS"
fi
exit "$status"
