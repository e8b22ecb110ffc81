import { setFlagsFromString } from 'node:v8';
import { groupOf, registerGroups } from './command-groups.js';
import type { GlobalOptions } from './context.js';
import { addExamples } from './examples.js';
import { exitQuietlyOnBrokenPipe, isBrokenPipe, reportError } from './output.js';
import { createProgram } from './program.js';

// A one-shot command that loads undici (few do: calls to workers and the coordinator use
// node:http) compiles its WebAssembly HTTP parser with V8's baseline compiler only:
// otherwise node waits at exit for the optimizing compiler's background jobs (measured: 1.4 s of
// idle wall time after the output on a loaded machine). Set before any module compiles
// WebAssembly; commands that may serve for long (process start, fuse mount, operator) keep tier-up.
if (!groupOf(process.argv.slice(2))?.serves) setFlagsFromString('--liftoff-only');

const program = createProgram();

exitQuietlyOnBrokenPipe();

const global = (): GlobalOptions => program.opts<GlobalOptions>();

try {
  await registerGroups(program, global, process.argv.slice(2));
  addExamples(program);
  await program.parseAsync(process.argv);
} catch (err) {
  if (isBrokenPipe(err)) process.exit(0);
  process.exitCode = reportError(err);
}
