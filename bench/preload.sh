#!/usr/bin/env bash
# Preload benchmark (issue 13): our load job vs `rclone copy --transfers 16` from the same S3 server
# behind a shaped link (bench/preload.ts). Needs root, etcd-server and rclone.
# Usage: [PRELOAD_PORT_BASE=2600] bash bench/preload.sh [SMALL_COUNT=5000] [BIG_COUNT=8] [BIG_MB=512] [RATE=1gbit]
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --import tsx bench/preload.ts "$@"
