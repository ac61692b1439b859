// The socket layer over the TCP/IP stack: two SocketLayer instances (two machines'
// net components), each with an interface attached, joined by an in-memory wire, on
// the real clock (the socket calls are asynchronous and sleep like a process's would).
// TCP and UDP off the loopback network go through the stacks; loopback stays direct.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SocketLayer } from '../../../src/services/net/sockets.js';
import { AF, SOCK, SOL_SOCKET, SO, IPPROTO, TCP_NODELAY } from '../../../src/abi/net.js';
import { POLL } from '../../../src/abi/syscalls.js';
import { Errno, isKernelError } from '../../../src/abi/errno.js';
import type { Clock } from '../../../src/services/net/link.js';
import { TestLink, ip, mac, seeded } from './harness.js';

/** The real clock; `stop()` clears every timer left (connections in TIME_WAIT would keep the process 60 s). */
function realClock(): Clock & { stop(): void } {
  const live = new Set<ReturnType<typeof setTimeout>>();
  let stopped = false;
  return {
    now: () => performance.now(),
    setTimer: (at, fn) => {
      if (stopped) return () => undefined;
      const t = setTimeout(() => { live.delete(t); fn(); }, Math.max(0, at - performance.now()));
      live.add(t);
      return () => { clearTimeout(t); live.delete(t); };
    },
    stop: () => { stopped = true; for (const t of live) clearTimeout(t); live.clear(); },
  };
}

/** Two machines, 10.0.0.1 and 10.0.0.2; `loss` drops that share of frames (seeded). */
function machines(loss = 0): { a: SocketLayer; b: SocketLayer; close(): void } {
  const a = new SocketLayer(), b = new SocketLayer();
  const clock = realClock();
  const linkA = new TestLink(mac(1)), linkB = new TestLink(mac(2));
  const stackA = a.attachInterface(linkA, { address: ip('10.0.0.1'), prefix: 24 }, clock);
  const stackB = b.attachInterface(linkB, { address: ip('10.0.0.2'), prefix: 24 }, clock);
  const rnd = seeded(11);
  let open = true;
  linkA.sink = (f) => { if (rnd() >= loss) setImmediate(() => { if (open) stackB.receive(f); }); };
  linkB.sink = (f) => { if (rnd() >= loss) setImmediate(() => { if (open) stackA.receive(f); }); };
  return { a, b, close: () => { open = false; clock.stop(); } };
}

const at = (addr: string, port: number) => ({ family: AF.INET, addr, port });
const errnoOf = async (p: Promise<unknown>): Promise<number> => { try { await p; return 0; } catch (e) { if (isKernelError(e)) return e.errno; throw e; } };
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Waits for `cond` (checked every 5 ms) for at most 20 s: generous, since the machine may be loaded; the test asserts the outcome, not the time. */
async function until(cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 4000 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 5));
}

async function readAll(net: SocketLayer, id: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (;;) {
    const { data } = await net.recv(id, 65536, false, false, 2);
    if (data.length === 0) break;
    parts.push(data);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

test('TCP between two machines through their stacks: 1 MiB each way over a lossy wire, end of stream, ss shows TCP states', async () => {
  const { a, b, close } = machines(0.02);
  const l = await b.socket(AF.INET, SOCK.STREAM, 0);
  await b.bind(l, at('0.0.0.0', 8080));
  await b.listen(l, 4);
  const c = await a.socket(AF.INET, SOCK.STREAM, 0);
  await a.connect(c, at('10.0.0.2', 8080), false, 1);
  const { id: s, peer } = await b.accept(l, false, 1);
  assert.equal(peer.addr, '10.0.0.1');
  assert.deepEqual(await a.remoteAddress(c), at('10.0.0.2', 8080));
  assert.equal((await a.localAddress(c)).addr, '10.0.0.1');
  const rnd = seeded(5);
  const up = Uint8Array.from({ length: 1 << 20 }, () => Math.floor(rnd() * 256));
  const down = Uint8Array.from({ length: 1 << 20 }, () => Math.floor(rnd() * 256));
  const sending = (async () => { await a.send(c, up, undefined, false, 1); await a.shut(c, 1); })();
  const sendingBack = (async () => { await b.send(s, down, undefined, false, 2); await b.shut(s, 1); })();
  const [gotUp, gotDown] = await Promise.all([readAll(b, s), readAll(a, c), sending, sendingBack]);
  assert.equal(sha(gotUp), sha(up));
  assert.equal(sha(gotDown!), sha(down));
  const rows = await a.sockets();
  assert.ok(rows.some((r) => r.remote === '10.0.0.2:8080' && /FIN_WAIT|TIME_WAIT|CLOSING|LAST_ACK|CLOSE_WAIT/.test(r.state)), JSON.stringify(rows));
  await a.close(c); await b.close(s); await b.close(l);
  assert.equal(a.open + b.open, 0);
  close();
});

test('connect: refused by an RST, non-blocking EINPROGRESS then POLLOUT, EALREADY and EISCONN, no route', async () => {
  const { a, b, close } = machines();
  const c = await a.socket(AF.INET, SOCK.STREAM, 0);
  assert.equal(await errnoOf(a.connect(c, at('10.0.0.2', 9), false, 1)), Errno.ECONNREFUSED);
  await a.close(c);
  const l = await b.socket(AF.INET, SOCK.STREAM, 0);
  await b.bind(l, at('10.0.0.2', 8081));
  await b.listen(l, 1);
  const n = await a.socket(AF.INET, SOCK.STREAM, 0);
  assert.equal(await errnoOf(a.connect(n, at('10.0.0.2', 8081), true, 1)), Errno.EINPROGRESS);
  assert.equal(await errnoOf(a.connect(n, at('10.0.0.2', 8081), true, 1)), Errno.EALREADY);
  assert.equal((await a.poll(n)) & POLL.OUT, 0);
  await until(async () => ((await a.poll(n)) & POLL.OUT) !== 0);
  assert.equal((await a.poll(n)) & POLL.OUT, POLL.OUT);
  assert.equal(await a.getOption(n, SOL_SOCKET, SO.ERROR), 0);
  assert.equal(await errnoOf(a.connect(n, at('10.0.0.2', 8081), true, 1)), Errno.EISCONN);
  const u = await a.socket(AF.INET, SOCK.STREAM, 0);
  assert.equal(await errnoOf(a.connect(u, at('192.168.7.7', 80), false, 1)), Errno.ENETUNREACH);
  await a.close(n); await a.close(u); await b.close(l);
  close();
});

test('poll, non-blocking recv, and EINTR: a blocked recv on a stack socket is cancelled like a loopback one', async () => {
  const { a, b, close } = machines();
  const l = await b.socket(AF.INET, SOCK.STREAM, 0);
  await b.bind(l, at('0.0.0.0', 7000));
  await b.listen(l, 1);
  const c = await a.socket(AF.INET, SOCK.STREAM, 0);
  await a.connect(c, at('10.0.0.2', 7000), false, 1);
  // The handshake's last ACK may still be on the wire when connect returns.
  await until(async () => ((await b.poll(l)) & POLL.IN) !== 0);
  assert.equal((await b.poll(l)) & POLL.IN, POLL.IN);
  const { id: s } = await b.accept(l, false, 1);
  assert.equal(await errnoOf(b.recv(s, 10, false, true, 2)), Errno.EAGAIN);
  assert.equal((await b.poll(s)) & POLL.IN, 0);
  assert.equal((await b.poll(s)) & POLL.OUT, POLL.OUT);
  const blocked = b.recv(s, 10, false, false, 42);
  await new Promise((r) => setTimeout(r, 10));
  await b.cancel(42);
  assert.equal(await errnoOf(blocked), Errno.EINTR);
  await a.send(c, new TextEncoder().encode('ping'), undefined, false, 1);
  await until(async () => ((await b.poll(s)) & POLL.IN) !== 0);
  assert.equal(new TextDecoder().decode((await b.recv(s, 10, false, true, 2)).data), 'ping');
  // The peer's close: POLLIN (end of stream), then a read of 0 bytes.
  await a.close(c);
  await until(async () => ((await b.poll(s)) & POLL.IN) !== 0);
  assert.equal((await b.recv(s, 10, false, true, 2)).data.length, 0);
  await b.close(s); await b.close(l);
  assert.equal(b.sleepers.count + a.sleepers.count, 0);
  close();
});

test('SO_RCVBUF, SO_SNDBUF, TCP_NODELAY and SO_KEEPALIVE reach the stack connection; accepted sockets inherit the listener\'s', async () => {
  const { a, b, close } = machines();
  const l = await b.socket(AF.INET, SOCK.STREAM, 0);
  await b.setOption(l, IPPROTO.TCP, TCP_NODELAY, 1);
  await b.setOption(l, SOL_SOCKET, SO.KEEPALIVE, 1);
  await b.setOption(l, SOL_SOCKET, SO.RCVBUF, 300_000);
  await b.bind(l, at('0.0.0.0', 7001));
  await b.listen(l, 1);
  const c = await a.socket(AF.INET, SOCK.STREAM, 0);
  await a.setOption(c, SOL_SOCKET, SO.SNDBUF, 5000);
  await a.connect(c, at('10.0.0.2', 7001), false, 1);
  const { id: s } = await b.accept(l, false, 1);
  assert.equal(await b.getOption(s, IPPROTO.TCP, TCP_NODELAY), 1);
  assert.equal(await b.getOption(s, SOL_SOCKET, SO.KEEPALIVE), 1);
  // Reach into the layers' sockets through the table: the connection's own settings.
  const conn = (net: SocketLayer, id: number) => (net as unknown as { table: Map<number, { tcp?: { noDelay: boolean; keepAlive: boolean; autoReceive: boolean; autoSend: boolean; rx: { capacity: number }; sendBuffer: { capacity: number } } }> }).table.get(id)!.tcp!;
  assert.equal(conn(b, s).noDelay, true);
  assert.equal(conn(b, s).keepAlive, true);
  assert.equal(conn(b, s).rx.capacity, 600_000);
  assert.equal(conn(a, c).sendBuffer.capacity, 10_000);
  // A size the application set is kept (no autotuning); one it left alone may grow.
  assert.deepEqual([conn(b, s).autoReceive, conn(b, s).autoSend], [false, true]);
  assert.deepEqual([conn(a, c).autoReceive, conn(a, c).autoSend], [true, false]);
  // getsockopt reports the size the buffer has now, as Linux does.
  conn(b, s).sendBuffer.capacity = 1_000_000;
  assert.equal(await b.getOption(s, SOL_SOCKET, SO.SNDBUF), 1_000_000);
  await b.setOption(s, SOL_SOCKET, SO.SNDBUF, 8000);
  assert.equal(conn(b, s).autoSend, false, 'setting SO_SNDBUF on a connected socket stops its growth');
  await a.setOption(c, IPPROTO.TCP, TCP_NODELAY, 1);
  await a.setOption(c, SOL_SOCKET, SO.KEEPALIVE, 1);
  assert.equal(conn(a, c).noDelay, true);
  assert.equal(conn(a, c).keepAlive, true);
  // A 5000-byte send buffer: a non-blocking send of 20000 bytes takes at most what fits.
  const took = await a.send(c, new Uint8Array(20_000), undefined, true, 1);
  assert.ok(took > 0 && took <= 10_000, `took ${took}`);
  await a.close(c); await b.close(s); await b.close(l);
  close();
});

test('UDP through the stacks: datagrams both ways with their senders; a connected socket hears ECONNREFUSED', async () => {
  const { a, b, close } = machines();
  const sb = await b.socket(AF.INET, SOCK.DGRAM, 0);
  await b.bind(sb, at('0.0.0.0', 5353));
  const sa = await a.socket(AF.INET, SOCK.DGRAM, 0);
  assert.equal(await a.send(sa, new TextEncoder().encode('query'), at('10.0.0.2', 5353), false, 1), 5);
  const got = await b.recv(sb, 100, false, false, 2);
  assert.equal(new TextDecoder().decode(got.data), 'query');
  assert.equal(got.from.addr, '10.0.0.1');
  await b.send(sb, new TextEncoder().encode('answer'), got.from, false, 2);
  assert.equal(new TextDecoder().decode((await a.recv(sa, 100, false, false, 1)).data), 'answer');
  const cu = await a.socket(AF.INET, SOCK.DGRAM, 0);
  await a.connect(cu, at('10.0.0.2', 9), false, 1);
  await a.send(cu, new Uint8Array(4), undefined, false, 1);
  let e = 0;
  await until(async () => (e = await a.getOption(cu, SOL_SOCKET, SO.ERROR)) !== 0);
  assert.equal(e, Errno.ECONNREFUSED);
  await a.close(sa); await a.close(cu); await b.close(sb);
  close();
});

test('a ping socket through the stack: the other machine answers, with our id', async () => {
  const { a, close } = machines();
  const p = await a.socket(AF.INET, SOCK.DGRAM, IPPROTO.ICMP);
  await a.send(p, new Uint8Array([8, 0, 0, 0, 0x99, 0x99, 0, 5, 1, 2, 3]), at('10.0.0.2', 0), false, 1);
  const r = await a.recv(p, 100, false, false, 1);
  assert.equal(r.from.addr, '10.0.0.2');
  assert.deepEqual([...r.data.subarray(6)], [0, 5, 1, 2, 3]);
  assert.equal(r.data[0], 0);
  assert.equal((r.data[4]! << 8) | r.data[5]!, (await a.localAddress(p)).port);
  await a.close(p);
  close();
});

test('loopback keeps its direct path when an interface is attached', async () => {
  const { a, close } = machines();
  const l = await a.socket(AF.INET, SOCK.STREAM, 0);
  await a.bind(l, at('127.0.0.1', 6000));
  await a.listen(l, 1);
  const c = await a.socket(AF.INET, SOCK.STREAM, 0);
  await a.connect(c, at('127.0.0.1', 6000), false, 1);
  const { id: s } = await a.accept(l, false, 1);
  const table = (a as unknown as { table: Map<number, { tcp?: unknown }> }).table;
  assert.equal(table.get(c)!.tcp, undefined);
  assert.equal(table.get(s)!.tcp, undefined);
  await a.close(c); await a.close(s); await a.close(l);
  close();
});
