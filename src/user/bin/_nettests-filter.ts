// nettests' socket filter test (packet_filter_rules): SO_ATTACH_FILTER's classic BPF
// programs on capture sockets. Bad programs are EINVAL (EFAULT off user memory) and
// change nothing; a filter decides what its own socket queues and counts, never
// another's; reading it back, detach, lock, and the refusals around them. Needs a
// device (`--net user`); prints which of the two it checked.

import * as libc from '../libc/index.js';
import { AF, SOCK, SOL_SOCKET, IPPROTO, MSG, POLL, Errno, SysError, inet } from '../libc/index.js';
import { SYS } from '../../abi/syscalls.js';
import { ETH_P_ALL_BE } from '../../abi/net.js';
import * as cbpf from '../../abi/cbpf.js';
import { encodeFilter, type SockFilter } from '../../abi/cbpf.js';
import { compileProgram } from '../util/pcap-compile.js';
import { parseFilter } from '../util/pcap-filter.js';
import { scratch, memory } from '../libc/trap.js';

// The port of the datagrams a filter rejects. Not 9, the port packet_capture_rules
// floods just before: frames of its flood still on their way must not count here.
const OTHER = 7777;

const dstPort = (f: Uint8Array): number => (f.length >= 38 && f[12] === 8 && f[13] === 0 && f[23] === IPPROTO.UDP ? (f[36]! << 8) | f[37]! : -1);

/** Sends one datagram to 10.0.2.2 at each of `ports`, then reads `tap` (unfiltered) until it saw them all. */
export function sendAndSee(u: number, tap: number, ports: number[]): Uint8Array[] {
  for (const port of ports) libc.sendto(u, new Uint8Array(8), inet('10.0.2.2', port));
  const seen: Uint8Array[] = [];
  while (seen.filter((f) => ports.includes(dstPort(f))).length < ports.length) {
    if (libc.poll([{ fd: tap, events: POLL.IN, revents: 0 }], 10_000) !== 1) throw new Error('the unfiltered capture socket sees the datagrams within 10 s');
    seen.push(libc.recv(tap, 2000));
  }
  return seen;
}

/** What `tap` has queued, without waiting. */
export function drain(tap: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (;;) {
    try { out.push(libc.recv(tap, 2000, MSG.DONTWAIT)); } catch (e) { if (e instanceof SysError && e.errno === Errno.EAGAIN) return out; throw e; }
  }
}

/** nettests packet_filter_rules; `check` and `expectErrno` are nettests' (they throw what fails). */
export function packetFilterRules(check: (cond: unknown, what: string) => void, expectErrno: (errno: number, fn: () => unknown, what: string) => void): void {
  let a: number;
  try { a = libc.socket(AF.PACKET, SOCK.RAW, ETH_P_ALL_BE); } catch (e) {
    if (!(e instanceof SysError) || e.errno !== Errno.ENODEV) throw e;
    libc.print('packet_filter_rules: no network device: ENODEV\n');
    return;
  }
  const b = libc.socket(AF.PACKET, SOCK.RAW, ETH_P_ALL_BE), u = libc.socket(AF.INET, SOCK.DGRAM);
  const ret = (k: number): SockFilter => ({ code: cbpf.RET | cbpf.K, jt: 0, jf: 0, k });
  const only9999 = encodeFilter(compileProgram(parseFilter('udp dst port 9999'), 0xffff));
  const bad: [string, SockFilter[]][] = [
    ['a backward jump', [{ code: cbpf.JMP | cbpf.JA, jt: 0, jf: 0, k: 0xffffffff }, ret(0xffff)]],
    ['a jump past the end', [{ code: cbpf.JMP | cbpf.JEQ | cbpf.K, jt: 1, jf: 0, k: 0 }, ret(0xffff)]],
    ['an unknown opcode', [{ code: 0xe6, jt: 0, jf: 0, k: 0 }, ret(0xffff)]],
    ['no RET at the end', [ret(0xffff), { code: cbpf.LD | cbpf.W | cbpf.ABS, jt: 0, jf: 0, k: 0 }]],
    ['scratch memory M[16]', [{ code: cbpf.ST, jt: 0, jf: 0, k: 16 }, ret(0xffff)]],
    ['4097 instructions', Array.from({ length: cbpf.BPF_MAXINSNS + 1 }, () => ret(0xffff))],
  ];
  const refusedAll = (): void => {
    for (const [what, program] of bad) expectErrno(Errno.EINVAL, () => libc.attachFilter(a, encodeFilter(program)), what);
    expectErrno(Errno.EINVAL, () => libc.attachFilter(a, new Uint8Array(0)), 'no instructions');
    check(libc.syscall(SYS.setsockopt, a, SOL_SOCKET, cbpf.SO_ATTACH_FILTER, 0x7fffffff, cbpf.SOCK_FPROG_SIZE) === -Errno.EFAULT, 'a struct sock_fprog off user memory is EFAULT');
    const fprog = scratch(cbpf.SOCK_FPROG_SIZE), view = new DataView(memory().buffer, memory().byteOffset);
    view.setUint16(fprog, 2, true);
    view.setUint32(fprog + 4, 0x7ffffff0, true);
    check(libc.syscall(SYS.setsockopt, a, SOL_SOCKET, cbpf.SO_ATTACH_FILTER, fprog, cbpf.SOCK_FPROG_SIZE) === -Errno.EFAULT, 'instructions off user memory are EFAULT');
    check(libc.syscall(SYS.setsockopt, a, SOL_SOCKET, cbpf.SO_ATTACH_FILTER, fprog, 4) === -Errno.EINVAL, 'a struct sock_fprog of 4 bytes is EINVAL');
  };
  // Refused programs leave the socket unfiltered: it sees both datagrams.
  refusedAll();
  sendAndSee(u, b, [OTHER, 9999]);
  check(drain(a).filter((f) => dstPort(f) === OTHER || dstPort(f) === 9999).length === 2, 'refused programs attached nothing');
  libc.packetStats(a); libc.packetStats(b);
  // A filter on a: it queues and counts only what passes; b, unfiltered, sees everything.
  libc.attachFilter(a, only9999);
  const all = sendAndSee(u, b, [OTHER, OTHER, 9999, OTHER, 9999]);
  const passed = drain(a);
  check(passed.length === 2 && passed.every((f) => dstPort(f) === 9999), `the filter passes only udp dst port 9999 (${passed.map(dstPort).join(' ')})`);
  check(all.filter((f) => dstPort(f) === OTHER).length === 3, "a's filter does not touch b's frames");
  const sa = libc.packetStats(a), sb = libc.packetStats(b);
  check(sa.packets === 2 && sa.drops === 0, `PACKET_STATISTICS counts only what passed the filter (${sa.packets})`);
  check(sb.packets >= 5, `b counts every frame (${sb.packets})`);
  // A refused program leaves the filter attached before it in place.
  refusedAll();
  sendAndSee(u, b, [OTHER, 9999]);
  check(drain(a).map(dstPort).join() === '9999', 'a refused program does not replace the filter');
  // The answer is how much of the frame to keep.
  libc.attachFilter(a, encodeFilter([ret(20)]));
  sendAndSee(u, b, [OTHER]);
  const cut = drain(a);
  check(cut.length > 0 && cut.every((f) => f.length === 20), `RET #20 keeps 20 bytes of each frame (${cut.map((f) => f.length).join(' ')})`);
  // Detached: everything again; detaching twice is ENOENT.
  libc.setsockopt(a, SOL_SOCKET, cbpf.SO_DETACH_FILTER, 0);
  expectErrno(Errno.ENOENT, () => libc.setsockopt(a, SOL_SOCKET, cbpf.SO_DETACH_FILTER, 0), 'detaching with no filter');
  sendAndSee(u, b, [OTHER]);
  check(drain(a).some((f) => dstPort(f) === OTHER), 'a detached socket sees everything again');
  // Locked: the filter stays.
  libc.attachFilter(a, only9999);
  libc.setsockopt(a, SOL_SOCKET, cbpf.SO_LOCK_FILTER, 1);
  check(libc.getsockopt(a, SOL_SOCKET, cbpf.SO_LOCK_FILTER) === 1, 'SO_LOCK_FILTER reads back 1');
  expectErrno(Errno.EPERM, () => libc.attachFilter(a, encodeFilter([ret(0xffff)])), 'attaching on a locked socket');
  expectErrno(Errno.EPERM, () => libc.setsockopt(a, SOL_SOCKET, cbpf.SO_DETACH_FILTER, 0), 'detaching on a locked socket');
  expectErrno(Errno.EPERM, () => libc.setsockopt(a, SOL_SOCKET, cbpf.SO_LOCK_FILTER, 0), 'unlocking');
  // SO_GET_FILTER reads the program back, counting in instructions as Linux does.
  const back = libc.socketFilter(a);
  check(back.length === only9999.length && back.every((v, i) => v === only9999[i]), 'SO_GET_FILTER gives the attached program');
  const lenAt = scratch(4), room = new DataView(memory().buffer, memory().byteOffset);
  room.setInt32(lenAt, 1, true);
  check(libc.syscall(SYS.getsockopt, a, SOL_SOCKET, cbpf.SO_ATTACH_FILTER, scratch(8), lenAt) === -Errno.EINVAL, 'SO_GET_FILTER into room for one instruction is EINVAL');
  check(libc.socketFilter(b).length === 0, 'SO_GET_FILTER without a filter is empty');
  // Only capture sockets take filters.
  expectErrno(Errno.ENOTSUP, () => libc.attachFilter(u, only9999), 'a filter on a UDP socket');
  libc.close(u); libc.close(b); libc.close(a);
  libc.print('packet_filter_rules: checked on eth0\n');
}
