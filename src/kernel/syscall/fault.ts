// fault: arms a fault in a component for its next request.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { isFaultType, FAULT_TYPES } from '../component/fault.js';
import { requireCap } from './util.js';
import { Cap } from '../../abi/cred.js';

export async function sysFault(k: Kernel, p: Process, a: number[]): Promise<number> {
  requireCap(p, Cap.SYS_ADMIN, 'fault');
  const component = p.copyinString(a[0]!, a[1]!);
  const type = p.copyinString(a[2]!, a[3]!);
  if (!isFaultType(type)) throw new KernelError(Errno.EINVAL, `fault type must be one of ${FAULT_TYPES.join(', ')}`);
  await k.components.armFault(component, type);
  k.log.log(`fault: ${type} armed in ${component} (${k.components.get(component)?.domain} domain) by pid ${p.pid}`);
  return 0;
}
