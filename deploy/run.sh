#!/usr/bin/env bash
# The newcomer's first command: install, build the server and the web client,
# start the server on its embedded defaults (127.0.0.1:8080, secrets in
# ./data) serving the web client, and open it in a browser when there is a
# desktop. Options are passed to balint-server (e.g. --port 9000).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash deploy/build.sh

echo "run: building the web client (client-sdk/ts, then web/)"
(cd client-sdk/ts && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build)
(cd web && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build) > /dev/null

server="${BALINT_BUILD_DIR:-build}/server/app/balint-server"
port=8080
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  [ "${args[i]}" = "--port" ] && [ $((i + 1)) -lt ${#args[@]} ] && port="${args[i + 1]}"
done

# Open the front page once the server answers, where a desktop can show it.
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && command -v xdg-open > /dev/null; then
  (for _ in $(seq 50); do
    if curl -fs "http://127.0.0.1:$port/healthz" > /dev/null 2>&1; then
      xdg-open "http://127.0.0.1:$port/" > /dev/null 2>&1 || true
      break
    fi
    sleep 0.2
  done) &
fi
exec "$server" --web-root web/dist "$@"
