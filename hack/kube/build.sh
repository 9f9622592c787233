#!/usr/bin/env bash
# Builds the local-cluster binaries (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl, kwok) from source into a cache keyed by Kubernetes version,
# and writes the kwok stage file next to them. Idempotent: only missing pieces are
# built. Safe to run concurrently (flock). Progress goes to stderr; the last line
# on stdout is the bin directory. See README.md.
set -euo pipefail

KUBE_VERSION=v1.37.2
ETCD_VERSION=v3.6.16
KWOK_VERSION=v0.8.0

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
grep -q "k8s.io/kubernetes $KUBE_VERSION\$" "$here/go.mod" &&
	grep -q "go.etcd.io/etcd/server/v3 $ETCD_VERSION\$" "$here/etcd/go.mod" || {
	echo "build.sh: versions here disagree with go.mod files" >&2
	exit 1
}
cache="${GITWAVE_KUBE_CACHE:-$HOME/.cache/gitwave/kube}"
out="$cache/$KUBE_VERSION"
bin="$out/bin"
mkdir -p "$bin"

exec 9>"$out/.lock"
if ! flock -n 9; then
	echo "build.sh: waiting for another build holding $out/.lock" >&2
	flock 9
fi

# Temporary outputs, ours or an interrupted build's: the lock makes them ours.
cleanup() { rm -rf "$bin"/.*.tmp.* "$bin"/.kwok.* "$out"/*.tmp.*; }
cleanup
trap cleanup EXIT

# Version stamping as upstream's hack/lib/version.sh does, so the servers and
# kubectl report v1.37.2 (Helm and clients check it) instead of v0.0.0-master.
minor="${KUBE_VERSION#v1.}"
minor="${minor%%.*}"
version_ldflags=""
for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
	version_ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
	version_ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
goflags=(-trimpath -buildvcs=false -mod=readonly)

# A stamp of everything that shapes the binaries (versions, flags, modules,
# mains; not how this script reports progress): when it changes, the cached
# binaries are stale and are rebuilt.
recipe="$KUBE_VERSION $ETCD_VERSION $KWOK_VERSION ${goflags[*]} -s -w$version_ldflags"
stamp="$( (echo "$recipe" && cd "$here" && cat go.mod go.sum cmd/*/main.go etcd/go.mod etcd/go.sum etcd/main.go) |
	sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$out/.stamp" 2>/dev/null)" != "$stamp" ]]; then
	rm -f "$bin"/* "$out/kwok-stages.yaml"
	echo "$stamp" >"$out/.stamp"
fi

log() { echo "build.sh: $*" >&2; }

# elapsed START: the time since START (a $SECONDS value) as 12m05s.
elapsed() { local s=$((SECONDS - $1)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

# with_progress LABEL TOTAL CMD...: runs CMD, a `go build -v` or `go install
# -v`, and every GITWAVE_BUILD_PROGRESS seconds (default 30) logs how many of
# about TOTAL packages it has compiled and the time elapsed: a cold build of
# kube-apiserver takes 10-40 minutes. Lines that are not a package name
# (compiler errors) go to stderr as they come.
with_progress() {
	local label=$1 total=$2 start=$SECONDS count rc=0 ticker
	shift 2
	count="$out/progress.tmp.$BASHPID"
	echo 0 >"$count"
	(
		trap 'kill "$nap" 2>/dev/null; exit 0' TERM
		while :; do
			sleep "${GITWAVE_BUILD_PROGRESS:-30}" &
			nap=$!
			wait "$nap"
			log "$label: $(cat "$count") of ~$total packages compiled (the rest come from the build cache or are linking), $(elapsed "$start") elapsed"
		done
	) &
	ticker=$!
	"$@" 2>&1 | {
		local n=0 line
		while IFS= read -r line; do
			if [[ $line =~ ^[A-Za-z0-9._~/-]+$ ]]; then
				n=$((n + 1))
				echo "$n" >"$count"
			else
				echo "$line" >&2
			fi
		done
	} || rc=$?
	kill "$ticker" 2>/dev/null || true
	wait "$ticker" 2>/dev/null || true
	rm -f "$count"
	return "$rc"
}

# deps DIR PKG...: how many packages building PKGs (inside module DIR)
# involves, for the progress lines; "?" when go list cannot tell.
deps() {
	local dir=$1
	shift
	(cd "$dir" && go list "${goflags[@]}" -deps "$@" 2>/dev/null | wc -l) || echo "?"
}

# build_mains DIR LDFLAGS NAME:PKG...: the binaries among NAMEs that are
# missing, each from package PKG of module DIR (its last path element is
# NAME), in one `go build` so that both cores stay busy across them (one
# links while the other compiles) and packages they share are scheduled
# once; each is renamed into $bin when all are built.
build_mains() {
	local dir=$1 ldflags=$2 spec missing=() pkgs=()
	shift 2
	for spec in "$@"; do
		[[ -x "$bin/${spec%%:*}" ]] && continue
		missing+=("${spec%%:*}")
		pkgs+=("${spec#*:}")
	done
	((${#missing[@]})) || return 0
	local tmp="$bin/.build.tmp.$$" start=$SECONDS total name
	mkdir -p "$tmp"
	log "building ${missing[*]}: listing packages (downloads modules on a new machine) ..."
	total=$(deps "$dir" "${pkgs[@]}")
	log "building ${missing[*]}: $total packages (cold on 2 cores, see hack/kube/README.md) ..."
	with_progress "${missing[*]}" "$total" bash -c 'cd "$1" && shift && exec "$@"' _ "$dir" \
		go build -v "${goflags[@]}" "-ldflags=-s -w$ldflags" -o "$tmp/" "${pkgs[@]}"
	for name in "${missing[@]}"; do
		mv -f "$tmp/$name" "$bin/$name"
	done
	rmdir "$tmp"
	log "built ${missing[*]} in $(elapsed "$start")"
}

build_kwok() {
	[[ -x "$bin/kwok" ]] && return 0
	local tmp start=$SECONDS
	tmp="$(mktemp -d "$bin/.kwok.XXXXXX")"
	log "building kwok (downloads its module on a new machine) ..."
	with_progress kwok "~1000" bash -c 'cd "$1" && shift && exec "$@"' _ "$tmp" \
		env GOBIN="$tmp" GOFLAGS=-buildvcs=false go install -v -trimpath "-ldflags=-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
	mv -f "$tmp/kwok" "$bin/kwok"
	rmdir "$tmp"
	log "built kwok in $(elapsed "$start")"
}

# The kwok module ships Stage objects but kwok loads none by default.
write_stages() {
	local dest="$out/kwok-stages.yaml"
	[[ -s "$dest" ]] && return 0
	local dir tmp scratch
	scratch="$(mktemp -d)"
	dir="$(cd "$scratch" && GOFLAGS=-mod=mod go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
	rmdir "$scratch"
	[[ -d "$dir/kustomize/stage" ]] || { log "kwok module dir not found: '$dir'"; exit 1; }
	tmp="$dest.tmp.$$"
	: >"$tmp"
	local sep=""
	for f in node/fast/node-initialize.yaml \
		node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
		pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
		{ printf '%s' "$sep"; cat "$dir/kustomize/stage/$f"; echo; } >>"$tmp"
		sep=$'---\n'
	done
	mv -f "$tmp" "$dest"
	log "wrote $dest"
}

started=$SECONDS
build_mains "$here/etcd" "" etcd:.
build_mains "$here" "$version_ldflags" kube-apiserver:./cmd/kube-apiserver kube-controller-manager:./cmd/kube-controller-manager \
	kube-scheduler:./cmd/kube-scheduler kubectl:./cmd/kubectl
build_kwok
write_stages
log "cluster binaries ready in $bin ($(elapsed "$started"))"

echo "$bin"
