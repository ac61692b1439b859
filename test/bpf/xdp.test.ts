// XDP in the subsystem, without a machine: the clang-built udpdrop program is verified
// with Linux's packet rules and run on crafted frames by the JIT and the interpreter
// (each frame's verdict and the per-protocol counts must match what the frames are);
// the hostile XDP programs are refused with the verifier's reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { XDP_ACTION, XDP_HOOK } from '../../src/abi/bpf.js';
import { BpfSubsystem, VerifierError } from '../../src/kernel/bpf/subsystem.js';
import { runXdp } from '../../src/kernel/bpf/hooks.js';
import { buildEthernet, ETHERTYPE } from '../../src/services/net/wire/ethernet.js';
import { buildIpv4, PROTOCOL } from '../../src/services/net/wire/ipv4.js';
import { buildUdp } from '../../src/services/net/wire/udp.js';
import { seededRandom } from '../../src/lib/random.js';

const sources = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/bpf/c');

function compile(file: string, defines: string[] = []): Uint8Array {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-xdp-'));
  try {
    execFileSync('clang', ['-target', 'bpf', '-O2', '-g', ...defines, '-c', path.join(sources, file), '-o', path.join(dir, 'out.o')]);
    return new Uint8Array(fs.readFileSync(path.join(dir, 'out.o')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const A = Uint8Array.of(10, 0, 0, 1), B = Uint8Array.of(10, 0, 0, 2);
const MAC1 = Uint8Array.of(2, 0, 0, 0, 0, 1), MAC2 = Uint8Array.of(2, 0, 0, 0, 0, 2);
const ip = (protocol: number, payload: Uint8Array): Uint8Array => buildEthernet(MAC2, MAC1, ETHERTYPE.IPV4, buildIpv4({ src: A, dst: B, protocol, id: 1 }, payload));
const udp = (port: number): Uint8Array => ip(PROTOCOL.UDP, buildUdp(5000, port, new Uint8Array(20), A, B));

for (const jit of [1, 0]) {
  test(`udpdrop (${jit === 1 ? 'JIT' : 'interpreter'}): UDP to the port is dropped, everything else passes, counts per IP protocol are the frames'`, async () => {
    const bpf = new BpfSubsystem({ mapBytes: 1 << 24, programs: 16, jit }, () => 0n, () => {});
    const { programs, maps } = await bpf.loadObject(compile('xdp/udpdrop.c', ['-DDROP_PORT=7777']), 0, true);
    assert.deepEqual(programs.map((p) => [p.name, p.hook, p.attached]), [['udpdrop', XDP_HOOK, true]]);
    const rnd = seededRandom(7);
    const frames: Uint8Array[] = [];
    const expected = new Map<number, number>();
    let drops = 0;
    for (let i = 0; i < 300; i++) {
      const kind = Math.floor(rnd() * 6);
      let f: Uint8Array;
      if (kind === 0) { f = udp(7777); drops++; } else if (kind === 1) f = udp(7778);
      else if (kind === 2) f = ip(PROTOCOL.ICMP, new Uint8Array(8 + Math.floor(rnd() * 50)));
      else if (kind === 3) f = ip(PROTOCOL.TCP, new Uint8Array(20));
      else if (kind === 4) f = buildEthernet(MAC2, MAC1, ETHERTYPE.ARP, new Uint8Array(28));
      else f = Uint8Array.from({ length: 14 + Math.floor(rnd() * 30) }, () => Math.floor(rnd() * 256)); // short and random: bounds checks must hold
      if (f.length >= 34 && f[12] === 8 && f[13] === 0) expected.set(f[23]!, (expected.get(f[23]!) ?? 0) + 1);
      frames.push(f);
    }
    const before = frames.map((f) => f.slice());
    const { pass, tx } = runXdp(bpf, frames);
    assert.equal(tx.length, 0);
    assert.equal(pass.length, frames.length - drops);
    assert.ok(pass.every((f) => !(f.length >= 38 && f[23] === 17 && f[36] === 0x1e && f[37] === 0x61)), 'no UDP to 7777 passed');
    assert.deepEqual(before.filter((_, i) => pass.includes(frames[i]!)).length, pass.length);
    const proto = maps.find((m) => m.name === 'proto')!;
    const counted = new Map<number, number>();
    for (let k = 0; k < 256; k++) {
      const key = new Uint8Array(4); new DataView(key.buffer).setUint32(0, k, true);
      const v = new DataView(proto.lookup(key)!.value.buffer, proto.lookup(key)!.value.byteOffset).getBigUint64(0, true);
      if (v !== 0n) counted.set(k, Number(v));
    }
    assert.deepEqual(Object.fromEntries([...counted].sort()), Object.fromEntries([...expected].sort()));
    assert.deepEqual(bpf.xdpStats, { aborted: 0, drop: drops, pass: frames.length - drops, tx: 0 });
  });
}

const HOSTILE: Record<string, RegExp> = {
  'xdp/no-bounds.c': /invalid access to packet, off=23 size=1, R1\(id=0,off=0,r=0\)\nR1 offset is outside of the packet/,
  'xdp/oob-write.c': /invalid access to packet, off=22 size=1, R1\(id=0,off=0,r=14\)/,
};

for (const [file, message] of Object.entries(HOSTILE)) {
  test(`${file} is refused: ${message.source}`, async () => {
    const bpf = new BpfSubsystem({ mapBytes: 1 << 24, programs: 16, jit: 1 }, () => 0n, () => {});
    await assert.rejects(bpf.loadObject(compile(file), 0, true), (e: unknown) => e instanceof VerifierError && message.test(e.message));
    assert.equal(bpf.programs.size, 0);
    assert.equal(bpf.hooks[XDP_HOOK].length, 0);
  });
}

test('an XDP program needs root, and eth0 takes one at a time', async () => {
  const bpf = new BpfSubsystem({ mapBytes: 1 << 24, programs: 16, jit: 1 }, () => 0n, () => {});
  const obj = compile('xdp/udpdrop.c', ['-DDROP_PORT=1']);
  await assert.rejects(bpf.loadObject(obj, 1000, false), /loading an XDP program needs root/);
  await bpf.loadObject(obj, 0, true);
  await assert.rejects(bpf.loadObject(obj, 0, true), /xdp\/eth0 has program \d+ attached already/);
  assert.equal(bpf.programs.size, 1);
  assert.equal(runXdp(bpf, [udp(1)]).pass.length, 0);
  assert.equal(XDP_ACTION.DROP, 1);
});
