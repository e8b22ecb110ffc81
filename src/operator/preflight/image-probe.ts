// Is an image pullable? Asks the registry with the Docker Registry HTTP API v2 (HEAD of the
// manifest, with the anonymous or basic-auth token flow), from this machine: nodes may see a
// different network, which is why an unreachable registry is a warning, not a failure.

export interface ImageProbeResult { ok: boolean; status: 'found' | 'not-found' | 'unauthorized' | 'unreachable'; detail: string }
export interface RegistryCredentials { username: string; password: string }

export interface ImageProber {
  probe(image: string, creds?: RegistryCredentials): Promise<ImageProbeResult>;
}

export interface ImageRef { registry: string; repository: string; reference: string }

export function parseImage(image: string): ImageRef {
  let rest = image;
  let registry = 'docker.io';
  const first = rest.split('/')[0]!;
  if (rest.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    rest = rest.slice(first.length + 1);
  }
  let reference = 'latest';
  const at = rest.indexOf('@');
  if (at >= 0) { reference = rest.slice(at + 1); rest = rest.slice(0, at); } else {
    const colon = rest.lastIndexOf(':');
    if (colon >= 0) { reference = rest.slice(colon + 1); rest = rest.slice(0, colon); }
  }
  if (registry === 'docker.io' && !rest.includes('/')) rest = `library/${rest}`;
  return { registry, repository: rest, reference };
}

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

function parseChallenge(h: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of h.matchAll(/(\w+)="([^"]*)"/g)) out[m[1]!] = m[2]!;
  return out;
}

export class RegistryImageProber implements ImageProber {
  /** baseUrl maps a registry host to its API origin (tests point it at a local server). */
  constructor(private readonly baseUrl: (registry: string) => string =
    (r) => `https://${r === 'docker.io' ? 'registry-1.docker.io' : r}`, private readonly timeoutMs = 10_000) {}

  async probe(image: string, creds?: RegistryCredentials): Promise<ImageProbeResult> {
    const ref = parseImage(image);
    const url = `${this.baseUrl(ref.registry)}/v2/${ref.repository}/manifests/${ref.reference}`;
    const head = (auth?: string) => fetch(url, { method: 'HEAD', headers: { accept: ACCEPT, ...(auth ? { authorization: auth } : {}) },
      signal: AbortSignal.timeout(this.timeoutMs) });
    const basic = creds ? `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}` : undefined;
    try {
      let res = await head(basic);
      if (res.status === 401) {
        const ch = parseChallenge(res.headers.get('www-authenticate') ?? '');
        if (ch.realm) {
          const t = new URL(ch.realm);
          if (ch.service) t.searchParams.set('service', ch.service);
          t.searchParams.set('scope', ch.scope ?? `repository:${ref.repository}:pull`);
          const tr = await fetch(t, { headers: basic ? { authorization: basic } : {}, signal: AbortSignal.timeout(this.timeoutMs) });
          if (tr.ok) {
            const body = await tr.json() as { token?: string; access_token?: string };
            res = await head(`Bearer ${body.token ?? body.access_token}`);
          }
        }
      }
      if (res.ok) return { ok: true, status: 'found', detail: `${image} found in ${ref.registry}` };
      if (res.status === 404) return { ok: false, status: 'not-found', detail: `${image}: no such image or tag in ${ref.registry}` };
      if (res.status === 401 || res.status === 403) {
        return { ok: false, status: 'unauthorized', detail: `${image}: ${ref.registry} refused access (HTTP ${res.status})${creds ? ' with the given pull secret' : ''}` };
      }
      return { ok: false, status: 'unreachable', detail: `${image}: ${ref.registry} answered HTTP ${res.status}` };
    } catch (err) {
      return { ok: false, status: 'unreachable', detail: `${image}: cannot reach ${ref.registry} from this machine (${(err as Error).message})` };
    }
  }
}

/** Credentials for a registry from a kubernetes.io/dockerconfigjson Secret's data. */
export function credentialsFromDockerConfig(secretData: Record<string, string> | undefined, registry: string): RegistryCredentials | undefined {
  const raw = secretData?.['.dockerconfigjson'];
  if (!raw) return undefined;
  try {
    const cfg = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as { auths?: Record<string, { username?: string; password?: string; auth?: string }> };
    for (const [server, a] of Object.entries(cfg.auths ?? {})) {
      const host = server.replace(/^https?:\/\//, '').split('/')[0];
      const matches = host === registry || (registry === 'docker.io' && /(^|\.)docker\.io$/.test(host ?? ''));
      if (!matches) continue;
      if (a.username && a.password) return { username: a.username, password: a.password };
      if (a.auth) {
        const [username, ...p] = Buffer.from(a.auth, 'base64').toString('utf8').split(':');
        return { username: username!, password: p.join(':') };
      }
    }
  } catch { /* not a docker config */ }
  return undefined;
}
