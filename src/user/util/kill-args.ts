// The kill command line, shared by the shell's kill builtin and /bin/kill:
//   kill [-s SIG | -n NUM | -SIG | -NUM] [--] TARGET...    (TERM by default)
//   kill -l [NUM | 128+NUM | NAME...]                       (list, or translate)
// SIG is a name with or without SIG (TERM, SIGTERM, any case); a target is a pid, a
// negative process group, or -1 (every process the caller may signal but init).

import { Signal, signalName, signalNumber } from '../libc/index.js';
import { UsageError } from './io.js';

export type KillCommand = { list: string[] } | { signal: number; targets: string[] };

export function parseSignal(s: string): number {
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n < 0 || n > 31) throw new UsageError(`${s}: invalid signal specification`);
    return n;
  }
  const n = signalNumber(s);
  if (n === undefined) throw new UsageError(`${s}: invalid signal specification`);
  return n;
}

export function parseKill(args: string[]): KillCommand {
  if (args[0] === '-l' || args[0] === '-L') return { list: args.slice(1) };
  let signal: number = Signal.SIGTERM;
  let i = 0;
  if (args[0] === '-s' || args[0] === '-n') {
    if (args[1] === undefined) throw new UsageError(`${args[0]}: option requires an argument`);
    signal = parseSignal(args[1]);
    i = 2;
  } else if (args[0] !== undefined && args[0] !== '--' && /^-[A-Za-z0-9+]+$/.test(args[0])) {
    // `kill -9` alone is a signal without a target (a usage error), not group 9: as in
    // procps and bash, a negative target first needs `--` or a signal before it.
    signal = parseSignal(args[0].slice(1));
    i = 1;
  }
  if (args[i] === '--') i++;
  const targets = args.slice(i);
  if (targets.length === 0) throw new UsageError('usage: kill [-s SIGNAL | -SIGNAL] PID... or kill -l [SIGNAL]');
  return { signal, targets };
}

/** What `kill -l ARGS` prints: the table, or each argument translated (number <-> name). */
export function listSignals(args: string[]): string {
  if (args.length === 0) {
    const names = Object.entries(Signal).sort((a, b) => a[1] - b[1]);
    return names.map(([name, n]) => `${String(n).padStart(2)}) ${name}`).join('\n') + '\n';
  }
  return args.map((a) => {
    if (/^\d+$/.test(a)) {
      const n = Number(a);
      const sig = n > 128 ? n - 128 : n; // an exit status 128+N names signal N
      if (sig < 1 || sig > 31) throw new UsageError(`${a}: invalid signal specification`);
      return signalName(sig).replace(/^SIG/, '');
    }
    return String(parseSignal(a));
  }).join('\n') + '\n';
}
