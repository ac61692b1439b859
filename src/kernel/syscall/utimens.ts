// utimens: times in ns; UTIME_NOW and UTIME_OMIT as in utimensat(2). flags 0x100 = AT_SYMLINK_NOFOLLOW;
// AT_TIMESPEC: the atime argument points at {atime s, ns, mtime s, ns} (to the nanosecond).
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { fsCred } from '../../abi/cred.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { UTIME_NOW, UTIME_OMIT } from '../../abi/syscalls.js';
import { AT, type SetAttr } from '../../abi/fs.js';
import { pathBase, atFlags } from '../fs/at.js';

export async function sysUtimens(k: Kernel, p: Process, a: number[]): Promise<number> {
  const path = p.copyinString(a[0]!, a[1]!);
  const flags = atFlags(a[4]!, AT.SYMLINK_NOFOLLOW | AT.TIMESPEC);
  await k.vfs.setattr(await pathBase(k, p, AT.FDCWD, path), path, times(a[2]!, a[3]!, flags, p), (flags & AT.SYMLINK_NOFOLLOW) === 0, fsCred(p.cred, p.pid));
  return 0;
}

/**
 * Turns (atime, mtime) arguments with UTIME_NOW/UTIME_OMIT into a SetAttr; with
 * AT.TIMESPEC in `flags`, `atime` points at four float64s in `p`'s memory instead.
 */
export function times(atime: number, mtime: number, flags = 0, p?: Process): SetAttr {
  const ms = Date.now();
  const now = ms * 1e6;
  // The exact nanoseconds of now (ms * 1e6 as a float64 is off by up to 128 ns).
  const nowNsec = (ms % 1000) * 1e6;
  const out: SetAttr = {};
  if ((flags & AT.TIMESPEC) !== 0 && p !== undefined) {
    const [as, ans, ms, mns] = p.copyinFloat64(atime, 4);
    const pick = (s: number, ns: number, k: 'atime' | 'mtime'): void => {
      if (ns === UTIME_OMIT) return;
      if (ns === UTIME_NOW) { out[`${k}Ns`] = now; out[`${k}Nsec`] = nowNsec; return; }
      if (!Number.isSafeInteger(s) || s < 0 || !Number.isInteger(ns) || ns < 0 || ns > 999_999_999) throw new KernelError(Errno.EINVAL);
      out[`${k}Ns`] = s * 1e9 + ns;
      out[`${k}Nsec`] = ns;
    };
    pick(as!, ans!, 'atime');
    pick(ms!, mns!, 'mtime');
    return out;
  }
  const pick = (t: number): number | undefined => {
    if (t === UTIME_OMIT) return undefined;
    if (t === UTIME_NOW) return now;
    if (!Number.isFinite(t) || t < 0) throw new KernelError(Errno.EINVAL);
    return t;
  };
  const at = pick(atime), mt = pick(mtime);
  if (at !== undefined) out.atimeNs = at;
  if (mt !== undefined) out.mtimeNs = mt;
  if (atime === UTIME_NOW) out.atimeNsec = nowNsec;
  if (mtime === UTIME_NOW) out.mtimeNsec = nowNsec;
  return out;
}
