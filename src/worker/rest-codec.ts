// The worker side of the REST protocol: the route table's shape and the answers that need the
// file service or the page store. The routes, parameter names and JSON shapes themselves are in
// common/protocol (shared with every client).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidArgumentError } from '../common/errors.js';
import { fileIdOf } from '../pagestore/index.js';
import { PARAM, UFS_VERSION_HEADER, versionParam, type WorkerRoute } from '../common/protocol/index.js';
import { intParam, requiredParam } from '../common/http.js';
import { sendStream } from './send-stream.js';
import type { FileService } from './file-service.js';

/** A REST route: method, route template (common/protocol), metric name, handler (rest-server.ts matches them in order). */
export type Handler = (req: IncomingMessage, res: ServerResponse, q: URLSearchParams, m: RegExpExecArray) => Promise<void> | void;
export type Route = [method: string, route: WorkerRoute, name: string, handler: Handler];

/**
 * A range of one version of a file. The answer names the version it serves; a request naming a
 * version (`version=`, from an earlier answer) gets that one or ALX_ERR_STALE (409).
 * `length` -1 reads to the end.
 */
export async function streamRange(files: FileService, res: ServerResponse, pathOrUri: string, q: URLSearchParams, offset = intParam(q, PARAM.offset, 0), length = intParam(q, PARAM.length, -1)): Promise<void> {
  const data = files.data;
  const f = await files.open(pathOrUri, versionParam(q));
  const { length: n, stream } = data.stream(f, offset, length);
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': n, [UFS_VERSION_HEADER]: encodeURIComponent(f.version) });
  await sendStream(stream, res, (chunk) => data.release(chunk));
}

/** The ufsFullPath of a request whose URL also names the file by id; the two must agree. */
export function checkedUfsPath(q: URLSearchParams, fileId: string): string {
  return checkedId(requiredParam(q, PARAM.ufsFullPath), fileId);
}

/** A path whose SHA-256 the URL names as the file id (alluxiofs sends both); the two must agree. */
export function checkedId(uri: string, fileId: string): string {
  if (fileIdOf(uri) !== fileId) throw new InvalidArgumentError(`file id ${fileId} is not the SHA-256 of ufsFullPath ${uri}`);
  return uri;
}
