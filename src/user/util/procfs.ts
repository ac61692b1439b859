// Reading /proc (the proc component, services/procfs/) for ps, top, free, uptime and
// lsmod: the files parsed back into records. A process that exits between the
// listing of /proc and the read of its files is left out, as procps does.

import { readFile, readdir, readlink, SysError, Errno } from '../libc/index.js';

const decoder = new TextDecoder();

export interface ProcEntry {
  pid: number;
  ppid: number;
  pgid: number;
  /** R, S, T or Z (/proc/PID/stat's third field). */
  state: string;
  /** The command line, arguments joined by spaces; `[name] <defunct>` for a zombie, as procps shows it. */
  command: string;
  /** The working directory, or undefined when it may not be read (another user's). */
  cwd: string | undefined;
  syscalls: number;
  uid: number;
  /** User and system time in clock ticks (hundredths of a second). */
  utime: number;
  stime: number;
}

export interface ModuleEntry {
  name: string;
  domain: string;
  state: string;
  restarts: number;
  description: string;
}

export interface ArenaEntry {
  arena: string;
  size: number;
  used: number;
}

/** The text of a /proc file. */
export function procText(path: string): string {
  return decoder.decode(readFile(path));
}

const gone = (e: unknown): boolean => e instanceof SysError && (e.errno === Errno.ENOENT || e.errno === Errno.ESRCH);

/** The fields of /proc/PID/status ("Key:\tvalue" lines). */
export function statusFields(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) out.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return out;
}

/** /proc/PID/stat split into its fields; the name in parentheses may hold spaces and parentheses. */
export function statFields(text: string): string[] {
  const open = text.indexOf('('), close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error('malformed /proc/PID/stat');
  return [text.slice(0, open).trim(), text.slice(open + 1, close), ...text.slice(close + 1).trim().split(' ')];
}

/** The pids /proc lists, lowest first; an error when /proc is not mounted (its directory alone is empty). */
export function procPids(): number[] {
  try { readlink('/proc/self'); } catch (e) {
    if (e instanceof SysError && e.errno === Errno.ENOENT) throw new Error('/proc is not mounted (mount -t proc proc /proc)');
    throw e;
  }
  return readdir('/proc').map((e) => e.name).filter((n) => /^[0-9]+$/.test(n)).map(Number).sort((a, b) => a - b);
}

/** One process from /proc/PID, or undefined when it has gone. */
export function procEntry(pid: number): ProcEntry | undefined {
  try {
    const stat = statFields(procText(`/proc/${pid}/stat`));
    const status = statusFields(procText(`/proc/${pid}/status`));
    const argv = procText(`/proc/${pid}/cmdline`).split('\0');
    if (argv[argv.length - 1] === '') argv.pop();
    let cwd: string | undefined;
    try { cwd = readlink(`/proc/${pid}/cwd`); } catch (e) { if (gone(e)) throw e; cwd = undefined; }
    const state = stat[2]!;
    return {
      pid, ppid: Number(stat[3]), pgid: Number(stat[4]), state,
      command: state === 'Z' || argv.length === 0 ? `[${stat[1]}] <defunct>` : argv.join(' '),
      cwd, syscalls: Number(status.get('Syscalls') ?? 0), uid: Number((status.get('Uid') ?? '0').split(/\s+/)[0]),
      utime: Number(stat[13]), stime: Number(stat[14]),
    };
  } catch (e) {
    if (gone(e)) return undefined;
    throw e;
  }
}

/** Every process /proc shows. */
export function procEntries(): ProcEntry[] {
  return procPids().map(procEntry).filter((p): p is ProcEntry => p !== undefined);
}

/** /proc/modules: NAME DOMAIN STATE RESTARTS DESCRIPTION per line. */
export function procModules(): ModuleEntry[] {
  return procText('/proc/modules').split('\n').filter((l) => l.length > 0).map((l) => {
    const [name, domain, state, restarts, ...description] = l.split(' ');
    return { name: name!, domain: domain!, state: state!, restarts: Number(restarts), description: description.join(' ') };
  });
}

/** /proc/arenas: NAME SIZE USED (bytes) per line. */
export function procArenas(): ArenaEntry[] {
  return procText('/proc/arenas').split('\n').filter((l) => l.length > 0).map((l) => {
    const [arena, size, used] = l.split(' ');
    return { arena: arena!, size: Number(size), used: Number(used) };
  });
}

/** Seconds since boot (/proc/uptime). */
export function procUptime(): number {
  return Number(procText('/proc/uptime').split(' ')[0]);
}
