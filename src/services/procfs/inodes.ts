// How /proc's inode numbers name its files. The number says everything: which file,
// and for /proc/PID/... which process (and which descriptor), so the proc server
// keeps no table and a restarted server answers the same numbers.
//
//   1                      /proc
//   2 .. 63                the files in /proc itself (TOP below)
//   PID_BASE + pid * PER_PID + k
//     k = 0                /proc/PID
//     k = 1 .. 63          its files (PER_PROCESS below)
//     k = FD_BASE + fd     /proc/PID/fd/FD

export const ROOT_INO = 1;
export const PID_BASE = 1 << 20;
export const PER_PID = 4096;
export const FD_BASE = 64;
/** Descriptors /proc/PID/fd can name (the kernel's limit, maxFdsPerProcess, is lower). */
export const MAX_FD = PER_PID - FD_BASE;

export type TopFile = 'self' | 'meminfo' | 'arenas' | 'uptime' | 'modules' | 'mounts' | 'version' | 'cpuinfo';
export type ProcessFile = 'status' | 'cmdline' | 'stat' | 'fd' | 'cwd' | 'maps';

/** /proc's own files, in listing order; the inode is the index + 2. */
export const TOP: readonly TopFile[] = ['self', 'meminfo', 'arenas', 'uptime', 'modules', 'mounts', 'version', 'cpuinfo'];
/** A process's files, in listing order; k is the index + 1. */
export const PER_PROCESS: readonly ProcessFile[] = ['status', 'cmdline', 'stat', 'fd', 'cwd', 'maps'];

export type Node =
  | { kind: 'root' }
  | { kind: 'top'; file: TopFile }
  | { kind: 'pid'; pid: number }
  | { kind: 'process'; pid: number; file: ProcessFile }
  | { kind: 'fd'; pid: number; fd: number };

export function inoOf(n: Node): number {
  switch (n.kind) {
    case 'root': return ROOT_INO;
    case 'top': return TOP.indexOf(n.file) + 2;
    case 'pid': return PID_BASE + n.pid * PER_PID;
    case 'process': return PID_BASE + n.pid * PER_PID + PER_PROCESS.indexOf(n.file) + 1;
    case 'fd': return PID_BASE + n.pid * PER_PID + FD_BASE + n.fd;
  }
}

/** The node an inode number names, or undefined when it names nothing (a forged number). */
export function nodeOf(ino: number): Node | undefined {
  if (!Number.isSafeInteger(ino) || ino < 1) return undefined;
  if (ino === ROOT_INO) return { kind: 'root' };
  if (ino < PID_BASE) {
    const file = TOP[ino - 2];
    return file === undefined ? undefined : { kind: 'top', file };
  }
  const pid = Math.floor((ino - PID_BASE) / PER_PID), k = (ino - PID_BASE) % PER_PID;
  if (pid < 1) return undefined;
  if (k === 0) return { kind: 'pid', pid };
  if (k >= FD_BASE) return { kind: 'fd', pid, fd: k - FD_BASE };
  const file = PER_PROCESS[k - 1];
  return file === undefined ? undefined : { kind: 'process', pid, file };
}

/** A directory entry's name as a number (a pid, a descriptor): decimal, no sign, no leading zero. */
export function parseNumber(name: string, max: number): number | undefined {
  if (!/^(0|[1-9][0-9]{0,9})$/.test(name)) return undefined;
  const n = Number(name);
  return n <= max ? n : undefined;
}
