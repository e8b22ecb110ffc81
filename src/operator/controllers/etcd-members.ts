import { request } from 'undici';

// The etcd member API the operator scales etcd through (member list/add/promote/remove), over
// etcd's v3 JSON gateway (/v3/cluster/member/*, etcd 3.4+). The operator reaches etcd through
// the client Service; tests point it at real etcd processes.

export interface EtcdMember {
  /** uint64 member id, as the gateway's JSON gives it (a decimal string). */
  id: string;
  /** Empty until the member has started and joined. */
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

export interface EtcdMemberApi {
  list(): Promise<EtcdMember[]>;
  /** Adds a member with this peer URL; a learner does not count toward quorum until promoted. */
  add(peerUrl: string, opts: { learner: boolean }): Promise<EtcdMember>;
  /** Makes a learner a voting member; etcd refuses while the learner is behind the leader. */
  promote(id: string): Promise<void>;
  remove(id: string): Promise<void>;
}

export class EtcdMemberApiError extends Error {
  constructor(message: string, readonly notInSync = false) {
    super(message);
    this.name = 'EtcdMemberApiError';
  }
}

interface RawMember { ID?: string; name?: string; peerURLs?: string[]; clientURLs?: string[]; isLearner?: boolean }

const member = (m: RawMember): EtcdMember => ({
  id: String(m.ID ?? '0'), name: m.name ?? '', peerURLs: m.peerURLs ?? [], clientURLs: m.clientURLs ?? [], isLearner: !!m.isLearner,
});

/** The member API over HTTP; `endpoints` are client URLs (the client Service), tried in order. */
export class HttpEtcdMembers implements EtcdMemberApi {
  constructor(private readonly endpoints: string[], private readonly timeoutMs = 5_000) {}

  private async call(path: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const errors: string[] = [];
    for (const ep of this.endpoints) {
      let res;
      try {
        res = await request(`${ep.replace(/\/+$/, '')}${path}`, {
          method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' },
          headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs,
        });
      } catch (err) {
        errors.push(`${ep}: ${(err as Error).message}`);
        continue; // unreachable: try the next endpoint
      }
      const text = await res.body.text();
      let json: Record<string, unknown> = {};
      try { json = text ? JSON.parse(text) : {}; } catch { /* not JSON: reported below */ }
      if (res.statusCode < 400) return json;
      const message = String(json.message ?? json.error ?? text.slice(0, 300));
      // An answer from etcd (not a transport failure) is final: another endpoint would say the same.
      throw new EtcdMemberApiError(`etcd ${path} at ${ep}: ${message}`, /not in sync|learner.*not.*ready/i.test(message));
    }
    throw new EtcdMemberApiError(`etcd not reachable (${errors.join('; ') || 'no endpoints'})`);
  }

  async list(): Promise<EtcdMember[]> {
    const r = await this.call('/v3/cluster/member/list', {});
    return ((r.members ?? []) as RawMember[]).map(member);
  }

  async add(peerUrl: string, opts: { learner: boolean }): Promise<EtcdMember> {
    const r = await this.call('/v3/cluster/member/add', { peerURLs: [peerUrl], isLearner: opts.learner });
    return member((r.member ?? {}) as RawMember);
  }

  async promote(id: string): Promise<void> {
    await this.call('/v3/cluster/member/promote', { ID: id });
  }

  async remove(id: string): Promise<void> {
    await this.call('/v3/cluster/member/remove', { ID: id });
  }
}
