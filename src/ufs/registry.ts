import { InvalidArgumentError } from '../common/errors.js';
import { InstrumentedUfs } from './instrumented-ufs.js';
import { LocalUfs } from './local-ufs.js';
import { LazyUfs } from './lazy-ufs.js';
import { parseUfsUri } from './ufs-uri.js';
import type { UfsFactory, UfsOptions, UnderFileSystem } from './under-file-system.js';

export { parseUfsUri, type UfsUri } from './ufs-uri.js';

const factories = new Map<string, UfsFactory>();

/** Registers (or replaces) the back end for a URI scheme. */
export function registerUfs(scheme: string, factory: UfsFactory): void {
  if (typeof scheme !== 'string' || !/^[a-z][a-z0-9+.-]*$/.test(scheme)) {
    throw new InvalidArgumentError(`bad UFS scheme '${scheme}': expected lower-case letters, digits, '+', '.' or '-', starting with a letter`);
  }
  if (typeof factory !== 'function') throw new InvalidArgumentError(`registerUfs('${scheme}'): factory must be a function`);
  factories.set(scheme, factory);
}

export function supportedUfsSchemes(): string[] {
  return [...factories.keys()].sort();
}

/**
 * The under-storage for a mount's root URI, chosen by scheme (a plain absolute path is
 * `file`), wrapped so the bytes it reads are counted. `options` are the merged properties
 * and mount options (see mergeUfsOptions).
 */
export function createUfs(rootUri: string, options: UfsOptions = {}): UnderFileSystem {
  const { scheme } = parseUfsUri(rootUri);
  const factory = factories.get(scheme);
  if (!factory) {
    throw new InvalidArgumentError(`unsupported UFS scheme '${scheme}' in ${rootUri}: supported are ${supportedUfsSchemes().map((s) => `${s}://`).join(', ')} and plain absolute paths`);
  }
  return new InstrumentedUfs(factory(rootUri, options));
}

/** Global properties overridden by a mount's own options. */
export function mergeUfsOptions(globalProperties: UfsOptions, mountOptions: UfsOptions): UfsOptions {
  return { ...globalProperties, ...mountOptions };
}

registerUfs('file', (root, options) => new LocalUfs(root, options));
// The S3 SDK is loaded when an S3 mount is first used, not at start-up.
const lazyS3 = (scheme: string): UfsFactory => (root, options) =>
  new LazyUfs(scheme, async () => new (await import('./s3-ufs.js')).S3Ufs(root, options));
registerUfs('s3', lazyS3('s3'));
registerUfs('s3a', lazyS3('s3a'));
// HDFS through WebHDFS (hdfs:// resolves the NameNode's HTTP address from the Hadoop configuration).
const lazyWebHdfs = (scheme: string): UfsFactory => (root, options) =>
  new LazyUfs(scheme, async () => new (await import('./webhdfs-ufs.js')).WebHdfsUfs(root, options));
registerUfs('hdfs', lazyWebHdfs('hdfs'));
registerUfs('webhdfs', lazyWebHdfs('webhdfs'));
registerUfs('swebhdfs', lazyWebHdfs('swebhdfs'));
