#!/usr/bin/env bash
# Installs what is missing, then configures and builds everything into build/.
# Extra arguments go to CMake's configure step (e.g. -DCMAKE_BUILD_TYPE=Debug).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash deploy/install-deps.sh

# Let ccache reuse objects across clones of the repository.
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
build_dir="${BALINT_BUILD_DIR:-build}"
jobs="${BALINT_JOBS:-2}"
started=$(date +%s)
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" > "$build_dir.configure.log" 2>&1 || {
  cat "$build_dir.configure.log"; exit 1; }
cmake --build "$build_dir" -j "$jobs"
echo "build: done in $(( $(date +%s) - started )) s ($build_dir)"
