// Issue 14: the routes, URLs and HTTP setup cluster processes use to call each other live in ONE
// module (src/common/protocol). This reads the sources of the processes that call each other (worker,
// S3 layer, peer fetch, coordinator, client, FUSE, CLI) and fails on the ways that rule was broken
// before: a route spelled outside the module, a URL built by pasting a host (an IPv6 host then
// gives `http://::1:28080`, not a URL), and a call through the global fetch or a bare undici
// request instead of the module's keep-alive dispatchers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src');

/** Folders of processes that call each other over the cluster's HTTP APIs. */
const CLUSTER_CODE = ['worker', 'coordinator', 'client', 'fuse', 'cli', 'common'];

/** Files allowed to spell something the rule would flag, each with its reason. */
const ALLOWED: Record<string, string> = {
  // The web console's own page routes (served by the coordinator to a browser), not an API between processes.
  'console/console-routes.ts': 'console route table',
  // The Location of CompleteMultipartUpload echoes the Host header the client sent (already bracketed).
  'worker/s3/multipart-ops.ts': 'client Host header',
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** The file's code with comments blanked (line numbers kept). */
function code(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:'"`\\])\/\/[^\n]*/g, '$1');
}

function findings(pattern: RegExp, dirs: string[], accept: (rel: string, text: string, match: RegExpExecArray) => boolean = () => false): string[] {
  const out: string[] = [];
  for (const d of dirs) {
    for (const file of sources(join(SRC, d))) {
      const rel = relative(SRC, file);
      if (rel.startsWith('common/protocol/') || ALLOWED[rel] !== undefined) continue;
      const text = code(file);
      for (const m of text.matchAll(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g'))) {
        if (accept(rel, text, m as RegExpExecArray)) continue;
        const line = text.slice(0, m.index).split('\n').length;
        out.push(`src/${rel}:${line}: ${m[0]}`);
      }
    }
  }
  return out;
}

test('no worker or coordinator route is spelled outside the protocol module', () => {
  const hits = findings(/['"`]\/(?:api\/)?v1\/[^'"`]*['"`]/, readdirSync(SRC));
  assert.deepEqual(hits, [], 'use WORKER_REST / COORDINATOR_REST / WEB_ROUTES from src/common/protocol/routes.ts');
});

test('no URL to a cluster process is built by pasting a host (httpOrigin/workerOrigin bracket IPv6)', () => {
  const hits = findings(/`https?:\/\/\$\{/, CLUSTER_CODE);
  assert.deepEqual(hits, [], 'build origins with httpOrigin()/workerOrigin() and URLs with buildUrl() (src/common/protocol/url.ts)');
});

test('calls between processes go through the protocol module\'s dispatchers, not the global fetch or a bare undici request', () => {
  // The CLI too: the global fetch loads node's bundled undici, about 0.25 s of a one-shot command
  // (it uses httpCall or WorkerRestClient with nodeHttpTransport).
  const globalFetch = findings(/(?<![.\w])fetch\(/, ['worker', 'coordinator', 'client', 'cli'],
    // A local function or parameter named fetch (job-task-service.ts) is not the global one.
    (_rel, text) => /\b(?:const|let|function)\s+fetch\b|[(,]\s*fetch\s*:/.test(text));
  assert.deepEqual(globalFetch, [], 'use WorkerRestClient or undici request with a restDispatcher() (in the CLI: httpCall, or WorkerRestClient with nodeHttpTransport)');
  const bare = findings(/(?<![.\w])request\(/, ['worker', 'coordinator', 'client'], (_rel, text, m) => {
    // Only undici's request; its options (up to the call's closing) must name a dispatcher.
    if (!/import\s*\{[^}]*\brequest\b[^}]*\}\s*from\s*'undici'/.test(text)) return true;
    const call = text.slice(m.index, text.indexOf('});', m.index) + 3);
    return /\bdispatcher\s*[:,}]/.test(call);
  });
  assert.deepEqual(bare, [], 'pass dispatcher: (a restDispatcher() or WorkerRestClient.dispatcher) to undici request');
});
