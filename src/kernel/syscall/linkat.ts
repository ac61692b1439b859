// linkat: a new name (from the second directory fd) for a file (from the first).
// The two paths sit back to back at `paths`, as in renameat; AT_SYMLINK_FOLLOW links
// what a final symlink points to.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { fsCred } from '../../abi/cred.js';
import { AT } from '../../abi/fs.js';
import { pathBase, atFlags } from '../fs/at.js';
import { twoPaths } from './renameat.js';

export async function sysLinkat(k: Kernel, p: Process, a: number[]): Promise<number> {
  const [target, path] = twoPaths(p, a[2]!, a[3]!, a[4]!);
  const flags = atFlags(a[5]!, AT.SYMLINK_FOLLOW | AT.RESOLVE_BENEATH);
  const beneath = (flags & AT.RESOLVE_BENEATH) !== 0;
  await k.vfs.link(await pathBase(k, p, a[0]!, target, beneath), target, path, await pathBase(k, p, a[1]!, path, beneath), (flags & AT.SYMLINK_FOLLOW) !== 0, fsCred(p.cred, p.pid));
  return 0;
}
