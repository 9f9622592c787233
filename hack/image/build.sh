#!/usr/bin/env bash
# Builds gitwave's image from the Dockerfile with buildah, without a Docker
# engine or a container registry: the two bases the Dockerfile names are
# made here, from Debian's packages (mmdebstrap) and from the Go toolchain
# that builds gitwave itself. Then it runs `gitwave version` in the image.
#
#   hack/image/build.sh [TAG]        (default gitwave:dev)
#
# Installs buildah and mmdebstrap with apt-get when they are missing. The
# Debian base is cached in ~/.cache/gitwave/image. Prints the tag last.
set -euo pipefail
cd "$(dirname "$0")/../.."
tag=${1:-gitwave:dev}
cache=${GITWAVE_IMAGE_CACHE:-$HOME/.cache/gitwave/image}
suite=bookworm
export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot
bah() { buildah --storage-driver vfs "$@"; }

if ! command -v buildah >/dev/null || ! command -v mmdebstrap >/dev/null; then
	echo "== apt-get install buildah mmdebstrap" >&2
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah mmdebstrap >&2
fi

# from_tar NAME TAR [GOROOT]: an image NAME whose root is TAR, plus a Go
# toolchain in /usr/local/go when GOROOT is given.
from_tar() {
	local c mnt
	c=$(bah from scratch)
	mnt=$(bah mount "$c")
	tar -C "$mnt" -xf "$2"
	if [ -n "${3:-}" ]; then
		mkdir -p "$mnt/usr/local/go"
		cp -a "$3/." "$mnt/usr/local/go/"
		bah config --env PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			--env GOPATH=/go --env GOTOOLCHAIN=local "$c"
	fi
	bah umount "$c" >/dev/null
	bah commit -q "$c" "$1" >/dev/null
	bah rm "$c" >/dev/null
}

mkdir -p "$cache"
base_tar=$cache/debian-$suite-minbase.tar
if [ ! -s "$base_tar" ]; then
	echo "== mmdebstrap $suite (about 2 minutes)" >&2
	mmdebstrap --quiet --format=tar --variant=minbase --include=ca-certificates,git,openssh-client \
		"$suite" "$base_tar.tmp" >&2
	mv "$base_tar.tmp" "$base_tar"
fi
base=localhost/gitwave-base:$suite
goimg=localhost/gitwave-go:$(go env GOVERSION)
bah inspect "$base" >/dev/null 2>&1 || from_tar "$base" "$base_tar"
bah inspect "$goimg" >/dev/null 2>&1 || from_tar "$goimg" "$base_tar" "$(go env GOROOT)"

echo "== buildah bud $tag" >&2
version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
bah bud --isolation chroot --layers=false -q \
	--build-arg GO_IMAGE="$goimg" --build-arg BASE_IMAGE="$base" --build-arg VERSION="$version" \
	-v "$(go env GOMODCACHE):/go/pkg/mod" -v "$(go env GOCACHE):/root/.cache/go-build" \
	-t "$tag" . >&2

echo "== gitwave version in $tag" >&2
c=$(bah from -q "$tag")
trap 'bah rm "$c" >/dev/null 2>&1 || true' EXIT
bah run --isolation chroot --user 65532:65532 "$c" -- gitwave version >&2
echo "$tag"
