// Where the CPU of a single-stream S3 PUT goes, per thread of the worker: a worker with the S3 API
// runs in this process (test/support's S3 test cluster, local UFS), `curl -T` PUTs a file of
// SIZE_MB MiB, and each round prints the wall time and the user/system CPU seconds of every thread
// of this process that used more than 50 ms (/proc/self/task; Node names no thread, so they are told
// apart by what they do): the request (main) thread; the MD5 hashing thread (md5-threads.ts), one
// thread with about as much user time as "MD5 alone" takes; V8's platform threads (concurrent GC),
// four with some user time each; libuv's thread pool (writev, fdatasync, fsync), four with system
// time. Then node:crypto's MD5 of the same file on one thread ("MD5 alone"), the ceiling of a PUT
// whose ETag is the MD5. The load average is printed with each round: on a shared machine the
// numbers swing with it.
// Usage: node --import tsx bench/micro/s3-put-threads.bench.ts [SIZE_MB] [RUNS]
import { spawn } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, readSync, writeSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startS3TestCluster } from '../../test/support/s3-clients.js';

const sizeMb = Number(process.argv[2] ?? 1024);
const runs = Number(process.argv[3] ?? 2);
const TICK = 100; // clock ticks per second in /proc (USER_HZ)

/** user and system CPU seconds of each thread of this process, by thread id. */
function threadCpu(): Map<string, { user: number; sys: number }> {
  const m = new Map<string, { user: number; sys: number }>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const st = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      m.set(tid, { user: Number(f[11]) / TICK, sys: Number(f[12]) / TICK });
    } catch { /* the thread exited */ }
  }
  return m;
}

function md5AloneSeconds(file: string): number {
  const h = createHash('md5');
  const b = Buffer.allocUnsafe(16 << 20);
  const fd = openSync(file, 'r');
  const t0 = process.hrtime.bigint();
  let n: number;
  while ((n = readSync(fd, b, 0, b.length, null)) > 0) h.update(b.subarray(0, n));
  h.digest();
  closeSync(fd);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const c = await startS3TestCluster({ workers: 1, buckets: ['bench'] });
try {
  const src = join(c.tmp.path, 'source.bin');
  const fd = openSync(src, 'w');
  const block = Buffer.allocUnsafe(16 << 20);
  for (let left = sizeMb << 20; left > 0; left -= block.length) writeSync(fd, randomFillSync(block), 0, Math.min(block.length, left));
  closeSync(fd);
  const url = `${c.endpoints[0]}/bench/put.bin`;
  for (let i = 0; i < runs; i++) {
    const loadBefore = load();
    const before = threadCpu();
    const t0 = process.hrtime.bigint();
    await new Promise<void>((resolve, reject) => {
      spawn('curl', ['-sf', '-o', '/dev/null', '-T', src, url], { stdio: 'inherit' })
        .on('error', reject).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`curl exited ${code}`))));
    });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const rows: string[] = [];
    let total = 0;
    for (const [tid, a] of threadCpu()) {
      const b = before.get(tid) ?? { user: 0, sys: 0 };
      const user = a.user - b.user;
      const sys = a.sys - b.sys;
      total += user + sys;
      if (user + sys < 0.05) continue;
      const what = tid === String(process.pid) ? 'request thread' : user > sys ? 'thread, mostly user' : 'thread, mostly system';
      rows.push(`  ${what.padEnd(22)} tid ${tid}: user ${user.toFixed(2)} s, system ${sys.toFixed(2)} s`);
    }
    const md5 = md5AloneSeconds(src);
    process.stdout.write(`round ${i + 1} (load ${loadBefore} -> ${load()}): PUT ${(sizeMb / s).toFixed(0)} MiB/s (${s.toFixed(2)} s), ` +
      `process CPU ${total.toFixed(2)} s; MD5 alone ${(sizeMb / md5).toFixed(0)} MiB/s; PUT / MD5 alone ${(md5 / s).toFixed(2)}\n${rows.join('\n')}\n`);
  }
} finally {
  await c.stop();
}
