import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SocketLayer, DEFAULT_LIMITS } from '../../src/services/net/sockets.js';
import { AF, SOCK, SOL_SOCKET, SO } from '../../src/abi/net.js';
import { Errno, isKernelError } from '../../src/abi/errno.js';
import { ByteQueue } from '../../src/services/net/byte-queue.js';
import { EPHEMERAL_FIRST, EPHEMERAL_LAST } from '../../src/services/net/ports.js';
import { seededRandom } from '../../src/lib/random.js';

const local = (port: number) => ({ family: AF.INET, addr: '127.0.0.1', port });
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

test('a byte queue keeps order across wrap-around and growth, and never exceeds its capacity', () => {
  const q = new ByteQueue(10_000);
  const model: number[] = [];
  let next = 0;
  for (let round = 0; round < 500; round++) {
    const n = (round * 37) % 3000;
    const chunk = Uint8Array.from({ length: n }, () => next++ & 0xff);
    const took = q.push(chunk);
    model.push(...chunk.subarray(0, took));
    assert.ok(q.size <= 10_000);
    const out = q.take((round * 53) % 2500);
    assert.deepEqual([...out], model.splice(0, out.length));
  }
});

test('a stream connection over loopback: connect, accept, both directions, end of stream', async () => {
  const net = new SocketLayer();
  const l = await net.socket(AF.INET, SOCK.STREAM, 0);
  await net.bind(l, local(0));
  await net.listen(l, 4);
  const port = (await net.localAddress(l)).port;
  const c = await net.socket(AF.INET, SOCK.STREAM, 0);
  await net.connect(c, local(port), false, 1);
  const { id: s, peer } = await net.accept(l, false, 1);
  assert.equal(peer.port, (await net.localAddress(c)).port);
  assert.equal(await net.send(c, bytes('hello'), undefined, false, 1), 5);
  assert.equal(text((await net.recv(s, 100, false, false, 1)).data), 'hello');
  await net.shut(c, 1);
  assert.equal((await net.recv(s, 100, false, false, 1)).data.length, 0, 'end of stream');
  for (const id of [c, s, l]) await net.close(id);
  assert.equal(net.open, 0);
});

test('a blocked recv is woken by data, and cancel ends a blocked call with EINTR', async () => {
  const net = new SocketLayer();
  const { a, b } = await net.pair(AF.UNIX, SOCK.STREAM);
  const waiting = net.recv(a, 10, false, false, 7);
  await net.send(b, bytes('x'), undefined, false, 8);
  assert.equal(text((await waiting).data), 'x');
  const blocked = net.recv(a, 10, false, false, 7);
  await net.cancel(7);
  await assert.rejects(blocked, (e: unknown) => isKernelError(e) && e.errno === Errno.EINTR);
  assert.equal(net.sleepers.count, 0, 'nothing left parked');
  await net.close(a); await net.close(b);
});

test('a full backlog makes a non-blocking connect EAGAIN; closing a listener resets what it never accepted', async () => {
  const net = new SocketLayer();
  const l = await net.socket(AF.INET, SOCK.STREAM, 0);
  await net.bind(l, local(4000));
  await net.listen(l, 1);
  const c1 = await net.socket(AF.INET, SOCK.STREAM, 0), c2 = await net.socket(AF.INET, SOCK.STREAM, 0);
  await net.connect(c1, local(4000), true, 1);
  await assert.rejects(net.connect(c2, local(4000), true, 1), (e: unknown) => isKernelError(e) && e.errno === Errno.EAGAIN);
  await net.close(l);
  await assert.rejects(net.recv(c1, 10, false, true, 1), (e: unknown) => isKernelError(e) && e.errno === Errno.ECONNRESET);
  await net.close(c1); await net.close(c2);
  assert.equal(net.open, 0);
});

// The fuzz test: random sequences of calls with random arguments (including ids that
// do not exist, bad addresses and options) never throw anything but an errno, never
// block when asked not to, and leave no socket behind once everything is closed.
test('random calls on the socket layer answer only errnos (seeded; prints the seed when it fails)', async () => {
  const id = fc.integer({ min: -1, max: 12 });
  const addr = fc.record({
    family: fc.constantFrom(AF.INET, AF.UNIX, 0, 99),
    addr: fc.constantFrom('127.0.0.1', '0.0.0.0', '10.0.0.1', '', 'x', '/tmp/s', '999.1.1.1'),
    port: fc.constantFrom(0, 1, 5000, 5001, 65535, 70000, -1, 1.5),
  });
  const op = fc.oneof(
    fc.tuple(fc.constant('socket'), fc.constantFrom(AF.INET, AF.UNIX, 7), fc.constantFrom(SOCK.STREAM, SOCK.DGRAM, 9), fc.constantFrom(0, 6, 17, 3)),
    fc.tuple(fc.constant('pair'), fc.constantFrom(AF.UNIX, AF.INET), fc.constantFrom(SOCK.STREAM, SOCK.DGRAM)),
    fc.tuple(fc.constant('bind'), id, addr),
    fc.tuple(fc.constant('listen'), id, fc.integer({ min: -5, max: 5 })),
    fc.tuple(fc.constant('accept'), id),
    fc.tuple(fc.constant('connect'), id, addr),
    fc.tuple(fc.constant('send'), id, fc.uint8Array({ maxLength: 300 }), fc.option(addr, { nil: undefined })),
    fc.tuple(fc.constant('recv'), id, fc.integer({ min: -1, max: 400 }), fc.boolean()),
    fc.tuple(fc.constant('shut'), id, fc.integer({ min: -1, max: 3 })),
    fc.tuple(fc.constant('close'), id),
    fc.tuple(fc.constant('option'), id, fc.constantFrom(SOL_SOCKET, 6, 0), fc.constantFrom(SO.REUSEADDR, SO.RCVBUF, SO.ERROR, 1, 99), fc.integer({ min: -10, max: 1 << 24 })),
    fc.tuple(fc.constant('poll'), id),
  );
  await fc.assert(fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
    const net = new SocketLayer({ maxSockets: 10, defaultBuffer: 512, minBuffer: 256, maxBuffer: 4096, maxBacklog: 4 });
    for (const o of ops) {
      try {
        const a = o as unknown[];
        switch (a[0]) {
          case 'socket': await net.socket(a[1] as number, a[2] as number, a[3] as number); break;
          case 'pair': await net.pair(a[1] as number, a[2] as number); break;
          case 'bind': await net.bind(a[1] as number, a[2] as never); break;
          case 'listen': await net.listen(a[1] as number, a[2] as number); break;
          case 'accept': await net.accept(a[1] as number, true, 1); break;
          case 'connect': await net.connect(a[1] as number, a[2] as never, true, 1); break;
          case 'send': await net.send(a[1] as number, a[2] as Uint8Array, a[3] as never, true, 1); break;
          case 'recv': await net.recv(a[1] as number, a[2] as number, a[3] as boolean, true, 1); break;
          case 'shut': await net.shut(a[1] as number, a[2] as number); break;
          case 'close': await net.close(a[1] as number); break;
          case 'option': await net.setOption(a[1] as number, a[2] as number, a[3] as number, a[4] as number); break;
          case 'poll': await net.poll(a[1] as number); break;
        }
      } catch (e) {
        if (!isKernelError(e)) throw e;
      }
    }
    for (const s of await net.sockets()) await net.close(s.id);
    assert.equal(net.open, 0);
    assert.equal(net.sleepers.count, 0);
  }), { numRuns: 300, seed: Number(process.env['FC_SEED'] ?? 0x5eed) });
});

// Regression: a restarted net handed out ephemeral ports from 32768 again, so its first
// connection reused the 4-tuple of the dead instance's first connection, which the peer
// still held (a stall of about a second until the peer's RST or timeout cleared it).
test('restarted-net-reuses-first-ephemeral-port: each net instance starts its ephemeral ports at a random place', async () => {
  const firstPort = async (net: SocketLayer, type: number): Promise<number> => {
    const s = await net.socket(AF.INET, type, 0);
    await net.bind(s, local(0));
    return (await net.localAddress(s)).port;
  };
  // Eight fresh instances, as eight restarts of net would make: not all start at 32768.
  const firsts: number[] = [];
  for (let i = 0; i < 8; i++) firsts.push(await firstPort(new SocketLayer(), SOCK.STREAM));
  for (const p of firsts) assert.ok(p >= EPHEMERAL_FIRST && p <= EPHEMERAL_LAST, `port ${p} in the ephemeral range`);
  assert.ok(new Set(firsts).size > 1, `eight instances began at ${firsts.join(', ')}`);
  // The start comes from the injected source: the lowest and highest draws, then the search rotates and wraps.
  const low = new SocketLayer(DEFAULT_LIMITS, () => 0);
  assert.equal(await firstPort(low, SOCK.STREAM), EPHEMERAL_FIRST);
  assert.equal(await firstPort(low, SOCK.STREAM), EPHEMERAL_FIRST + 1);
  const high = new SocketLayer(DEFAULT_LIMITS, () => 0.999999999);
  assert.equal(await firstPort(high, SOCK.DGRAM), EPHEMERAL_LAST);
  assert.equal(await firstPort(high, SOCK.DGRAM), EPHEMERAL_FIRST);
  // Two seeded instances differ, and the same seed gives the same start.
  const seeded = async (seed: number): Promise<number> => firstPort(new SocketLayer(DEFAULT_LIMITS, seededRandom(seed)), SOCK.STREAM);
  assert.equal(await seeded(7), await seeded(7));
  assert.notEqual(await seeded(7), await seeded(8));
});
