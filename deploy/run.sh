#!/usr/bin/env bash
# The newcomer's first command: install, build, start the server on its
# embedded defaults (127.0.0.1:8080, secrets in ./data). Options are passed
# to balint-server (e.g. --port 9000).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash deploy/build.sh
exec "${BALINT_BUILD_DIR:-build}/server/app/balint-server" "$@"
