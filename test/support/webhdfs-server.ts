// A WebHDFS server for tests: no HDFS (nor any Java) can be installed on these machines, so this
// implements the documented WebHDFS REST protocol (hadoop.apache.org, "WebHDFS REST API") over a
// local directory: GETFILESTATUS, LISTSTATUS, LISTSTATUS_BATCH (small batches, to exercise
// paging), OPEN and CREATE with the NameNode's 307 redirect to a "DataNode" URL on the same
// server, MKDIRS, RENAME (HDFS semantics: into an existing directory, false onto a file), DELETE,
// RemoteException error bodies. `standby: true` makes it answer every call as a standby NameNode.
// `midOpen` replaces a file in the middle of a read: the DataNode sends the first half of the range,
// awaits the hook, then sends the rest from the file now at the path, as HDFS serves the next block
// of whichever file the path names.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { AddressInfo } from 'node:net';

export interface WebHdfsServer {
  url: string;
  port: number;
  /** Every `op` with the user.name it came with, in order. */
  calls: Array<{ op: string; user: string | null; path: string }>;
  /** When set, called halfway through every DataNode OPEN answer (see above); unset it after use. */
  midOpen: ((path: string) => Promise<void>) | undefined;
  close(): Promise<void>;
}

export async function startWebHdfsServer(root: string, o: { standby?: boolean; batch?: number } = {}): Promise<WebHdfsServer> {
  const calls: WebHdfsServer['calls'] = [];
  const batch = o.batch ?? 3;
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => remote(res, 500, 'IOException', (err as Error).message));
  });
  const self: WebHdfsServer = {
    url: '', port: 0, calls, midOpen: undefined,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url!, 'http://x');
    if (!u.pathname.startsWith('/webhdfs/v1')) return remote(res, 404, 'IllegalArgumentException', `not a WebHDFS path: ${u.pathname}`);
    const path = decodeURIComponent(u.pathname.slice('/webhdfs/v1'.length)) || '/';
    if (path.split('/').includes('..')) return remote(res, 400, 'IllegalArgumentException', `invalid path ${path}`);
    const op = (u.searchParams.get('op') ?? '').toUpperCase();
    calls.push({ op, user: u.searchParams.get('user.name'), path });
    if (o.standby) return remote(res, 403, 'StandbyException', 'Operation category READ is not supported in state standby');
    const abs = join(root, path);
    const st = await stat(abs).catch(() => undefined);
    const datanode = u.searchParams.get('datanode') === 'true';
    switch (`${req.method} ${op}`) {
      case 'GET GETFILESTATUS':
        if (!st) return notFound(res, path);
        return json(res, 200, { FileStatus: await fileStatus(abs, '') });
      case 'GET LISTSTATUS':
      case 'GET LISTSTATUS_BATCH': {
        if (!st) return notFound(res, path);
        if (!st.isDirectory()) return json(res, 200, { FileStatuses: { FileStatus: [await fileStatus(abs, '')] } });
        const names = (await readdir(abs)).sort();
        if (op === 'LISTSTATUS') return json(res, 200, { FileStatuses: { FileStatus: await Promise.all(names.map((n) => fileStatus(join(abs, n), n))) } });
        const after = u.searchParams.get('startAfter');
        const rest = after === null ? names : names.filter((n) => n > after);
        const page = rest.slice(0, batch);
        return json(res, 200, { DirectoryListing: { partialListing: { FileStatuses: { FileStatus: await Promise.all(page.map((n) => fileStatus(join(abs, n), n))) } }, remainingEntries: rest.length - page.length } });
      }
      case 'GET OPEN': {
        if (!st) return notFound(res, path);
        if (st.isDirectory()) return remote(res, 400, 'FileNotFoundException', `Path is not a file: ${path}`);
        if (!datanode) return redirect(res, u);
        const offset = Number(u.searchParams.get('offset') ?? 0);
        const length = u.searchParams.has('length') ? Number(u.searchParams.get('length')) : st.size - offset;
        if (offset > st.size) return remote(res, 403, 'IOException', `Offset=${offset} out of the range [0, ${st.size})`);
        const n = Math.min(length, st.size - offset);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': n });
        if (n === 0) return void res.end();
        const hook = self.midOpen;
        if (!hook || n < 2) return pipeline(createReadStream(abs, { start: offset, end: offset + n - 1 }), res);
        const half = offset + Math.floor(n / 2);
        await pipeline(createReadStream(abs, { start: offset, end: half - 1 }), res, { end: false });
        await hook(path);
        return pipeline(createReadStream(abs, { start: half, end: offset + n - 1 }), res);
      }
      case 'PUT CREATE': {
        if (st?.isDirectory()) return remote(res, 403, 'FileAlreadyExistsException', `${path} already exists as a directory`);
        if (st && u.searchParams.get('overwrite') !== 'true') return remote(res, 403, 'FileAlreadyExistsException', `${path} for client already exists`);
        if (!datanode) { req.resume(); return redirect(res, u); }
        await mkdir(join(abs, '..'), { recursive: true });
        await pipeline(req, createWriteStream(abs));
        res.writeHead(201, { location: `hdfs://localhost${path}`, 'content-length': 0 });
        return void res.end();
      }
      case 'PUT MKDIRS':
        if (st && !st.isDirectory()) return remote(res, 403, 'FileAlreadyExistsException', `Parent path is not a directory: ${path}`);
        await mkdir(abs, { recursive: true });
        return json(res, 200, { boolean: true });
      case 'PUT RENAME': {
        const dst = u.searchParams.get('destination') ?? '';
        if (!st || !dst.startsWith('/')) return json(res, 200, { boolean: false });
        const dstAbs = join(root, dst);
        const dstSt = await stat(dstAbs).catch(() => undefined);
        const parent = await stat(join(dstAbs, '..')).catch(() => undefined);
        if (!parent?.isDirectory()) return json(res, 200, { boolean: false });
        if (dstSt?.isDirectory()) { await rename(abs, join(dstAbs, path.split('/').pop()!)); return json(res, 200, { boolean: true }); }
        if (dstSt) return json(res, 200, { boolean: false });
        await rename(abs, dstAbs);
        return json(res, 200, { boolean: true });
      }
      case 'DELETE DELETE': {
        if (!st) return json(res, 200, { boolean: false });
        if (st.isDirectory()) {
          if (u.searchParams.get('recursive') === 'true') await rm(abs, { recursive: true });
          else if ((await readdir(abs)).length > 0) return remote(res, 403, 'PathIsNotEmptyDirectoryException', `${path} is non empty': Directory is not empty`);
          else await rmdir(abs);
        } else {
          await rm(abs);
        }
        return json(res, 200, { boolean: true });
      }
      default:
        req.resume();
        return remote(res, 400, 'IllegalArgumentException', `Invalid value for webhdfs parameter "op": No enum constant ${op}`);
    }
  }

  /** The NameNode's answer to OPEN and CREATE: go to a DataNode (here: the same server, datanode=true). */
  function redirect(res: ServerResponse, u: URL): void {
    u.searchParams.set('datanode', 'true');
    res.writeHead(307, { location: `${self.url}${u.pathname}${u.search}`, 'content-length': 0 });
    res.end();
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  self.port = (server.address() as AddressInfo).port;
  self.url = `http://127.0.0.1:${self.port}`;
  return self;
}

async function fileStatus(abs: string, suffix: string): Promise<Record<string, unknown>> {
  const st = await stat(abs);
  return {
    accessTime: Math.floor(st.atimeMs), blockSize: 134217728, childrenNum: 0, fileId: st.ino, group: 'supergroup',
    length: st.isDirectory() ? 0 : st.size, modificationTime: Math.floor(st.mtimeMs), owner: 'hdfs', pathSuffix: suffix,
    permission: st.isDirectory() ? '755' : '644', replication: st.isDirectory() ? 0 : 3, storagePolicy: 0, type: st.isDirectory() ? 'DIRECTORY' : 'FILE',
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function remote(res: ServerResponse, status: number, exception: string, message: string): void {
  if (res.headersSent) { res.destroy(); return; }
  json(res, status, { RemoteException: { exception, javaClassName: `org.apache.hadoop.${exception}`, message } });
}

function notFound(res: ServerResponse, path: string): void {
  remote(res, 404, 'FileNotFoundException', `File does not exist: ${path}`);
}
