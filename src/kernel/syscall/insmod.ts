// insmod: loads a component into the domain the preset gives it (kernel under
// monolithic, a new server under microkernel) — or, given a path to a WebAssembly
// module (`insmod /lib/modules/blk.wasm`), that module into the sandbox domain, on
// any preset: the portable binary driver. The component is the file's name less
// `.wasm`, and must have a WebAssembly build (its glue, services/NAME-wasm/). The
// kernel reads the file with the caller's credentials (it must be executable, as a
// program is); the sandbox's loader checks it (kernel/sandbox/module.ts). With
// INSMOD_UNSANDBOXED the same module runs in the kernel domain instead: its memory a
// region of the kernel arena, no fuel, a trap a panic — a C module in a C kernel.
// A component whose module its disk carries (diskfs) is refused either way, with the
// reason in dmesg: that module comes only from its disk, by a mount.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { requireCap } from './util.js';
import { Cap, fsCred } from '../../abi/cred.js';
import { pathBase } from '../fs/at.js';
import { AT } from '../../abi/fs.js';
import { INSMOD_UNSANDBOXED } from '../../abi/syscalls.js';
import { isSandboxModule } from '../component/sandbox.js';

/** Refuses component `name` if its module is the one a disk carries (its glue names no file): `what` is what insmod was given. */
function refuseDiskCarried(k: Kernel, what: string, name: string): void {
  const m = k.modules[name];
  if (!isSandboxModule(m) || m.wasm.path !== '') return;
  const why = `${name} runs the driver a disk carries: it is loaded from that disk by mounting it (mount -t diskfs /dev/blk0 DIR, or --disk at boot), not by insmod`;
  // The reason goes to dmesg, where insmod(8) finds it: an errno cannot carry it.
  k.log.log(`insmod ${what}: refused: ${why}`);
  throw new KernelError(Errno.ENOEXEC, why);
}

export async function sysInsmod(k: Kernel, p: Process, a: number[]): Promise<number> {
  requireCap(p, Cap.SYS_MODULE, 'insmod');
  const name = p.copyinString(a[0]!, a[1]!);
  const flags = a[2]!;
  if ((flags & ~INSMOD_UNSANDBOXED) !== 0) throw new KernelError(Errno.EINVAL, `insmod: unknown flags ${flags}`);
  if (name.includes('/')) return insmodFile(k, p, name, (flags & INSMOD_UNSANDBOXED) !== 0);
  if (flags !== 0) throw new KernelError(Errno.EINVAL, 'insmod: flags apply to a module file');
  refuseDiskCarried(k, name, name);
  const domain = k.domainOf(name);
  const unsandboxed = k.unsandboxedWasm(name);
  const mod = k.moduleFor(name, k.wasmBuild(name) ? 'sandbox' : domain);
  if (mod === undefined) throw new KernelError(Errno.ENOENT, `no component named ${name}`);
  const record = await k.components.load(mod, domain, undefined, unsandboxed);
  k.log.log(`insmod ${name}: ${record.domain} domain`);
  return 0;
}

async function insmodFile(k: Kernel, p: Process, path: string, unsandboxed: boolean): Promise<number> {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (!base.endsWith('.wasm')) throw new KernelError(Errno.ENOEXEC, `${path}: a module file is a WebAssembly module named COMPONENT.wasm`);
  const name = base.slice(0, -'.wasm'.length);
  refuseDiskCarried(k, path, name);
  const mod = k.moduleFor(name, 'sandbox');
  if (mod === undefined) throw new KernelError(Errno.ENOENT, `${path}: no component named ${name}`);
  const file = await k.vfs.readExecutable(await pathBase(k, p, AT.FDCWD, path), path, fsCred(p.cred, p.pid));
  try {
    await k.components.load(mod, unsandboxed ? 'kernel' : 'sandbox', file.program, unsandboxed);
  } catch (e) {
    // The reason goes to dmesg, where insmod(8) finds it: an errno cannot carry it.
    k.log.log(`insmod ${path}: refused: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  }
  k.log.log(`insmod ${path}: ${name} ${unsandboxed ? 'in the kernel domain, unsandboxed (its memory in the kernel arena)' : 'in the sandbox domain'}`);
  return 0;
}
