// Kernel time to write 1 MiB page files (temp file, then rename, four at a time, as the page store
// does) into memory the VM has never backed, against the same after the files are deleted and
// their memory recycled. On this project's VMs the first is several times the second, which is why
// the cold benches recycle memory before timing (bench/cold-common.ts).
// Usage: node --import tsx bench/micro/page-write-first-touch.bench.ts [MB] [ROUNDS]
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const mb = Number(process.argv[2] ?? 256);
const rounds = Number(process.argv[3] ?? 3);
const root = mkdtempSync(join(tmpdir(), 'alluxio-first-touch-'));
const page = Buffer.alloc(1 << 20, 7);

async function writePages(dir: string): Promise<number> {
  await mkdir(dir, { recursive: true });
  const before = process.cpuUsage();
  for (let i = 0; i < mb; i += 4) {
    await Promise.all([0, 1, 2, 3].map(async (j) => {
      await writeFile(join(dir, `t${i + j}`), page);
      await rename(join(dir, `t${i + j}`), join(dir, `p${i + j}`));
    }));
  }
  return process.cpuUsage(before).system / 1000 / mb;
}

try {
  console.log(`${mb} x 1 MiB page files per round; kernel ms per MiB written`);
  for (let r = 0; r < rounds; r++) {
    // Kept: the next round writes into memory not used before (while free memory lasts).
    console.log(`fresh memory, round ${r + 1}:     ${(await writePages(join(root, `keep${r}`))).toFixed(2)}`);
  }
  for (let r = 0; r < rounds; r++) rmSync(join(root, `keep${r}`), { recursive: true });
  for (let r = 0; r < rounds; r++) {
    console.log(`recycled memory, round ${r + 1}:  ${(await writePages(join(root, `again${r}`))).toFixed(2)}`);
    rmSync(join(root, `again${r}`), { recursive: true });
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
