// getsockopt: reads an int32 socket option (the setsockopt ones, SO_TYPE, SO_ERROR),
// an AF_PACKET socket's PACKET_STATISTICS (two u32: frames seen, frames dropped), or
// its socket filter (SO_GET_FILTER, Linux's alias of SO_ATTACH_FILTER).
// Decodes and checks the arguments; the work is done in services/net/.

import type { Kernel } from '../kernel.js';
import type { Process } from '../proc/process.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { socketFd } from './sockaddr.js';
import { SOL_SOCKET, SOL_PACKET, PACKET_STATISTICS } from '../../abi/net.js';
import { SO_ATTACH_FILTER as SO_GET_FILTER, SOCK_FILTER_SIZE } from '../../abi/cbpf.js';
import type { NetService } from '../../abi/services.js';

export async function sysGetsockopt(k: Kernel, p: Process, a: number[]): Promise<number> {
  const { net, id } = socketFd(k, p, a[0]!);
  const [level, name, ptr, lenPtr] = [a[1]!, a[2]!, a[3]!, a[4]!];
  if (!Number.isInteger(level) || !Number.isInteger(name)) throw new KernelError(Errno.EINVAL);
  const room = new DataView(p.copyin(lenPtr, 4).buffer).getInt32(0, true);
  if (level === SOL_PACKET && name === PACKET_STATISTICS) {
    if (room < 8) throw new KernelError(Errno.EINVAL, 'PACKET_STATISTICS needs 8 bytes (struct tpacket_stats)');
    p.copyin(ptr, 8); // EFAULT before the counters are read (and reset)
    const { packets, drops } = await net.captureStats(id);
    p.copyoutInt32(ptr, [packets, drops]);
    p.copyoutInt32(lenPtr, [8]);
    return 0;
  }
  if (level === SOL_SOCKET && name === SO_GET_FILTER) {
    p.copyoutInt32(lenPtr, [await filterOut(net, id, p, ptr, room)]);
    return 0;
  }
  if (room < 4) throw new KernelError(Errno.EINVAL, 'option buffer shorter than an int32');
  p.copyin(ptr, 4);
  const value = await net.getOption(id, level, name);
  p.copyoutInt32(ptr, [value]);
  p.copyoutInt32(lenPtr, [4]);
  return 0;
}

/**
 * SO_GET_FILTER as Linux counts it, in instructions, not bytes: `room` instructions
 * fit at `ptr`; 0 asks only how many there are. Answers the count (0 without a
 * filter); EINVAL when they do not fit.
 */
async function filterOut(net: NetService, id: number, p: Process, ptr: number, room: number): Promise<number> {
  const program = await net.filterProgram(id);
  const count = program.length / SOCK_FILTER_SIZE;
  if (count === 0 || room === 0) return count;
  if (room < count) throw new KernelError(Errno.EINVAL, `the socket filter has ${count} instructions, room for ${room}`);
  p.copyout(ptr, program);
  return count;
}
