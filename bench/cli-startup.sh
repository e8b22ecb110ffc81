#!/usr/bin/env bash
# Start-up cost of the compiled `alluxio` CLI against `node -e 0`, in one run (CLI issue 17).
# Targets: `alluxio --version` <= 2x the CPU seconds (user + sys) of `node -e 0`; `alluxio fs ls /`
# against a local cluster with etcd <= 0.5 s wall on an idle machine. Rounds alternate the three
# commands so the machine's load hits each side of a round alike; prints every round, the
# medians and the load average at start and end. Builds dist/ first when it is stale.
# Usage: bash bench/cli-startup.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-9}
echo "load at start: $(uptime)"
BASE=${ALLUXIO_BENCH_PORT_BASE:-2800} # above every test's local-cluster slot (1..13, bases <= 2600)
WORK=$(mktemp -d /tmp/alluxio-bench-cli-XXXX)
cleanup() {
  node bin/alluxio.js local stop --dir "$WORK/state" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
if [ ! -f dist/cli/main.js ] || [ -n "$(find src -newer dist/cli/main.js -print -quit)" ]; then
  echo "building dist/..."
  npm run --silent build
fi
command -v etcd >/dev/null || { echo "etcd is not installed (apt-get install etcd-server)" >&2; exit 1; }
mkdir -p "$WORK/ufs"
echo hello > "$WORK/ufs/hello.txt"
node bin/alluxio.js local start --workers 1 --ufs "$WORK/ufs" --dir "$WORK/state" --port-base "$BASE" >/dev/null
export ALLUXIO_CONF_DIR=$WORK/state/conf
node bin/alluxio.js fs ls / | grep -q hello.txt || { echo "fs ls / does not list hello.txt" >&2; exit 1; }

# measure NAME CMD...: appends "cpu wall" (seconds) of one run to $WORK/NAME.
measure() {
  local name=$1; shift
  /usr/bin/time -f '%U %S %e' -o "$WORK/t" "$@" >/dev/null
  awk '{ printf "%.3f %.3f\n", $1 + $2, $3 }' "$WORK/t" >> "$WORK/$name"
}
for _ in $(seq "$ROUNDS"); do
  measure node node -e 0
  measure version node bin/alluxio.js --version
  measure ls node bin/alluxio.js fs ls /
done

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
col() { cut -d' ' -f"$1" "$WORK/$2" | median; }
echo "rounds (cpu s / wall s): node -e 0 | alluxio --version | alluxio fs ls /"
paste -d'|' "$WORK/node" "$WORK/version" "$WORK/ls" | sed 's/^/  /; s/|/  |  /g'
NODE_CPU=$(col 1 node); VER_CPU=$(col 1 version); LS_CPU=$(col 1 ls)
NODE_WALL=$(col 2 node); VER_WALL=$(col 2 version); LS_WALL=$(col 2 ls)
RATIO=$(paste -d' ' "$WORK/node" "$WORK/version" | awk '{ printf "%.2f\n", $3 / $1 }' | median)
LS_RATIO=$(paste -d' ' "$WORK/node" "$WORK/ls" | awk '{ printf "%.2f\n", $3 / $1 }' | median)
printf 'median cpu s:  node -e 0 %s  --version %s  fs ls / %s\n' "$NODE_CPU" "$VER_CPU" "$LS_CPU"
printf 'median wall s: node -e 0 %s  --version %s  fs ls / %s\n' "$NODE_WALL" "$VER_WALL" "$LS_WALL"
printf 'ratio to node -e 0 (cpu, median of rounds): --version %sx (target <= 2x)  fs ls / %sx\n' "$RATIO" "$LS_RATIO"
printf 'fs ls / wall: %s s (target <= 0.5 s on an idle machine)\n' "$LS_WALL"
echo "load at end: $(uptime)"
