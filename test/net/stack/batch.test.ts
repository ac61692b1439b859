// Frames delivered as a batch (Stack.receiveAll, what the NIC link does with one
// receive from the driver): the data segments of a batch are answered by one ACK that
// covers all of them, where frame-by-frame delivery answers every second segment; and
// the sender's slow start grows by the bytes such an ACK covers, so batching does not
// slow its growth.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEthernet } from '../../../src/services/net/wire/ethernet.js';
import { parseIpv4 } from '../../../src/services/net/wire/ipv4.js';
import { FLAG, parseTcp } from '../../../src/services/net/wire/tcp.js';
import type { Connection } from '../../../src/services/net/stack/tcp/connection.js';
import { ip, pair } from './harness.js';

const BUFFERS = { receive: 1 << 20, send: 1 << 20 };

function tcpOf(frame: Uint8Array): { ack: number; flags: number; payload: number; seq: number } {
  const p = parseIpv4(parseEthernet(frame)!.payload)!;
  const s = parseTcp(p.payload, p.src, p.dst)!;
  return { ack: s.ack, flags: s.flags, payload: s.payload.length, seq: s.seq };
}

/** A connection a -> b, warmed up by a transfer so the congestion window holds many segments. */
function warmConnection(): { setup: ReturnType<typeof pair>; client: Connection; server: Connection } {
  const setup = pair({}, 5);
  const { clock, a, b } = setup;
  const listener = b.tcp.listen(80, 4, BUFFERS);
  const client = a.tcp.connect(40000, ip('10.0.0.2'), 80, BUFFERS);
  a.settle();
  assert.ok(clock.runUntil(() => listener.ready.length > 0, 5000), 'connection established');
  const server = listener.ready.shift()!;
  server.listener = undefined;
  let sent = 0, got = 0;
  const warm = 600_000;
  const chunk = new Uint8Array(65536);
  assert.ok(clock.runUntil(() => {
    while (sent < warm) { const n = client.write(chunk.subarray(0, Math.min(chunk.length, warm - sent))); if (n === 0) break; sent += n; }
    got += server.read(1 << 20).length;
    a.settle(); b.settle();
    return got === warm;
  }, 60_000), 'the warm-up transfer arrived');
  assert.ok(clock.runUntil(() => client.sndUna === client.sndMax, 60_000), 'everything acknowledged');
  return { setup, client, server };
}

/** Writes `bytes` on the client and returns the frames a sent, held back from the wire. */
function heldFrames(setup: ReturnType<typeof pair>, client: Connection, bytes: number): Uint8Array[] {
  const held: Uint8Array[] = [];
  const wire = setup.linkA.sink;
  setup.linkA.sink = (f) => { held.push(f.slice()); };
  client.write(new Uint8Array(bytes).fill(7));
  setup.a.settle();
  setup.linkA.sink = wire;
  return held;
}

test('a batch of data segments is answered by one ACK covering all of it; frame by frame, one per two segments', () => {
  for (const mode of ['frames', 'batch'] as const) {
    const { setup, client, server } = warmConnection();
    const frames = heldFrames(setup, client, 40 * 1460);
    assert.ok(frames.length >= 20, `${mode}: ${frames.length} segments in flight (the window has grown)`);
    const last = tcpOf(frames[frames.length - 1]!);
    const end = (last.seq + last.payload) >>> 0;
    const acks: ReturnType<typeof tcpOf>[] = [];
    const wire = setup.linkB.sink;
    setup.linkB.sink = (f) => { acks.push(tcpOf(f)); };
    if (mode === 'batch') setup.b.receiveAll(frames);
    else for (const f of frames) setup.b.receive(f);
    setup.linkB.sink = wire;
    assert.ok(acks.every((x) => x.payload === 0 && (x.flags & FLAG.ACK) !== 0), `${mode}: only ACKs went back`);
    if (mode === 'batch') {
      assert.equal(acks.length, 1, 'one ACK for the batch');
      assert.equal(acks[0]!.ack, end, 'it acknowledges every segment of the batch');
    } else {
      assert.equal(acks.length, Math.floor(frames.length / 2), 'an ACK for every second segment');
    }
    assert.equal(server.read(1 << 20).length, 40 * 1460, `${mode}: every byte arrived in order`);
  }
});

test('slow start grows the window by the bytes one ACK covers (byte counting), up to ssthresh', () => {
  const { setup, client } = warmConnection();
  const frames = heldFrames(setup, client, 30 * 1460);
  const before = client.cc.cwnd;
  assert.ok(before < client.cc.ssthresh, 'still in slow start (no loss on this wire)');
  setup.b.receiveAll(frames);
  setup.clock.advance(setup.clock.now() + 2);
  const acked = 30 * 1460;
  assert.equal(client.cc.cwnd, Math.min(before + acked, Math.max(client.cc.ssthresh, before + client.mss)), 'cwnd grew by what the one ACK acknowledged');
});
