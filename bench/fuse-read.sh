#!/usr/bin/env bash
# Sequential read of a cached SIZE_MB file (default 1 GiB) through the Alluxio FUSE mount, against
#  (a) cat of the same bytes from local disk,
#  (b) a passthrough mount built with the same binding (bench/fuse-passthrough.mjs: the binding's ceiling),
#  (c) rclone mount --vfs-cache-mode full over the same data with a warm cache.
# Each read is preceded by dropping the kernel page cache (echo 3 > /proc/sys/vm/drop_caches; needs
# root), so every reader starts from its own disk-backed cache. Prints seconds, MiB/s and ratios.
# Targets (issue 12): Alluxio >= 1.2x rclone and >= 0.7x the passthrough ceiling.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
SIZE_MB=${SIZE_MB:-1024}
RUNS=${RUNS:-3}
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

head -c "$((SIZE_MB << 20))" /dev/urandom > "$UFS/big.bin"
node bin/alluxio.js local start --no-etcd --workers 1 --ufs "$UFS" --dir "$WORK/state" --cache-size "$((SIZE_MB * 2))MB" --port-base "$BASE" >/dev/null
export ALLUXIO_CONF_DIR=$WORK/state/conf
# FUSE_CONF: extra --conf arguments for the mount (e.g. "--conf alluxio.fuse.read.ahead.chunks=8").
node bin/alluxio.js --conf alluxio.fuse.web.port=0 --conf "alluxio.log.dir=$WORK/logs" ${FUSE_CONF:-} fuse mount "$WORK/mnt-alluxio" >/dev/null
node bench/fuse-passthrough.mjs "$UFS" "$WORK/mnt-pass" > "$WORK/pass.log" 2>&1 & PIDS+=($!)
rclone mount --vfs-cache-mode full --cache-dir "$WORK/rclone-cache" --allow-other "$UFS" "$WORK/mnt-rclone" > "$WORK/rclone.log" 2>&1 & PIDS+=($!)
for m in mnt-pass mnt-rclone; do
  for _ in $(seq 100); do [ -e "$WORK/$m/big.bin" ] && break; sleep 0.2; done
done

drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
timed() { drop; local t0 t1; t0=$(date +%s.%N); cat "$1" > /dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
# Warm every cache once: the worker's page store, rclone's VFS cache.
cat "$WORK/mnt-alluxio/big.bin" > /dev/null
cat "$WORK/mnt-rclone/big.bin" > /dev/null
sleep 2

best() { local best=999999 t; for _ in $(seq "$RUNS"); do t=$(timed "$1"); best=$(echo "if ($t < $best) $t else $best" | bc -l); done; echo "$best"; }
LOCAL=$(best "$UFS/big.bin")
ALLUXIO=$(best "$WORK/mnt-alluxio/big.bin")
PASS=$(best "$WORK/mnt-pass/big.bin")
RCLONE=$(best "$WORK/mnt-rclone/big.bin")
mbps() { echo "scale=0; $SIZE_MB / $1" | bc -l; }
echo "Sequential read of a cached ${SIZE_MB} MiB file, best of $RUNS, kernel page cache dropped before each read"
printf '%-32s %8.3fs %6s MiB/s\n' "cat from local disk" "$LOCAL" "$(mbps "$LOCAL")"
printf '%-32s %8.3fs %6s MiB/s\n' "Alluxio FUSE mount" "$ALLUXIO" "$(mbps "$ALLUXIO")"
printf '%-32s %8.3fs %6s MiB/s\n' "fuse-native passthrough" "$PASS" "$(mbps "$PASS")"
printf '%-32s %8.3fs %6s MiB/s\n' "rclone mount (vfs full, warm)" "$RCLONE" "$(mbps "$RCLONE")"
echo "Alluxio vs local disk:   $(echo "scale=2; $LOCAL / $ALLUXIO" | bc -l)x"
echo "Alluxio vs passthrough:  $(echo "scale=2; $PASS / $ALLUXIO" | bc -l)x  (target >= 0.7x)"
echo "Alluxio vs rclone:       $(echo "scale=2; $RCLONE / $ALLUXIO" | bc -l)x  (target >= 1.2x)"
