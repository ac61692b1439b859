// insmod: loads a component into the domain the preset gives it (kernel under monolithic, a new server under microkernel).
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { requireCap } from './util.js';
import { Cap } from '../../abi/cred.js';

export async function sysInsmod(k: Kernel, p: Process, a: number[]): Promise<number> {
  requireCap(p, Cap.SYS_MODULE, 'insmod');
  const name = p.copyinString(a[0]!, a[1]!);
  const domain = k.domainOf(name);
  const mod = k.moduleFor(name, domain);
  if (mod === undefined) throw new KernelError(Errno.ENOENT, `no component named ${name}`);
  const record = await k.components.load(mod, domain);
  k.log.log(`insmod ${name}: ${record.domain} domain`);
  return 0;
}
