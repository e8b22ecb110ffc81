// The FUSE process's batched report of the pages it read itself (src/client/page-read-report.ts):
// what it sends over a worker's domain socket (a real HTTP server on a Unix socket, standing in for
// the worker's socket server, records the requests), and that a dead socket costs one debug log
// and nothing else. The end-to-end behaviour (a real worker's evictor) is in
// test/fuse/fuse-page-report.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { MAX_REPORT_PAGES, PageReadReports } from '../../src/client/page-read-report.js';
import type { Logger } from '../../src/common/logging.js';
import { WORKER_REST, WorkerRestClient, type LocalPagesReadJson } from '../../src/common/protocol/index.js';
import type { WorkerInfo } from '../../src/hashring/worker-info.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';

const FILE_A = 'a'.repeat(64);
const FILE_B = 'b'.repeat(64);

function workerAt(socket: string): WorkerInfo {
  return {
    identity: { version: 1, identifier: '0'.repeat(32) },
    address: { Host: '127.0.0.1', ContainerHost: '', RpcPort: 1, DataPort: 1, SecureRpcPort: 0, NettyDataPort: 1, WebPort: 1, DomainSocketPath: socket, HttpServerPort: 1 },
  };
}

/** A Logger that keeps its debug calls (the only level the report uses). */
function debugLog(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = { debug: (_o: unknown, msg: string) => { lines.push(msg); }, info() {}, warn() {}, error() {} } as unknown as Logger;
  return { log, lines };
}

describe('the FUSE process\'s report of the pages it read directly', () => {
  let tmp: TempDir;
  let server: Server;
  let socket: string;
  const got: Array<{ url: string; body: string }> = [];
  const http = new WorkerRestClient({ timeouts: { connectMs: 2000, headersMs: 5000, bodyMs: 5000 }, shortCircuit: true });

  before(async () => {
    tmp = await makeTempDir('alluxio-page-report-');
    socket = join(tmp.path, 'worker.sock');
    server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => {
        got.push({ url: req.url ?? '', body: Buffer.concat(parts).toString('utf8') });
        res.setHeader('content-type', 'application/json');
        res.end('{"touched":0}');
      });
    });
    await new Promise<void>((r) => server.listen(socket, r));
  });

  after(async () => {
    await http.close();
    await new Promise((r) => server.close(r));
    await tmp.cleanup();
  });

  test('each distinct page of a file version once, at most MAX_REPORT_PAGES a batch; ids and page numbers, never a path', async () => {
    const { log, lines } = debugLog();
    const reports = new PageReadReports(http, () => [workerAt(socket)], log);
    for (let i = 0; i < 10_000; i++) reports.note(FILE_A, 'v1', 3);
    reports.note(FILE_A, 'v2', 3);
    for (let p = 0; p < 10_000; p++) reports.note(FILE_B, 'v1', p);
    assert.equal(reports.pendingPages, MAX_REPORT_PAGES);
    got.length = 0;
    await reports.send();
    assert.equal(reports.pendingPages, 0);
    const bodies = got.map((g) => {
      assert.equal(g.url.split('?')[0], WORKER_REST.localPagesRead);
      return JSON.parse(g.body) as LocalPagesReadJson;
    });
    for (const b of bodies) {
      assert.deepEqual(Object.keys(b).sort(), ['fileId', 'pages', 'version']);
      assert.match(b.fileId, /^[0-9a-f]{64}$/);
    }
    assert.ok(got.every((g) => !g.body.includes('/')), 'no path in a report');
    assert.deepEqual(bodies.filter((b) => b.fileId === FILE_A).map((b) => [b.version, b.pages]).sort(), [['v1', [3]], ['v2', [3]]]);
    const bPages = bodies.filter((b) => b.fileId === FILE_B).flatMap((b) => b.pages);
    assert.equal(bPages.length, MAX_REPORT_PAGES - 2, 'the batch is bounded');
    assert.equal(new Set(bPages).size, bPages.length);
    assert.deepEqual(lines, []);
    // Nothing noted since: nothing sent.
    await reports.send();
    assert.equal(got.length, bodies.length);
  });

  test('a dead socket: the report is dropped with one debug log; a worker without a socket gets nothing', async () => {
    // A socket file nobody accepts on (bound, never listening): connecting is refused.
    const dead = join(tmp.path, 'dead.sock');
    execFileSync('python3', ['-c', `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(dead)})`]);
    const { log, lines } = debugLog();
    const noSocket = workerAt('');
    const reports = new PageReadReports(http, () => [workerAt(dead), noSocket], log);
    reports.note(FILE_A, 'v1', 0);
    reports.note(FILE_B, 'v1', 0);
    got.length = 0;
    await reports.send();
    assert.equal(reports.pendingPages, 0, 'the batch is dropped, not kept');
    assert.equal(lines.length, 1, `one debug log: ${lines.join('; ')}`);
    assert.match(lines[0]!, /page read report failed/);
    assert.equal(got.length, 0);
  });
});
