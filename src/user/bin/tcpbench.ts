// tcpbench: TCP throughput between two processes, in the manner of ttcp. The
// receiver (-r) takes COUNT connections on PORT one after another, reads each to its
// end, answers with the byte count it read and prints one JSON line per connection;
// the sender (-t) makes COUNT connections to HOST PORT and writes BYTES into each.
// `kernelkit bench net` (src/lab/bench-net.ts) runs one in each of two machines, or
// both in one machine over 127.0.0.1.
//
// The data is a seeded pseudo-random block written over and over from an offset that
// does not divide the segment size, so a segment lost, doubled or misplaced changes
// the Adler-32 both sides print; the receiver times from its first byte to the end of
// the stream (ttcp -r's figure), the sender from connect to the receiver's answer.
// The sender shuts its side down and waits for that answer: a machine whose init
// ends halts at once, and a sender that left early would take its unsent bytes along.
//
// Output: {"role":"recv"|"send","label","bytes","ms","MBps","adler32"}.
//
// Request/response (netperf's TCP_RR): the receiver with -e echoes what each connection
// sends until its end; the sender with -q ROUNDS makes one connection, sets
// TCP_NODELAY, and ROUNDS times sends one byte and waits for it to come back, after
// 20 rounds of warm-up; it prints {"role":"rr","label","rounds","p50_us","p99_us",
// "mean_us"}, the round trips' percentiles in microseconds.

import * as libc from '../libc/index.js';
import { AF, SOCK, SHUT, SO, SOL_SOCKET, IPPROTO, TCP_NODELAY, inet, SysError, Errno } from '../libc/index.js';
import { run, UsageError } from '../util/io.js';
import { parseArgs, parseCount } from '../util/args.js';
import { resolveHost } from '../util/hosts.js';

const BLOCK = 65536;
/** How long the sender keeps trying a refused connection (the receiver may still be booting). */
const CONNECT_TRIES = 200;
const CONNECT_PAUSE_MS = 50;

function port(text: string | undefined): number {
  if (text === undefined) throw new UsageError('missing PORT');
  const n = parseCount(text, 'port');
  if (n < 1 || n > 65535) throw new UsageError(`invalid port: '${text}'`);
  return n;
}

/** Adler-32 (RFC 1950), carried across calls. */
export class Adler32 {
  private a = 1;
  private b = 0;
  update(data: Uint8Array): void {
    let a = this.a, b = this.b;
    const n = data.length;
    for (let at = 0; at < n;) {
      // NOTE: the sums are reduced every 2048 bytes, not zlib's 5552: b then stays below
      // 2^30 and V8 keeps both in small integers (with 5552 b passed 2^31 and became a
      // double); eight bytes a step. 1.5x zlib's loop in Node here.
      const end = Math.min(n, at + 2048);
      for (; at + 8 <= end; at += 8) {
        a += data[at]!; b += a; a += data[at + 1]!; b += a; a += data[at + 2]!; b += a; a += data[at + 3]!; b += a;
        a += data[at + 4]!; b += a; a += data[at + 5]!; b += a; a += data[at + 6]!; b += a; a += data[at + 7]!; b += a;
      }
      for (; at < end; at++) { a += data[at]!; b += a; }
      a %= 65521; b %= 65521;
    }
    this.a = a; this.b = b;
  }
  get value(): number { return ((this.b << 16) | this.a) >>> 0; }
}

function pattern(seed: number): Uint8Array {
  const out = new Uint8Array(BLOCK);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < BLOCK; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; out[i] = x & 0xff; }
  return out;
}

function line(role: string, label: string, bytes: number, ms: number, adler: number): void {
  const mbps = ms > 0 ? Math.round((bytes / 1e6 / (ms / 1000)) * 100) / 100 : 0;
  libc.write(1, new TextEncoder().encode(JSON.stringify({ role, label, bytes, ms: Math.round(ms * 1000) / 1000, MBps: mbps, adler32: adler }) + '\n'));
}

function sizeBuffers(fd: number, bytes: number): void {
  if (bytes <= 0) return;
  libc.setsockopt(fd, SOL_SOCKET, SO.RCVBUF, bytes);
  libc.setsockopt(fd, SOL_SOCKET, SO.SNDBUF, bytes);
}

/** Warm-up round trips before the timed ones (-q): the first connect's ARP, the first wake-ups. */
const RR_WARMUP = 20;

function receive(p: number, count: number, label: string, buffers: number, verbose: boolean, echo: boolean): number {
  const fd = libc.socket(AF.INET, SOCK.STREAM);
  libc.setsockopt(fd, SOL_SOCKET, SO.REUSEADDR, 1);
  sizeBuffers(fd, buffers);
  libc.bind(fd, inet('0.0.0.0', p));
  libc.listen(fd, 4);
  if (verbose) libc.eprint(`tcpbench: listening on ${p}\n`);
  for (let k = 0; k < count; k++) {
    const c = libc.accept(fd).fd;
    if (echo) {
      libc.setsockopt(c, IPPROTO.TCP, TCP_NODELAY, 1);
      for (let data = libc.recv(c, 64); data.length > 0; data = libc.recv(c, 64)) for (let done = 0; done < data.length;) done += libc.send(c, data.subarray(done));
      libc.close(c);
      continue;
    }
    const sum = new Adler32();
    let bytes = 0, first = 0;
    for (;;) {
      const data = libc.recv(c, BLOCK);
      if (data.length === 0) break;
      if (bytes === 0) first = performance.now();
      bytes += data.length;
      sum.update(data);
    }
    const ms = bytes === 0 ? 0 : performance.now() - first;
    libc.send(c, `${bytes}\n`);
    libc.close(c);
    line('recv', label, bytes, ms, sum.value);
  }
  libc.close(fd);
  return 0;
}

function connectWithRetry(host: string, p: number, buffers: number): number {
  for (let tries = 0; ; tries++) {
    const fd = libc.socket(AF.INET, SOCK.STREAM);
    sizeBuffers(fd, buffers);
    try {
      libc.connect(fd, inet(host, p));
      return fd;
    } catch (e) {
      libc.close(fd);
      const again = e instanceof SysError && (e.errno === Errno.ECONNREFUSED || e.errno === Errno.ETIMEDOUT || e.errno === Errno.EHOSTUNREACH);
      if (!again || tries + 1 >= CONNECT_TRIES) throw e;
      libc.sleepMs(CONNECT_PAUSE_MS);
    }
  }
}

function transmit(host: string, p: number, total: number, count: number, label: string, buffers: number, seed: number): number {
  const block = pattern(seed);
  for (let k = 0; k < count; k++) {
    const fd = connectWithRetry(host, p, buffers);
    const sum = new Adler32();
    const t0 = performance.now();
    // Start each write 1000 bytes further into the block than the last one ended, so
    // segment boundaries and block boundaries never line up.
    let at = 0;
    for (let sent = 0; sent < total;) {
      const n = Math.min(BLOCK - at, total - sent);
      const piece = block.subarray(at, at + n);
      for (let done = 0; done < n;) done += libc.send(fd, piece.subarray(done));
      sum.update(piece);
      sent += n;
      at = (at + n + 1000) % BLOCK;
    }
    libc.shutdown(fd, SHUT.WR);
    let answer = '';
    for (;;) {
      const data = libc.recv(fd, 64);
      if (data.length === 0) break;
      answer += new TextDecoder().decode(data);
    }
    const ms = performance.now() - t0;
    libc.close(fd);
    if (answer.trim() !== String(total)) { libc.eprint(`tcpbench: the receiver read ${answer.trim() || 'nothing'} of ${total} bytes\n`); return 1; }
    line('send', label, total, ms, sum.value);
  }
  return 0;
}

function requestResponse(host: string, p: number, rounds: number, label: string): number {
  const fd = connectWithRetry(host, p, 0);
  libc.setsockopt(fd, IPPROTO.TCP, TCP_NODELAY, 1);
  const byte = new Uint8Array([0x5a]);
  const us: number[] = [];
  for (let k = 0; k < RR_WARMUP + rounds; k++) {
    const t0 = performance.now();
    libc.send(fd, byte);
    const back = libc.recv(fd, 1);
    if (back.length !== 1 || back[0] !== byte[0]) { libc.eprint(`tcpbench: round ${k}: the echo ${back.length === 0 ? 'ended the connection' : 'answered another byte'}\n`); return 1; }
    if (k >= RR_WARMUP) us.push((performance.now() - t0) * 1000);
  }
  libc.shutdown(fd, SHUT.WR);
  libc.recv(fd, 1); // the echo's end
  libc.close(fd);
  us.sort((a, b) => a - b);
  // Nearest rank, as the lab's quantile (lab/stats.ts), so guest and Linux rows agree.
  const at = (q: number): number => Math.round(us[Math.min(us.length - 1, Math.max(0, Math.ceil(q * us.length) - 1))]! * 10) / 10;
  const mean = Math.round((us.reduce((a, b) => a + b, 0) / us.length) * 10) / 10;
  libc.write(1, new TextEncoder().encode(JSON.stringify({ role: 'rr', label, rounds, p50_us: at(0.5), p99_us: at(0.99), mean_us: mean }) + '\n'));
  return 0;
}

export function main(argv: string[]): number {
  return run('tcpbench', () => {
    const args = parseArgs(argv.slice(1), { flags: 'rtve', options: 'nLwsq' });
    const count = args.options.has('n') ? parseCount(args.options.get('n')!, 'count') : 1;
    const label = args.options.get('L') ?? 'tcp';
    const buffers = args.options.has('w') ? parseCount(args.options.get('w')!, 'buffer size') : 0;
    const seed = args.options.has('s') ? parseCount(args.options.get('s')!, 'seed') : 1;
    const ops = args.operands;
    if (args.flags.has('r') === args.flags.has('t')) throw new UsageError('give exactly one of -r (receive) and -t (transmit)');
    if (count < 1) throw new UsageError('-n needs at least 1');
    if (args.flags.has('r')) {
      if (ops.length !== 1) throw new UsageError('-r takes PORT');
      if (args.options.has('q')) throw new UsageError('-q (rounds) goes with -t; the receiver echoes with -e');
      return receive(port(ops[0]), count, label, buffers, args.flags.has('v'), args.flags.has('e'));
    }
    if (args.flags.has('e')) throw new UsageError('-e (echo) goes with -r');
    if (args.options.has('q')) {
      if (ops.length !== 2) throw new UsageError('-t -q ROUNDS takes HOST PORT');
      const rounds = parseCount(args.options.get('q')!, 'rounds');
      if (rounds < 1) throw new UsageError('-q needs at least 1 round');
      return requestResponse(resolveHost(ops[0]!), port(ops[1]), rounds, label);
    }
    if (ops.length !== 3) throw new UsageError('-t takes HOST PORT BYTES');
    const total = parseCount(ops[2]!, 'byte count');
    if (total < 1) throw new UsageError('BYTES must be at least 1');
    return transmit(resolveHost(ops[0]!), port(ops[1]), total, count, label, buffers, seed);
  });
}
