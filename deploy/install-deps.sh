#!/usr/bin/env bash
# Installs every Debian 12 package Balint Room needs to build, run and test.
# Non-interactive; works as root or through sudo. Safe to run again.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git curl
  libboost1.81-dev libboost-json1.81-dev
  protobuf-compiler libprotobuf-dev
  libsodium-dev
  catch2
  libssl-dev
  libsqlite3-dev
  liburing-dev
  # The sanitizer and fuzzing build (deploy/test.sh): clang, its ASan, UBSan
  # and libFuzzer runtimes, and llvm-symbolizer for readable stack traces.
  clang libclang-rt-14-dev llvm
  # The browser tests (tests/browser/, deploy/test.sh): Debian's Chromium,
  # which playwright-core drives headless; playwright downloads no browser.
  chromium
  # The benchmark (tests/bench/run.sh): its plot, and instruction counts.
  gnuplot-nox valgrind
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm for the TypeScript SDK (client-sdk/ts): Debian's, unless a
# node and npm are already on the PATH (some machines bring a newer build).
if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all ${#packages[@]} packages and node/npm already installed"
fi

# Vite and playwright-core need Node.js 20 or newer; Debian 12's is 18. The
# npm registry carries Node.js itself as the package "node", so an older
# node is topped up from there.
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "install-deps: node $(node --version) is too old for the web client's tools; installing node 20 from npm"
  as_root npm install -g --no-audit --no-fund node@20
  hash -r
fi
