import { createServer, type Server } from 'node:http';

// The operator's probes: /healthz (liveness) answers 200 until the operator has failed for good;
// /readyz (readiness) answers 200 once the API server answered and the operator reconciles or
// stands by for leadership, 503 before, with the state as text. The listening server also keeps the process alive while
// every other timer is unref'd.

export class OperatorHealth {
  private ready = false;
  private reason = 'starting';
  private failed?: string;
  private server?: Server;

  setReady(reason: string): void { this.ready = true; this.reason = reason; }
  setNotReady(reason: string): void { this.ready = false; this.reason = reason; }
  setFailed(reason: string): void { this.failed = reason; this.ready = false; this.reason = reason; }

  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const send = (ok: boolean, text: string) => { res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }); res.end(text + '\n'); };
      if (path === '/healthz') return send(!this.failed, this.failed ?? 'ok');
      if (path === '/readyz') return send(this.ready, this.reason);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve, reject) => { this.server!.once('error', reject); this.server!.listen(port, host, () => resolve()); });
    return (this.server.address() as { port: number }).port;
  }

  close(): void { this.server?.close(); }
}
