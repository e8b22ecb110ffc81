import { existsSync, openSync, readSync, closeSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { isSecretKey } from '../../common/secrets.js';
import { toAlluxioError } from '../../common/errors.js';
import { workerName } from '../../hashring/worker-info.js';
import { buildUrl, httpCall, httpOrigin, WEB_ROUTES } from '../../common/protocol/index.js';
import type { AlluxioConfiguration } from '../../conf/index.js';
import { commandConf, commandConfDir, withClient, type GlobalOptions } from '../context.js';
import { writeTarGz, type TarEntry } from '../tar-writer.js';
import { collectReport } from './info.js';

/** At most this much of the end of each log goes into the archive. */
const LOG_TAIL_BYTES = 4 * 1024 * 1024;

/** The last `max` bytes of a file. */
function tailOf(file: string, max: number): Buffer {
  const size = statSync(file).size;
  const length = Math.min(size, max);
  const buf = Buffer.alloc(length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  return buf;
}

/** The site file with the value of every credential-like or secret-declared key replaced by ***. */
function redactedSiteFile(text: string, conf: AlluxioConfiguration): string {
  const secret = new Set(conf.entries().filter((e) => e.spec.secret).map((e) => e.name));
  return text.split('\n').map((line) => {
    const m = /^(\s*)([^#!\s=:][^=:\s]*)(\s*[=:\s]\s*)(.*)$/.exec(line);
    return m && (secret.has(m[2]!) || isSecretKey(m[2]!)) && m[4] ? `${m[1]}${m[2]}${m[3]}***` : line;
  }).join('\n');
}

async function fetchText(url: string, authorization?: string): Promise<string> {
  const res = await httpCall(url, { timeoutMs: 5000, headers: authorization ? { authorization } : {} });
  if (res.status < 200 || res.status >= 300) throw new Error(`${url} answered ${res.status}`);
  return res.text;
}

/** Log directories to collect: the local cluster's (next to its conf dir) and alluxio.log.dir. */
function logDirs(conf: AlluxioConfiguration): string[] {
  const dirs = new Set<string>();
  const c = commandConfDir();
  if (c.kind !== 'none') dirs.add(join(dirname(c.path), 'logs'));
  dirs.add(resolve(conf.getString('alluxio.log.dir')));
  return [...dirs].filter((d) => existsSync(d) && statSync(d).isDirectory());
}

/** `alluxio collectinfo`: one tarball for a support request. */
export function registerCollectInfoCommand(program: Command, global: () => GlobalOptions): void {
  program.command('collectinfo').option('--output <file>', 'the archive to write (default: alluxio-info-<time>.tar.gz in this directory)')
    .description('write a .tar.gz of the configuration (secrets redacted), logs, metrics and info of every process, and the info report')
    .action(async (o: { output?: string }) => {
      const output = o.output ?? `alluxio-info-${new Date().toISOString().replace(/[:.]/g, '-')}.tar.gz`;
      const g = global();
      const conf = commandConf(g);
      const entries: TarEntry[] = [];
      const notes: string[] = [];
      const add = (name: string, data: string | Buffer) => entries.push({ name, data: Buffer.isBuffer(data) ? data : Buffer.from(data) });
      const secrets = new Set(conf.entries().filter((e) => e.spec.secret && e.value).map((e) => e.value!));

      add('conf/properties.txt', conf.entries().map((e) => `${e.name}=${e.displayValue ?? ''}\t# ${e.source.kind}${e.source.detail ? ` (${e.source.detail})` : ''}`).join('\n') + '\n');
      const confDir = commandConfDir();
      if (confDir.kind !== 'none') {
        const site = join(confDir.path, 'alluxio-site.properties');
        if (existsSync(site)) add('conf/alluxio-site.properties', redactedSiteFile(readFileSync(site, 'utf8'), conf));
      }
      const { restAuthorizationFromConf } = await import('../../client/from-conf.js');
      const authorization = restAuthorizationFromConf(conf);

      try {
        await withClient(g, async (c) => {
          for (const m of await c.namespace.mountStore.list()) for (const [k, v] of Object.entries(m.options)) if (isSecretKey(k) && v) secrets.add(v);
          add('report/info-report.json', JSON.stringify(await collectReport(c, conf), null, 2) + '\n');
          const processes: Array<{ name: string; web: string }> = [];
          processes.push({ name: 'coordinator', web: httpOrigin(conf.getString('alluxio.coordinator.hostname'), conf.getInt('alluxio.coordinator.web.port')) });
          for (const w of await c.membership.allWorkers()) processes.push({ name: `worker-${workerName(w.worker.identity)}`.slice(0, 60), web: httpOrigin(w.worker.address.Host, w.worker.address.WebPort) });
          await Promise.all(processes.map(async (p) => {
            for (const [file, route] of [['info.json', WEB_ROUTES.info], ['metrics.prom', WEB_ROUTES.metrics]] as const) {
              try {
                add(`processes/${p.name}/${file}`, await fetchText(buildUrl(p.web, route), authorization));
              } catch (err) {
                notes.push(`${p.name}: ${buildUrl(p.web, route)}: ${(err as Error).message}`);
              }
            }
          }));
        });
      } catch (err) {
        notes.push(`the cluster report could not be collected: ${toAlluxioError(err).message}`);
      }

      for (const dir of logDirs(conf)) {
        for (const f of readdirSync(dir)) {
          const file = join(dir, f);
          if (!statSync(file).isFile()) continue;
          add(`logs/${basename(dirname(dir))}-${f}`.slice(0, 100), tailOf(file, LOG_TAIL_BYTES));
        }
      }
      if (notes.length) add('NOTES.txt', notes.join('\n') + '\n');
      // A secret a process echoed (a log line, an info field) is cut out of every file: it never leaves the machine.
      const scrubbed = entries.map((e) => {
        let text = e.data.toString('latin1');
        let changed = false;
        for (const s of secrets) if (s.length >= 4 && text.includes(s)) { text = text.split(s).join('***'); changed = true; }
        return changed ? { name: e.name, data: Buffer.from(text, 'latin1') } : e;
      });
      await writeTarGz(output, scrubbed);
      process.stdout.write(`Wrote ${resolve(output)}: ${scrubbed.length} files (configuration, ${scrubbed.filter((e) => e.name.startsWith('processes/')).length} process files, ${scrubbed.filter((e) => e.name.startsWith('logs/')).length} logs)\n`);
      for (const n of notes) process.stderr.write(`Note: ${n}\n`);
    });
}
