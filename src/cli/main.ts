import { registerGroups } from './command-groups.js';
import type { GlobalOptions } from './context.js';
import { addExamples } from './examples.js';
import { reportError } from './output.js';
import { createProgram } from './program.js';

const program = createProgram();
const global = (): GlobalOptions => program.opts<GlobalOptions>();

try {
  await registerGroups(program, global, process.argv.slice(2));
  addExamples(program);
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = reportError(err);
}
