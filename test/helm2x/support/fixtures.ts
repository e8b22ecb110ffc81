// The seed guides' values blocks (test/helm2x/fixtures/, see its README), parsed as `helm -f` would
// read them once the reader has filled in the guide's `...` ("the rest of your values") lines.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

export interface SeedValues { file: string; text: string; values: Record<string, unknown> }

export function seedValues(): SeedValues[] {
  return readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml')).sort().map((file) => {
    const text = readFileSync(join(FIXTURES, file), 'utf8');
    const values = parse(text.split('\n').filter((l) => l.trim() !== '...').join('\n')) as Record<string, unknown>;
    return { file, text, values };
  });
}
