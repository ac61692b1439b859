// Reply checks for the components the kernel core calls (pm, console, vfs, blk):
// every answer is checked where the kernel receives it, so a malformed reply (a bug,
// or an injected `bad-reply`) fails that one call with EIO instead of travelling on
// as a wrong pid, a garbage group or a wait that never ends.
//
// `checkedPm`, `checkedConsole`, `checkedVfs` and `checkedBlk` wrap a component's
// interface once; the tables of shapes below are the only place that says what each
// method answers. (These are the tables a generated binding from the typed service
// list replaces.)

import { KernelError, Errno } from '../../abi/errno.js';
import type { BlkService, ConsoleService, PmService, VfsService } from '../../abi/services.js';
import { STAT_FIELDS } from '../../abi/fs.js';
import { SECTOR_SIZE } from '../../abi/blk.js';

type Check = (reply: unknown, args: unknown[]) => boolean;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isPid = (v: unknown): boolean => isInt(v) && v > 0;
const isPgid = (v: unknown): boolean => isInt(v) && v >= 0;
/** A method that answers nothing: undefined in the kernel domain, null across IPC. */
const isNothing = (v: unknown): boolean => v === undefined || v === null;

/** What each pm method must answer. */
export const PM_REPLIES: { readonly [K in keyof PmService]: Check } = {
  fork: isPid,
  setids: isNothing,
  setsid: isPid,
  getsid: isPgid,
  exit: isPgid, // the parent's pid (0 for init)
  wait: (v) => typeof v === 'object' && v !== null && isPgid((v as { pid?: unknown }).pid)
    && isInt((v as { code?: unknown }).code) && isInt((v as { signal?: unknown }).signal),
  kill: (v) => Array.isArray(v) && v.every(isPid),
  stopped: isNothing,
  getpid: isPid,
  getppid: isPgid,
  setpgid: isNothing,
  getpgid: isPgid,
  count: isPgid,
};

/** What each console method must answer. */
export const CONSOLE_REPLIES: { readonly [K in keyof ConsoleService]: Check } = {
  read: (v, args) => v instanceof Uint8Array && v.length <= (args[1] as number),
  cancel: isNothing,
  write: (v, args) => isInt(v) && v >= 0 && v <= (args[1] as Uint8Array).length,
  setForeground: isNothing,
  getForeground: isPgid,
  readable: (v) => typeof v === 'boolean',
  getMode: (v) => isInt(v) && v >= 0,
  setMode: isNothing,
  getWindowSize: (v) => isInt(v) && v >= 0,
  setWindowSize: isNothing,
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStat = (v: unknown): boolean => isObject(v) && STAT_FIELDS.every((f) => typeof v[f] === 'number');
const isEntry = (v: unknown): boolean => isObject(v) && typeof v.name === 'string' && typeof v.ino === 'number' && typeof v.type === 'number';

/** What each vfs method must answer. */
export const VFS_REPLIES: { readonly [K in keyof VfsService]: Check } = {
  open: (v) => isObject(v) && isPgid(v.handle) && (v.kind === 'file' || v.kind === 'dir' || v.kind === 'dev') && isInt(v.mode) && isInt(v.rdev),
  read: (v, args) => v instanceof Uint8Array && v.length <= (args[2] as number),
  write: (v, args) => isObject(v) && isInt(v.written) && v.written >= 0 && v.written <= (args[2] as Uint8Array).length && isPgid(v.end),
  close: isNothing,
  getdents: (v, args) => Array.isArray(v) && v.length <= (args[2] as number) && v.every(isEntry),
  fstat: isStat,
  ftruncate: isNothing,
  fsync: isNothing,
  fsetattr: isNothing,
  stat: isStat,
  setattr: isNothing,
  mkdir: isNothing,
  rmdir: isNothing,
  unlink: isNothing,
  rename: isNothing,
  link: isNothing,
  symlink: isNothing,
  readlink: (v) => typeof v === 'string',
  resolveDir: (v) => typeof v === 'string' && v.startsWith('/'),
  readExecutable: (v) => isObject(v) && v.program instanceof Uint8Array && isInt(v.mode) && isInt(v.uid) && isInt(v.gid),
  sync: isNothing,
  statfs: (v) => isObject(v) && typeof v.fsType === 'string' && ['blockSize', 'blocks', 'freeBlocks', 'inodes', 'freeInodes'].every((f) => typeof v[f] === 'number'),
  mount: isNothing,
  umount: isNothing,
  mounts: (v) => Array.isArray(v) && v.every((m) => isObject(m) && typeof m.source === 'string' && typeof m.target === 'string' && typeof m.fstype === 'string'),
  mountedOn: (v) => typeof v === 'string',
  openCount: isPgid,
  readInto: (v, args) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= (args[2] as { length: number }).length,
  writeFrom: (v, args) => isObject(v) && Number.isInteger(v.written) && (v.written as number) >= 0 && (v.written as number) <= (args[2] as { length: number }).length && typeof v.end === 'number',
};

/** What each blk method must answer. */
export const BLK_REPLIES: { readonly [K in keyof BlkService]: Check } = {
  size: isPgid,
  read: (v, args) => v instanceof Uint8Array && v.length === (args[1] as number) * SECTOR_SIZE,
  write: isNothing,
  flush: isNothing,
};

/** Wraps `iface` so each method's reply is checked against `checks` (EIO when malformed). */
export function checkReplies<T extends object>(component: string, iface: T, checks: { readonly [K in keyof T]: Check }): T {
  const wrapped: Record<string, unknown> = {};
  for (const method of Object.keys(checks)) {
    const check = checks[method as keyof T];
    wrapped[method] = async (...args: unknown[]): Promise<unknown> => {
      const fn = (iface as Record<string, (...a: unknown[]) => Promise<unknown>>)[method];
      if (typeof fn !== 'function') throw new KernelError(Errno.ENOSYS, `${component} has no method ${method}`);
      const reply = await fn(...args);
      if (!check(reply, args)) throw new KernelError(Errno.EIO, `${component}.${method} returned a malformed reply`);
      return reply ?? undefined;
    };
  }
  return wrapped as T;
}

export function checkedPm(iface: PmService): PmService { return checkReplies('pm', iface, PM_REPLIES); }
export function checkedConsole(iface: ConsoleService): ConsoleService { return checkReplies('console', iface, CONSOLE_REPLIES); }
export function checkedVfs(iface: VfsService): VfsService { return checkReplies('vfs', iface, VFS_REPLIES); }
export function checkedBlk(iface: BlkService): BlkService { return checkReplies('blk', iface, BLK_REPLIES); }
