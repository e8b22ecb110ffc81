// The loader hook of loaded-modules.mjs (runs on node's loader thread).
import { appendFileSync } from 'node:fs';

let out;

export function initialize(data) {
  out = data.out;
}

export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(out, `esm ${r.url}\n`);
  return r;
}
