#!/usr/bin/env bash
# Short-circuit against TCP loopback, in one run (issue 16): a co-located client reads a cached
# SIZE_MB file (default 1 GiB) from a local cluster (etcd membership, so the worker advertises its
# Unix domain socket, alluxio.worker.data.server.domain.socket.address).
#  1. The measure: the same client library (AlluxioClient, bench/short-circuit-client.ts, one
#     process) with alluxio.user.short.circuit.enabled=true (domain socket + direct page-file reads,
#     each page checked) against =false (TCP loopback). sha256 checked on a first read of each side,
#     size on every timed read. Target: short-circuit >= 1.2x TCP.
#  2. Extra information: curl over the domain socket against curl over TCP (only the transport differs).
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
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "writing a ${SIZE_MB} MiB file..."
head -c "$((SIZE_MB * 1024 * 1024))" /dev/urandom > "$UFS/big.bin"
WANT_SHA=$(sha256sum "$UFS/big.bin" | cut -d' ' -f1)
BASE=2700
node bin/alluxio.js local start --workers 1 --ufs "$UFS" --dir "$WORK/state" --cache-size "$((SIZE_MB * 2))MB" \
  --port-base "$BASE" --conf "alluxio.worker.data.server.domain.socket.address=$SOCK" >/dev/null
PATH_Q="/v1/read?path=/big.bin"
TCP="http://127.0.0.1:$((28080 + BASE))$PATH_Q"
[ -S "$SOCK" ] || { echo "the worker did not create $SOCK" >&2; exit 1; }
METRICS="http://127.0.0.1:$((30000 + BASE))/metrics"
metric() { curl -s "$METRICS" | awk -v m="$1" '$1 == m {printf "%.0f", $2}'; }
for _ in $(seq 20); do
  curl -sf -o /dev/null "$TCP"
  [ "$(metric alluxio_data_cached_pages)" -ge "$SIZE_MB" ] && break
done
for url in "$TCP"; do
  got=$(curl -s -o /dev/null -w "%{http_code} %{size_download}" "$url")
  [ "$got" = "200 $((SIZE_MB * 1024 * 1024))" ] || { echo "bad TCP answer: $got" >&2; exit 1; }
done
got=$(curl -s --unix-socket "$SOCK" -o /dev/null -w "%{http_code} %{size_download}" "http://localhost$PATH_Q")
[ "$got" = "200 $((SIZE_MB * 1024 * 1024))" ] || { echo "bad domain socket answer: $got" >&2; exit 1; }
# The page store's sidecar lists pages in batches: give it a moment to name every page.
sleep 3

ALLUXIO_CONF_DIR="$WORK/state/conf" node --import tsx bench/short-circuit-client.ts /big.bin "$WANT_SHA" "$((SIZE_MB * 1024 * 1024))" "$RUNS"
printf '  alluxio_worker_bytes_read_short_circuit_total: %s (pages the client reported reading itself)\n' "$(metric alluxio_worker_bytes_read_short_circuit_total)"

TCP_S=$(best_seconds "$RUNS" curl -sf -o /dev/null "$TCP")
UDS_S=$(best_seconds "$RUNS" curl -sf -o /dev/null --unix-socket "$SOCK" "http://localhost$PATH_Q")
printf 'extra: curl through the worker, best of %d (the worker serves the bytes on both sides):\n' "$RUNS"
printf '  TCP loopback:   %8.1f MiB/s\n' "$(echo "$SIZE_MB / $TCP_S" | bc -l)"
printf '  domain socket:  %8.1f MiB/s\n' "$(echo "$SIZE_MB / $UDS_S" | bc -l)"
printf '  ratio domain/TCP: %.2fx\n' "$(echo "$TCP_S / $UDS_S" | bc -l)"
printf '  alluxio_worker_bytes_read_domain_total: %s\n' "$(metric alluxio_worker_bytes_read_domain_total)"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
