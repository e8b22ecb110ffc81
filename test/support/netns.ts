// Hosts for multi-host tests: one network namespace per host (iproute2 `ip netns`), all wired by
// veth pairs to a bridge in a "switch" namespace, plus one veth from the test's own namespace so
// the test process can reach every host. Addresses are in a /24 picked at random from 10.231-.239.x,
// used only inside these namespaces. Deleting the namespaces removes every interface, so cleanup()
// leaves nothing behind; a process exit hook runs it too. Needs root (CAP_NET_ADMIN + CAP_SYS_ADMIN).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

export interface NetHost {
  name: string;
  /** The namespace name (`ip netns exec <ns> ...`). */
  ns: string;
  ip: string;
  /** The host's interface (inside its namespace). */
  dev: string;
}

export interface TestNetwork {
  hosts: Map<string, NetHost>;
  host(name: string): NetHost;
  /** The test process's own address on the network. */
  gatewayIp: string;
  /** Spawns a command inside a host's namespace (the child is the command itself: kill works on it). */
  spawnIn(host: string, cmd: string, args: string[], opts?: { env?: NodeJS.ProcessEnv }): ChildProcess;
  /** Takes a host's link down (a partition: packets to and from it are dropped) or up again. */
  setLink(host: string, up: boolean): void;
  cleanup(): void;
}

function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Why multi-host tests cannot run here, or undefined when they can (probes by making a namespace). */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root (ip netns add)';
  const probe = `axprobe${process.pid}`;
  try {
    ip(['netns', 'add', probe]);
    ip(['netns', 'del', probe]);
    return undefined;
  } catch (err) {
    return `ip netns add is not permitted here: ${((err as { stderr?: string }).stderr ?? (err as Error).message).trim()}`;
  }
}

const live = new Set<TestNetwork>();
process.once('exit', () => { for (const n of live) n.cleanup(); });

/** Creates namespaces for `names` on one subnet; host i gets .(i+1), the test process .254. */
export function createTestNetwork(names: string[]): TestNetwork {
  if (names.length === 0 || names.length > 200) throw new Error('createTestNetwork needs 1 to 200 host names');
  const tag = `ax${process.pid.toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
  const subnet = `10.${231 + Math.floor(Math.random() * 9)}.${Math.floor(Math.random() * 250) + 1}`;
  const sw = `${tag}-sw`;
  const created: string[] = [];
  const hosts = new Map<string, NetHost>();
  const gwDev = `${tag}g`; // interface names are at most 15 characters
  let cleaned = false;
  const net: TestNetwork = {
    hosts,
    gatewayIp: `${subnet}.254`,
    host(name) {
      const h = hosts.get(name);
      if (!h) throw new Error(`no test host '${name}'`);
      return h;
    },
    spawnIn(host, cmd, args, opts = {}) {
      return spawn('ip', ['netns', 'exec', net.host(host).ns, cmd, ...args], { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    },
    setLink(host, up) {
      const h = net.host(host);
      ip(['-n', h.ns, 'link', 'set', h.dev, up ? 'up' : 'down']);
    },
    cleanup() {
      if (cleaned) return;
      cleaned = true;
      live.delete(net);
      for (const ns of created.reverse()) {
        try { ip(['netns', 'del', ns]); } catch { /* already gone */ }
      }
      try { ip(['link', 'del', gwDev]); } catch { /* went with the switch namespace */ }
    },
  };
  live.add(net);
  try {
    ip(['netns', 'add', sw]);
    created.push(sw);
    ip(['-n', sw, 'link', 'add', 'br0', 'type', 'bridge']);
    ip(['-n', sw, 'link', 'set', 'br0', 'up']);
    ip(['-n', sw, 'link', 'set', 'lo', 'up']);
    // The test process's leg: one end here, one on the bridge.
    ip(['link', 'add', gwDev, 'type', 'veth', 'peer', 'name', 'gwp', 'netns', sw]);
    ip(['-n', sw, 'link', 'set', 'gwp', 'master', 'br0', 'up']);
    ip(['addr', 'add', `${net.gatewayIp}/24`, 'dev', gwDev]);
    ip(['link', 'set', gwDev, 'up']);
    names.forEach((name, i) => {
      const ns = `${tag}-${name}`;
      ip(['netns', 'add', ns]);
      created.push(ns);
      const port = `p${i}`;
      ip(['-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', port, 'netns', sw]);
      ip(['-n', sw, 'link', 'set', port, 'master', 'br0', 'up']);
      const addr = `${subnet}.${i + 1}`;
      ip(['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0']);
      ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      hosts.set(name, { name, ns, ip: addr, dev: 'eth0' });
    });
  } catch (err) {
    net.cleanup();
    throw err;
  }
  return net;
}
