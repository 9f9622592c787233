#!/usr/bin/env bash
# Figure 2 of issue 2: `gitwave diff --base HEAD~1 --head HEAD` for a commit
# that changes one app (examplerepo.ScaleChange) in repositories of 250, 500
# and 1000 apps on CLUSTERS clusters, with the number of apps the diff
# rendered (the apps of its JSON report) and, for reference, the time git
# takes to list one tree of that size. Goal: under 1 second at 1000 apps,
# and no growth with the repository's size beyond reading the tree: from
# the smallest repository to the largest, the diff may grow by at most
# twice (two revisions) what the tree listing grows, plus 0.1 s of noise.
#
# Usage: hack/bench/diff.sh WORKDIR
# Env:   GITWAVE SCALE (binaries), BENCH_SUMMARY, BENCH_RUNS,
#        BENCH_DIFF_SIZES ("250 500 1000"), BENCH_DIFF_CLUSTERS (3)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

work=$1
read -r -a sizes <<<"${BENCH_DIFF_SIZES:-250 500 1000}"
clusters=${BENCH_DIFF_CLUSTERS:-3}
declare -A t_diff t_tree rendered

for n in "${sizes[@]}"; do
	repo="$work/diff-${n}x$clusters"
	log "figure 2: writing $n apps x $clusters clusters into $repo and changing one app"
	changed=$("$SCALE" -dir "$repo" -apps "$n" -clusters "$clusters" -change)
	diff_cmd=("$GITWAVE" diff --base HEAD~1 --head HEAD --repo "$repo" -o json)
	report=$("${diff_cmd[@]}")
	rendered[$n]=$(jq '.apps | length' <<<"$report")
	statuses=$(jq -r '[.apps[] | .app + "=" + .status] | join(" ")' <<<"$report")
	log "$n apps: change to $changed; report: $statuses"
	t_diff[$n]=$(time_median "gitwave diff, $n apps" "${diff_cmd[@]}")
	t_tree[$n]=$(time_median "git ls-tree, $n apps" git -C "$repo" ls-tree -r -l HEAD)
done

small=${sizes[0]} large=${sizes[-1]}
for n in "${sizes[@]}"; do
	goal="-" ok="-"
	if [[ $n == "$large" ]]; then
		growth=$(calc "${t_diff[$large]} - ${t_diff[$small]}")
		allowed=$(calc "2 * (${t_tree[$large]} - ${t_tree[$small]}) + 0.1")
		goal="< 1 s; growth from $small apps <= $(printf '%.2f' "$allowed") s"
		ok=$(verdict "${t_diff[$large]} < 1 && $growth <= $allowed")
	fi
	record "diff one changed app of ${n}x$clusters" \
		"$(printf '%.2f s, %d apps rendered (git ls-tree %.3f s)' "${t_diff[$n]}" "${rendered[$n]}" "${t_tree[$n]}")" \
		"$goal" "$ok"
done
