#!/usr/bin/env bash
# The /metrics figure of issue 13: the body gitwave serves with a fleet of
# 1,000 apps x 3 clusters (one gitwave_app_info and gitwave_sync_total
# series per app x cluster), goal under 1 MB. Runs BenchmarkMetricsFleet
# (bot) and records its body-bytes.
set -euo pipefail
cd "$(dirname "$0")/../.."
source hack/bench/lib.sh
work=$1
out="$work/metrics-bench.txt"
log "metrics: /metrics of 1000 apps x 3 clusters"
if ! go test -run '^$' -bench '^BenchmarkMetricsFleet$' -benchtime 5x ./bot/ >"$out" 2>&1; then
	cat "$out" >&2
	record "/metrics body, 1000 apps x 3 clusters" "benchmark failed" "< 1 MB" FAIL
	exit 1
fi
bytes=$(awk '/^BenchmarkMetricsFleet/ {for (i = 1; i < NF; i++) if ($(i + 1) == "body-bytes") print $i}' "$out")
ms=$(awk '/^BenchmarkMetricsFleet/ {printf "%.0f", $3 / 1e6}' "$out")
record "/metrics body, 1000 apps x 3 clusters (one scrape: $ms ms)" "$(awk -v b="$bytes" 'BEGIN {printf "%.0f KB", b / 1024}')" "< 1 MB" "$(verdict "$bytes < 1048576")"
