import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidArgumentError } from '../common/errors.js';
import { formatSize } from '../common/sizes.js';
import { fileIdOf } from '../pagestore/index.js';
import { UFS_VERSION_HEADER, VERSION_PARAM } from '../client/worker-http.js';
import { intParam, requiredParam } from '../common/http.js';
import { sendStream } from './send-stream.js';
import type { FileEntry, FileService } from './file-service.js';

/** A REST route: method, path pattern, metric name, handler (rest-server.ts matches them in order). */
export type Handler = (req: IncomingMessage, res: ServerResponse, q: URLSearchParams, m: RegExpExecArray) => Promise<void> | void;
export type Route = [method: string, pattern: RegExp, name: string, handler: Handler];

/**
 * A range of one version of a file. The answer names the version it serves; a request naming a
 * version (`version=`, from an earlier answer) gets that one or ALX_ERR_STALE (409).
 * `length` -1 reads to the end.
 */
export async function streamRange(files: FileService, res: ServerResponse, pathOrUri: string, q: URLSearchParams, offset = intParam(q, 'offset', 0), length = intParam(q, 'length', -1)): Promise<void> {
  const data = files.data;
  const f = await files.open(pathOrUri, versionParam(q));
  const { length: n, stream } = data.stream(f, offset, length);
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': n, [UFS_VERSION_HEADER]: encodeURIComponent(f.version) });
  await sendStream(stream, res, (chunk) => data.release(chunk));
}

/** The version a read pins (`version=`, as the x-alluxio-ufs-version header of an earlier answer gave it). */
export function versionParam(q: URLSearchParams): string | undefined {
  const v = q.get(VERSION_PARAM);
  if (v === '') throw new InvalidArgumentError(`query parameter ${VERSION_PARAM} is empty: pass the ${UFS_VERSION_HEADER} of an earlier answer, or leave it out`);
  return v ?? undefined;
}

export function pathParam(q: URLSearchParams): string {
  const p = q.get('path') ?? q.get('ufsFullPath');
  if (!p) throw new InvalidArgumentError("missing query parameter 'path'");
  return p;
}

/** The ufsFullPath of a request whose URL also names the file by id; the two must agree. */
export function checkedUfsPath(q: URLSearchParams, fileId: string): string {
  return checkedId(requiredParam(q, 'ufsFullPath'), fileId);
}

/** A path whose SHA-256 the URL names as the file id (alluxiofs sends both); the two must agree. */
export function checkedId(uri: string, fileId: string): string {
  if (fileIdOf(uri) !== fileId) throw new InvalidArgumentError(`file id ${fileId} is not the SHA-256 of ufsFullPath ${uri}`);
  return uri;
}

/** A boolean query parameter: `true`/`false` in any case (Python's requests sends `True`/`False`). */
export function boolParam(q: URLSearchParams, name: string, dflt: boolean): boolean {
  const v = q.get(name);
  if (v === null || v === '') return dflt;
  const l = v.toLowerCase();
  if (l === 'true') return true;
  if (l === 'false') return false;
  throw new InvalidArgumentError(`query parameter ${name}='${v}' is not true or false`);
}

/** The JSON shape Alluxio's worker REST API (and alluxiofs) uses for a file. */
export function alluxioJson(e: FileEntry): Record<string, unknown> {
  return {
    mType: e.type,
    mName: e.name,
    mPath: e.path,
    mUfsPath: e.ufsPath,
    mLastModificationTimeMs: e.lastModifiedMs,
    mLength: e.length,
    mHumanReadableFileSize: formatSize(e.length),
  };
}
