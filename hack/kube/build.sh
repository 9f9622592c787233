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

# A stamp of everything that shapes the binaries: when it changes (new flags,
# versions, mains), the cached ones are stale and are rebuilt.
stamp="$(cd "$here" && cat build.sh go.mod go.sum cmd/*/main.go etcd/go.mod etcd/go.sum etcd/main.go |
	sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$out/.stamp" 2>/dev/null)" != "$stamp" ]]; then
	rm -f "$bin"/* "$out/kwok-stages.yaml"
	echo "$stamp" >"$out/.stamp"
fi

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

log() { echo "build.sh: $*" >&2; }

# build NAME DIR PKG [LDFLAGS]: go build PKG (inside module DIR) to $bin/NAME,
# atomically.
build() {
	local name=$1 dir=$2 pkg=$3 ldflags=${4:-}
	[[ -x "$bin/$name" ]] && return 0
	local tmp="$bin/.$name.tmp.$$" start=$SECONDS
	log "building $name ..."
	(cd "$dir" && go build "${goflags[@]}" "-ldflags=-s -w$ldflags" -o "$tmp" "$pkg")
	mv -f "$tmp" "$bin/$name"
	log "built $name in $((SECONDS - start))s"
}

build_kwok() {
	[[ -x "$bin/kwok" ]] && return 0
	local tmp start=$SECONDS
	tmp="$(mktemp -d "$bin/.kwok.XXXXXX")"
	log "building kwok ..."
	(cd "$tmp" && GOBIN="$tmp" GOFLAGS=-buildvcs=false \
		go install -trimpath "-ldflags=-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION")
	mv -f "$tmp/kwok" "$bin/kwok"
	rmdir "$tmp"
	log "built kwok in $((SECONDS - start))s"
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

build etcd "$here/etcd" .
for cmd in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
	build "$cmd" "$here" "./cmd/$cmd" "$version_ldflags"
done
build_kwok
write_stages

echo "$bin"
