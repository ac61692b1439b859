// kill: sends a signal (default TERM) to processes, or to a process group when the
// pid is negative. kill -SIG PID..., kill -N PID..., kill -s SIG PID..., kill -l [N].
import { kill, signalName, signalNumber, Signal } from '../libc/index.js';
import { run, complain, reasonOf, stdout, UsageError } from '../util/io.js';

function parseSignal(s: string): number {
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n < 0 || n > 31) throw new UsageError(`${s}: invalid signal specification`);
    return n;
  }
  const n = signalNumber(s);
  if (n === undefined) throw new UsageError(`${s}: invalid signal specification`);
  return n;
}

export function main(argv: string[]): number {
  return run('kill', () => {
    const args = argv.slice(1);
    let sig: number = Signal.SIGTERM;
    let i = 0;
    if (args[0] === '-l' || args[0] === '-L') {
      if (args[1] !== undefined) {
        for (const a of args.slice(1)) {
          const n = Number(a);
          stdout.line(/^\d+$/.test(a) ? signalName(n > 128 ? n - 128 : n).replace(/^SIG/, '') : String(parseSignal(a)));
        }
        return 0;
      }
      const names = Object.entries(Signal).sort((a, b) => a[1] - b[1]);
      stdout.line(names.map(([name, n]) => `${String(n).padStart(2)}) ${name}`).join('\n'));
      return 0;
    }
    if (args[0] === '-s' || args[0] === '-n') { sig = parseSignal(args[1] ?? ''); i = 2; }
    else if (args[0] !== undefined && /^-[A-Za-z0-9]+$/.test(args[0]) && args.length > 1) { sig = parseSignal(args[0].slice(1)); i = 1; }
    if (args[i] === '--') i++;
    const targets = args.slice(i);
    if (targets.length === 0) throw new UsageError('usage: kill [-s SIGNAL | -SIGNAL] PID...');
    let status = 0;
    for (const t of targets) {
      if (!/^-?\d+$/.test(t)) { complain('kill', `${t}: arguments must be process or job IDs`); status = 1; continue; }
      try { kill(Number(t), sig); } catch (e) { complain('kill', `(${t}) - ${reasonOf(e)}`); status = 1; }
    }
    return status;
  });
}
