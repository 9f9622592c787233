#!/usr/bin/env bash
# Figure 3 of issue 2: peak memory (maximum resident set size, from
# /usr/bin/time -v) of `gitwave apps --repo DIR` over APPS apps x CLUSTERS
# clusters; the median of BENCH_RUNS runs. Issue 2 sets no goal for it.
#
# Usage: hack/bench/memory.sh WORKDIR
# Env:   GITWAVE SCALE (binaries), BENCH_SUMMARY, BENCH_RUNS,
#        BENCH_MEMORY_APPS (1000), BENCH_MEMORY_CLUSTERS (10)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

work=$1
apps=${BENCH_MEMORY_APPS:-1000}
clusters=${BENCH_MEMORY_CLUSTERS:-10}
repo="$work/memory-${apps}x$clusters"

log "figure 3: writing $apps apps x $clusters clusters into $repo"
"$SCALE" -dir "$repo" -apps "$apps" -clusters "$clusters"
rows=$("$GITWAVE" apps --repo "$repo" -o json | jq length)

kb=() secs=()
for ((i = 0; i < ${BENCH_RUNS:-3}; i++)); do
	/usr/bin/time -v -o "$work/time.txt" "$GITWAVE" apps --repo "$repo" -o json >/dev/null
	kb+=("$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")")
	secs+=("$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt" | awk -F: '{s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s}')")
done
peak=$(printf '%s\n' "${kb[@]}" | median)
wall=$(printf '%s\n' "${secs[@]}" | median)
record "gitwave apps ${apps}x$clusters: peak memory (max RSS)" \
	"$(printf '%.0f MB (%d apps listed in %.2f s)' "$(calc "$peak / 1024")" "$rows" "$wall")" \
	"none set (issue 2 asks for the figure)" "-"
