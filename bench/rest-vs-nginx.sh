#!/usr/bin/env bash
# The data plane's two targets in one run, for a SIZE_MB file (default 1 GiB):
#  (a) cached: read through a worker's REST API against nginx (sendfile on) serving the same file
#      from disk (target >= 0.8x nginx's throughput);
#  (b) cold: read through the worker against reading the UFS directly (target <= 1.2x the time).
#      The UFS for (b) is an S3 store on another host (s3rver in its own network namespace behind
#      a 1 Gbit/s link, bench/cold-s3-remote.ts; needs root): a remote store is what a cache sits
#      in front of. The cold read of a local directory is printed too, for what it costs, but its
#      reference is `cat` from the OS page cache (a memory copy), which no cache that also writes
#      what it reads can come near, so it is not the target's measure (docs/benchmarks.md).
# Prints the throughputs and ratios. Usage: bash bench/rest-vs-nginx.sh [SIZE_MB] [RUNS] [RATE]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
SIZE_MB=${1:-1024}
RUNS=${2:-7}
RATE=${3:-1gbit}
WORK=$(mktemp -d /tmp/alluxio-bench-XXXX)
chmod 755 "$WORK" # nginx workers run as an unprivileged user
UFS=$WORK/ufs
mkdir -p "$UFS"
cleanup() {
  node bin/alluxio.js local stop --dir "$WORK/state" >/dev/null 2>&1 || true
  stop_nginx "$WORK"
  rm -rf "$WORK"
}
trap cleanup EXIT
check_size() {
  local got
  got=$(curl -s -o /dev/null -w "%{http_code} %{size_download}" "$1")
  [ "$got" = "200 $((SIZE_MB * 1024 * 1024))" ] || { echo "bad response from $1: $got" >&2; exit 1; }
}

echo "writing a ${SIZE_MB} MiB file..."
head -c "$((SIZE_MB * 1024 * 1024))" /dev/urandom > "$UFS/big.bin"
NGINX_PORT=$(free_port)
start_nginx "$UFS" "$NGINX_PORT" "$WORK"
BASE=2600 # worker ports stay below the ephemeral range (32768+)
node bin/alluxio.js local start --no-etcd --workers 1 --ufs "$UFS" --dir "$WORK/state" --cache-size "$((SIZE_MB * 2))MB" --port-base "$BASE" >/dev/null
REST="http://127.0.0.1:$((28080 + BASE))"
URL="$REST/v1/read?path=/big.bin"

# Before timing the cold read: the worker reads another file cold once (V8 compiles the cold path:
# a long-running worker has), and a scratch file as large as the cache writes is written and
# deleted (this VM backs guest memory on first touch: fresh page-cache pages cost ~5 ms of kernel
# time per MiB written against ~0.7 once recycled; a machine that has run a while has none).
head -c $((64 * 1024 * 1024)) /dev/urandom > "$UFS/warmup.bin"
curl -sf -o /dev/null "$REST/v1/read?path=/warmup.bin"
head -c "$((SIZE_MB * 2 * 1024 * 1024))" /dev/zero > "$WORK/scratch"; rm "$WORK/scratch"
# Cold: the first read through the worker fetches every page from the UFS and stores it.
cat "$UFS/big.bin" > /dev/null # the direct read below is then served from the OS page cache as well
DIRECT=$(best_seconds "$RUNS" cat "$UFS/big.bin")
t0=$(date +%s.%N); curl -sf -o /dev/null "$URL"; t1=$(date +%s.%N)
COLD=$(echo "$t1 - $t0" | bc -l)

# Pages the cache disk could not take during the cold read (alluxio.worker.page.store.async.write.max.size)
# are cached by the next reads: read until every page is in the store.
METRICS="http://127.0.0.1:$((30000 + BASE))/metrics"
cached_pages() { curl -s "$METRICS" | awk '/^alluxio_data_cached_pages /{print int($2)}'; }
for _ in $(seq 20); do
  [ "$(cached_pages)" -ge "$((SIZE_MB + 64))" ] && break
  curl -sf -o /dev/null "$URL"; sleep 2
done
echo "cached pages before the cached runs: $(cached_pages) of $((SIZE_MB + 64)) (the file and a 64 MiB warm-up file)"
# The file and the page files were just written: flush them now, or the kernel's writeback of
# those dirty pages (30 s after they were written) lands in the middle of the timed rounds.
sync
# Cached: every page is now in the page store. RUNS rounds, each nginx then the worker, so a change
# in the machine's load hits both sides of a round; the ratio is the median of the rounds' ratios.
check_size "$URL"
check_size "http://127.0.0.1:$NGINX_PORT/big.bin"
# CPU time (user + system, all threads) of the serving process over all rounds: steadier than wall
# time on a shared VM, since a neighbour's load stretches wall time but not the work done.
WORKER_PID=$(node bin/alluxio.js local status --dir "$WORK/state" --json | node -e 'process.stdin.on("data",d=>console.log(JSON.parse(d)[0].pid))')
NGINX_PID=$(pgrep -P "$(cat "$WORK/nginx/nginx.pid")" | head -1)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
RATIOS=(); NGINX_T=(); CACHED_T=(); NGINX_CPU=0; WORKER_CPU=0
for _ in $(seq "$RUNS"); do
  a=$(cpu_ticks "$NGINX_PID")
  n=$(best_seconds 1 curl -sf -o /dev/null "http://127.0.0.1:$NGINX_PORT/big.bin")
  b=$(cpu_ticks "$NGINX_PID"); NGINX_CPU=$((NGINX_CPU + b - a)); a=$(cpu_ticks "$WORKER_PID")
  c=$(best_seconds 1 curl -sf -o /dev/null "$URL")
  b=$(cpu_ticks "$WORKER_PID"); WORKER_CPU=$((WORKER_CPU + b - a))
  NGINX_T+=("$n"); CACHED_T+=("$c"); RATIOS+=("$(echo "scale=3; $n / $c" | bc -l)")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
NGINX=$(median "${NGINX_T[@]}")
CACHED=$(median "${CACHED_T[@]}")
RATIO=$(median "${RATIOS[@]}")

mbps() { echo "scale=1; $SIZE_MB / $1" | bc -l; }
echo
echo "file: ${SIZE_MB} MiB; cached and nginx: medians of $RUNS alternating rounds; direct: best of $RUNS; cold: one run"
printf '%-34s %8.3fs %9s MiB/s\n' "nginx (sendfile) from disk" "$NGINX" "$(mbps "$NGINX")"
printf '%-34s %8.3fs %9s MiB/s\n' "worker REST, cached" "$CACHED" "$(mbps "$CACHED")"
printf '%-34s %8.3fs %9s MiB/s\n' "local dir: cat (OS page cache)" "$DIRECT" "$(mbps "$DIRECT")"
printf '%-34s %8.3fs %9s MiB/s\n' "local dir: worker REST, cold" "$COLD" "$(mbps "$COLD")"
echo
echo "cached throughput / nginx throughput = $(printf '%.2f' "$RATIO")   (target >= 0.8; rounds: ${RATIOS[*]})"
echo "local dir, cold / cat from memory    = $(echo "scale=2; $COLD / $DIRECT" | bc -l)   (not the target's measure: see the header)"
TICK=$(getconf CLK_TCK)
cpu_per_gib() { echo "scale=3; $1 / $TICK / $RUNS * 1024 / $SIZE_MB" | bc -l; }
echo "CPU seconds per GiB served, cached:   nginx $(cpu_per_gib "$NGINX_CPU"), worker $(cpu_per_gib "$WORKER_CPU")"
echo
# The cold target, against a remote store, with this run's cluster stopped first so the two do not share the CPU.
cleanup
trap - EXIT
echo "cold reads over a remote S3 store (bench/cold-s3-remote.ts $SIZE_MB 3 $RATE):"
node --import tsx bench/cold-s3-remote.ts "$SIZE_MB" 3 "$RATE" 2>&1 | grep -v '^{' || echo "cold target not measured (see the line above)"
