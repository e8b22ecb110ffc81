#!/usr/bin/env bash
set -euo pipefail
cd /work/main
. bench/lib.sh
WORK=$(mktemp -d /tmp/alluxio-probe-XXXX); chmod 755 $WORK; UFS=$WORK/ufs; mkdir -p $UFS
trap 'node bin/alluxio.js local stop --dir $WORK/state >/dev/null 2>&1 || true; stop_nginx $WORK; rm -rf $WORK' EXIT
head -c $((1024*1024*1024)) /dev/urandom > $UFS/big.bin
P=$(free_port); start_nginx $UFS $P $WORK
node bin/alluxio.js local start --no-etcd --workers 1 --ufs $UFS --dir $WORK/state --cache-size 2048MB --port-base 2600 >/dev/null
URL="http://127.0.0.1:30680/v1/read?path=/big.bin"
for i in 1 2 3; do curl -sf -o /dev/null $URL; sleep 1; done
sync
WPID=$(pgrep -f "process start worker" | head -1)
NG=$(pgrep -P $(cat $WORK/nginx/nginx.pid) | head -1)
cpu() { awk '{print $14" "$15}' /proc/$1/stat; }
for i in 1 2 3 4; do
  read u0 s0 < <(cpu $NG); t0=$(date +%s.%N); curl -sf -o /dev/null http://127.0.0.1:$P/big.bin; t1=$(date +%s.%N); read u1 s1 < <(cpu $NG)
  echo "nginx  wall $(echo "$t1-$t0"|bc) user $((u1-u0)) sys $((s1-s0)) (ticks)"
  read u0 s0 < <(cpu $WPID); t0=$(date +%s.%N); curl -sf -o /dev/null $URL; t1=$(date +%s.%N); read u1 s1 < <(cpu $WPID)
  echo "worker wall $(echo "$t1-$t0"|bc) user $((u1-u0)) sys $((s1-s0)) (ticks)"
done
