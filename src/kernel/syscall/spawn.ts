// spawn: decodes and validates a SpawnRequest from user memory; the kernel creates the process.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { decode } from '../../lib/codec.js';
import type { SpawnRequest } from '../../abi/syscalls.js';
import { Cap, NGROUPS_MAX, isId } from '../../abi/cred.js';
import { requireCap } from './util.js';

export async function sysSpawn(k: Kernel, p: Process, a: number[]): Promise<number> {
  let req: SpawnRequest;
  try {
    req = decode(p.copyin(a[0]!, a[1]!)) as unknown as SpawnRequest;
  } catch (e) {
    if (e instanceof KernelError) throw e;
    throw new KernelError(Errno.EINVAL, 'spawn request is not a valid encoded SpawnRequest');
  }
  if (typeof req !== 'object' || req === null || typeof req.path !== 'string' || !Array.isArray(req.argv) || !Array.isArray(req.env) || !Array.isArray(req.fds)
    || !req.argv.every((s) => typeof s === 'string') || !req.env.every((s) => typeof s === 'string')
    || !req.fds.every((m) => Array.isArray(m) && m.length === 2 && Number.isInteger(m[0]) && Number.isInteger(m[1]))) {
    throw new KernelError(Errno.EINVAL, 'malformed spawn request');
  }
  if (req.pgid !== undefined && !Number.isInteger(req.pgid)) throw new KernelError(Errno.EINVAL);
  if (req.user !== undefined) {
    const u = req.user;
    if (typeof u !== 'object' || u === null || !isId(u.uid) || !isId(u.gid) || !Array.isArray(u.groups) || u.groups.length > NGROUPS_MAX || !u.groups.every(isId)) {
      throw new KernelError(Errno.EINVAL, 'malformed spawn user');
    }
    requireCap(p, Cap.SETUID, 'spawn as another user');
    requireCap(p, Cap.SETGID, 'spawn as another user');
  }
  return k.spawn(p, req, p.cwd);
}
