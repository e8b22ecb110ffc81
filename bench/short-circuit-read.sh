#!/usr/bin/env bash
# Short-circuit against TCP loopback, in one run: a co-located client reads a cached SIZE_MB file
# (default 1 GiB) from a worker's REST API over its Unix domain socket
# (alluxio.worker.data.server.domain.socket.address) and over TCP on 127.0.0.1. The client is curl
# on both sides, so only the transport differs. Target (issue 16): domain socket >= 1.2x TCP.
# Usage: bash bench/short-circuit-read.sh [SIZE_MB] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
SIZE_MB=${1:-1024}
RUNS=${2:-5}
WORK=$(mktemp -d /tmp/alluxio-bench-XXXX)
UFS=$WORK/ufs
SOCK=$WORK/worker.sock
mkdir -p "$UFS"
cleanup() {
  node bin/alluxio.js local stop --dir "$WORK/state" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "writing a ${SIZE_MB} MiB file..."
head -c "$((SIZE_MB * 1024 * 1024))" /dev/urandom > "$UFS/big.bin"
BASE=2700
node bin/alluxio.js local start --no-etcd --workers 1 --ufs "$UFS" --dir "$WORK/state" --cache-size "$((SIZE_MB * 2))MB" \
  --port-base "$BASE" --conf "alluxio.worker.data.server.domain.socket.address=$SOCK" >/dev/null
PATH_Q="/v1/read?path=/big.bin"
TCP="http://127.0.0.1:$((28080 + BASE))$PATH_Q"
[ -S "$SOCK" ] || { echo "the worker did not create $SOCK" >&2; exit 1; }
METRICS="http://127.0.0.1:$((30000 + BASE))/metrics"
cached_pages() { curl -s "$METRICS" | awk '/^alluxio_data_cached_pages /{print int($2)}'; }
for _ in $(seq 20); do
  curl -sf -o /dev/null "$TCP"
  [ "$(cached_pages)" -ge "$SIZE_MB" ] && break
done
for url in "$TCP"; do
  got=$(curl -s -o /dev/null -w "%{http_code} %{size_download}" "$url")
  [ "$got" = "200 $((SIZE_MB * 1024 * 1024))" ] || { echo "bad TCP answer: $got" >&2; exit 1; }
done
got=$(curl -s --unix-socket "$SOCK" -o /dev/null -w "%{http_code} %{size_download}" "http://localhost$PATH_Q")
[ "$got" = "200 $((SIZE_MB * 1024 * 1024))" ] || { echo "bad domain socket answer: $got" >&2; exit 1; }

TCP_S=$(best_seconds "$RUNS" curl -sf -o /dev/null "$TCP")
UDS_S=$(best_seconds "$RUNS" curl -sf -o /dev/null --unix-socket "$SOCK" "http://localhost$PATH_Q")
DOMAIN_BYTES=$(curl -s "$METRICS" | awk '/^alluxio_worker_bytes_read_domain_total /{printf "%.0f", $2}')
printf 'cached %d MiB read, best of %d:\n' "$SIZE_MB" "$RUNS"
printf '  TCP loopback:   %8.1f MiB/s\n' "$(echo "$SIZE_MB / $TCP_S" | bc -l)"
printf '  domain socket:  %8.1f MiB/s\n' "$(echo "$SIZE_MB / $UDS_S" | bc -l)"
printf '  ratio domain/TCP: %.2fx (target >= 1.2x)\n' "$(echo "$TCP_S / $UDS_S" | bc -l)"
printf '  alluxio_worker_bytes_read_domain_total: %s\n' "$DOMAIN_BYTES"
