// ps: the process table, read from /proc: PID PPID STAT CMD (STAT: R running,
// S sleeping/blocked, T stopped, Z zombie). -o also shows PGID and the syscall count;
// -l adds the working directory (? where it may not be read: another user's).
import { procEntries } from '../util/procfs.js';
import { run, stdout } from '../util/io.js';
import { parseArgs } from '../util/args.js';

export function main(argv: string[]): number {
  return run('ps', () => {
    const args = parseArgs(argv.slice(1), { flags: 'aefxlo' });
    const long = args.flags.has('l') || args.flags.has('o');
    const table = procEntries();
    const header = long ? ['PID', 'PPID', 'PGID', 'STAT', 'SYSCALLS', 'CMD'] : ['PID', 'PPID', 'STAT', 'CMD'];
    const rows = table.map((p) => (long
      ? [String(p.pid), String(p.ppid), String(p.pgid), p.state, String(p.syscalls), p.command + (args.flags.has('l') ? `  (${p.cwd ?? '?'})` : '')]
      : [String(p.pid), String(p.ppid), p.state, p.command]));
    const all = [header, ...rows];
    // PID and PPID get at least five columns, as procps prints them.
    const widths = header.map((h, i) => Math.max(h === 'PID' || h === 'PPID' || h === 'PGID' ? 5 : 0, ...all.map((r) => (r[i] ?? '').length)));
    for (const r of all) {
      stdout.line(r.map((c, i) => {
        if (i === r.length - 1) return c;
        const isText = header[i] === 'STAT';
        return isText ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0);
      }).join(' '));
    }
    return 0;
  });
}
