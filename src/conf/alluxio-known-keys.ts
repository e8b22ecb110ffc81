import { readFileSync } from 'node:fs';

// Every property key Alluxio defines (3.x and 2.x: keys, aliases, templates), from the lists in
// resources/alluxio-property-keys/ (see its README for provenance). A site file or an operator
// spec written for Alluxio may carry any of them; the ones alluxio-ts does not use are accepted
// with a warning instead of stopping the process.

const DIR = new URL('../../resources/alluxio-property-keys/', import.meta.url);

function lines(file: string): string[] {
  return readFileSync(new URL(file, DIR), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let loaded: { keys: Set<string>; templates: RegExp[] } | undefined;

function load(): { keys: Set<string>; templates: RegExp[] } {
  if (loaded) return loaded;
  const keys = new Set<string>([...lines('keys.txt'), ...lines('keys-2x.txt')]);
  for (const l of [...lines('aliases.txt'), ...lines('aliases-2x.txt')]) keys.add(l.split('\t')[0]!);
  // %s: any non-empty name (it may contain dots, e.g. a mount option key); %d: a number.
  const templates = [...lines('templates.txt'), ...lines('templates-2x.txt')].map((t) =>
    new RegExp('^' + t.split(/(%s|%d)/).map((p) => (p === '%s' ? '.+' : p === '%d' ? '\\d+' : escapeRegex(p))).join('') + '$'));
  loaded = { keys, templates };
  return loaded;
}

/** True when Alluxio (3.x or 2.x) defines `key`, as a key, an alias or an instance of a template. */
export function isKnownAlluxioKey(key: string): boolean {
  const { keys, templates } = load();
  return keys.has(key) || templates.some((t) => t.test(key));
}

/** Alluxio's plain key names (for "did you mean" suggestions). */
export function knownAlluxioKeys(): Iterable<string> {
  return load().keys;
}

export const KNOWN_UNUSED_REASON = 'known Alluxio property, not used by alluxio-ts';
