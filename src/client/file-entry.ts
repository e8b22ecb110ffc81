/** A file as the client returns it (parsed from the worker's Alluxio-style JSON). */
export interface ClientFileEntry {
  type: 'file' | 'directory';
  name: string;
  path: string;
  ufsPath: string;
  lastModifiedMs: number;
  length: number;
  humanReadableSize: string;
}

export function fromAlluxioJson(j: Record<string, unknown>): ClientFileEntry {
  return {
    type: j.mType === 'directory' ? 'directory' : 'file',
    name: String(j.mName),
    path: String(j.mPath),
    ufsPath: String(j.mUfsPath ?? ''),
    lastModifiedMs: Number(j.mLastModificationTimeMs ?? 0),
    length: Number(j.mLength ?? 0),
    humanReadableSize: String(j.mHumanReadableFileSize ?? ''),
  };
}
