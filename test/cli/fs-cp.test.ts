// `alluxio fs cp -R --thread` (issue 17) through the real CLI against two in-process workers over a
// local UFS directory: a tree copied both ways byte for byte, into an existing directory as cp(1)
// does, every clash with an existing file found before anything is copied (-f overwrites), and the
// progress bar (files, bytes, rate, ETA) on a pseudo-terminal while a piped run stays quiet.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN } from '../support/cli.js';
import { useCliCluster } from '../support/cli-cluster.js';

/** Every file under dir, relative path → bytes. */
function tree(dir: string, rel = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) for (const [k, v] of tree(dir, r)) out.set(k, v);
    else out.set(r, readFileSync(join(dir, r)));
  }
  return out;
}

describe('alluxio fs cp -R', { timeout: 900_000 }, () => {
  const fx = useCliCluster('alluxio-fs-cp-', {
    'data/a.bin': randomBytes(200_000), 'data/b.bin': randomBytes(65_536), 'data/sub/c.txt': 'c\n',
  });
  const { cli } = fx;

  test('cp -R --thread copies a tree both ways; conflicts are found before anything is copied', async () => {
    const src = join(fx.dir, 'src-tree');
    for (let i = 0; i < 12; i++) {
      mkdirSync(join(src, `d${i % 3}`, 'deep'), { recursive: true });
      writeFileSync(join(src, `d${i % 3}`, i % 2 ? `f${i}.bin` : join('deep', `f${i}.bin`)), randomBytes(1000 + i * 5000));
    }
    mkdirSync(join(src, 'empty-dir'));
    let r = await cli('fs', 'cp', '-R', '--thread', '3', `file://${src}`, '/up');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Copied 12 files \\(.*\\) from file://${src} to /up\\n`));
    assert.equal(r.stderr, '', 'a piped cp printed a progress bar');
    assert.deepEqual(tree(join(fx.ufs, 'up')), tree(src));
    assert.ok(statSync(join(fx.ufs, 'up', 'empty-dir')).isDirectory());

    // Into an existing directory: /up goes to <down>/up, as cp(1) does.
    const down = join(fx.dir, 'down');
    mkdirSync(down);
    r = await cli('fs', 'cp', '-R', '--thread', '4', '--progress', '/up', `file://${down}`);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(tree(join(down, 'up')), tree(src));
    assert.match(r.stderr, /files 12\/12 bytes [\d.]+KB\/[\d.]+KB [\d.]+[KMG]?B\/s ETA 0s/);

    // Again without -f: every clash is found first and nothing is written.
    writeFileSync(join(down, 'up', 'd0', 'deep', 'f0.bin'), 'mine');
    r = await cli('fs', 'cp', '-R', '/up', `file://${down}`);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /12 destination file\(s\) already exist \(first: file:\/\/.*\); nothing was copied: use -f/);
    assert.equal(readFileSync(join(down, 'up', 'd0', 'deep', 'f0.bin'), 'utf8'), 'mine');
    r = await cli('fs', 'cp', '-R', '-f', '/up', `file://${down}`);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(tree(join(down, 'up')), tree(src));

    r = await cli('fs', 'cp', '/up', `file://${join(fx.dir, 'x')}`);
    assert.match(r.stderr, /\/up is a directory: use -R/);
  });

  test('cp shows a progress bar with an ETA on a terminal', async () => {
    // script(1) gives the CLI a pseudo-terminal; the bar redraws one line with carriage returns.
    const out = join(fx.dir, 'tty-out');
    const cmd = `${process.execPath} ${BIN} fs cp -R /data file://${out}`;
    const r = await new Promise<{ code: number; text: string }>((resolve, reject) => {
      const child = spawn('script', ['-qefc', cmd, '/dev/null'], { env: { ...process.env, ...fx.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (d: Buffer) => { text += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { text += d.toString(); });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, text }));
    });
    assert.equal(r.code, 0, r.text);
    assert.match(r.text, /\r\/data → file:\/\/\S+ \[#+\] 100% files 3\/3 bytes [\d.]+KB\/[\d.]+KB \S+\/s ETA 0s/);
    assert.deepEqual(tree(out), tree(join(fx.ufs, 'data')));
  });
});
