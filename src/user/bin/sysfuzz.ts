// sysfuzz: throws a list of raw syscalls at the kernel and then checks the system
// still works. The list comes on standard input as records of 7 float64 (number and
// six arguments), made by the property-based test (test/system/fuzz.test.ts).
//
// The calls are raw: any number, any pointer, any length. A few are bent so the
// fuzzer neither kills itself nor waits forever (that would test the fuzzer, not the
// kernel): exit, fault, rmmod and umount are skipped, kill only probes (signal 0),
// wait never blocks, sleeps and poll timeouts are capped, descriptors 0-2 stay open,
// reads and writes skip pipes (a pipe the fuzzer holds both ends of would block), sockets
// are made non-blocking and the calls that could wait on one skip a blocking one, and
// the set*id calls keep root: a valid id becomes 0, so only bad arguments reach the
// kernel as they are (a fuzzer that gave up root would fail its own sanity check).
//
// Known strings sit at STRINGS_AT + i * 256 in user memory, so generated (pointer,
// length) pairs can name real paths.

import * as libc from '../libc/index.js';
import { memory } from '../libc/trap.js';
import { SYS, WNOHANG, F } from '../../abi/syscalls.js';
import { S, O } from '../../abi/fs.js';
import { SOCK } from '../../abi/net.js';

const SOCK_NONBLOCK = SOCK.NONBLOCK;
import { preflight } from '../util/args.js';

export const STRINGS_AT = 16384;
export const STRINGS = ['/tmp/fz', '/tmp', '/dev/blk0', '/dev/null', '/bin/true', '/', '/tmp/fz/a', 'fz', '..', '/etc/motd', '/dev/console', '/tmp/fz2'];

const TRUE_AT = STRINGS.indexOf('/bin/true') >= 0 ? STRINGS_AT + STRINGS.indexOf('/bin/true') * 256 : undefined;
const REMOVES = new Set<number>([SYS.unlink, SYS.unlinkat, SYS.rename, SYS.renameat, SYS.truncate, SYS.chmod, SYS.open, SYS.openat]);
const SKIP = new Set<number>([SYS.exit, SYS.fault, SYS.rmmod, SYS.umount]);
const FD_CALLS = new Set<number>([SYS.read, SYS.pread, SYS.write, SYS.pwrite]);
const ID_CALLS = new Set<number>([SYS.setuid, SYS.setgid, SYS.setresuid, SYS.setresgid]);
const isValidId = (v: number): boolean => Number.isInteger(v) && v >= 0 && v <= 65535;

function isPipe(fd: number): boolean {
  try { return (libc.fstat(fd).mode & S.IFMT) === S.IFIFO; } catch { return false; }
}

// A socket the fuzzer holds both ends of (or a listener nobody connects to) would block too.
const SOCKET_WAITS = new Set<number>([SYS.read, SYS.write, SYS.accept, SYS.connect, SYS.sendto, SYS.recvfrom]);
function blockingSocket(fd: number): boolean {
  try { return (libc.fstat(fd).mode & S.IFMT) === S.IFSOCK && (libc.fcntl(fd, F.GETFL) & O.NONBLOCK) === 0; } catch { return false; }
}

function bend(nr: number, a: number[]): boolean {
  if (SKIP.has(nr)) return false;
  if (SOCKET_WAITS.has(nr) && blockingSocket(a[0]!)) return false;
  // The sanity check spawns /bin/true: removing or replacing it would fail the fuzzer, not the kernel.
  if (TRUE_AT !== undefined && REMOVES.has(nr) && a.slice(0, 4).includes(TRUE_AT)) return false;
  if ((nr === SYS.socket || nr === SYS.socketpair) && Number.isInteger(a[1]) && a[1]! >= 0) a[1] = a[1]! | SOCK_NONBLOCK;
  switch (nr) {
    case SYS.kill: a[1] = 0; break;
    case SYS.wait: a[2] = WNOHANG; break;
    case SYS.nanosleep: a[0] = Math.min(Math.abs(a[0]!), 1e6); break;
    case SYS.poll: a[2] = Math.min(Math.max(a[2]! | 0, 0), 1); break;
    case SYS.close: if (a[0]! >= 0 && a[0]! <= 2) return false; break;
    case SYS.dup2: if (a[1]! >= 0 && a[1]! <= 2) return false; break;
    case SYS.sigaction: if (a[0] === 2 || a[0] === 15) return false; break;
    case SYS.setgroups: if (Number.isInteger(a[0]) && a[0]! >= 0 && a[0]! <= 32) a[0] = 0; break;
  }
  if (ID_CALLS.has(nr)) for (let i = 0; i < 3; i++) if (isValidId(a[i]!)) a[i] = 0;
  if (FD_CALLS.has(nr)) {
    if (isPipe(a[0]!)) return false;
    if ((a[0] === 1 || a[0] === 2) && (nr === SYS.write || nr === SYS.pwrite)) a[2] = Math.min(a[2]!, 256);
  }
  return true;
}

function sanity(): string | undefined {
  try {
    libc.chdir('/');
    // NOTE: in '/', not /tmp: the calls may have removed /tmp (root may rmdir it).
    libc.writeFile('/sanity', 'still fine');
    if (libc.textDecode(libc.readFile('/sanity')) !== 'still fine') return 'file content differs';
    libc.unlink('/sanity');
    const pid = libc.spawn('/bin/true');
    const st = libc.wait(pid);
    if (st === null || st.code !== 0) return 'spawned /bin/true did not exit 0';
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

export function main(argv: string[]): number {
  const early = preflight('sysfuzz', argv.slice(1));
  if (early !== null) return early;
  const input = libc.readAll(0);
  const view = new DataView(input.buffer, input.byteOffset, input.length - (input.length % 56));
  const mem = memory();
  const enc = new TextEncoder();
  STRINGS.forEach((s, i) => mem.set(enc.encode(s), STRINGS_AT + i * 256));
  let calls = 0, errors = 0, skipped = 0;
  for (let off = 0; off + 56 <= view.byteLength; off += 56) {
    const nr = view.getFloat64(off, true);
    const a = [1, 2, 3, 4, 5, 6].map((i) => view.getFloat64(off + i * 8, true));
    if (!Number.isInteger(nr) || !bend(nr, a)) { skipped++; continue; }
    const r = libc.syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    calls++;
    if (r < 0) errors++;
    else if (typeof r !== 'number' || Number.isNaN(r)) { libc.print(`sysfuzz: syscall ${nr} returned ${String(r)}\n`); return 1; }
  }
  const problem = sanity();
  libc.print(`sysfuzz: ${calls} calls, ${errors} errors, ${skipped} skipped; sanity ${problem === undefined ? 'OK' : 'FAILED: ' + problem}\n`);
  return problem === undefined ? 0 : 1;
}
