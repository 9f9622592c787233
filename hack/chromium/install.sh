#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium for the status page's browser
# test (ui/), when it is missing. Prints the path of the binary on its last
# line. Root (or sudo) is needed only when it installs.
set -euo pipefail
for b in chromium chromium-browser; do
	if p=$(command -v "$b"); then echo "$p"; exit 0; fi
done
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
$sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
command -v chromium
