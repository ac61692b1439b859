// top: a live view of the processes and the components, redrawn every second (-d
// SECONDS) from /proc, as ps and lsmod read it: each process's state, CPU time and
// syscalls, with the syscalls per second since the last screen, and each component's
// domain, state and restarts. q (or ^C) quits; -n N stops
// after N screens; -b prints the screens as text instead (batch mode, also when
// stdout is not a terminal).
import { clockGettime, CLOCK, uname, nanosleep } from '../libc/index.js';
import { procEntries, procModules } from '../util/procfs.js';
import { run, stdout, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { Screen, stdoutIsTerminal, fit } from '../util/screen.js';

// Clock ticks (hundredths of a second) as minutes:seconds.hundredths, as top prints TIME+.
const cpuTime = (ticks: number): string => `${Math.floor(ticks / 6000)}:${String(Math.floor(ticks / 100) % 60).padStart(2, '0')}.${String(ticks % 100).padStart(2, '0')}`;

function view(previous: Map<number, number>, elapsedS: number, rows: number): string[] {
  const procs = procEntries();
  const mods = procModules();
  const now = new Date(clockGettime(CLOCK.REALTIME) / 1e6).toISOString().slice(11, 19);
  const lines = [
    `top - ${now} UTC  preset ${uname().preset}  ${procs.length} processes (${procs.filter((p) => p.state === 'T').length} stopped)  ${mods.length} components`,
    '',
    '  PID  PPID S     TIME+  SYSCALLS  SYS/S  CMD',
  ];
  for (const p of procs) {
    const before = previous.get(p.pid);
    const rate = before === undefined || elapsedS <= 0 ? '' : String(Math.round((p.syscalls - before) / elapsedS));
    lines.push(`${String(p.pid).padStart(5)} ${String(p.ppid).padStart(5)} ${p.state} ${cpuTime(p.utime + p.stime).padStart(9)} ${String(p.syscalls).padStart(9)} ${rate.padStart(6)}  ${p.command.split('\n')[0]}`);
    previous.set(p.pid, p.syscalls);
  }
  lines.push('', 'COMPONENT  DOMAIN   STATE       RESTARTS');
  for (const m of mods) lines.push(`${m.name.padEnd(10)} ${m.domain.padEnd(8)} ${m.state.padEnd(11)} ${m.restarts}`);
  return lines.slice(0, rows);
}

export function main(argv: string[]): number {
  return run('top', () => {
    const args = parseArgs(argv.slice(1), { flags: 'b', options: 'dn' });
    if (args.operands.length > 0) throw new UsageError(`unexpected argument '${args.operands[0]}'`);
    const delay = Number(args.options.get('d') ?? '1');
    if (!(delay > 0) || delay > 3600) throw new UsageError(`bad delay '${args.options.get('d')}'`);
    const count = args.options.has('n') ? Number(args.options.get('n')) : Infinity;
    if (!(count >= 1) || (count !== Infinity && !Number.isInteger(count))) throw new UsageError(`bad count '${args.options.get('n')}'`);
    const previous = new Map<number, number>();
    let last = clockGettime(CLOCK.MONOTONIC);
    const elapsed = (): number => { const t = clockGettime(CLOCK.MONOTONIC); const s = (t - last) / 1e9; last = t; return s; };
    if (args.flags.has('b') || !stdoutIsTerminal()) {
      const screens = count === Infinity ? 1 : count;
      for (let i = 0; i < screens; i++) {
        if (i > 0) { nanosleep(Math.round(delay * 1e9)); stdout.line(''); }
        for (const l of view(previous, i === 0 ? 0 : elapsed(), Infinity)) stdout.line(l);
        stdout.flush();
      }
      return 0;
    }
    const screen = new Screen(true);
    try {
      for (let shown = 0; shown < count && !screen.interrupted; shown++) {
        const { rows, columns } = screen.size();
        const lines = view(previous, shown === 0 ? 0 : elapsed(), rows - 1);
        screen.write('\x1b[H' + lines.map((l) => fit(l, columns)).join('\r\n') + '\x1b[J');
        // Wait out the delay, answering keys meanwhile.
        const until = clockGettime(CLOCK.MONOTONIC) + delay * 1e9;
        for (;;) {
          const left = Math.ceil((until - clockGettime(CLOCK.MONOTONIC)) / 1e6);
          if (left <= 0) break;
          const k = screen.key(left);
          if (k === null) { if (screen.interrupted) break; continue; }
          if ('char' in k && (k.char === 'q' || k.char === 'Q')) return 0;
        }
      }
      return 0;
    } finally {
      screen.close();
    }
  });
}
