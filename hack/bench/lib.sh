# Shared by hack/bench.sh and the figure scripts under hack/bench/: logging,
# installing what a fresh machine lacks, timing commands and recording
# figures for the summary table. Source it; it defines functions only.
#
# Variables the functions read:
#   BENCH_RUNS     repetitions per timed command (default 3)
#   BENCH_SUMMARY  file the figures are appended to, one tab-separated row
#                  each: figure, value, goal, verdict

log() { echo "bench: $*" >&2; }

# ensure_packages CMD:PACKAGE... installs the Debian package of every
# command that is missing, with apt-get (as root, or through sudo).
ensure_packages() {
	local missing=() pair cmd pkg
	for pair in "$@"; do
		cmd=${pair%%:*} pkg=${pair#*:}
		if [[ $cmd == /* ]]; then [[ -x $cmd ]] && continue; else command -v "$cmd" >/dev/null && continue; fi
		missing+=("$pkg")
	done
	((${#missing[@]} == 0)) && return 0
	local sudo=()
	[[ $(id -u) == 0 ]] || sudo=(sudo)
	log "installing ${missing[*]} with apt-get"
	if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2; then
		"${sudo[@]}" apt-get update -qq >&2
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
	fi
}

# median prints the median of the numbers on standard input, one a line.
median() {
	sort -g | awk '{v[NR] = $1} END {if (NR == 0) exit 1; if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# time_median NAME CMD... runs CMD BENCH_RUNS times, output discarded, and
# prints the median wall time in seconds. It uses hyperfine when installed
# (its report goes to stderr), else the shell's clock. A failing run is an
# error.
time_median() {
	local name=$1
	shift
	local runs=${BENCH_RUNS:-3}
	if command -v hyperfine >/dev/null; then
		local csv
		csv=$(mktemp)
		hyperfine --shell bash --runs "$runs" --style basic --command-name "$name" --export-csv "$csv" \
			"$(printf '%q ' "$@")" >&2 || { rm -f "$csv"; return 1; }
		# Columns: command,mean,stddev,median,user,system,min,max; the
		# name may hold commas, so count from the end.
		awk -F, 'NR == 2 {print $(NF - 4)}' "$csv"
		rm -f "$csv"
		return 0
	fi
	local i start end
	for ((i = 0; i < runs; i++)); do
		start=$(date +%s.%N)
		"$@" >/dev/null 2>&1 || { log "$name failed"; return 1; }
		end=$(date +%s.%N)
		awk -v a="$end" -v b="$start" 'BEGIN {print a - b}'
	done | median
}

# record FIGURE VALUE GOAL VERDICT adds a row to the summary table.
record() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"${BENCH_SUMMARY:?}"
	log "$1: $2 (goal: $3) $4"
}

# calc EXPR prints EXPR evaluated by awk, for floating point arithmetic.
calc() { awk "BEGIN {print $1}"; }

# verdict CONDITION prints PASS when the awk condition holds, else MISS.
verdict() { awk "BEGIN {exit !($1)}" && echo PASS || echo MISS; }
