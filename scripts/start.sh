#!/usr/bin/env bash
# `npm start`: a local cluster in the foreground over ./data. Installs the npm packages first when
# node_modules is missing and builds dist/ when it is missing or older than src/, so it works on a
# fresh clone and starts the compiled CLI (bin/alluxio.js runs dist/ when it is current).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ]; then
  echo "start: installing npm packages (first run)"
  npm ci --no-audit --no-fund --loglevel=error
fi
if [ ! -f dist/cli/main.js ] || [ -n "$(find src -newer dist/cli/main.js -print -quit)" ]; then
  echo "start: building dist/"
  npm run --silent build
fi
if [ ! -f build/native/fuse-native.node ] || [ -n "$(find native/fuse -newer build/native/fuse-native.node -print -quit)" ]; then
  # Optional: without it (no compiler here) `alluxio fuse mount` runs on stock fuse-native.
  bash scripts/build-native.sh || echo "start: the FUSE binding fork is not built; FUSE mounts use stock fuse-native"
fi
mkdir -p data
exec node bin/alluxio.js local start --foreground --ufs ./data "$@"
