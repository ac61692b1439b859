// insmod: loads a component into the domain the preset gives it (kernel under
// monolithic, a new server under microkernel) — or, given a path to a WebAssembly
// module (`insmod /lib/modules/blk.wasm`), that module into the sandbox domain, on
// any preset: the portable binary driver. The component is the file's name less
// `.wasm`, and must have a WebAssembly build (its glue, services/NAME-wasm/). The
// kernel reads the file with the caller's credentials (it must be executable, as a
// program is); the sandbox's loader checks it (kernel/sandbox/module.ts).
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { requireCap } from './util.js';
import { Cap, fsCred } from '../../abi/cred.js';
import { pathBase } from '../fs/at.js';
import { AT } from '../../abi/fs.js';

export async function sysInsmod(k: Kernel, p: Process, a: number[]): Promise<number> {
  requireCap(p, Cap.SYS_MODULE, 'insmod');
  const name = p.copyinString(a[0]!, a[1]!);
  if (name.includes('/')) return insmodFile(k, p, name);
  const domain = k.domainOf(name);
  const mod = k.moduleFor(name, domain);
  if (mod === undefined) throw new KernelError(Errno.ENOENT, `no component named ${name}`);
  const record = await k.components.load(mod, domain);
  k.log.log(`insmod ${name}: ${record.domain} domain`);
  return 0;
}

async function insmodFile(k: Kernel, p: Process, path: string): Promise<number> {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (!base.endsWith('.wasm')) throw new KernelError(Errno.ENOEXEC, `${path}: a module file is a WebAssembly module named COMPONENT.wasm`);
  const name = base.slice(0, -'.wasm'.length);
  const mod = k.moduleFor(name, 'sandbox');
  if (mod === undefined) throw new KernelError(Errno.ENOENT, `${path}: no component named ${name}`);
  const file = await k.vfs.readExecutable(await pathBase(k, p, AT.FDCWD, path), path, fsCred(p.cred, p.pid));
  try {
    await k.components.load(mod, 'sandbox', file.program);
  } catch (e) {
    // The reason goes to dmesg, where insmod(8) finds it: an errno cannot carry it.
    k.log.log(`insmod ${path}: refused: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  }
  k.log.log(`insmod ${path}: ${name} in the sandbox domain`);
  return 0;
}
