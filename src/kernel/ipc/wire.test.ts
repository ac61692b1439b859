import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fixedWire, codecWire } from './wire.js';
import { VFS, BLK, PM, KERNEL, checkReply } from '../../abi/services.js';
import { KernelError, Errno } from '../../abi/errno.js';
import type { Message } from './message.js';
import { isFixed } from '../../abi/shape.js';
import type { ProcessRecord } from '../../abi/component.js';
import type { DirEntry } from '../../abi/fs.js';
import type { Value } from '../../lib/codec.js';

const client = fixedWire(undefined, VFS);
const server = fixedWire(VFS, undefined);
const through = (from: typeof client, to: typeof client, m: Message): Message | undefined => to.decode(from.encode(m).slice());

test('fixed layout: vfs calls and replies carry a method number and slots, no codec', () => {
  const call: Message = { t: 'call', id: 7, to: 'vfs', m: 'write', a: [3, -1, new Uint8Array([1, 2, 3])] };
  const record = client.encode(call);
  assert.equal(record[1], 1, 'a fixed call');
  assert.equal(new DataView(record.buffer, record.byteOffset).getUint16(2, true), VFS.byName.get('write')!.nr);
  assert.deepEqual(through(client, server, call), { ...call, nr: VFS.byName.get('write')!.nr });
  const reply: Message = { t: 'ok', id: 7, v: { written: 3, end: 4096 }, nr: VFS.byName.get('write')!.nr };
  assert.equal(server.encode(reply)[1], 2, 'a fixed reply');
  assert.deepEqual(through(server, client, reply), reply);
});

test('calls that carry a path base and credentials have a fixed layout too, and arrive whole', () => {
  const bases = [{ dir: 4, beneath: true }, { dir: 5, beneath: false }, { dir: 6 }, '/usr/lib'];
  for (const base of bases) {
    for (const cred of [{ uid: 1000, gid: 100, groups: [100, 6] }, { uid: 0, gid: 0, groups: [] }, undefined]) {
      const call: Message = { t: 'call', id: 8, to: 'vfs', m: 'open', a: [base, 'dir/файл.txt', 0o102, 0o644, cred] };
      const record = client.encode(call);
      assert.equal(record[1], 1, 'a fixed call');
      const got = through(client, server, call);
      assert.ok(got !== undefined && got.t === 'call');
      assert.deepEqual(got.a, call.a);
    }
  }
  // renameat's second base is optional.
  const rename: Message = { t: 'call', id: 9, to: 'vfs', m: 'rename', a: ['/', 'a', 'b', { dir: 3, beneath: true }, undefined] };
  assert.equal(client.encode(rename)[1], 1);
  assert.deepEqual(through(client, server, rename), { ...rename, nr: VFS.byName.get('rename')!.nr });
});

test('a path base that is neither a path nor a directory handle travels self-described', () => {
  const call: Message = { t: 'call', id: 10, to: 'vfs', m: 'stat', a: [{ dir: 1.5 }, 'x', true, undefined] };
  assert.equal(client.encode(call)[1], 0, 'codec fallback');
});

test('fixed layout round-trips every scalar method of the service list', () => {
  const bytes = fc.uint8Array({ maxLength: 300 });
  fc.assert(fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.string(), bytes, fc.boolean(), fc.nat(0xffffffff), (n, s, b, flag, id) => {
    for (const [svc, wires] of [[BLK, [fixedWire(undefined, BLK), fixedWire(BLK, undefined)]], [PM, [fixedWire(undefined, PM), fixedWire(PM, undefined)]]] as const) {
      for (const def of svc.methods) {
        // Methods with a record or optional-record argument travel self-described (tested above).
        if (!def.args.every(([, shape]) => isFixed(shape) && typeof shape === 'string')) continue;
        const a = def.args.map(([, shape]) => shape === 'str' ? s : shape === 'bytes' ? b : shape === 'bool' ? flag : n);
        const call: Message = { t: 'call', id, to: svc.name, m: def.name, a };
        assert.deepEqual(through(wires[0], wires[1], call), { ...call, nr: def.nr });
      }
    }
  }));
});

test('a reply off its layout (a bad-reply fault) travels self-described and fails the one reply check with EIO', () => {
  const nr = BLK.byName.get('read')!.nr;
  const w = fixedWire(BLK, undefined), c = fixedWire(undefined, BLK);
  const bad: Message = { t: 'ok', id: 1, v: { corrupted: 0xbad }, nr };
  const record = w.encode(bad);
  assert.equal(record[1], 0, 'codec fallback');
  const got = c.decode(record.slice());
  assert.ok(got !== undefined && got.t === 'ok');
  assert.throws(() => checkReply(BLK.byName.get('read')!, 'blk', got.v, [0, 1]), (e: unknown) => e instanceof KernelError && e.errno === Errno.EIO);
  // A read that returns the wrong number of sectors is malformed too.
  assert.throws(() => checkReply(BLK.byName.get('read')!, 'blk', new Uint8Array(512), [0, 2]), /malformed reply to read/);
  assert.equal(checkReply(BLK.byName.get('read')!, 'blk', new Uint8Array(1024), [0, 2]) instanceof Uint8Array, true);
});

test('listings have a fixed layout; errors travel self-described', () => {
  const entries = [{ name: 'a', ino: 2, type: 4 }, { name: 'b', ino: 3, type: 8 }];
  const reply: Message = { t: 'ok', id: 2, v: entries, nr: VFS.byName.get('getdents')!.nr };
  assert.equal(server.encode(reply)[1], 2);
  assert.deepEqual(through(server, client, reply), reply);
  const empty: Message = { t: 'ok', id: 2, v: [], nr: VFS.byName.get('getdents')!.nr };
  assert.deepEqual(through(server, client, empty), empty);
  const err: Message = { t: 'err', id: 3, errno: Errno.ENOENT, msg: 'no such file' };
  assert.deepEqual(through(server, client, err), err);
  const k = fixedWire(KERNEL, PM);
  assert.deepEqual(fixedWire(PM, KERNEL).decode(k.encode({ t: 'ok', id: 4, v: [], nr: 2 }).slice()), { t: 'ok', id: 4, v: [], nr: 2 });
});

test('truncated or unknown records decode to nothing instead of throwing', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (junk) => {
    for (const w of [client, server, codecWire]) w.decode(junk);
  }));
  const record = client.encode({ t: 'call', id: 1, to: 'vfs', m: 'stat', a: ['/', 'etc/motd', true] }).slice();
  assert.equal(server.decode(record.subarray(0, record.length - 3)), undefined);
});

test('records keep every field of their interface through the fixed layout (a field the shape forgets would be dropped)', () => {
  // Typed literals: a field added to the interface must be added here, and then to the shape.
  const rec: ProcessRecord = { pid: 7, ppid: 1, pgid: 7, sid: 1, uid: 1000, euid: 0, suid: 1000, state: 'zombie', name: 'sh', exitCode: 3, exitSignal: 9 };
  const table: Message = { t: 'ok', id: 5, v: [rec as unknown as Value], nr: KERNEL.byName.get('processTable')!.nr };
  const fromKernel = fixedWire(KERNEL, undefined), toPm = fixedWire(undefined, KERNEL);
  assert.equal(fromKernel.encode(table)[1], 2, 'a fixed reply');
  assert.deepEqual(toPm.decode(fromKernel.encode(table).slice()), table);
  const entry: DirEntry = { name: 'motd', ino: 12, type: 8 };
  const dents: Message = { t: 'ok', id: 6, v: [entry as unknown as Value], nr: VFS.byName.get('getdents')!.nr };
  assert.deepEqual(through(server, client, dents), dents);
});
