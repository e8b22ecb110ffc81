import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { XMLParser } from 'fast-xml-parser';
import { InvalidConfError } from '../common/errors.js';
import { DURATION_FORM, parseDuration } from '../common/sizes.js';
import { parseUfsUri } from './ufs-uri.js';
import type { UfsOptions } from './under-file-system.js';

/** Option keys the WebHDFS back end reads (Alluxio's names). Mount options override global properties. */
export const HDFS_KEYS = {
  configuration: 'alluxio.underfs.hdfs.configuration',
  user: 'alluxio.security.login.username',
  requestTimeout: 'alluxio.underfs.webhdfs.request.timeout',
} as const;

/** NameNode HTTP port when the configuration names none (Hadoop 3's dfs.namenode.http-address default). */
const DEFAULT_HTTP_PORT = 9870;
const DEFAULT_HTTPS_PORT = 9871;

export interface WebHdfsConfig {
  /** NameNode WebHDFS base URLs (`http://host:port`), tried in order: more than one for an HA name service. */
  namenodes: string[];
  user: string;
  requestTimeoutMs: number;
}

/**
 * Where the WebHDFS API of a mount lives. `webhdfs://host:port/p` and `swebhdfs://` name it
 * directly; `hdfs://authority/p` is resolved through the Hadoop configuration files of
 * alluxio.underfs.hdfs.configuration: the authority is an HA name service
 * (dfs.nameservices, dfs.ha.namenodes.<ns>, dfs.namenode.http[s]-address.<ns>.<nn>) or a NameNode
 * RPC address whose HTTP address is dfs.namenode.http-address (else the same host on 9870).
 * Kerberos is refused: only simple authentication (user.name) is spoken.
 */
export function parseWebHdfsOptions(rootUri: string, options: UfsOptions): WebHdfsConfig {
  const get = (k: string): string | undefined => {
    const v = options[k];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const { scheme, authority } = parseUfsUri(rootUri);
  if (authority === '') throw new InvalidConfError(`${rootUri}: an ${scheme}:// URI needs a NameNode or name service (${scheme}://namenode:port/path)`);
  const hadoop = loadHadoopConf(get(HDFS_KEYS.configuration));
  const auth = (hadoop.get('hadoop.security.authentication') ?? 'simple').toLowerCase();
  if (auth !== 'simple') {
    throw new InvalidConfError(`${rootUri}: hadoop.security.authentication is '${auth}' in ${get(HDFS_KEYS.configuration)}; alluxio-ts speaks WebHDFS with simple authentication only (Kerberos/SPNEGO is not supported)`);
  }
  const timeoutText = get(HDFS_KEYS.requestTimeout) ?? '60s';
  let requestTimeoutMs = 0;
  try {
    requestTimeoutMs = parseDuration(timeoutText);
  } catch { /* reported below */ }
  if (requestTimeoutMs < 1) throw new InvalidConfError(`bad ${HDFS_KEYS.requestTimeout} '${timeoutText}': expected ${DURATION_FORM}, at least 1ms`);
  return { namenodes: namenodeUrls(scheme, authority, hadoop, rootUri), user: get(HDFS_KEYS.user) ?? userInfo().username, requestTimeoutMs };
}

function namenodeUrls(scheme: string, authority: string, hadoop: Map<string, string>, rootUri: string): string[] {
  if (scheme === 'webhdfs') return [`http://${withPort(authority, DEFAULT_HTTP_PORT)}`];
  if (scheme === 'swebhdfs') return [`https://${withPort(authority, DEFAULT_HTTPS_PORT)}`];
  const https = (hadoop.get('dfs.http.policy') ?? 'HTTP_ONLY').toUpperCase() === 'HTTPS_ONLY';
  const addrKey = https ? 'dfs.namenode.https-address' : 'dfs.namenode.http-address';
  const proto = https ? 'https' : 'http';
  const services = (hadoop.get('dfs.nameservices') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (services.includes(authority)) {
    const nns = (hadoop.get(`dfs.ha.namenodes.${authority}`) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const urls = nns.map((nn) => hadoop.get(`${addrKey}.${authority}.${nn}`)).filter((a): a is string => !!a).map((a) => `${proto}://${a}`);
    if (urls.length === 0) throw new InvalidConfError(`${rootUri}: name service '${authority}' has no ${addrKey}.${authority}.<namenode> in the Hadoop configuration (dfs.ha.namenodes.${authority} = '${nns.join(',')}')`);
    return urls;
  }
  const configured = hadoop.get(addrKey);
  // dfs.namenode.http-address of one NameNode applies when it is that NameNode's host (or 0.0.0.0).
  if (configured && (configured.startsWith('0.0.0.0:') || hostOf(configured) === hostOf(authority))) {
    return [`${proto}://${configured.startsWith('0.0.0.0:') ? `${hostOf(authority)}:${configured.split(':').pop()}` : configured}`];
  }
  return [`${proto}://${hostOf(authority)}:${https ? DEFAULT_HTTPS_PORT : DEFAULT_HTTP_PORT}`];
}

function hostOf(authority: string): string {
  if (authority.startsWith('[')) return authority.slice(0, authority.indexOf(']') + 1);
  const i = authority.lastIndexOf(':');
  return i < 0 ? authority : authority.slice(0, i);
}

function withPort(authority: string, port: number): string {
  return hostOf(authority) === authority ? `${authority}:${port}` : authority;
}

/** The name/value pairs of Hadoop *-site.xml files, later files overriding earlier ones. */
export function loadHadoopConf(files: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!files) return out;
  const parser = new XMLParser({ isArray: (name) => name === 'property', parseTagValue: false, trimValues: true });
  for (const file of files.split(':').map((f) => f.trim()).filter(Boolean)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new InvalidConfError(`${HDFS_KEYS.configuration}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    let doc: { configuration?: { property?: Array<{ name?: unknown; value?: unknown }> } };
    try {
      doc = parser.parse(text) as typeof doc;
    } catch (err) {
      throw new InvalidConfError(`${HDFS_KEYS.configuration}: ${file} is not a Hadoop configuration file: ${(err as Error).message}`);
    }
    for (const p of doc.configuration?.property ?? []) {
      if (typeof p.name === 'string' && p.value !== undefined) out.set(p.name, String(p.value));
    }
  }
  return out;
}
