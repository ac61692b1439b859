// ps: the process table: PID PPID STAT CMD (STAT: R running, S sleeping/blocked,
// T stopped, Z zombie). -o also shows PGID and the syscall count; -l adds the working directory.
import { sysinfo, SysInfo } from '../libc/index.js';
import type { PsRecord } from '../../abi/sysinfo.js';
import { run, stdout } from '../util/io.js';
import { parseArgs } from '../util/args.js';

function stateLetter(state: string): string {
  switch (state) {
    case 'running': return 'R';
    case 'blocked': return 'S';
    case 'zombie': return 'Z';
    case 'stopped': return 'T';
    default: return state.slice(0, 1).toUpperCase() || '?';
  }
}

export function main(argv: string[]): number {
  return run('ps', () => {
    const args = parseArgs(argv.slice(1), { flags: 'aefxlo' });
    const long = args.flags.has('l') || args.flags.has('o');
    const table = (sysinfo(SysInfo.PS) as unknown as PsRecord[]).slice().sort((a, b) => a.pid - b.pid);
    const header = long ? ['PID', 'PPID', 'PGID', 'STAT', 'SYSCALLS', 'CMD'] : ['PID', 'PPID', 'STAT', 'CMD'];
    const rows = table.map((p) => (long
      ? [String(p.pid), String(p.ppid), String(p.pgid), stateLetter(p.state), String(p.syscalls), p.name + (args.flags.has('l') ? `  (${p.cwd})` : '')]
      : [String(p.pid), String(p.ppid), stateLetter(p.state), p.name]));
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
