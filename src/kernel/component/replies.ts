// Reply checks for the components the kernel core itself depends on (pm, console):
// every answer is checked where the kernel receives it, so a malformed reply (a bug,
// or an injected `bad-reply`) fails that one call with EIO instead of travelling on
// as a wrong pid, a garbage group or a wait that never ends.
//
// `checkedPm` and `checkedConsole` wrap a component's interface once; the table of
// shapes below is the only place that says what each method answers. (This is the
// table a generated binding from the typed service list replaces.)

import { KernelError, Errno } from '../../abi/errno.js';
import type { ConsoleService, PmService } from '../../abi/services.js';

type Check = (reply: unknown, args: unknown[]) => boolean;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isPid = (v: unknown): boolean => isInt(v) && v > 0;
const isPgid = (v: unknown): boolean => isInt(v) && v >= 0;
/** A method that answers nothing: undefined in the kernel domain, null across IPC. */
const isNothing = (v: unknown): boolean => v === undefined || v === null;

/** What each pm method must answer. */
export const PM_REPLIES: { readonly [K in keyof PmService]: Check } = {
  fork: isPid,
  exit: isPgid, // the parent's pid (0 for init)
  wait: (v) => typeof v === 'object' && v !== null && isPgid((v as { pid?: unknown }).pid)
    && isInt((v as { code?: unknown }).code) && isInt((v as { signal?: unknown }).signal),
  kill: (v) => Array.isArray(v) && v.every(isPid),
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
