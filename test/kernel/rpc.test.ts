import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ShmEndpoint, PortEndpoint, channelMemory, type Endpoint } from '../../src/kernel/ipc/endpoint.js';
import { Rpc, type CallHandler } from '../../src/kernel/ipc/rpc.js';
import { fixedWire } from '../../src/kernel/ipc/wire.js';
import { ECHO } from '../../src/abi/services.js';
import { Doorbell } from '../../src/lib/poller.js';
import { KernelError, Errno, isKernelError } from '../../src/abi/errno.js';
import type { Value } from '../../src/lib/codec.js';

// A caller and a server over one shm channel in this thread (echo's fixed layout).
function pair(serve: CallHandler, onServeError: (e: unknown) => void = (e) => { throw e; }): { rpc: Rpc; pump: () => Promise<void> } {
  const memory = channelMemory(1 << 12);
  const server = new ShmEndpoint(memory, 1, new Doorbell(new SharedArrayBuffer(4)), fixedWire(ECHO, undefined));
  new Rpc(server, serve, onServeError);
  const client = new ShmEndpoint(memory, 0, new Doorbell(new SharedArrayBuffer(4)), fixedWire(undefined, ECHO));
  const rpc = new Rpc(client, () => null, (e) => { throw e; });
  // Both sides poll, with the microtasks of async handlers in between, until quiet.
  const pump = async (): Promise<void> => {
    for (let rounds = 0; rounds < 50; rounds++) {
      const worked = server.poll() || client.poll();
      await new Promise((r) => setImmediate(r));
      if (!worked && !server.poll() && !client.poll()) return;
    }
  };
  return { rpc, pump };
}

test('rpc: many calls in flight, answered out of order, each settle their own promise (the call table grows past its first size)', async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 70 }), fc.integer(), async (n, seed) => {
    const held: { n: number; answer: (v: Value) => void }[] = [];
    let served = 0;
    const { rpc, pump } = pair((_to, method) => {
      assert.equal(method, 'ping');
      const k = served++;
      return new Promise<Value>((resolve) => held.push({ n: k, answer: resolve }));
    });
    const replies = Array.from({ length: n }, () => rpc.call('echo', 'ping', []));
    await pump();
    assert.equal(held.length, n, 'every call reached the server');
    assert.equal(rpc.inFlight().length, n);
    assert.deepEqual(rpc.inFlight().map((c) => c.id), [...rpc.inFlight().map((c) => c.id)].sort((a, b) => a - b), 'oldest first');
    // Answer in a shuffled order: the k-th call gets 1000 + k.
    let s = seed | 0;
    for (let i = held.length - 1; i > 0; i--) { s = (s * 1103515245 + 12345) & 0x7fffffff; const j = s % (i + 1); [held[i], held[j]] = [held[j]!, held[i]!]; }
    for (const h of held) h.answer(1000 + h.n);
    await pump();
    assert.deepEqual(await Promise.all(replies), Array.from({ length: n }, (_, k) => 1000 + k));
    assert.equal(rpc.inFlight().length, 0, 'nothing left in flight');
  }), { numRuns: 25 });
});

test('rpc: a handler that answers at once, one that throws an errno at once, and one that fails', async () => {
  const failures: unknown[] = [];
  let mode: 'value' | 'errno' | 'bug' = 'value';
  const { rpc, pump } = pair(() => {
    if (mode === 'errno') throw new KernelError(Errno.ENOENT, 'no such thing');
    if (mode === 'bug') throw new TypeError('server bug');
    return 7;
  }, (e) => failures.push(e));
  const a = rpc.call('echo', 'ping', []);
  await pump();
  assert.equal(await a, 7);
  mode = 'errno';
  const b = assert.rejects(rpc.call('echo', 'ping', []), (e: unknown) => isKernelError(e) && e.errno === Errno.ENOENT);
  await pump();
  await b;
  mode = 'bug';
  void rpc.call('echo', 'ping', []);
  await pump();
  assert.equal(failures.length, 1, 'a non-errno throw is the server failing, not a reply');
  assert.ok(failures[0] instanceof TypeError);
  assert.equal(rpc.drain().length, 1, 'the failed server\'s call is still in flight, for the supervisor to settle');
  assert.equal(rpc.inFlight().length, 0);
});

test('rpc: a reply to a drained call is dropped, even when a later call sits in its slot of the call table', async () => {
  const answers: ((v: Value) => void)[] = [];
  const { rpc, pump } = pair(() => new Promise<Value>((r) => { answers.push(r); }));
  void rpc.call('echo', 'ping', []);
  await pump();
  assert.equal(rpc.drain().length, 1);
  const stale = answers.shift()!;
  // Calls one after the other until one takes the drained call's slot (the table has 16).
  for (let i = 0; i < 15; i++) {
    const next = rpc.call('echo', 'ping', []);
    await pump();
    answers.shift()!(100 + i);
    await pump();
    assert.equal(await next, 100 + i);
  }
  let settled: Value | undefined;
  const last = rpc.call('echo', 'ping', []).then((v) => { settled = v; return v; });
  await pump();
  stale(1);
  await pump();
  assert.equal(settled, undefined, 'the stale reply settled nothing');
  answers.shift()!(200);
  await pump();
  assert.equal(await last, 200);
});

test('rpc over a port endpoint: messages are not reused (a port may deliver the object itself, later)', async () => {
  const queue: unknown[][] = [[], []];
  const handlers: ((m: unknown) => void)[] = [];
  const port = (side: number): Endpoint => new PortEndpoint({ post: (m) => queue[1 - side]!.push(m), onMessage: (h) => { handlers[side] = h; } });
  new Rpc(port(1), (_to, _m, args) => args.length, (e) => { throw e; });
  const rpc = new Rpc(port(0), () => null, (e) => { throw e; });
  const first = rpc.call('echo', 'echo', [1, 2]);
  const second = rpc.call('echo', 'echo', [1]);
  assert.notEqual(queue[1]![0], queue[1]![1], 'two calls, two message objects');
  for (let rounds = 0; rounds < 10 && (queue[0]!.length > 0 || queue[1]!.length > 0); rounds++) {
    for (const side of [1, 0]) for (const m of queue[side]!.splice(0)) handlers[side]!(m);
    await new Promise((r) => setImmediate(r));
  }
  assert.deepEqual([await first, await second], [2, 1]);
});
