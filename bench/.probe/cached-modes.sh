#!/usr/bin/env bash
# probe: distribution of cached REST reads vs nginx; PIN=1 pins worker to cpu1, curl to cpu0
set -euo pipefail
cd /work/main
. bench/lib.sh
WORK=$(mktemp -d /tmp/alluxio-probe-XXXX); chmod 755 $WORK; UFS=$WORK/ufs; mkdir -p $UFS
trap 'node bin/alluxio.js local stop --dir $WORK/state >/dev/null 2>&1 || true; stop_nginx $WORK; rm -rf $WORK' EXIT
head -c $((1024*1024*1024)) /dev/urandom > $UFS/big.bin
P=$(free_port); start_nginx $UFS $P $WORK
node bin/alluxio.js local start --no-etcd --workers 1 --ufs $UFS --dir $WORK/state --cache-size 2048MB --port-base 2600 >/dev/null
URL="http://127.0.0.1:30680/v1/read?path=/big.bin"
for i in 1 2 3; do curl -sf -o /dev/null $URL; sleep 2; done
WPID=$(pgrep -f "process start worker" | head -1 || true)
echo "worker pid $WPID"
if [ "${PIN:-0}" = 1 ]; then for t in /proc/$WPID/task/*; do taskset -pc 1 $(basename $t) >/dev/null; done; NG=$(cat $WORK/nginx/nginx.pid); for c in $(pgrep -P $NG); do taskset -pc 1 $c >/dev/null; done; CURL="taskset -c 0 curl"; else CURL=curl; fi
for i in $(seq ${N:-8}); do
  n=$( { /usr/bin/time -f %e $CURL -sf -o /dev/null http://127.0.0.1:$P/big.bin; } 2>&1 )
  c=$( { /usr/bin/time -f %e $CURL -sf -o /dev/null $URL; } 2>&1 )
  echo "nginx $n  worker $c  ratio $(echo "scale=2; $n/$c" | bc)"
done
