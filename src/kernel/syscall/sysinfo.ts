// sysinfo: kernel tables for ps, lsmod, dmesg, memstat, mount, and the process threads.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { SysInfo } from '../../abi/syscalls.js';
import { encode } from '../../lib/codec.js';

export async function sysSysinfo(k: Kernel, p: Process, a: number[]): Promise<number> {
  const [what, buf, len] = [a[0]!, a[1]!, a[2]!];
  let value: unknown;
  switch (what) {
    case SysInfo.PS:
      value = [...k.procs.values()].map((q) => ({ pid: q.pid, ppid: q.ppid, pgid: q.pgid, state: q.stopSignal !== 0 && !q.dead ? 'stopped' : q.state, name: q.argv.join(' ') || q.name, cwd: q.cwd, syscalls: q.syscalls, thread: q.thread?.id ?? 0 }));
      break;
    case SysInfo.LSMOD: value = k.components.modules(); break;
    case SysInfo.DMESG: value = k.log.records(); break;
    case SysInfo.MEMSTAT: value = await k.components.memstat(); break;
    case SysInfo.MOUNTS: value = await k.vfs.mounts(); break;
    case SysInfo.PRESET: value = { preset: k.config.preset, ipc: k.config.ipc, placement: Object.fromEntries(k.components.list().map((r) => [r.name, r.domain])) }; break;
    case SysInfo.THREADS: value = { ...k.threadStats() }; break;
    default: throw new KernelError(Errno.EINVAL);
  }
  const bytes = encode(value);
  if (bytes.length > len) throw new KernelError(Errno.ERANGE);
  p.copyout(buf, bytes);
  return bytes.length;
}
