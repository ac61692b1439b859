// trace: points the tracing of a process (pid > 0) or of the caller's future children
// (pid 0) at an open file of the caller, or turns it off (fd -1). The events, sinks and
// the permission rule are kernel/trace.ts.
// Decodes and checks the arguments; the work is done where the comment says.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { TRACE } from '../../abi/syscalls.js';
import { FileSink, setSink, traceTarget } from '../trace.js';

export async function sysTrace(k: Kernel, p: Process, a: number[]): Promise<number> {
  const [fd, pid, flags] = [a[0]!, a[1]!, a[2]!];
  if (!Number.isInteger(fd) || !Number.isInteger(pid) || pid < 0 || !Number.isInteger(flags) || (flags & ~TRACE.JSON) !== 0) throw new KernelError(Errno.EINVAL);
  const target = traceTarget(k, p, pid);
  // One tracer per process, as with ptrace: another's trace is not taken over.
  if (pid !== 0 && fd !== -1 && target !== p && target.trace !== undefined) throw new KernelError(Errno.EBUSY, `pid ${pid} is already traced`);
  let sink: FileSink | undefined;
  if (fd !== -1) {
    const file = p.fds.get(fd).file;
    if (!file.writable) throw new KernelError(Errno.EBADF, `fd ${fd} is not open for writing`);
    file.refs++;
    sink = new FileSink(k, p, file, (flags & TRACE.JSON) !== 0);
  }
  // The work: kernel/trace.ts (the dispatcher sees target.trace from its next syscall on).
  await setSink(target, pid === 0 ? 'traceChildren' : 'trace', sink);
  if (pid !== 0) { k.direct?.traced(target); k.directNet?.traced(target); }
  return 0;
}
