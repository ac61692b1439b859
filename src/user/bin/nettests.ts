// nettests: the socket tests, a user program that speaks only the ABI (as usertests
// does for the rest). One name -> test table; each test runs in its own process (this
// program re-spawned with the test's name), prints OK or FAILED, and ends by checking
// that it leaked no descriptors and no sockets.
//
//   nettests            run every test
//   nettests NAME...    run the named tests
//   nettests -l         list the tests

import * as libc from '../libc/index.js';
import { AF, SOCK, SO, SOL_SOCKET, SOL_PACKET, PACKET_STATISTICS, IPPROTO, TCP_NODELAY, MSG, SHUT, POLL, O, F, Errno, SysError, inet, unix } from '../libc/index.js';
import { preflight } from '../util/args.js';
import { SYS } from '../../abi/syscalls.js';
import { ETH_P_ALL_BE } from '../../abi/net.js';
import { packetFilterRules, sendAndSee, drain } from './_nettests-filter.js';

const TESTS: Record<string, () => void> = {};
const dec = new TextDecoder();

function check(cond: unknown, what: string): asserts cond { if (!cond) throw new Error(what); }

function expectErrno(errno: number, fn: () => unknown, what: string): void {
  try { fn(); } catch (e) {
    if (e instanceof SysError && e.errno === errno) return;
    throw new Error(`${what}: expected ${libc.errnoName(errno)}, got ${e instanceof SysError ? e.code : String(e)}`);
  }
  throw new Error(`${what}: expected ${libc.errnoName(errno)}, but it succeeded`);
}

/** A TCP listener on 127.0.0.1 at an ephemeral port. */
function listener(): { fd: number; port: number } {
  const fd = libc.socket(AF.INET, SOCK.STREAM);
  libc.bind(fd, inet('127.0.0.1', 0));
  libc.listen(fd, 8);
  return { fd, port: libc.getsockname(fd).port };
}

/** Reads until end of stream. */
function readAll(fd: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const b = libc.recv(fd, 65536);
    if (b.length === 0) break;
    parts.push(b); n += b.length;
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function sendAll(fd: number, data: Uint8Array): void {
  let done = 0;
  while (done < data.length) done += libc.send(fd, data.subarray(done));
}

TESTS.tcp_loopback = () => {
  const l = listener();
  check(l.port >= 32768, `an ephemeral port (${l.port})`);
  const c = libc.socket(AF.INET, SOCK.STREAM);
  libc.connect(c, inet('127.0.0.1', l.port));
  const { fd: s, peer } = libc.accept(l.fd);
  check(peer.addr === '127.0.0.1' && peer.port === libc.getsockname(c).port, 'accept names the client');
  check(libc.getpeername(c).port === l.port, 'getpeername names the server');
  check(libc.send(c, 'ping') === 4, 'send returns the count');
  check(dec.decode(libc.recv(s, 100)) === 'ping', 'the server reads what the client sent');
  check(libc.write(s, 'pong') === 4, 'write(2) on a socket');
  check(dec.decode(libc.read(c, 100)) === 'pong', 'read(2) on a socket');
  libc.shutdown(c, SHUT.WR);
  check(libc.recv(s, 100).length === 0, 'shutdown(WR) is end of stream for the peer');
  check(libc.send(s, 'after') === 5, 'the other direction still works');
  check(dec.decode(libc.recv(c, 100)) === 'after', 'and carries data');
  libc.close(s); libc.close(c); libc.close(l.fd);
};

TESTS.tcp_bulk = () => {
  // More than a receive buffer: the sender blocks until the reader drains (a child process).
  const l = listener();
  const size = 3 * 1024 * 1024 + 17;
  const pid = libc.spawn('/bin/nettests', { argv: ['nettests', '--send', String(l.port), String(size)] });
  const { fd } = libc.accept(l.fd);
  const got = readAll(fd);
  check(got.length === size, `received ${got.length} of ${size} bytes`);
  for (let i = 0; i < size; i += 4093) check(got[i] === (i * 7) % 251, `byte ${i} intact`);
  const w = libc.wait(pid);
  check(w !== null && w.code === 0, 'the sender exited 0');
  libc.close(fd); libc.close(l.fd);
};

TESTS.unix_stream = () => {
  const path = `/tmp/nt-${libc.getpid()}.sock`;
  const l = libc.socket(AF.UNIX, SOCK.STREAM);
  libc.bind(l, unix(path));
  expectErrno(Errno.EADDRINUSE, () => { const d = libc.socket(AF.UNIX, SOCK.STREAM); try { libc.bind(d, unix(path)); } finally { libc.close(d); } }, 'a name is taken once');
  libc.listen(l, 4);
  const c = libc.socket(AF.UNIX, SOCK.STREAM);
  libc.connect(c, unix(path));
  const { fd: s } = libc.accept(l);
  check(libc.getsockname(s).addr === path, 'the accepted socket has the listener\'s name');
  libc.send(s, 'over unix');
  check(dec.decode(libc.recv(c, 100)) === 'over unix', 'data crosses');
  libc.close(s);
  check(libc.recv(c, 100).length === 0, 'close is end of stream');
  libc.close(c); libc.close(l);
  expectErrno(Errno.ENOENT, () => { const d = libc.socket(AF.UNIX, SOCK.STREAM); try { libc.connect(d, unix(path)); } finally { libc.close(d); } }, 'a closed listener\'s name is gone');
};

TESTS.socketpair = () => {
  const [a, b] = libc.socketpair(AF.UNIX, SOCK.STREAM);
  libc.write(a, 'one'); libc.write(b, 'two');
  check(dec.decode(libc.read(b, 10)) === 'one' && dec.decode(libc.read(a, 10)) === 'two', 'both ways');
  libc.close(a);
  check(libc.read(b, 10).length === 0, 'end of stream after the other end closes');
  libc.sigaction(13, 1 /* ignore SIGPIPE */);
  expectErrno(Errno.EPIPE, () => libc.write(b, 'x'), 'writing to a closed peer');
  libc.close(b);
};

// A stream from a child to this process over an AF_UNIX socketpair (the child inherits
// one end through spawn's descriptor map) and over a loopback TCP connection: every
// byte in order, read by poll and a non-blocking recv, read(), and a blocking recv in
// turn, the descriptor dup2'ed elsewhere halfway and the old one closed. Prints how
// many of the reads trapped into the kernel (/proc/self/status): under microkernel
// most are answered by net's server on the direct path (the system test checks it).
TESTS.direct_stream = () => {
  const size = 2 * 1024 * 1024 + 5;
  const [a, b] = libc.socketpair(AF.UNIX, SOCK.STREAM);
  const writer = libc.spawn('/bin/nettests', { argv: ['nettests', '--write-pattern', String(size)], fds: [[0, b], [1, 1], [2, 2]] });
  libc.close(b);
  const unixReads = readPattern(a, size, 9);
  const w1 = libc.wait(writer);
  check(w1 !== null && w1.code === 0, 'the writer exited 0');
  const l = listener();
  const sender = libc.spawn('/bin/nettests', { argv: ['nettests', '--send', String(l.port), String(size)] });
  const { fd } = libc.accept(l.fd);
  libc.close(l.fd);
  const tcpReads = readPattern(fd, size, 10);
  const w2 = libc.wait(sender);
  check(w2 !== null && w2.code === 0, 'the sender exited 0');
  libc.print(`direct_stream: unix ${unixReads.calls} reads ${unixReads.trapped} trapped, tcp ${tcpReads.calls} reads ${tcpReads.trapped} trapped\n`);
};

/** Trapped syscalls of this process so far (the kernel's count). */
function trappedSoFar(): number {
  const m = /^Syscalls:\s+(\d+)$/m.exec(dec.decode(libc.readFile('/proc/self/status')));
  check(m !== null, '/proc/self/status has a Syscalls line');
  return Number(m[1]);
}

/** Reads the pattern of sendPattern from `fd` to its end; moves it to descriptor `moveTo` halfway; closes it. */
function readPattern(fd: number, size: number, moveTo: number): { calls: number; trapped: number } {
  let got = 0, calls = 0, trapped = 0, moved = false;
  const fds = [{ fd, events: POLL.IN, revents: 0 }];
  // What reading the count itself traps, between two looks with nothing in between.
  const t0 = trappedSoFar();
  const own = trappedSoFar() - t0;
  for (;;) {
    if (!moved && got >= size / 2) { libc.dup2(fd, moveTo); libc.close(fd); fd = moveTo; fds[0]!.fd = fd; moved = true; }
    if (calls % 3 === 0) check(libc.poll(fds, 10_000) === 1 && (fds[0]!.revents & POLL.IN) !== 0, 'poll says readable');
    const before = trappedSoFar();
    const data = calls % 3 === 0 ? libc.recv(fd, 65536, MSG.DONTWAIT) : calls % 3 === 1 ? libc.read(fd, 50_000) : libc.recv(fd, 65536);
    trapped += trappedSoFar() - before - own;
    calls++;
    if (data.length === 0) break;
    for (let i = 0; i < data.length; i++) if (data[i] !== ((got + i) * 7) % 251) throw new Error(`byte ${got + i} is ${data[i]}, not ${((got + i) * 7) % 251}`);
    got += data.length;
  }
  check(got === size, `received ${got} of ${size} bytes`);
  libc.close(fd);
  return { calls, trapped };
}

function writePattern(fd: number, size: number): number {
  const block = new Uint8Array(70_000);
  for (let done = 0, k = 0; done < size; k++) {
    const n = Math.min(1 + ((k * 7919) % block.length), size - done);
    for (let i = 0; i < n; i++) block[i] = ((done + i) * 7) % 251;
    for (let sent = 0; sent < n;) sent += libc.write(fd, block.subarray(sent, n));
    done += n;
  }
  libc.close(fd);
  return 0;
}

TESTS.udp_loopback = () => {
  const a = libc.socket(AF.INET, SOCK.DGRAM), b = libc.socket(AF.INET, SOCK.DGRAM);
  libc.bind(a, inet('127.0.0.1', 0));
  const port = libc.getsockname(a).port;
  libc.sendto(b, 'first', inet('127.0.0.1', port));
  libc.sendto(b, 'second', inet('127.0.0.1', port));
  const r1 = libc.recvfrom(a, 100);
  check(dec.decode(r1.data) === 'first' && r1.from.port === libc.getsockname(b).port, 'a datagram and its sender');
  check(dec.decode(libc.recv(a, 3)) === 'sec', 'a short read truncates one datagram');
  expectErrno(Errno.EAGAIN, () => libc.recv(a, 100, MSG.DONTWAIT), 'the rest of it is gone');
  libc.connect(a, r1.from);
  libc.send(a, 'reply');
  check(dec.decode(libc.recv(b, 100)) === 'reply', 'a connected datagram socket sends to its peer');
  expectErrno(Errno.EMSGSIZE, () => libc.sendto(b, new Uint8Array(70000), inet('127.0.0.1', port)), 'a datagram over 65507 bytes');
  libc.close(a); libc.close(b);
};

TESTS.nonblocking = () => {
  const l = listener();
  libc.fcntl(l.fd, F.SETFL, O.NONBLOCK);
  expectErrno(Errno.EAGAIN, () => libc.accept(l.fd), 'accept with nothing pending');
  const c = libc.socket(AF.INET, SOCK.STREAM | SOCK.NONBLOCK);
  libc.connect(c, inet('127.0.0.1', l.port));
  const { fd: s } = libc.accept(l.fd, SOCK.NONBLOCK);
  expectErrno(Errno.EAGAIN, () => libc.recv(s, 10), 'recv on an empty non-blocking socket');
  // Fill the peer's buffer: a non-blocking send takes what fits, then EAGAIN.
  libc.setsockopt(s, SOL_SOCKET, SO.RCVBUF, 4096);
  const chunk = new Uint8Array(65536);
  let sent = 0, rounds = 0;
  for (;;) {
    try { sent += libc.send(c, chunk); } catch (e) { check(e instanceof SysError && e.errno === Errno.EAGAIN, `EAGAIN when full, got ${String(e)}`); break; }
    check(++rounds < 1000, 'the buffer fills');
  }
  check(sent > 0, 'something was sent before the buffer filled');
  let got = 0;
  for (;;) { try { got += libc.recv(s, 65536).length; } catch { break; } }
  check(got === sent, `all that was sent arrives (${got} of ${sent})`);
  libc.close(s); libc.close(c); libc.close(l.fd);
};

TESTS.poll_sockets = () => {
  const l = listener();
  const fds = [{ fd: l.fd, events: POLL.IN, revents: 0 }];
  check(libc.poll(fds, 0) === 0, 'a listener with nothing pending is not readable');
  const c = libc.socket(AF.INET, SOCK.STREAM);
  libc.connect(c, inet('127.0.0.1', l.port));
  check(libc.poll(fds, 1000) === 1 && (fds[0]!.revents & POLL.IN) !== 0, 'a pending connection makes the listener readable');
  const { fd: s } = libc.accept(l.fd);
  const both = [{ fd: s, events: POLL.IN | POLL.OUT, revents: 0 }];
  libc.poll(both, 0);
  check(both[0]!.revents === POLL.OUT, `writable, not readable (${both[0]!.revents})`);
  libc.send(c, 'x');
  libc.poll(both, 0);
  check((both[0]!.revents & POLL.IN) !== 0, 'readable once data arrived');
  libc.recv(s, 10);
  libc.close(c);
  libc.poll(both, 0);
  check((both[0]!.revents & POLL.IN) !== 0, 'end of stream is readable');
  libc.close(s); libc.close(l.fd);
};

TESTS.options = () => {
  const s = libc.socket(AF.INET, SOCK.STREAM);
  check(libc.getsockopt(s, SOL_SOCKET, SO.TYPE) === SOCK.STREAM, 'SO_TYPE');
  libc.setsockopt(s, SOL_SOCKET, SO.REUSEADDR, 1);
  check(libc.getsockopt(s, SOL_SOCKET, SO.REUSEADDR) === 1, 'SO_REUSEADDR');
  libc.setsockopt(s, IPPROTO.TCP, TCP_NODELAY, 1);
  check(libc.getsockopt(s, IPPROTO.TCP, TCP_NODELAY) === 1, 'TCP_NODELAY');
  libc.setsockopt(s, SOL_SOCKET, SO.KEEPALIVE, 1);
  check(libc.getsockopt(s, SOL_SOCKET, SO.KEEPALIVE) === 1, 'SO_KEEPALIVE');
  libc.setsockopt(s, SOL_SOCKET, SO.RCVBUF, 10000);
  check(libc.getsockopt(s, SOL_SOCKET, SO.RCVBUF) === 20000, 'SO_RCVBUF is doubled, as in Linux');
  expectErrno(Errno.ENOPROTOOPT, () => libc.setsockopt(s, SOL_SOCKET, 999, 1), 'an unknown option');
  libc.close(s);
};

TESTS.bad_arguments = () => {
  expectErrno(Errno.EAFNOSUPPORT, () => libc.socket(99, SOCK.STREAM), 'an unknown family');
  expectErrno(Errno.EPROTONOSUPPORT, () => libc.socket(AF.INET, 7), 'an unknown type');
  expectErrno(Errno.EPROTONOSUPPORT, () => libc.socket(AF.INET, SOCK.STREAM, IPPROTO.UDP), 'UDP as a stream');
  expectErrno(Errno.ENOTSOCK, () => libc.listen(0, 1), 'listen on a terminal');
  expectErrno(Errno.EBADF, () => libc.listen(999, 1), 'a descriptor that is not open');
  const s = libc.socket(AF.INET, SOCK.STREAM);
  const raw = (nr: number, ...a: number[]): number => libc.syscall(nr, ...a);
  check(raw(SYS.bind, s, 0x7fffffff, 16) === -Errno.EFAULT, 'bind with an address off user memory is EFAULT');
  check(raw(SYS.bind, s, 0, 1) === -Errno.EINVAL, 'a one-byte sockaddr is EINVAL');
  check(raw(SYS.recvfrom, s, 0, 10, 0x12345, 0, 0) === -Errno.EINVAL, 'unknown recv flags are EINVAL');
  expectErrno(Errno.ENOTCONN, () => libc.recv(s, 10), 'recv before connect');
  expectErrno(Errno.ENOTCONN, () => libc.getpeername(s), 'getpeername before connect');
  expectErrno(Errno.ECONNREFUSED, () => libc.connect(s, inet('127.0.0.1', 1)), 'nobody listens');
  expectErrno(Errno.ENETUNREACH, () => libc.connect(s, inet('10.9.8.7', 80)), 'no route off the loopback network');
  expectErrno(Errno.EADDRNOTAVAIL, () => libc.bind(s, inet('192.0.2.1', 0)), 'an address this machine does not have');
  libc.close(s);
};

// Ping sockets are the one way a process sends ICMP: only echo requests, with the
// socket's own id, and no other protocol over SOCK_DGRAM or SOCK_STREAM.
TESTS.ping_socket_rules = () => {
  expectErrno(Errno.EPROTONOSUPPORT, () => libc.socket(AF.INET, SOCK.STREAM, IPPROTO.ICMP), 'ICMP as a stream');
  expectErrno(Errno.EPROTONOSUPPORT, () => libc.socket(AF.INET, 3, IPPROTO.ICMP), 'a raw socket');
  expectErrno(Errno.EPROTONOSUPPORT, () => libc.socket(AF.INET, SOCK.DGRAM, 2), 'IGMP');
  const p = libc.socket(AF.INET, SOCK.DGRAM, IPPROTO.ICMP);
  const lo = inet('127.0.0.1', 0);
  expectErrno(Errno.EINVAL, () => libc.sendto(p, new Uint8Array(7).fill(8), lo), 'shorter than an ICMP header');
  expectErrno(Errno.EINVAL, () => libc.sendto(p, new Uint8Array([0, 0, 0, 0, 0, 1, 0, 1]), lo), 'an echo reply');
  expectErrno(Errno.EINVAL, () => libc.sendto(p, new Uint8Array([3, 3, 0, 0, 0, 0, 0, 0, 0x45]), lo), 'a forged port unreachable');
  expectErrno(Errno.EINVAL, () => libc.sendto(p, new Uint8Array([8, 1, 0, 0, 0, 0, 0, 0]), lo), 'an echo with code 1');
  expectErrno(Errno.EMSGSIZE, () => libc.sendto(p, Object.assign(new Uint8Array(70_000), { 0: 8 }), lo), 'larger than a datagram');
  expectErrno(Errno.EDESTADDRREQ, () => libc.send(p, new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0])), 'no destination');
  expectErrno(Errno.ENETUNREACH, () => libc.sendto(p, new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0]), inet('10.9.8.7', 0)), 'no route');
  // The id is the socket's, whatever the process wrote; the checksum is the kernel's.
  const other = libc.socket(AF.INET, SOCK.DGRAM, IPPROTO.ICMP);
  libc.sendto(p, new Uint8Array([8, 0, 0xde, 0xad, 0x12, 0x34, 0, 7, 42]), lo);
  const id = libc.getsockname(p).port;
  const r = libc.recvfrom(p, 100);
  check(r.data[0] === 0 && r.data[8] === 42 && r.data[7] === 7, 'the echo reply with our payload and sequence');
  check(((r.data[4]! << 8) | r.data[5]!) === id && id !== 0x1234, 'the reply carries the socket\'s id, not the forged one');
  expectErrno(Errno.EAGAIN, () => libc.recv(other, 100, MSG.DONTWAIT), 'another ping socket hears nothing');
  // A flood fills the receive queue to its bound and no further.
  libc.setsockopt(p, SOL_SOCKET, SO.RCVBUF, 1024);
  for (let i = 0; i < 200; i++) libc.sendto(p, new Uint8Array(508).fill(0).map((_, k) => (k === 0 ? 8 : 0)), lo);
  let queued = 0;
  for (;;) { try { queued += libc.recv(p, 1000, MSG.DONTWAIT).length; } catch (e) { if (e instanceof SysError && e.errno === Errno.EAGAIN) break; throw e; } }
  check(queued > 0 && queued <= 2048, `the queue stays within SO_RCVBUF (${queued} bytes)`);
  libc.close(p);
  libc.close(other);
};

TESTS.port_in_use = () => {
  const l = listener();
  const other = libc.socket(AF.INET, SOCK.STREAM);
  expectErrno(Errno.EADDRINUSE, () => libc.bind(other, inet('127.0.0.1', l.port)), 'a port held by a listener');
  libc.close(other);
  libc.close(l.fd);
  const again = libc.socket(AF.INET, SOCK.STREAM);
  libc.bind(again, inet('127.0.0.1', l.port));
  libc.close(again);
};

TESTS.privileged_port = () => {
  // Run as an ordinary user in a child: binding below 1024 needs root.
  if (libc.geteuid() === 0) {
    const pid = libc.spawn('/bin/nettests', { argv: ['nettests', 'privileged_port'], user: { uid: 1000, gid: 1000, groups: [] } });
    const w = libc.wait(pid);
    check(w !== null && w.code === 0, 'the unprivileged child passed');
    const s = libc.socket(AF.INET, SOCK.STREAM);
    libc.bind(s, inet('127.0.0.1', 80));
    libc.close(s);
    return;
  }
  const s = libc.socket(AF.INET, SOCK.STREAM);
  expectErrno(Errno.EPERM, () => libc.bind(s, inet('127.0.0.1', 80)), 'port 80 as uid 1000');
  libc.close(s);
};

TESTS.reset_on_unread_close = () => {
  const l = listener();
  const c = libc.socket(AF.INET, SOCK.STREAM);
  libc.connect(c, inet('127.0.0.1', l.port));
  const { fd: s } = libc.accept(l.fd);
  libc.send(c, 'never read');
  libc.close(s);
  expectErrno(Errno.ECONNRESET, () => libc.recv(c, 10), 'closing with unread data resets the peer');
  libc.close(c); libc.close(l.fd);
};

TESTS.interrupted_accept = () => {
  // A blocked accept ends with EINTR when a handled signal arrives (a child sends it).
  const l = listener();
  libc.sigaction(10 /* SIGUSR1 */, 2 /* handle */);
  const pid = libc.spawn('/bin/nettests', { argv: ['nettests', '--kill-parent', '10'] });
  expectErrno(Errno.EINTR, () => libc.accept(l.fd), 'accept interrupted by a signal');
  libc.wait(pid);
  libc.close(l.fd);
};

TESTS.killed_while_blocked = () => {
  // A process killed inside recv leaves nothing parked in net: the socket still works.
  const [a, b] = libc.socketpair(AF.UNIX, SOCK.STREAM);
  const pid = libc.spawn('/bin/nettests', { argv: ['nettests', '--recv-forever'], fds: [[0, a], [1, 1], [2, 2]] });
  libc.sleepMs(50);
  libc.kill(pid, 9);
  const w = libc.wait(pid);
  check(w !== null && w.signal === 9, 'the reader was killed');
  libc.send(b, 'still here');
  check(dec.decode(libc.recv(a, 100)) === 'still here', 'the socket works after its reader died');
  libc.close(a); libc.close(b);
};

// ---- helpers run as child processes -----------------------------------------------

function sendPattern(port: number, size: number): number {
  const c = libc.socket(AF.INET, SOCK.STREAM);
  libc.connect(c, inet('127.0.0.1', port));
  const block = new Uint8Array(65536);
  for (let done = 0; done < size;) {
    const n = Math.min(block.length, size - done);
    for (let i = 0; i < n; i++) block[i] = ((done + i) * 7) % 251;
    sendAll(c, block.subarray(0, n));
    done += n;
  }
  libc.close(c);
  return 0;
}

function runOne(name: string): number {
  const test = TESTS[name];
  if (test === undefined) { libc.eprint(`nettests: no test named ${name}\n`); return 2; }
  const before = libc.sockets().length;
  try { test(); } catch (e) {
    libc.print(`${name}: FAILED: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const after = libc.sockets().length;
  if (after !== before) { libc.print(`${name}: FAILED: leaked sockets (${before} before, ${after} after)\n`); return 1; }
  libc.print(`${name}: OK\n`);
  return 0;
}

// AF_PACKET capture (read-only, root only). Without a network device the socket is
// ENODEV; with one (`kernelkit run --net ...`) everything but receiving is refused and a
// flood stays within the receive buffer. Prints which of the two it checked.
TESTS.packet_capture_rules = () => {
  expectErrno(Errno.EPROTONOSUPPORT, () => libc.socket(AF.PACKET, SOCK.DGRAM, ETH_P_ALL_BE), 'a cooked (SOCK_DGRAM) packet socket');
  expectErrno(Errno.EPROTONOSUPPORT, () => libc.socket(AF.PACKET, SOCK.RAW, 0), 'protocol 0 (only htons(ETH_P_ALL))');
  // Capturing is root's (checked before the device is looked for).
  const userRefused = (): void => {
    libc.setuid(1000);
    expectErrno(Errno.EPERM, () => libc.socket(AF.PACKET, SOCK.RAW, ETH_P_ALL_BE), 'capture as a user');
  };
  let tap: number;
  try { tap = libc.socket(AF.PACKET, SOCK.RAW, ETH_P_ALL_BE); } catch (e) {
    if (!(e instanceof SysError) || e.errno !== Errno.ENODEV) throw e;
    userRefused();
    libc.print('packet_capture_rules: no network device: ENODEV\n');
    return;
  }
  check(libc.getsockopt(tap, SOL_SOCKET, SO.TYPE) === SOCK.RAW, 'SO_TYPE is SOCK_RAW');
  const frame = new Uint8Array(60).fill(0xff);
  expectErrno(Errno.ENOTSUP, () => libc.send(tap, frame), 'sending a frame');
  expectErrno(Errno.ENOTSUP, () => libc.connect(tap, inet('10.0.2.2', 9)), 'connect');
  expectErrno(Errno.ENOTSUP, () => libc.bind(tap, inet('0.0.0.0', 0)), 'bind');
  expectErrno(Errno.ENOTSUP, () => libc.listen(tap, 1), 'listen');
  expectErrno(Errno.EAGAIN, () => libc.recv(tap, 100, MSG.DONTWAIT), 'nothing captured yet');
  // A flood of our own datagrams: the capture queue keeps at most SO_RCVBUF (doubled) bytes.
  // The gateway's address is resolved first: until ARP answers, the stack holds at most 8
  // datagrams back and sends only the request, and on a loaded machine the answer came
  // after the flood had been read (1 frame seen, none dropped).
  const u = libc.socket(AF.INET, SOCK.DGRAM);
  sendAndSee(u, tap, [9]);
  drain(tap);
  libc.packetStats(tap);
  libc.setsockopt(tap, SOL_SOCKET, SO.RCVBUF, 1024);
  for (let i = 0; i < 100; i++) libc.sendto(u, new Uint8Array(500).fill(i), inet('10.0.2.2', 9));
  let queued = 0, frames = 0;
  for (;;) {
    let r: { data: Uint8Array; from: { family: number; addr: string; port: number } };
    try { r = libc.recvfrom(tap, 2000, MSG.DONTWAIT); } catch (e) { if (e instanceof SysError && e.errno === Errno.EAGAIN) break; throw e; }
    check(r.from.family === AF.PACKET && r.from.addr === 'eth0', `a frame from eth0 (${r.from.family} ${r.from.addr})`);
    queued += r.data.length; frames++;
  }
  check(frames > 0 && queued <= 2048, `the capture queue stays within SO_RCVBUF (${frames} frames, ${queued} bytes)`);
  // PACKET_STATISTICS: what the full queue dropped is counted, and reading resets it.
  const stats = libc.packetStats(tap);
  // (Not all 100 need have reached the wire yet: what was seen is what was read plus what was dropped, at least.)
  check(stats.drops > 0 && stats.packets >= frames + stats.drops, `PACKET_STATISTICS counts the flood (${stats.packets} seen, ${stats.drops} dropped, ${frames} read)`);
  const again = libc.packetStats(tap);
  check(again.packets + again.drops < stats.packets, `PACKET_STATISTICS resets when read (${again.packets} seen, ${again.drops} dropped)`);
  expectErrno(Errno.ENOPROTOOPT, () => libc.packetStats(u), 'PACKET_STATISTICS on a UDP socket');
  expectErrno(Errno.EINVAL, () => libc.getsockopt(tap, SOL_PACKET, PACKET_STATISTICS), 'PACKET_STATISTICS into 4 bytes');
  check(libc.syscall(SYS.getsockopt, tap, SOL_PACKET, PACKET_STATISTICS, 0x7fffffff, 0x7fffffff) === -Errno.EFAULT, 'PACKET_STATISTICS off user memory is EFAULT');
  libc.close(u);
  libc.close(tap);
  userRefused();
  libc.print('packet_capture_rules: checked on eth0\n');
};

// Socket filters on capture sockets (_nettests-filter.ts).
TESTS.packet_filter_rules = () => packetFilterRules(check, expectErrno);

export function main(argv: string[]): number {
  const args = argv.slice(1);
  const early = preflight('nettests', args.slice(0, 1), ['-l', '--send', '--write-pattern', '--kill-parent', '--recv-forever']);
  if (early !== null) return early;
  if (args[0] === '-l') { libc.print(Object.keys(TESTS).join('\n') + '\n'); return 0; }
  if (args[0] === '--send') return sendPattern(Number(args[1]), Number(args[2]));
  if (args[0] === '--write-pattern') return writePattern(0, Number(args[1]));
  if (args[0] === '--kill-parent') { libc.sleepMs(30); libc.kill(libc.getppid(), Number(args[1])); return 0; }
  if (args[0] === '--recv-forever') { libc.recv(0, 10); return 0; }
  if (args.length === 1) return runOne(args[0]!);
  const names = args.length > 0 ? args : Object.keys(TESTS);
  let failed = 0;
  for (const name of names) {
    const pid = libc.spawn('/bin/nettests', { argv: ['nettests', name] });
    const w = libc.wait(pid);
    if (w === null || w.code !== 0) { failed++; if (w !== null && w.signal !== 0) libc.print(`${name}: FAILED: killed by signal ${w.signal}\n`); }
  }
  libc.print(`nettests: ${names.length - failed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}
