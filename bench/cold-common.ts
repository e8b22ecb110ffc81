// Shared by the cold-read benches (cold-s3-ufs.ts, cold-s3-remote.ts).
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Wall seconds of one curl GET to /dev/null; throws unless it answered 200 with `mb` MiB. */
export function curlSeconds(url: string, mb: number): number {
  const r = spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{size_download} %{time_total}', url], { encoding: 'utf8' });
  const [code, size, secs] = r.stdout.trim().split(' ');
  if (code !== '200' || Number(size) !== mb * 1024 * 1024) throw new Error(`bad response from ${url}: ${r.stdout} ${spawnSync('curl', ['-s', url], { encoding: 'utf8' }).stdout.slice(0, 300)}`);
  return Number(secs);
}

/**
 * Writes and deletes a `mb` MiB scratch file in `dir`: this VM backs guest memory on first touch,
 * so page-cache pages that were never used cost ~5 ms of kernel time per MiB written against
 * ~0.75 once recycled (bench/micro/page-write-first-touch.bench.ts). A machine that has run a while has none; the cache's page writes should not
 * pay for it in a bench.
 */
export function recycleMemory(dir: string, mb: number): void {
  const scratch = join(dir, 'scratch');
  const fd = openSync(scratch, 'w');
  const block = Buffer.alloc(16 << 20, 1);
  for (let i = 0; i < mb; i += 16) writeSync(fd, block);
  closeSync(fd);
  rmSync(scratch);
}
