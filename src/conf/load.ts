import { join, resolve } from 'node:path';
import { InvalidConfError } from '../common/errors.js';
import type { ConfigInput, ConfigSource } from './config-source.js';
import { AlluxioConfiguration } from './configuration.js';
import { systemPropertiesOf } from './java-opts.js';
import { readPropertiesFile } from './properties-file.js';
import { findIgnoredKey, findProperty } from './property-keys.js';

export const SITE_PROPERTIES_FILE = 'alluxio-site.properties';

/** Environment variables that set a property, as Alluxio's scripts pass them on as -D options. */
export const ENV_PROPERTIES: Readonly<Record<string, string>> = Object.freeze({
  ALLUXIO_HOME: 'alluxio.home',
  ALLUXIO_CONF_DIR: 'alluxio.conf.dir',
  ALLUXIO_LOGS_DIR: 'alluxio.log.dir',
});

export interface LoadOptions {
  /** The directory holding alluxio-site.properties; wins over ALLUXIO_CONF_DIR and alluxio.conf.dir. */
  confDir?: string;
  /** `-Dkey=value` options; default: env.ALLUXIO_JAVA_OPTS. Other JVM options are ignored. */
  javaOpts?: string;
  /** `key=value` strings from `--conf`. */
  cliConf?: readonly string[];
  /** Programmatic values (e.g. from the local cluster), applied last. */
  overrides?: Readonly<Record<string, string>>;
  /** Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Default: process.cwd(); alluxio.home's default and the base of a relative conf dir. */
  cwd?: string;
  /** Receives warnings about ignored keys (default: stderr). */
  onWarning?: (message: string) => void;
}

/**
 * Loads the configuration. Later sources win:
 * defaults → `<conf dir>/alluxio-site.properties` (a missing file is fine) → ALLUXIO_HOME,
 * ALLUXIO_CONF_DIR, ALLUXIO_LOGS_DIR → `-D` options of ALLUXIO_JAVA_OPTS → `--conf k=v` → overrides.
 * The conf dir is `confDir`, else ALLUXIO_CONF_DIR, else alluxio.conf.dir from the other sources.
 * Throws InvalidConfError naming every unknown key and bad value at once.
 */
export function loadConfiguration(opts: LoadOptions = {}): AlluxioConfiguration {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const build = { cwd, onWarning: opts.onWarning };

  const envInputs = fromEnv(env);
  const javaInputs = fromJavaOpts(opts.javaOpts ?? env.ALLUXIO_JAVA_OPTS ?? '', opts.javaOpts !== undefined ? 'javaOpts option' : 'ALLUXIO_JAVA_OPTS');
  const cliInputs = fromCli(opts.cliConf ?? []);
  const overrideInputs = fromOverrides(opts.overrides ?? {});
  const later = [...envInputs, ...javaInputs, ...cliInputs, ...overrideInputs];

  // Pick the conf dir. When it came from the option or the environment, it is re-applied last,
  // so alluxio.conf.dir always names the directory that was read.
  let confDir: string;
  let pinned: ConfigInput | undefined;
  if (opts.confDir !== undefined) {
    if (typeof opts.confDir !== 'string' || opts.confDir === '') throw new InvalidConfError('confDir must be a non-empty path');
    confDir = resolve(cwd, opts.confDir);
    pinned = { key: 'alluxio.conf.dir', value: confDir, source: { kind: 'override', detail: 'confDir option' }, location: 'confDir option' };
  } else if (env.ALLUXIO_CONF_DIR) {
    confDir = resolve(cwd, env.ALLUXIO_CONF_DIR);
    pinned = { key: 'alluxio.conf.dir', value: confDir, source: { kind: 'env', detail: 'ALLUXIO_CONF_DIR' }, location: 'ALLUXIO_CONF_DIR' };
  } else {
    confDir = resolve(cwd, confDirFrom(later, build.cwd));
  }

  const sitePath = join(confDir, SITE_PROPERTIES_FILE);
  const siteInputs: ConfigInput[] = [];
  const source: ConfigSource = { kind: 'site-properties', detail: sitePath };
  for (const entry of readPropertiesFile(sitePath) ?? []) {
    const location = `${sitePath}:${entry.line}`;
    if (findProperty(entry.key)?.name === 'alluxio.conf.dir') {
      (opts.onWarning ?? warnToStderr)(`ignoring alluxio.conf.dir (in ${location}): the conf dir is chosen before this file is read; set ALLUXIO_CONF_DIR instead`);
      continue;
    }
    siteInputs.push({ key: entry.key, value: entry.value, source, location });
  }

  return AlluxioConfiguration.fromInputs([...siteInputs, ...later, ...(pinned ? [pinned] : [])], build);
}

function warnToStderr(message: string): void {
  process.stderr.write(`WARN conf: ${message}\n`);
}

/** alluxio.conf.dir as the non-file sources set it (the file cannot choose its own directory). */
function confDirFrom(inputs: readonly ConfigInput[], cwd: string): string {
  const quiet = { cwd, onWarning: () => {} };
  try {
    return AlluxioConfiguration.fromInputs(inputs, quiet).getString('alluxio.conf.dir');
  } catch {
    // Something else is wrong (the full load reports it, with the site file's values taken
    // into account); the conf dir depends only on these two.
    const relevant = inputs.filter((i) => ['alluxio.conf.dir', 'alluxio.home'].includes(findProperty(i.key)?.name ?? ''));
    try {
      return AlluxioConfiguration.fromInputs(relevant, quiet).getString('alluxio.conf.dir');
    } catch {
      return AlluxioConfiguration.fromInputs([], quiet).getString('alluxio.conf.dir');
    }
  }
}

function fromEnv(env: NodeJS.ProcessEnv): ConfigInput[] {
  const out: ConfigInput[] = [];
  for (const [variable, key] of Object.entries(ENV_PROPERTIES)) {
    const value = env[variable];
    if (value) out.push({ key, value, source: { kind: 'env', detail: variable }, location: variable });
  }
  return out;
}

/** Our properties among the -D options; -Dlog4j..., -Djava... and -X options are not ours and are skipped. */
function fromJavaOpts(text: string, name: string): ConfigInput[] {
  if (typeof text !== 'string') throw new InvalidConfError(`${name} must be a string`);
  const source: ConfigSource = { kind: 'java-opts', detail: name };
  return systemPropertiesOf(text, name)
    .filter(({ key }) => findProperty(key) !== undefined || findIgnoredKey(key) !== undefined || key.startsWith('alluxio.'))
    .map(({ key, value }) => ({ key, value, source, location: `${name} -D${key}` }));
}

function fromCli(conf: readonly string[]): ConfigInput[] {
  if (!Array.isArray(conf)) throw new InvalidConfError('cliConf must be an array of "key=value" strings');
  return conf.map((item) => {
    const eq = typeof item === 'string' ? item.indexOf('=') : -1;
    if (eq <= 0) throw new InvalidConfError(`bad --conf '${String(item).split('=')[0]}': expected key=value`);
    return { key: item.slice(0, eq).trim(), value: item.slice(eq + 1), source: { kind: 'cli' }, location: '--conf' } as ConfigInput;
  });
}

function fromOverrides(overrides: Readonly<Record<string, string>>): ConfigInput[] {
  if (overrides === null || typeof overrides !== 'object') throw new InvalidConfError('overrides must be an object of key to value');
  return Object.entries(overrides).map(([key, value]) => ({ key, value, source: { kind: 'override' }, location: 'overrides' }));
}
