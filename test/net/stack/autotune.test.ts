// Buffer autotuning (tunables.ts): a connection whose application set no buffer sizes
// grows its receive buffer while its reader keeps up with a window-limited sender, and
// its send buffer with the window it may have in flight; never past rmemMax/wmemMax,
// never for a reader that does not read or a socket whose size was set, and all
// connections' growth together within memMax, given back when they end.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ip, pair } from './harness.js';
import type { Connection } from '../../../src/services/net/stack/tcp/connection.js';
import type { Buffers } from '../../../src/services/net/stack/tcp/tcp.js';
import type { TcpTunables } from '../../../src/services/net/stack/tcp/tunables.js';

const KiB = 1024;

/** `count` connections from a to b, each sending `size` bytes; `read`: b's application reads what arrives. */
function run(count: number, size: number, buffers: Buffers, read: boolean, tcp: Partial<TcpTunables> = {}): { env: ReturnType<typeof pair>; clients: Connection[]; servers: Connection[]; done: boolean; maxGrown: [number, number] } {
  const env = pair({}, 1, { tcp });
  const l = env.b.tcp.listen(80, 64, buffers);
  const clients = Array.from({ length: count }, (_, i) => env.a.tcp.connect(40000 + i, ip('10.0.0.2'), 80, buffers));
  env.a.settle();
  const servers: Connection[] = [];
  const sent = new Array<number>(count).fill(0), got = new Array<number>(count).fill(0);
  const data = new Uint8Array(64 * KiB).fill(0x5a);
  const maxGrown: [number, number] = [0, 0];
  const done = env.clock.runUntil(() => {
    for (let c = l.ready.shift(); c !== undefined; c = l.ready.shift()) { c.listener = undefined; servers.push(c); }
    clients.forEach((c, i) => { while (sent[i]! < size) { const n = c.write(data.subarray(0, Math.min(data.length, size - sent[i]!))); if (n === 0) break; sent[i]! += n; } });
    if (read) servers.forEach((c, i) => { for (let d = c.read(64 * KiB); d.length > 0; d = c.read(64 * KiB)) got[i]! += d.length; });
    env.a.settle(); env.b.settle();
    maxGrown[0] = Math.max(maxGrown[0], env.a.tcp.grown);
    maxGrown[1] = Math.max(maxGrown[1], env.b.tcp.grown);
    return read ? servers.length === count && got.every((n) => n === size) : sent.every((n) => n === size) || env.clock.now() > 20_000;
  }, 60_000);
  return { env, clients, servers, done, maxGrown };
}

test('a window-limited transfer grows both buffers, within rmemMax and wmemMax', () => {
  const tcp = { rmemMax: 1024 * KiB, wmemMax: 768 * KiB };
  const r = run(1, 16 << 20, { receive: 64 * KiB, send: 64 * KiB, autoReceive: true, autoSend: true }, true, tcp);
  assert.ok(r.done, 'the transfer finished');
  const server = r.servers[0]!, client = r.clients[0]!;
  assert.ok(server.rx.capacity > 64 * KiB && server.rx.capacity <= tcp.rmemMax, `receive buffer ${server.rx.capacity}`);
  assert.ok(client.sendBuffer.capacity > 64 * KiB && client.sendBuffer.capacity <= tcp.wmemMax, `send buffer ${client.sendBuffer.capacity}`);
  // The client's receive side carried nothing, so it did not grow.
  assert.equal(client.rx.capacity, 64 * KiB);
});

test('buffers the application set, and a reader that does not read, do not grow', () => {
  const fixed = run(1, 4 << 20, { receive: 64 * KiB, send: 64 * KiB, autoReceive: false, autoSend: false }, true);
  assert.ok(fixed.done);
  assert.equal(fixed.servers[0]!.rx.capacity, 64 * KiB);
  assert.equal(fixed.clients[0]!.sendBuffer.capacity, 64 * KiB);
  assert.equal(fixed.env.a.tcp.grown + fixed.env.b.tcp.grown, 0);
  const idle = run(1, 4 << 20, { receive: 64 * KiB, send: 64 * KiB, autoReceive: true, autoSend: true }, false);
  assert.equal(idle.servers[0]?.rx.capacity ?? 64 * KiB, 64 * KiB, 'a receive buffer nobody reads stays as it was');
});

test('all connections grow within memMax together, and give it back when they end', () => {
  const tcp = { rmemMax: 2048 * KiB, wmemMax: 2048 * KiB, memMax: 512 * KiB };
  const r = run(6, 4 << 20, { receive: 64 * KiB, send: 64 * KiB, autoReceive: true, autoSend: true }, true, tcp);
  assert.ok(r.done, 'the transfers finished');
  assert.ok(r.maxGrown[0] > 0 && r.maxGrown[1] > 0, `growth happened: ${r.maxGrown.join(', ')}`);
  assert.ok(r.maxGrown[0] <= tcp.memMax && r.maxGrown[1] <= tcp.memMax, `growth stayed within the budget: ${r.maxGrown.join(', ')}`);
  const grownRx = r.servers.reduce((n, c) => n + c.rx.capacity - 64 * KiB, 0);
  assert.equal(grownRx + r.servers.reduce((n, c) => n + c.sendBuffer.capacity - 64 * KiB, 0), r.env.b.tcp.grown, 'the budget counts what the buffers grew by');
  for (const c of [...r.clients, ...r.servers]) c.abort(0);
  r.env.a.settle(); r.env.b.settle();
  assert.equal(r.env.a.tcp.grown, 0);
  assert.equal(r.env.b.tcp.grown, 0);
});
