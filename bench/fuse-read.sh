#!/usr/bin/env bash
# The FUSE mount against (a) local disk, (b) a passthrough mount built with the same binding
# (bench/fuse-passthrough.mjs: the binding's ceiling), (c) rclone mount --vfs-cache-mode full over
# the same data with a warm cache, in one run:
#   1. sequential read (cat) of a cached SIZE_MB file (default 1 GiB),
#   2. RANDOM_READS random 4 KiB preads of that file (bench/fuse-random.py, same offsets everywhere),
#   3. ls -R of a tree of 100 directories x 100 empty files (10,000 files).
# Every timed run is preceded by dropping the kernel's caches (echo 3 > /proc/sys/vm/drop_caches;
# needs root): page cache, dentries and inodes, so each mount answers itself. The mounts' own
# caches (our worker's pages and metadata cache, rclone's VFS and directory caches) are warmed
# once before. Prints the best of RUNS for each, MiB/s or reads/s, and ratios (>1: Alluxio faster).
# Targets (issue 12): sequential >= 1.2x rclone and >= 0.7x passthrough; random 4 KiB >= 1.0x rclone.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
SIZE_MB=${SIZE_MB:-1024}
RUNS=${RUNS:-3}
RANDOM_READS=${RANDOM_READS:-2000}
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
WORK=$(mktemp -d /tmp/alluxio-bench-fuse-XXXXXX)
UFS=$WORK/ufs
mkdir -p "$UFS" "$WORK/mnt-alluxio" "$WORK/mnt-pass" "$WORK/mnt-rclone" "$WORK/rclone-cache"
BASE=2900 # 2600 and 2700 are other benches'; its web port (32900) is in the ephemeral range: rerun if it collides
PIDS=()
cleanup() {
  for m in "$WORK/mnt-alluxio" "$WORK/mnt-pass" "$WORK/mnt-rclone"; do fusermount -uz "$m" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  node bin/alluxio.js local stop --dir "$WORK/state" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# The shipped form: compiled dist/ (bin/alluxio.js runs src/ through tsx when dist/ is stale).
[ "${BUILD:-1}" = 1 ] && npx tsc -p tsconfig.build.json
head -c "$((SIZE_MB << 20))" /dev/urandom > "$UFS/big.bin"
for d in $(seq -w 0 99); do mkdir -p "$UFS/tree/d$d"; (cd "$UFS/tree/d$d" && touch f{000..099}); done
node bin/alluxio.js local start --no-etcd --workers 1 --ufs "$UFS" --dir "$WORK/state" --cache-size "$((SIZE_MB * 2))MB" --port-base "$BASE" >/dev/null
export ALLUXIO_CONF_DIR=$WORK/state/conf
# FUSE_CONF: extra --conf arguments for the mount (e.g. "--conf alluxio.fuse.read.ahead.chunks=8",
# or "--conf alluxio.fuse.direct.page.read.enabled=false" to send every read to the worker).
# The mount is told the worker's page store directory, as a FUSE DaemonSet sharing the worker's
# configuration and hostPath is: cached pages are then read from the page files (direct-pages.ts).
node bin/alluxio.js --conf alluxio.fuse.web.port=0 --conf "alluxio.log.dir=$WORK/logs" \
  --conf "alluxio.worker.page.store.dirs=$WORK/state/worker-0/pagestore" ${FUSE_CONF:-} fuse mount "$WORK/mnt-alluxio" >/dev/null
node bench/fuse-passthrough.mjs "$UFS" "$WORK/mnt-pass" > "$WORK/pass.log" 2>&1 & PIDS+=($!)
rclone mount --vfs-cache-mode full --cache-dir "$WORK/rclone-cache" --allow-other "$UFS" "$WORK/mnt-rclone" > "$WORK/rclone.log" 2>&1 & PIDS+=($!)
for m in mnt-pass mnt-rclone; do
  for _ in $(seq 100); do [ -e "$WORK/$m/big.bin" ] && break; sleep 0.2; done
done
# The kernel read-ahead our mount set for itself (alluxio.fuse.kernel.read.ahead.size), given to
# the other two mounts as well, so the ratios compare the processes, not a kernel setting.
bdi() { echo "/sys/class/bdi/$(mountpoint -d "$1")/read_ahead_kb"; }
READ_AHEAD_KB=$(cat "$(bdi "$WORK/mnt-alluxio")")
for m in mnt-pass mnt-rclone; do echo "$READ_AHEAD_KB" > "$(bdi "$WORK/$m")"; done

drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
# seconds CMD...: wall time of one run of CMD after dropping the kernel's caches.
seconds() { drop; local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
# best CMD...: the fastest of RUNS runs (CMD may print its own seconds: then that is used).
best() {
  local b=999999 t
  for _ in $(seq "$RUNS"); do t=$(seconds "$@"); b=$(echo "if ($t < $b) $t else $b" | bc -l); done
  echo "$b"
}
random_reads() { drop; python3 bench/fuse-random.py "$1" "$RANDOM_READS"; }
best_random() {
  local b=999999 t
  for _ in $(seq "$RUNS"); do t=$(random_reads "$1"); b=$(echo "if ($t < $b) $t else $b" | bc -l); done
  echo "$b"
}
# Warm every mount's own cache once: the worker's page store and metadata, rclone's VFS and dir cache.
for m in mnt-alluxio mnt-rclone mnt-pass; do cat "$WORK/$m/big.bin" > /dev/null; ls -R "$WORK/$m/tree" > /dev/null; done
sleep 2

declare -A SEQ RND LSR
SEQ[local]=$(best cat "$UFS/big.bin")
for m in alluxio pass rclone; do SEQ[$m]=$(best cat "$WORK/mnt-$m/big.bin"); done
RND[local]=$(best_random "$UFS/big.bin")
for m in alluxio pass rclone; do RND[$m]=$(best_random "$WORK/mnt-$m/big.bin"); done
LSR[local]=$(best ls -R "$UFS/tree")
for m in alluxio pass rclone; do LSR[$m]=$(best ls -R "$WORK/mnt-$m/tree"); done

declare -A NAMES=([local]="local disk" [alluxio]="Alluxio FUSE mount" [pass]="fuse-native passthrough" [rclone]="rclone mount (vfs full, warm)")
ratio() { echo "scale=2; $1 / $2" | bc -l | sed 's/^\./0./'; }
echo "Best of $RUNS runs each, the kernel's caches dropped before every run, kernel read-ahead ${READ_AHEAD_KB} KB on every mount"
echo "Load average at start $LOAD_START, at end $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores); commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo ' + uncommitted changes')"
echo
echo "1. Sequential read (cat) of a cached ${SIZE_MB} MiB file"
for m in local alluxio pass rclone; do printf '   %-32s %8.3fs %6s MiB/s\n' "${NAMES[$m]}" "${SEQ[$m]}" "$(echo "scale=0; $SIZE_MB / ${SEQ[$m]}" | bc -l)"; done
echo
echo "2. $RANDOM_READS random 4 KiB reads of that file"
for m in local alluxio pass rclone; do printf '   %-32s %8.3fs %6s reads/s\n' "${NAMES[$m]}" "${RND[$m]}" "$(echo "scale=0; $RANDOM_READS / ${RND[$m]}" | bc -l)"; done
echo
echo "3. ls -R of 100 directories x 100 files"
for m in local alluxio pass rclone; do printf '   %-32s %8.3fs\n' "${NAMES[$m]}" "${LSR[$m]}"; done
echo
echo "Ratios, Alluxio against each (>1: Alluxio faster)   sequential   random 4 KiB   ls -R"
for m in local pass rclone; do
  printf '   %-46s %10s %14s %7s\n' "vs ${NAMES[$m]}" "$(ratio "${SEQ[$m]}" "${SEQ[alluxio]}")x" "$(ratio "${RND[$m]}" "${RND[alluxio]}")x" "$(ratio "${LSR[$m]}" "${LSR[alluxio]}")x"
done
echo "Targets: sequential >= 0.7x passthrough and >= 1.2x rclone; random 4 KiB >= 1.0x rclone"
