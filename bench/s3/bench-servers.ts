// Servers and commands the S3 benches share: nginx as the reference, and running a command.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../test/support/workers.js';

export function run(cmd: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => { out += d; });
    c.stderr.on('data', (d: Buffer) => { err += d; });
    c.on('error', reject);
    c.on('close', (code) => resolve({ code: code ?? 1, out, err }));
  });
}

/** nginx serving `root` (sendfile on, one worker process), under `work`. */
export async function startNginx(root: string, work: string): Promise<{ port: number; stop(): Promise<void> }> {
  const port = await freePort();
  const dir = join(work, 'nginx');
  mkdirSync(join(dir, 'logs'), { recursive: true });
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const tmp = join(dir, 'tmp');
  writeFileSync(join(dir, 'nginx.conf'), `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path ${tmp}; proxy_temp_path ${tmp}; fastcgi_temp_path ${tmp}; uwsgi_temp_path ${tmp}; scgi_temp_path ${tmp};
  server { listen 127.0.0.1:${port}; root ${root}; }
}
`);
  const r = await run('nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir]);
  if (r.code !== 0) throw new Error(`nginx failed to start: ${r.err}`);
  return {
    port,
    async stop() {
      try { process.kill(Number(readFileSync(join(dir, 'nginx.pid'), 'utf8').trim())); } catch { /* gone */ }
    },
  };
}

/** Requests per second of `wrk -c 32 -t 2 -d duration`; throws on errors or non-2xx answers. */
export async function wrkRequestsPerSecond(url: string, duration: string): Promise<number> {
  const r = await run('wrk', ['-c', '32', '-t', '2', '-d', duration, url]);
  const m = /Requests\/sec:\s+([\d.]+)/.exec(r.out);
  if (r.code !== 0 || !m) throw new Error(`wrk ${url} failed: ${r.out} ${r.err}`);
  if (/Non-2xx/.test(r.out)) throw new Error(`wrk ${url}: non-2xx answers:\n${r.out}`);
  return Number(m[1]);
}
