import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The SHA-256 of a file's bytes, hex. */
export function fileDigest(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Every path below dir with its type and, for a file, the hash of its content, one line each in
 * path order (`d <path>` / `f <path> <sha256>`): two calls differ when anything below dir changed.
 */
export function treeDigest(dir: string): string {
  const lines: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) { lines.push(`d ${p}`); walk(p); }
      else lines.push(`f ${p} ${fileDigest(p)}`);
    }
  };
  walk(dir);
  return lines.join('\n');
}
