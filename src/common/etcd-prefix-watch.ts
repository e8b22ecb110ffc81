import type { Etcd3, Watcher } from 'etcd3';
import { causeText } from './errors.js';
import type { Logger } from './logging.js';

/**
 * An etcd watch on a key prefix that stays up: the etcd3 library reconnects a broken stream by
 * itself (resuming from the last revision); when etcd cancels the watch instead (e.g. its revision
 * was compacted away) we create a new one. `onChange` runs on every event and every (re)connect,
 * so the owner re-reads the prefix after any gap. Used by etcd membership and the etcd mount table.
 */
export class EtcdPrefixWatch {
  private watcher?: Watcher;
  private restartTimer?: NodeJS.Timeout;
  private stopped = true;
  private disconnectedSince?: number;

  constructor(
    private readonly client: Etcd3,
    private readonly prefix: string,
    private readonly onChange: () => void,
    private readonly log: Logger,
  ) {}

  get running(): boolean {
    return !this.stopped;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.create();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    const w = this.watcher;
    this.watcher = undefined;
    // cancel() waits for etcd to confirm; do not hang a shutdown on an unreachable etcd.
    if (w) await Promise.race([w.cancel().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
  }

  private create(): void {
    const w = this.client.watch().prefix(this.prefix).watcher();
    this.watcher = w;
    w.on('connected', () => {
      if (this.disconnectedSince !== undefined) {
        this.log.info({ prefix: this.prefix, downMs: Date.now() - this.disconnectedSince }, 'etcd watch re-established');
        this.disconnectedSince = undefined;
      }
      this.onChange();
    });
    w.on('data', () => this.onChange());
    w.on('disconnected', (err) => {
      if (this.disconnectedSince === undefined) {
        this.disconnectedSince = Date.now();
        this.log.warn({ prefix: this.prefix, err: causeText(err) }, 'etcd watch disconnected, reconnecting');
      }
    });
    // Emitted when etcd cancels the watch; without a listener EventEmitter would throw.
    w.on('error', (err) => {
      if (this.watcher !== w || this.stopped) return;
      this.log.warn({ prefix: this.prefix, err: causeText(err) }, 'etcd watch cancelled, creating a new one');
      this.watcher = undefined; // etcd3 already dropped it; cancel() would wait for an 'end' that never comes
      this.restartTimer = setTimeout(() => { if (!this.stopped) this.create(); }, 200);
      this.restartTimer.unref();
    });
  }
}
