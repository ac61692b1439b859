// --net user (hosts/node/net/user.ts) with a guest made of our own stack: the guest's
// UDP and TCP to 10.0.2.2 reach real host sockets on 127.0.0.1 (Node's servers, not
// ours), --forward brings host connections to a guest port, and nothing else on the
// host is reachable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import dgram from 'node:dgram';
import { createHash } from 'node:crypto';
import { openUserNet, parseForward, type UserNetPort, type Forward } from '../../src/hosts/node/net/user.js';
import { Stack } from '../../src/services/net/stack/stack.js';
import type { Clock } from '../../src/services/net/link.js';
import { parseAddress } from '../../src/services/net/stack/address.js';
import { seededRandom } from '../../src/lib/random.js';

const clock: Clock = {
  now: () => performance.now(),
  setTimer(at, fn) { const h = setTimeout(fn, Math.max(0, at - performance.now())); return () => clearTimeout(h); },
};
const GUEST = parseAddress('10.0.2.15')!, GATEWAY = parseAddress('10.0.2.2')!;
const BUFFERS = { receive: 128 * 1024, send: 128 * 1024 };

/** A guest (our stack at 10.0.2.15) wired to a user-mode network; frames cross on later ticks, as between threads. */
function guestOn(forwards: Forward[] = []): { stack: Stack; user: UserNetPort; close(): void } {
  const user = openUserNet(forwards);
  const stack = new Stack(clock);
  stack.attach({ mac: Uint8Array.of(0x52, 0x54, 0, 0x12, 0x34, 0x56), mtu: 1500, transmit: (f) => { setImmediate(() => user.send(f)); } }, { address: GUEST, prefix: 24, gateway: GATEWAY });
  user.onFrame((f) => { setImmediate(() => stack.receive(f)); });
  return { stack, user, close: () => user.close() };
}

const freePort = async (): Promise<number> => {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
};

test('--net user, UDP: a guest datagram to 10.0.2.2:P reaches a host socket on 127.0.0.1:P, and its answer comes back', async () => {
  const server = dgram.createSocket('udp4');
  await new Promise<void>((r) => server.bind(0, '127.0.0.1', () => r()));
  server.on('message', (msg, rinfo) => server.send(Buffer.from(msg.toString().toUpperCase()), rinfo.port, rinfo.address));
  const g = guestOn();
  try {
    const got: string[] = [];
    g.stack.udp.ports.set(5555, { receive: (from, fromPort, data) => got.push(`${from === GATEWAY}:${fromPort}:${Buffer.from(data).toString()}`) });
    const port = server.address().port;
    for (const word of ['one', 'two', 'three']) { g.stack.udp.send(5555, GATEWAY, port, Buffer.from(word)); g.stack.settle(); }
    for (let i = 0; i < 200 && got.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(got.sort(), [`true:${port}:ONE`, `true:${port}:THREE`, `true:${port}:TWO`]);
    assert.equal(g.user.stats.udpFlows, 1, 'one flow for one guest port');
  } finally { g.close(); server.close(); }
});

test('--net user, TCP: 512 KiB each way between the guest and a host echo server on 127.0.0.1, byte for byte; a closed host port resets', async () => {
  const server = net.createServer((s) => s.pipe(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const g = guestOn();
  try {
    const rnd = seededRandom(99);
    const data = Uint8Array.from({ length: 512 * 1024 }, () => Math.floor(rnd() * 256));
    const c = g.stack.tcp.connect(40000, GATEWAY, port, BUFFERS);
    let sent = 0;
    const back: Uint8Array[] = [];
    let backBytes = 0;
    const done = new Promise<void>((resolve) => {
      c.onChange = () => {
        if (c.synchronized) while (sent < data.length) { const n = c.write(data.subarray(sent, sent + 16384)); if (n === 0) break; sent += n; }
        for (;;) { const d = c.read(65536); if (d.length === 0) break; back.push(d); backBytes += d.length; }
        g.stack.settle();
        if (backBytes === data.length) resolve();
      };
    });
    g.stack.settle();
    await Promise.race([done, new Promise((_, reject) => { setTimeout(() => reject(new Error(`stalled at ${sent} sent, ${backBytes} back`)), 60_000).unref(); })]);
    const hash = (parts: Uint8Array[]): string => { const h = createHash('sha256'); for (const p of parts) h.update(p); return h.digest('hex'); };
    assert.equal(hash(back), hash([data]));
    c.shutdownWrite(); g.stack.settle();
    // A port nobody listens on: the guest's connection is reset.
    const closed = await freePort();
    const r = g.stack.tcp.connect(40001, GATEWAY, closed, BUFFERS);
    g.stack.settle();
    for (let i = 0; i < 300 && r.state !== 'CLOSED'; i++) await new Promise((res) => setTimeout(res, 10));
    assert.equal(r.state, 'CLOSED');
    assert.ok(g.user.stats.refused >= 1);
  } finally { g.close(); server.close(); }
});

test('--forward: a host program connecting to 127.0.0.1:HOSTPORT reaches the guest\'s server; /udp too', async () => {
  const hostPort = await freePort(), udpPort = await freePort();
  const g = guestOn([parseForward(`${hostPort}:8080`), parseForward(`${udpPort}:53/udp`)]);
  try {
    await g.user.ready;
    const l = g.stack.tcp.listen(8080, 8, BUFFERS);
    l.onChange = () => {
      for (const c of l.ready.splice(0)) {
        c.onChange = () => { const d = c.read(65536); if (d.length > 0) { c.write(Buffer.from(`guest got ${Buffer.from(d).toString()}`)); c.shutdownWrite(); } g.stack.settle(); };
        // The bytes may have come with the handshake, before anyone listened for changes.
        c.onChange();
      }
    };
    const answer = await new Promise<string>((resolve, reject) => {
      const s = net.connect(hostPort, '127.0.0.1', () => s.write('hello'));
      const parts: Buffer[] = [];
      s.on('data', (d) => parts.push(d));
      s.on('end', () => { resolve(Buffer.concat(parts).toString()); s.end(); });
      s.on('error', reject);
    });
    assert.equal(answer, 'guest got hello');
    g.stack.udp.ports.set(53, { receive: (from, fromPort, data) => { g.stack.udp.send(53, from, fromPort, Buffer.from(`re:${Buffer.from(data).toString()}`)); g.stack.settle(); } });
    const client = dgram.createSocket('udp4');
    const reply = new Promise<string>((resolve) => client.on('message', (m) => resolve(m.toString())));
    client.send('q', udpPort, '127.0.0.1');
    assert.equal(await reply, 're:q');
    client.close();
  } finally { g.close(); }
});

test('--net user: the guest reaches 10.0.2.2 only — other addresses open nothing on the host; bad --forward values are refused', async () => {
  const g = guestOn();
  try {
    let answers = 0;
    g.stack.udp.ports.set(6000, { receive: () => { answers++; } });
    for (const dst of ['10.0.2.3', '10.0.2.1', '192.168.1.1', '127.0.0.1', '8.8.8.8']) { g.stack.udp.send(6000, parseAddress(dst)!, 53, Buffer.from('x')); g.stack.settle(); }
    const c = g.stack.tcp.connect(40002, parseAddress('10.0.2.3')!, 80, BUFFERS);
    g.stack.settle();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(g.user.stats.udpFlows, 0);
    assert.equal(g.user.stats.tcpConnections, 0);
    assert.equal(answers, 0);
    assert.notEqual(c.state, 'ESTABLISHED');
    c.abort(0);
  } finally { g.close(); }
  for (const bad of ['80', '0:80', '80:70000', '80:81/sctp', 'a:b']) assert.throws(() => parseForward(bad), /bad --forward/, bad);
  assert.deepEqual(parseForward('8080:80/udp'), { hostPort: 8080, guestPort: 80, udp: true });
});
