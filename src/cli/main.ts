import { registerGroups } from './command-groups.js';
import type { GlobalOptions } from './context.js';
import { addExamples } from './examples.js';
import { exitQuietlyOnBrokenPipe, isBrokenPipe, reportError } from './output.js';
import { createProgram } from './program.js';

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
