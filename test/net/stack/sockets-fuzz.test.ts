// Random socket calls on two machines' socket layers whose stacks are joined by a wire
// (fake clock, advanced between calls so segments flow): every call answers a value
// or an errno, never another exception; after everything is closed no socket or
// sleeper is left, and once the clock has run an hour (past every retry and TIME_WAIT)
// neither stack holds a connection, an ARP wait or a partial datagram.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SocketLayer } from '../../../src/services/net/sockets.js';
import { AF, SOCK, SOL_SOCKET, SO, IPPROTO, TCP_NODELAY } from '../../../src/abi/net.js';
import { isKernelError } from '../../../src/abi/errno.js';
import { FakeClock, TestLink, Wire, ip, mac } from './harness.js';

test('random calls on two socket layers joined through their stacks answer only errnos and leave nothing behind', async () => {
  const id = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 8 }), weight: 9 }, { arbitrary: fc.constantFrom(-1, 0, 99), weight: 1 });
  const addr = fc.record({
    family: fc.constantFrom(AF.INET, AF.INET, AF.UNIX),
    addr: fc.constantFrom('10.0.0.1', '10.0.0.2', '10.0.0.2', '10.0.0.1', '10.0.0.3', '192.168.9.9', '127.0.0.1', '0.0.0.0', '10.0.0.255', 'x'),
    port: fc.constantFrom(0, 80, 80, 81, 65535, 70000, -1),
  });
  const op = fc.oneof(
    fc.tuple(fc.constant('socket'), fc.nat(1), fc.constantFrom(SOCK.STREAM, SOCK.DGRAM), fc.constantFrom(0, 0, IPPROTO.ICMP, 6, 17)),
    fc.tuple(fc.constant('socket'), fc.nat(1), fc.constantFrom(SOCK.STREAM, SOCK.DGRAM), fc.constant(0)),
    fc.tuple(fc.constant('bind'), fc.nat(1), id, addr),
    fc.tuple(fc.constant('listen'), fc.nat(1), id, fc.integer({ min: -1, max: 4 })),
    fc.tuple(fc.constant('accept'), fc.nat(1), id),
    fc.tuple(fc.constant('connect'), fc.nat(1), id, addr),
    fc.tuple(fc.constant('send'), fc.nat(1), id, fc.uint8Array({ maxLength: 3000 }), fc.option(addr, { nil: undefined })),
    fc.tuple(fc.constant('recv'), fc.nat(1), id, fc.integer({ min: -1, max: 5000 }), fc.boolean()),
    fc.tuple(fc.constant('shut'), fc.nat(1), id, fc.integer({ min: 0, max: 3 })),
    fc.tuple(fc.constant('close'), fc.nat(1), id),
    fc.tuple(fc.constant('option'), fc.nat(1), id, fc.constantFrom(SOL_SOCKET, IPPROTO.TCP), fc.constantFrom(SO.RCVBUF, SO.SNDBUF, SO.KEEPALIVE, TCP_NODELAY), fc.integer({ min: -1, max: 1 << 20 })),
    fc.tuple(fc.constant('poll'), fc.nat(1), id),
    fc.tuple(fc.constant('time'), fc.integer({ min: 0, max: 5000 })),
    // Whole steps that make traffic likely: a listener, a connection to the other machine, a ping, a datagram.
    fc.tuple(fc.constant('serve'), fc.nat(1)),
    fc.tuple(fc.constant('dial'), fc.nat(1)),
    fc.tuple(fc.constant('dial'), fc.nat(1)),
    fc.tuple(fc.constant('ping'), fc.nat(1)),
    fc.tuple(fc.constant('datagram'), fc.nat(1)),
  );
  const exercised = { tcp: 0, udp: 0, icmp: 0, accepted: 0 };
  await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 30, maxLength: 80 }), async (ops) => {
    const clock = new FakeClock();
    const limits = { maxSockets: 8, defaultBuffer: 4096, minBuffer: 2048, maxBuffer: 65536, maxBacklog: 4 };
    const nets = [new SocketLayer(limits), new SocketLayer(limits)];
    const links = [new TestLink(mac(1)), new TestLink(mac(2))];
    const stacks = nets.map((n, i) => n.attachInterface(links[i]!, { address: ip(`10.0.0.${i + 1}`), prefix: 24 }, clock));
    new Wire(clock, links[0]!, links[1]!, (f) => stacks[0]!.receive(f), (f) => stacks[1]!.receive(f), { loss: 0.05 }, 7);
    for (const o of ops) {
      const a = o as unknown[];
      const net = nets[a[1] as number]!;
      try {
        switch (a[0]) {
          case 'socket': await net.socket(AF.INET, a[2] as number, a[3] as number); break;
          case 'bind': await net.bind(a[2] as number, a[3] as never); break;
          case 'listen': await net.listen(a[2] as number, a[3] as number); break;
          case 'accept': await net.accept(a[2] as number, true, 1); exercised.accepted++; break;
          case 'connect': await net.connect(a[2] as number, a[3] as never, true, 1); break;
          case 'send': await net.send(a[2] as number, a[3] as Uint8Array, a[4] as never, true, 1); break;
          case 'recv': await net.recv(a[2] as number, a[3] as number, a[4] as boolean, true, 1); break;
          case 'shut': await net.shut(a[2] as number, a[3] as number); break;
          case 'close': await net.close(a[2] as number); break;
          case 'option': await net.setOption(a[2] as number, a[3] as number, a[4] as number, a[5] as number); break;
          case 'poll': await net.poll(a[2] as number); break;
          case 'serve': { const l = await net.socket(AF.INET, SOCK.STREAM, 0); await net.bind(l, { family: AF.INET, addr: '0.0.0.0', port: 80 }); await net.listen(l, 2); break; }
          case 'dial': await net.connect(await net.socket(AF.INET, SOCK.STREAM, 0), { family: AF.INET, addr: `10.0.0.${2 - (a[1] as number)}`, port: 80 }, true, 1); break;
          case 'ping': await net.send(await net.socket(AF.INET, SOCK.DGRAM, IPPROTO.ICMP), new Uint8Array([8, 0, 0, 0, 0, 0, 0, 1]), { family: AF.INET, addr: `10.0.0.${2 - (a[1] as number)}`, port: 0 }, true, 1); break;
          case 'datagram': { const u = await net.socket(AF.INET, SOCK.DGRAM, 0); await net.bind(u, { family: AF.INET, addr: '0.0.0.0', port: 80 }); await net.send(u, new Uint8Array(100), { family: AF.INET, addr: `10.0.0.${2 - (a[1] as number)}`, port: 80 }, true, 1); break; }
        }
      } catch (e) {
        if (!isKernelError(e)) throw e;
      }
      if (a[0] === 'time') clock.advance(clock.now() + (a[1] as number));
      else clock.advance(clock.now() + 5);
    }
    for (const net of nets) {
      for (const s of await net.sockets()) await net.close(s.id);
      assert.equal(net.open, 0);
      assert.equal(net.sleepers.count, 0);
    }
    clock.advance(clock.now() + 3600_000);
    for (const s of stacks) {
      exercised.tcp += s.tcp.stats.received; exercised.udp += s.udp.stats.received; exercised.icmp += s.icmp.stats.received;
      assert.equal(s.tcp.connections.size, 0, [...s.tcp.connections.values()].map((c) => c.state).join());
      assert.equal(s.tcp.listeners.size, 0);
      assert.equal(s.udp.ports.size, 0);
      assert.equal(s.icmp.echoListeners.size, 0);
      assert.equal(s.reassembler.count, 0);
      assert.equal(s.interface!.arp.deadline(), Infinity, 'no ARP request pending');
    }
  }), { numRuns: 200, seed: Number(process.env['FC_SEED'] ?? 0x5eed) });
  // The calls did reach the wire: segments, datagrams and ICMP went between the machines, and connections were accepted.
  assert.ok(exercised.tcp > 1000 && exercised.udp > 100 && exercised.icmp > 100 && exercised.accepted > 0, JSON.stringify(exercised));
});
