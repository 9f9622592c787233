#!/usr/bin/env bash
# Builds the peer tools the render benchmark compares gitwave with, from the
# module versions gitwave itself renders with, into a cache folder outside
# the repository (never committed):
#
#   helm       helm.sh/helm/v3/cmd/helm at the version of helm.sh/helm/v3 in go.mod
#   kustomize  sigs.k8s.io/kustomize/kustomize/v5 at the release whose go.mod
#              requires the sigs.k8s.io/kustomize/api version in go.mod
#
# Usage: hack/bench/tools.sh        prints "HELM=path" and "KUSTOMIZE=path"
# Env:   BENCH_TOOLS_DIR            cache folder (default ~/.cache/gitwave/bench-tools)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${BENCH_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gitwave/bench-tools}
mkdir -p "$cache"

# modversion MODULE prints the version gitwave's go.mod selects for MODULE.
modversion() { (cd "$root" && go list -m -f '{{.Version}}' "$1"); }

# kustomize_cli_for API_VERSION prints the newest kustomize/v5 release whose
# go.mod requires sigs.k8s.io/kustomize/api at API_VERSION.
kustomize_cli_for() {
	local want=$1 v gomod
	for v in $(go list -m -versions sigs.k8s.io/kustomize/kustomize/v5 | tr ' ' '\n' | tail -n +2 | sort -rV); do
		# The download of a release that needs a newer Go fails, but its
		# go.mod is fetched and named all the same.
		gomod=$({ go mod download -json "sigs.k8s.io/kustomize/kustomize/v5@$v" || true; } |
			sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
		if [[ -n "$gomod" ]] && grep -Eq "^[[:space:]]*sigs\.k8s\.io/kustomize/api $want( |$)" "$gomod"; then
			echo "$v"
			return 0
		fi
	done
	echo "no sigs.k8s.io/kustomize/kustomize/v5 release requires sigs.k8s.io/kustomize/api $want" >&2
	return 1
}

# build NAME PACKAGE VERSION builds PACKAGE@VERSION once into
# $cache/NAME-VERSION/NAME and prints the path.
build() {
	local name=$1 pkg=$2 version=$3
	local dir="$cache/$name-$version"
	if [[ ! -x "$dir/$name" ]]; then
		echo "building $pkg@$version into $dir (first run only)" >&2
		mkdir -p "$dir"
		GOBIN="$dir" GOFLAGS=-buildvcs=false go install -trimpath "$pkg@$version" >&2
	fi
	echo "$dir/$name"
}

helm_version=$(modversion helm.sh/helm/v3)
api_version=$(modversion sigs.k8s.io/kustomize/api)
# The release matching an api version never changes: look it up once.
pin="$cache/kustomize-cli-for-api-$api_version"
if [[ ! -s "$pin" ]]; then
	kustomize_cli_for "$api_version" >"$pin.tmp.$$"
	mv "$pin.tmp.$$" "$pin"
fi
kustomize_version=$(cat "$pin")

echo "HELM=$(build helm helm.sh/helm/v3/cmd/helm "$helm_version")"
echo "HELM_VERSION=$helm_version"
echo "KUSTOMIZE=$(build kustomize sigs.k8s.io/kustomize/kustomize/v5 "$kustomize_version")"
echo "KUSTOMIZE_VERSION=$kustomize_version (kustomize/api $api_version)"
