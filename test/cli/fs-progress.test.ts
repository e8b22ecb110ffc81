// The progress line `fs cp -R` and `job load|free --watch` share (src/cli/progress.ts): files,
// bytes, rate and an ETA that is '?' while the totals still grow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { progressLine, ProgressBar } from '../../src/cli/progress.js';

test('progress line: share, files, bytes, rate and ETA', () => {
  const MB = 1024 * 1024;
  assert.equal(progressLine({ bytesDone: 25 * MB, bytesTotal: 100 * MB, filesDone: 3, filesTotal: 10, bytesPerSec: 5 * MB }),
    `[${'#'.repeat(8)}${'.'.repeat(22)}]  25% files 3/10 bytes 25.00MB/100.00MB 5.00MB/s ETA 15s`);
  assert.match(progressLine({ bytesDone: 0, bytesTotal: 10 * MB, bytesPerSec: 1024 }), /ETA 2h50m$/);
  assert.match(progressLine({ bytesDone: 1, bytesTotal: 100, bytesPerSec: 1 }), /ETA 1m39s$/);
  assert.match(progressLine({ bytesDone: 5, bytesTotal: 10, bytesPerSec: 0 }), /ETA -$/);
  assert.match(progressLine({ bytesDone: 5, bytesTotal: 10, filesDone: 1, filesTotal: 2, bytesPerSec: 1, totalsKnown: false, failed: 1 }), /files 1\/2\+ .* ETA \? failed 1$/);
  assert.match(progressLine({ bytesDone: 0, bytesTotal: 0, filesDone: 0, filesTotal: 0, bytesPerSec: 0 }), /100% .*ETA 0s$/);
});

test('progress bar: a line per update off a terminal, one redrawn line on a terminal', () => {
  const capture = (tty: boolean) => {
    const out = Object.assign(new PassThrough(), { isTTY: tty }) as unknown as NodeJS.WriteStream & PassThrough;
    let text = '';
    out.on('data', (d: Buffer) => { text += d.toString(); });
    const bar = new ProgressBar({ bytes: 10, files: 2 }, 'x', out);
    bar.addBytes(4);
    bar.fileDone();
    bar.addBytes(6);
    bar.fileDone();
    bar.finish();
    return text;
  };
  const piped = capture(false);
  assert.ok(!piped.includes('\r'));
  assert.match(piped, /^x \[#+\] 100% files 2\/2 bytes 10B\/10B \S+\/s ETA 0s failed 0\n$/m);
  const tty = capture(true);
  assert.match(tty, /^\rx \[/);
  assert.match(tty, /\rx \[#{30}\] 100% files 2\/2 .*\x1b\[K\n$/);
});
