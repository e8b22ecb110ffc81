// A FUSE mount of the S3 endpoint with s3fs-fuse, reading files back (and writing one through it).
// The workers run in this process: only asynchronous fs calls may touch the mount (a sync call would
// block the event loop that has to answer s3fs).
// Skipped, with the reason, when /dev/fuse or s3fs is not available.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ACCESS_KEY, SECRET_KEY, run, startS3TestCluster, type S3TestCluster } from '../../support/s3-clients.js';

function fuseUnavailable(): string | undefined {
  try {
    accessSync('/dev/fuse', constants.R_OK | constants.W_OK);
  } catch {
    return '/dev/fuse is not available in this environment';
  }
  if (!existsSync('/usr/bin/s3fs')) return 's3fs is not installed (apt-get install s3fs)';
  return undefined;
}

const skip = fuseUnavailable();

describe('s3fs-fuse mount', { skip, timeout: 600_000 }, () => {
  let c: S3TestCluster;
  let mnt: string;
  let mounted = false;
  let s3fs: ChildProcess | undefined;
  let stderr = '';

  before(async () => {
    c = await startS3TestCluster({ workers: 2, auth: true });
    mnt = join(c.tmp.path, 'mnt');
    mkdirSync(mnt);
    const passwd = join(c.tmp.path, 's3fs-passwd');
    writeFileSync(passwd, `${ACCESS_KEY}:${SECRET_KEY}\n`);
    chmodSync(passwd, 0o600);
    // In the foreground (-f), as our child: it cannot outlive the test unnoticed.
    s3fs = spawn('/usr/bin/s3fs', ['bucket', mnt, '-f', '-o', `url=${c.endpoints[0]},use_path_request_style,passwd_file=${passwd},sigv4,endpoint=us-east-1,stat_cache_expire=1`], { stdio: ['ignore', 'ignore', 'pipe'] });
    s3fs.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    for (let i = 0; i < 100 && !mounted && s3fs.exitCode === null; i++) {
      const m = await run('/usr/bin/findmnt', ['-n', mnt]);
      mounted = m.code === 0 && /fuse\.s3fs/.test(m.stdout);
      if (!mounted) await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(mounted, `the s3fs mount appeared (${stderr.slice(0, 500)})`);
  });

  after(async () => {
    if (mounted) {
      const r = await run('/bin/fusermount', ['-u', mnt]);
      if (r.code !== 0) await run('/bin/umount', ['-l', mnt]);
    }
    if (s3fs && s3fs.exitCode === null) {
      const exited = once(s3fs, 'exit');
      s3fs.kill('SIGTERM');
      await Promise.race([exited, new Promise((res) => setTimeout(res, 3000))]);
      if (s3fs.exitCode === null) s3fs.kill('SIGKILL');
    }
    await c?.stop();
  });

  test('files written through S3 read back through the mount, and the other way round', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    mkdirSync(join(c.ufsDir, 'bucket/fuse'), { recursive: true });
    writeFileSync(join(c.ufsDir, 'bucket/fuse/data.bin'), data);
    const read = await readFile(join(mnt, 'fuse/data.bin'));
    assert.ok(read.equals(data), 'bytes read through s3fs equal the UFS bytes');
    assert.ok((await readdir(join(mnt, 'fuse'))).includes('data.bin'));
    const back = randomBytes(100_000);
    await writeFile(join(mnt, 'fuse/written.bin'), back);
    // s3fs uploads on close; the UFS holds the file once writeFile resolved.
    assert.ok(readFileSync(join(c.ufsDir, 'bucket/fuse/written.bin')).equals(back));
  });
});
