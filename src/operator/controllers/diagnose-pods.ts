import { CONDITION, INIT_MESSAGE, LABELS, REASON } from '../constants.js';
import type { AlluxioCluster } from '../api/alluxio-cluster.js';
import { clusterNames, namespaceOf } from '../builders/names.js';
import type { KubeObject } from '../kube/types.js';
import type { ConditionInput } from './conditions.js';

// What the cluster's pods show when they cannot run, read from the fields the scheduler, the
// admission chain and kubelet write: PodScheduled=False (FailedScheduling), FailedCreate events
// "violates PodSecurity", lastState.terminated.reason OOMKilled, state.waiting.reason
// CrashLoopBackOff with the container's last message (terminationMessagePolicy
// FallbackToLogsOnError puts the last log lines there when the process wrote no message).

/** An OOM kill or a crash older than this, of a container that runs again, is history, not a problem. */
export const RECENT_TERMINATION_MS = 10 * 60_000;
const MESSAGE_TAIL = 400;

interface Terminated { reason?: string; message?: string; exitCode?: number; finishedAt?: string }
interface ContainerStatus {
  name: string; ready?: boolean; restartCount?: number;
  state?: { waiting?: { reason?: string; message?: string }; running?: { startedAt?: string }; terminated?: Terminated };
  lastState?: { terminated?: Terminated };
}
interface ContainerSpec { name: string; resources?: { limits?: Record<string, string>; requests?: Record<string, string> } }

const componentOf = (pod: KubeObject): string => pod.metadata.labels?.[LABELS.component] ?? 'worker';

function containerSpecs(pod: KubeObject): ContainerSpec[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])] as ContainerSpec[];
}

function eventTime(e: KubeObject): number {
  return Date.parse(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? '') || 0;
}

function latestEvent(events: KubeObject[], kind: string, name: string, reason: string): KubeObject | undefined {
  return events.filter((e) => e.involvedObject?.kind === kind && e.involvedObject?.name === name && e.reason === reason)
    .sort((a, b) => eventTime(b) - eventTime(a))[0];
}

// ---- scheduling ----------------------------------------------------------------------------

interface Cause { reason: string; fix: string }

/** The scheduler's message, without the preemption half ("preemption: 0/3 nodes are available: ..."). */
function schedulerMessage(pod: KubeObject, events: KubeObject[]): string | undefined {
  const cond = (pod.status?.conditions ?? []).find((c: { type: string }) => c.type === 'PodScheduled');
  if (cond?.status === 'True' || pod.spec?.nodeName) return undefined;
  const msg = cond?.status === 'False' && cond.reason === 'Unschedulable' ? cond.message as string | undefined
    : latestEvent(events, 'Pod', pod.metadata.name, 'FailedScheduling')?.message as string | undefined;
  return msg?.replace(/\s*preemption:.*$/s, '').trim();
}

function schedulingCauses(c: AlluxioCluster, pod: KubeObject, msg: string): Cause[] {
  const comp = componentOf(pod);
  const out: Cause[] = [];
  if (/didn't match pod anti-affinity rules/.test(msg)) {
    const fix = comp === 'etcd'
      ? `each etcd replica needs its own node: add nodes, or set spec.etcd.replicaCount: 1 for a development cluster (no quorum)`
      : comp === 'worker'
        ? `workers with a hostPath page store repel each other by node (they would share a cache directory): spec.worker.count ${c.spec.worker.count} needs as many nodes; add nodes, lower spec.worker.count, or use spec.worker.pagestore.type: persistentVolumeClaim`
        : 'add nodes, or relax the pod anti-affinity';
    out.push({ reason: REASON.AntiAffinity, fix });
  }
  const insufficient = [...msg.matchAll(/Insufficient ([a-z0-9][a-z0-9./-]*[a-z0-9])/g)].map((m) => m[1]!);
  if (insufficient.length) {
    const requested = containerSpecs(pod).flatMap((s) => insufficient.map((r) => s.resources?.requests?.[r] ? `${s.name} requests ${r} ${s.resources.requests[r]}` : ''))
      .filter(Boolean);
    out.push({ reason: REASON.InsufficientResources,
      fix: `no node has enough free ${[...new Set(insufficient)].join(' and ')}${requested.length ? ` (${requested.join(', ')})` : ''}: `
        + `lower spec.${comp}.resources.requests or add nodes with more capacity` });
  }
  if (/didn't match Pod's node affinity\/selector/.test(msg)) {
    out.push({ reason: REASON.NodeSelectorMismatch,
      fix: `no node has the labels of spec.${comp}.nodeSelector/affinity${pod.spec?.nodeSelector ? ` (${Object.entries(pod.spec.nodeSelector).map(([k, v]) => `${k}=${v}`).join(', ')})` : ''}: `
        + 'label the nodes (kubectl label node <node> key=value) or change the selector' });
  }
  const taints = [...msg.matchAll(/untolerated taint(?:\(s\))? (\{[^}]*\})/g)].map((m) => m[1]!);
  if (taints.length || /untolerated taint/.test(msg)) {
    out.push({ reason: REASON.UntoleratedTaint,
      fix: `the nodes have taints the pod does not tolerate${taints.length ? ` (${[...new Set(taints)].join(', ')})` : ''}: add spec.${comp}.tolerations, or schedule on untainted nodes` });
  }
  if (/unbound immediate PersistentVolumeClaims|didn't find available persistent volumes|volume node affinity conflict/.test(msg)) {
    out.push({ reason: REASON.PvcPending, fix: `its PersistentVolumeClaims cannot be bound: kubectl -n ${namespaceOf(c)} describe pvc (etcd: see ${CONDITION.EtcdStorage})` });
  }
  if (!out.length) out.push({ reason: REASON.Unschedulable, fix: `kubectl -n ${namespaceOf(c)} describe pod ${pod.metadata.name}` });
  return out;
}

export function podsScheduled(c: AlluxioCluster, pods: KubeObject[], events: KubeObject[]): ConditionInput {
  // Replicas of one workload usually fail alike: one entry per scheduler message and fix.
  const problems = new Map<string, { reason: string; pods: string[]; msg: string; fix: string }>();
  for (const p of pods) {
    if (p.status?.phase && p.status.phase !== 'Pending') continue;
    const msg = schedulerMessage(p, events);
    if (!msg) continue;
    const causes = schedulingCauses(c, p, msg);
    const fix = causes.map((x) => x.fix).join('; ');
    const entry = problems.get(msg + fix) ?? { reason: causes[0]!.reason, pods: [], msg, fix };
    entry.pods.push(p.metadata.name);
    problems.set(msg + fix, entry);
  }
  if (!problems.size) return { type: CONDITION.PodsScheduled, ok: true, reason: REASON.PodsScheduledOk, message: 'no pod is waiting for a node' };
  const list = [...problems.values()];
  return { type: CONDITION.PodsScheduled, ok: false, reason: list[0]!.reason,
    message: list.map((e) => `${e.pods.length > 1 ? 'pods' : 'pod'} ${e.pods.join(', ')} cannot be scheduled (${e.msg}); ${e.fix}`).join('; ') };
}

// ---- Pod Security admission ----------------------------------------------------------------

const PSA = /violates PodSecurity "([a-z]+):([^"]+)": (.*)$/s;

/** Workload events of this cluster: StatefulSets/DaemonSets by name, Deployments through their ReplicaSets. */
function ownWorkload(c: AlluxioCluster, e: KubeObject): string | undefined {
  const n = clusterNames(c);
  const kind = e.involvedObject?.kind as string | undefined;
  const name = e.involvedObject?.name as string | undefined;
  if (!name) return undefined;
  if ((kind === 'StatefulSet' || kind === 'DaemonSet') && [n.worker, n.coordinator, n.etcd, n.fuse].includes(name)) return `${kind} ${name}`;
  if (kind === 'ReplicaSet') {
    const d = [n.prometheus, n.grafana].find((x) => name.startsWith(`${x}-`));
    if (d) return `Deployment ${d}`;
  }
  return undefined;
}

export function podSecurityAdmitted(c: AlluxioCluster, pods: KubeObject[], events: KubeObject[]): ConditionInput {
  const ns = namespaceOf(c);
  const podNames = new Set(pods.map((p) => p.metadata.name));
  const found = new Map<string, { level: string; detail: string }>();
  for (const e of events) {
    if (e.reason !== 'FailedCreate') continue;
    const m = PSA.exec(String(e.message ?? ''));
    const workload = ownWorkload(c, e);
    if (!m || !workload) continue;
    // Resolved: the pod it was refused is there now, or the workload created a pod since.
    const refused = /pods? "([^"]+)" is forbidden/.exec(String(e.message))?.[1];
    if (refused && podNames.has(refused)) continue;
    const ok = latestEvent(events, e.involvedObject.kind, e.involvedObject.name, 'SuccessfulCreate');
    if (ok && eventTime(ok) >= eventTime(e)) continue;
    found.set(workload, { level: m[1]!, detail: m[3]!.trim() });
  }
  if (!found.size) return { type: CONDITION.PodSecurityAdmitted, ok: true, reason: REASON.PodSecurityOk, message: 'no pod refused by Pod Security admission' };
  const levels = [...new Set([...found.values()].map((v) => v.level))];
  const parts = [...found].map(([w, v]) => `${w} cannot create its pods: namespace ${ns} enforces Pod Security "${v.level}" and the pod violates it: ${v.detail}`);
  return {
    type: CONDITION.PodSecurityAdmitted, ok: false, reason: REASON.PodSecurityViolation,
    message: `${parts.join('; ')}; the workers' and coordinator's hostPath volumes and the FUSE pods (privileged) need the "privileged" level: `
      + `kubectl label namespace ${ns} pod-security.kubernetes.io/enforce=privileged --overwrite`
      + (levels.includes('restricted') ? ', or at least "baseline" with spec.worker.pagestore.type: emptyDir or persistentVolumeClaim' : ''),
  };
}

// ---- OOMKilled and CrashLoopBackOff --------------------------------------------------------

function allStatuses(pod: KubeObject): ContainerStatus[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}

/** True while the termination still matters: the container is down, or it ended only recently. */
function current(s: ContainerStatus, t: Terminated, now: Date): boolean {
  if (s.state?.waiting || s.state?.terminated === t) return true;
  const at = Date.parse(t.finishedAt ?? '');
  return Number.isFinite(at) && now.getTime() - at < RECENT_TERMINATION_MS;
}

function tail(message: string): string {
  const m = message.trim().replace(/\s*\n\s*/g, ' | ');
  return m.length > MESSAGE_TAIL ? `...${m.slice(-MESSAGE_TAIL)}` : m;
}

/** A fix for what the process printed last, when the message says what is wrong. */
function crashHint(c: AlluxioCluster, comp: string, message: string): string {
  if (/ALX_ERR_INVALID_CONF|unknown property|property key/i.test(message)) return `fix the property it names in spec.properties`;
  if (/licen[cs]e/i.test(message)) return `apply a valid license (spec.properties alluxio.license or a License; see ${CONDITION.LicenseValid})`;
  if (/ECONNREFUSED|ENOTFOUND|etcd/i.test(message) && comp !== 'etcd') return `check that etcd is running (kubectl -n ${namespaceOf(c)} get pod -l ${LABELS.component}=etcd)`;
  if (/EACCES|permission denied|read-only file system/i.test(message)) return `make its hostPath directories writable by uid ${c.spec.user} (see ${CONDITION.HostPathWritable})`;
  return 'the message is the end of its log';
}

export function containersRunning(c: AlluxioCluster, pods: KubeObject[], now: Date): ConditionInput {
  const ooms: string[] = [];
  const crashes: string[] = [];
  for (const p of pods) {
    const comp = componentOf(p);
    for (const s of allStatuses(p)) {
      const t = s.state?.terminated?.reason === 'OOMKilled' ? s.state.terminated : s.lastState?.terminated;
      if (t?.reason === 'OOMKilled' && current(s, t, now)) {
        const limit = containerSpecs(p).find((x) => x.name === s.name)?.resources?.limits?.memory;
        ooms.push(`pod ${p.metadata.name} container ${s.name} was OOMKilled (exit code ${t.exitCode ?? 137}${s.restartCount ? `, ${s.restartCount} restarts` : ''}) `
          + (limit ? `at its memory limit ${limit}: raise spec.${comp}.resources.limits.memory (and requests.memory) above ${limit}`
            : `with no memory limit (the node ran out of memory): set spec.${comp}.resources.requests.memory so it is placed on a node with room`));
        continue;
      }
      if (s.state?.waiting?.reason !== 'CrashLoopBackOff') continue;
      const last = s.lastState?.terminated;
      const msg = last?.message ?? '';
      // The init container's own messages have their own conditions (PagestoreFitsDisk, HostPathWritable).
      if (msg.startsWith(INIT_MESSAGE.tooLarge) || msg.startsWith(INIT_MESSAGE.notWritable)) continue;
      crashes.push(`pod ${p.metadata.name} container ${s.name} is in CrashLoopBackOff (${s.restartCount ?? 0} restarts, last exit code ${last?.exitCode ?? '?'}`
        + `${last?.reason ? ` ${last.reason}` : ''})${msg ? `; last message: ${tail(msg)}` : '; it wrote no message'}; ${crashHint(c, comp, msg)}`
        + ` (kubectl -n ${namespaceOf(c)} logs ${p.metadata.name} -c ${s.name} --previous)`);
    }
  }
  if (ooms.length) return { type: CONDITION.ContainersRunning, ok: false, reason: REASON.OOMKilled, message: [...ooms, ...crashes].join('; ') };
  if (crashes.length) return { type: CONDITION.ContainersRunning, ok: false, reason: REASON.CrashLoopBackOff, message: crashes.join('; ') };
  return { type: CONDITION.ContainersRunning, ok: true, reason: REASON.ContainersOk, message: 'no container crashing or killed for memory' };
}
