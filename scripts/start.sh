#!/usr/bin/env bash
# `npm start`: a local cluster in the foreground over ./data. Installs the npm packages first when
# node_modules is missing, so it works on a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ]; then
  echo "start: installing npm packages (first run)"
  npm ci --no-audit --no-fund --loglevel=error
fi
mkdir -p data
exec node bin/alluxio.js local start --foreground --ufs ./data "$@"
