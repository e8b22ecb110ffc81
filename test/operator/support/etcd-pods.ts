// The kubelet and StatefulSet controller for the etcd StatefulSet, with REAL etcd processes as
// its pods: for each ordinal below spec.replicas a pod is started from the rendered pod template
// exactly as a kubelet would (env from fieldRef and configMapKeyRef, $(VAR) expanded in args),
// its PVC created on first start (a data dir per claim uid, so a deleted claim means an empty
// data dir), pods above replicas are stopped, a pod whose etcd exited is restarted, and the
// StatefulSet's status says how many pass the rendered readiness probe.
//
// The one stand-in is cluster DNS and pod IPs: every `http://host:port` in the flags (pod DNS
// names `<sts>-N.<headless>.<ns>.svc`, or 0.0.0.0 for the pod itself) becomes 127.0.0.1 and a
// free port per (ordinal, port). The member API handed to the operator translates peer URLs the
// same way in both directions, so the operator sees and sends the pod DNS names it renders.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpEtcdMembers, type EtcdMember, type EtcdMemberApi } from '../../../src/operator/controllers/etcd-members.js';
import type { KubeObject } from '../../../src/operator/kube/types.js';
import { freePort, sleep } from '../../support/etcd.js';
import type { MemoryKubeApi } from './memory-api.js';

const ETCD_BIN = process.env.ETCD_BIN ?? '/usr/bin/etcd';

interface Pod { ordinal: number; proc: ChildProcess; args: string[]; exited?: string; stderr: string[] }

export interface PodStart { ordinal: number; args: string[] }

export class EtcdPods {
  private readonly root = mkdtempSync(join(tmpdir(), 'alluxio-etcd-pods-'));
  private readonly ports = new Map<string, number>();
  private readonly toDns = new Map<string, string>();
  private readonly pods = new Map<number, Pod>();
  /** Every pod start, with the etcd flags it got (after env expansion, before the DNS stand-in). */
  readonly starts: PodStart[] = [];

  constructor(private readonly api: MemoryKubeApi, private readonly namespace: string, private readonly sts: string) {}

  private async port(ordinal: number, containerPort: number): Promise<number> {
    const key = `${ordinal}:${containerPort}`;
    let p = this.ports.get(key);
    if (p === undefined) { p = await freePort(); this.ports.set(key, p); }
    return p;
  }

  /** Pod DNS URL (or 0.0.0.0 of pod `self`) → the loopback URL standing in for it. */
  private async local(url: string, self: number): Promise<string> {
    const m = /^http:\/\/([^/:]+):(\d+)$/.exec(url);
    if (!m) throw new Error(`unexpected URL in etcd flags: ${url}`);
    const [, host, port] = m;
    const pod = new RegExp(`^${this.sts}-(\\d+)\\.[^.]+\\.${this.namespace}\\.svc$`).exec(host!);
    if (host !== '0.0.0.0' && !pod) throw new Error(`etcd flag URL ${url} is neither 0.0.0.0 nor a pod of ${this.sts} in ${this.namespace}`);
    const ordinal = pod ? Number(pod[1]) : self;
    const out = `http://127.0.0.1:${await this.port(ordinal, Number(port))}`;
    if (pod) this.toDns.set(out, url);
    return out;
  }

  private async statefulSet(): Promise<KubeObject | undefined> {
    return this.api.get({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: this.namespace, name: this.sts });
  }

  /** The container's env as a kubelet resolves it for pod `name`. */
  private async env(container: Record<string, any>, name: string): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const e of container.env ?? []) {
      if (e.value !== undefined) env[e.name] = String(e.value);
      else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name') env[e.name] = name;
      else if (e.valueFrom?.configMapKeyRef) {
        const { name: cm, key } = e.valueFrom.configMapKeyRef;
        const obj = await this.api.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: this.namespace, name: cm });
        const v = obj?.data?.[key];
        if (v === undefined) throw new Error(`CreateContainerConfigError: configmap ${cm} key ${key} not found`);
        env[e.name] = v;
      } else throw new Error(`env ${e.name}: source not supported by the test kubelet`);
    }
    return env;
  }

  private async start(sts: KubeObject, ordinal: number): Promise<void> {
    const name = `${this.sts}-${ordinal}`;
    const spec = sts.spec.template.spec;
    const container = spec.containers[0];
    // The StatefulSet controller creates the claim from the template on the pod's first start.
    const claimName = `${sts.spec.volumeClaimTemplates[0].metadata.name}-${name}`;
    const claimRef = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: this.namespace, name: claimName };
    let claim = await this.api.get(claimRef);
    if (!claim) {
      claim = await this.api.create({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: claimName, namespace: this.namespace },
        spec: sts.spec.volumeClaimTemplates[0].spec });
      await this.api.patchStatus(claimRef, { phase: 'Bound' }, { fieldManager: 'pv-controller' });
    }
    const volumeDir = join(this.root, claim.metadata.uid!);
    mkdirSync(volumeDir, { recursive: true });
    const mountPath: string = container.volumeMounts.find((v: { name: string }) => v.name === sts.spec.volumeClaimTemplates[0].metadata.name).mountPath;

    const env = await this.env(container, name);
    const expand = (s: string) => s.replace(/\$\(([A-Z_][A-Z0-9_]*)\)/g, (all, v: string) => env[v] ?? all);
    const args: string[] = [...container.command.slice(1), ...container.args].map(expand);
    this.starts.push({ ordinal, args });
    const local: string[] = [];
    for (const a of args) {
      const m = /^(--[a-z-]+)=(.*)$/.exec(a);
      if (!m) throw new Error(`etcd arg ${a} is not --flag=value`);
      const [, flag, value] = m;
      if (flag === '--data-dir') {
        if (!value!.startsWith(`${mountPath}/`)) throw new Error(`--data-dir ${value} is not on the data volume ${mountPath}`);
        local.push(`${flag}=${join(volumeDir, value!.slice(mountPath.length))}`);
      } else if (flag === '--initial-cluster') {
        const members = await Promise.all(value!.split(',').map(async (kv) => {
          const [n, url] = kv.split('=');
          return `${n}=${await this.local(url!, ordinal)}`;
        }));
        local.push(`${flag}=${members.join(',')}`);
      } else if (/urls$/.test(flag!)) {
        local.push(`${flag}=${(await Promise.all(value!.split(',').map((u) => this.local(u, ordinal)))).join(',')}`);
      } else {
        local.push(a);
      }
    }
    local.push('--logger=zap', '--log-level=error', '--log-outputs=stderr');
    const proc = spawn(ETCD_BIN, local, { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
    const pod: Pod = { ordinal, proc, args, stderr: [] };
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => { if (pod.stderr.length < 100) pod.stderr.push(d); });
    proc.once('exit', (code, sig) => { pod.exited = `${name} exited (${code ?? sig}): ${pod.stderr.join('').slice(-1500)}`; });
    this.pods.set(ordinal, pod);
  }

  private async stop(ordinal: number): Promise<void> {
    const pod = this.pods.get(ordinal);
    if (!pod) return;
    this.pods.delete(ordinal);
    if (pod.proc.exitCode !== null || pod.proc.signalCode !== null) return;
    await new Promise<void>((resolve) => { pod.proc.once('exit', () => resolve()); pod.proc.kill('SIGTERM'); });
  }

  private async ready(sts: KubeObject, ordinal: number): Promise<boolean> {
    const pod = this.pods.get(ordinal);
    if (!pod || pod.exited) return false;
    const probe = sts.spec.template.spec.containers[0].readinessProbe.httpGet;
    try {
      const res = await fetch(`http://127.0.0.1:${await this.port(ordinal, probe.port)}${probe.path}`, { signal: AbortSignal.timeout(1000) });
      return res.ok;
    } catch {
      return false;
    }
  }

  /** One pass of the StatefulSet controller and the kubelets. */
  async sync(): Promise<void> {
    const sts = await this.statefulSet();
    if (!sts) return;
    const replicas: number = sts.spec.replicas;
    for (const ordinal of [...this.pods.keys()]) if (ordinal >= replicas) await this.stop(ordinal);
    for (let i = 0; i < replicas; i++) {
      const pod = this.pods.get(i);
      if (pod?.exited) await this.stop(i); // restartPolicy Always
      if (!this.pods.get(i)) await this.start(sts, i);
    }
    let ready = 0;
    for (let i = 0; i < replicas; i++) if (await this.ready(sts, i)) ready++;
    const gen = sts.metadata.generation;
    await this.api.patchStatus({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: this.namespace, name: this.sts },
      { observedGeneration: gen, replicas, readyReplicas: ready, updatedReplicas: replicas, currentReplicas: replicas,
        currentRevision: `r${gen}`, updateRevision: `r${gen}` }, { fieldManager: 'kube-controller-manager' });
  }

  /** Client URL of a running pod (for reading and writing data in tests). */
  async clientUrl(ordinal: number): Promise<string> {
    return `http://127.0.0.1:${await this.port(ordinal, 2379)}`;
  }

  /** What the operator reaches through the client Service: the running pods, translated peer URLs. */
  memberApi(): EtcdMemberApi {
    const endpoints = [...this.pods.values()].filter((p) => !p.exited).map((p) => `http://127.0.0.1:${this.ports.get(`${p.ordinal}:2379`)}`);
    const http = new HttpEtcdMembers(endpoints);
    const dns = (m: EtcdMember): EtcdMember => ({ ...m, peerURLs: m.peerURLs.map((u) => this.toDns.get(u) ?? u) });
    return {
      list: async () => (await http.list()).map(dns),
      add: async (peerUrl, opts) => dns(await http.add(await this.local(peerUrl, -1), opts)),
      promote: (id) => http.promote(id),
      remove: (id) => http.remove(id),
    };
  }

  /** Why pods exited, for assertion messages. */
  exits(): string[] {
    return [...this.pods.values()].filter((p) => p.exited).map((p) => p.exited!);
  }

  async cleanup(): Promise<void> {
    for (const ordinal of [...this.pods.keys()]) {
      const pod = this.pods.get(ordinal)!;
      this.pods.delete(ordinal);
      if (pod.proc.exitCode === null && pod.proc.signalCode === null) {
        await new Promise<void>((resolve) => { pod.proc.once('exit', () => resolve()); pod.proc.kill('SIGKILL'); });
      }
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}
