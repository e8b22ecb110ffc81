// Loaded with `node --import` (NODE_OPTIONS refuses --cpu-prof): profiles the process and writes
// DIR/<pid>-<args>.cpuprofile when it exits, DIR from CPU_PROFILE_DIR. Used by bench/preload.ts.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  let written = false;
  // The in-process session answers synchronously, so this completes inside the 'exit' handler.
  process.on('exit', () => {
    if (written) return;
    written = true;
    session.post('Profiler.stop', (err, r) => {
      if (err) return;
      const name = process.argv.slice(2, 4).join('_').replace(/[^\w.-]/g, '');
      writeFileSync(`${dir}/${process.pid}-${name}.cpuprofile`, JSON.stringify(r.profile));
    });
  });
}
