// How close the S3 API's 4 KiB GET is to what one Node process can do at all: nginx (one worker
// process), a Node `http` hello-world with the same body and headers (hello-server.mjs), and the
// worker's S3 API, each with `wrk -c 32 -t 2 -d DURATION`, in RUNS rounds that alternate the three.
// Prints each one's median requests/s, the ratios to nginx, and the CPU each Node server spent
// per request (user + system time of its process over the run).
// Usage: npx tsx bench/s3/node-ceiling.ts [RUNS] [DURATION]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomFillSync } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../../test/support/workers.js';
import { startS3TestCluster } from '../../test/support/s3-clients.js';
import { startNginx, wrkRequestsPerSecond } from './bench-servers.js';

const runs = Number(process.argv[2] ?? 5);
const duration = process.argv[3] ?? '5s';

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const c = await startS3TestCluster({ workers: 1, buckets: ['bench'] });
const helloPort = await freePort();
const hello = spawn(process.execPath, [new URL('./hello-server.mjs', import.meta.url).pathname, String(helloPort)], { stdio: ['ignore', 'pipe', 'inherit'] });
let nginx: Awaited<ReturnType<typeof startNginx>> | undefined;
try {
  await once(createInterface({ input: hello.stdout! }), 'line');
  writeFileSync(join(c.ufsDir, 'bench', 'small.bin'), randomFillSync(Buffer.alloc(4096)));
  for (const d of [c.tmp.path, c.ufsDir, join(c.ufsDir, 'bench')]) chmodSync(d, 0o755);
  nginx = await startNginx(c.ufsDir, c.tmp.path);
  const urls = {
    nginx: `http://127.0.0.1:${nginx.port}/bench/small.bin`,
    hello: `http://127.0.0.1:${helloPort}/`,
    ours: `${c.endpoints[0]}/bench/small.bin`,
  };
  await fetch(urls.ours).then((r) => r.arrayBuffer()); // cached and hot
  const rps: Record<keyof typeof urls, number[]> = { nginx: [], hello: [], ours: [] };
  const usPerReq: Record<'hello' | 'ours', number[]> = { hello: [], ours: [] };
  for (let i = 0; i < runs; i++) {
    rps.nginx.push(await wrkRequestsPerSecond(urls.nginx, duration));
    for (const [name, pid] of [['hello', hello.pid!], ['ours', process.pid]] as const) {
      const before = cpuSeconds(pid);
      const r = await wrkRequestsPerSecond(urls[name], duration);
      // wrk's own CPU is its process's, not ours: this process only runs the worker meanwhile.
      usPerReq[name].push(((cpuSeconds(pid) - before) * 1e6) / (r * Number.parseFloat(duration)));
      rps[name].push(r);
    }
  }
  const ng = median(rps.nginx);
  console.log(`${runs} rounds of wrk -c 32 -t 2 -d ${duration}, each nginx, hello-world, S3 API; medians`);
  console.log(`nginx (1 worker process)        ${ng.toFixed(0)} req/s`);
  for (const name of ['hello', 'ours'] as const) {
    const label = name === 'hello' ? 'Node http hello-world' : 'S3 API, hot 4 KiB GET';
    console.log(`${label.padEnd(31)} ${median(rps[name]).toFixed(0)} req/s  ${(median(rps[name]) / ng).toFixed(2)}x nginx  ${median(usPerReq[name]).toFixed(0)} us CPU/request`);
  }
} finally {
  hello.kill();
  await nginx?.stop();
  await c.stop();
}
