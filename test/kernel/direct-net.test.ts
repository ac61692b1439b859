// The direct path to net, attacked from the process's side: a test plays processes
// whose runtime writes anything it likes into its page to net's server. net must serve
// only the stream sockets the kernel's table grants that process, within its own
// memory, only when the call would not wait — and nothing after close, dup2 over the
// descriptor, exit or a net crash.
//
// The real net component runs in a server "thread" in this process (in-process.ts);
// the kernel side is the real DirectSockets over real Process objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { AF, MSG, SOCK } from '../../src/abi/net.js';
import { O } from '../../src/abi/fs.js';
import { Errno } from '../../src/abi/errno.js';
import { asPid } from '../../src/abi/ids.js';
import type { NetService } from '../../src/abi/services.js';
import { DIRECT_OP, DIRECT_REFUSED, DIRECT_REGS, DIRECT_REGS_OFFSET, DIRECT_RESULT, DIRECT_STATE, DIRECT_HINTS_OFFSET, DirectOp, DirectState, HINT_FILE } from '../../src/abi/direct.js';
import { TRAP_PAGE_BYTES } from '../../src/abi/trap.js';
import { ringBell } from '../../src/lib/poller.js';
import type { ComponentTable } from '../../src/kernel/component/table.js';
import type { ComponentModule } from '../../src/kernel/component/server-runtime.js';
import { DirectSockets } from '../../src/kernel/proc/direct-net.js';
import { Process } from '../../src/kernel/proc/process.js';
import { Limits } from '../../src/kernel/proc/limits.js';
import { OpenFile } from '../../src/kernel/fs/file.js';
import { defaultParams } from '../../src/kernel/params.js';
import * as netModule from '../../src/services/net/component.js';
import { withTable } from './in-process.js';

const net = netModule as unknown as ComponentModule;
const MEMORY = 256 << 10;

interface Proc { p: Process; page: SharedArrayBuffer; memory: Uint8Array }

let nextPid = 10;

function makeProcess(direct: DirectSockets): Proc {
  const memory = new SharedArrayBuffer(MEMORY);
  const p = new Process(asPid(nextPid++), 'attacker', ['attacker'], 1, 1, '/', new SharedArrayBuffer(TRAP_PAGE_BYTES), memory, 256, Limits.defaults(defaultParams));
  const start = direct.attach(p);
  assert.ok(start !== undefined, 'a page to net for the process');
  return { p, page: start.page, memory: new Uint8Array(memory).fill(0x11) };
}

const api = (t: ComponentTable): NetService => t.iface<NetService>('net');

/** An open socket file as the kernel makes one (fs/socket.ts makeSocketFile). */
function socketFile(t: ComponentTable, id: number, opts: { nonBlocking?: boolean; stream?: boolean } = {}): OpenFile {
  const f = new OpenFile('socket', O.RDWR | (opts.nonBlocking === true ? O.NONBLOCK : 0), `socket:[${id}]`, { socket: id, mode: 0o140777, ...(opts.stream !== false ? { stream: true } : {}) });
  f.generation = t.get('net')!.generation;
  return f;
}

async function pair(t: ComponentTable, opts: { nonBlocking?: boolean } = {}): Promise<[OpenFile, OpenFile]> {
  const { a, b } = await api(t).pair(AF.UNIX, SOCK.STREAM);
  return [socketFile(t, a, opts), socketFile(t, b, opts)];
}

/** Whatever the runtime writes into its page: op and registers; rings net's bell. Resolves with the answer. */
async function call(t: ComponentTable, proc: Proc, op: number, regs: number[]): Promise<number> {
  const ctl = new Int32Array(proc.page, 0, 4);
  const r = new Float64Array(proc.page, DIRECT_REGS_OFFSET, DIRECT_REGS);
  r.fill(0);
  regs.forEach((v, i) => { r[i] = v; });
  ctl[DIRECT_OP] = op;
  Atomics.store(ctl, DIRECT_STATE, DirectState.REQUEST);
  ringBell(new Int32Array(t.bellFor('net')));
  const deadline = Date.now() + 10_000;
  while (Atomics.load(ctl, DIRECT_STATE) === DirectState.REQUEST) {
    if (Date.now() > deadline) throw new Error('no answer on the page to net');
    await new Promise((res) => setImmediate(res));
  }
  const result = r[DIRECT_RESULT]!;
  Atomics.store(ctl, DIRECT_STATE, DirectState.IDLE);
  return result;
}

const hint = (proc: Proc, fd: number): number => new Uint8Array(proc.page, DIRECT_HINTS_OFFSET, 64)[fd]!;

/** A table with net in the user domain and the kernel's direct path to it. */
async function withDirect(body: (t: ComponentTable, direct: DirectSockets) => Promise<void>): Promise<void> {
  await withTable({ net }, 'shm', [[net, 'user']], async (t) => {
    const direct = new DirectSockets({
      bell: t.bellFor('net'),
      generation: () => t.get('net')?.generation ?? -1,
      running: () => t.get('net')?.state === 'running',
      post: (m) => { const r = t.get('net'); if (r?.state === 'running') r.server?.post(m); },
    }, 8, 16);
    t.serverEvents = (name, event) => { if (name === 'net') { if (event === 'up') direct.serverUp(); else direct.serverDown(); } };
    direct.serverUp();
    await body(t, direct);
  });
}

const untouched = (memory: Uint8Array, except: [number, number] = [0, 0]): number => {
  let n = 0;
  for (let i = 0; i < memory.length; i++) if ((i < except[0] || i >= except[0] + except[1]) && memory[i] !== 0x11) n++;
  return n;
};

function random(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; out[i] = x & 0xff; }
  return out;
}

test('a stream through the page to net: every byte arrives, checksummed end to end, each copied from and to the processes\' memory', async () => {
  await withDirect(async (t, direct) => {
    const a = makeProcess(direct), b = makeProcess(direct);
    const [fa, fb] = await pair(t);
    a.p.fds.replace(3, fa);
    b.p.fds.replace(4, fb);
    assert.equal(hint(a, 3), HINT_FILE, 'the kernel marked the socket');
    const total = 3 << 20;
    const data = random(total, 7);
    const sent = createHash('sha256').update(data).digest('hex');
    const got = createHash('sha256');
    let out = 0, inn = 0, refusedSends = 0;
    for (let round = 0; inn < total; round++) {
      assert.ok(round < 10_000, 'the stream made progress');
      // Blocking sends of whole chunks (two per receive, so the buffer fills): served only when they fit whole.
      for (let k = 0; k < 2; k++) {
        const n = Math.min(total - out, 40_000 + ((round + k) % 7) * 3001);
        if (n === 0) break;
        a.memory.set(data.subarray(out, out + n), 1000);
        const r = await call(t, a, (round + k) % 2 === 0 ? DirectOp.SEND : DirectOp.WRITE, [3, 1000, n, 0]);
        if (r === DIRECT_REFUSED) refusedSends++; else { assert.equal(r, n, 'a blocking send is whole'); out += n; }
      }
      const m = await call(t, b, round % 3 === 0 ? DirectOp.READ : DirectOp.RECV, [4, 5000, 65536, 0]);
      assert.ok(m >= 0 && m <= 65536, `recv answered ${m}`);
      got.update(b.memory.subarray(5000, 5000 + m));
      inn += m;
    }
    assert.equal(got.digest('hex'), sent);
    assert.ok(refusedSends > 0, 'some sends met a full buffer and were left to the kernel');
    // Empty: a blocking recv would wait (the kernel's), a non-blocking one is EAGAIN here.
    assert.equal(await call(t, b, DirectOp.RECV, [4, 0, 10, 0]), DIRECT_REFUSED);
    assert.equal(await call(t, b, DirectOp.RECV, [4, 0, 10, MSG.DONTWAIT]), -Errno.EAGAIN);
    // Full: a non-blocking send takes what fits, then EAGAIN, as the kernel path's does.
    let room = 0;
    for (;;) {
      const r = await call(t, a, DirectOp.SEND, [3, 0, 100_000, MSG.DONTWAIT | MSG.NOSIGNAL]);
      if (r === -Errno.EAGAIN) break;
      assert.ok(r > 0 && r <= 100_000, `non-blocking send ${r}`);
      room += r;
    }
    assert.ok(room > 0);
    assert.equal(await call(t, a, DirectOp.SEND, [3, 0, 1, 0]), DIRECT_REFUSED, 'a blocking send into a full buffer waits in the kernel\'s path');
    // The peer closes: what is queued is read, then end of stream (0); a send is the kernel's (EPIPE, SIGPIPE).
    a.p.fds.remove(3);
    await api(t).close(fa.target.socket!);
    let drained = 0;
    for (let r = 1; r > 0; drained += r) r = await call(t, b, DirectOp.RECV, [4, 0, 65536, 0]);
    assert.equal(drained, room);
    assert.equal(await call(t, b, DirectOp.RECV, [4, 0, 65536, 0]), 0, 'end of stream');
    assert.equal(await call(t, b, DirectOp.SEND, [4, 0, 5, 0]), DIRECT_REFUSED, 'a send to a closed peer is the kernel\'s');
    direct.detach(a.p); direct.detach(b.p);
  });
});

test('forged registers: other descriptors, files, datagram sockets, closed or foreign sockets, bad windows and flags are refused, and no memory moves', async () => {
  await withDirect(async (t, direct) => {
    const a = makeProcess(direct), b = makeProcess(direct);
    const [fa, fb] = await pair(t);
    const [ga, gb] = await pair(t);
    a.p.fds.replace(3, fa);
    b.p.fds.replace(3, fb);
    b.p.fds.replace(5, ga);
    b.p.fds.replace(6, gb);
    // Something for a to read, so a refusal is not "it would wait".
    b.memory.fill(0x42, 0, 64);
    assert.equal(await call(t, b, DirectOp.SEND, [3, 0, 64, 0]), 64);
    b.memory.fill(0x11, 0, 64);
    assert.equal(await call(t, b, DirectOp.SEND, [6, 0, 64, 0]), 64, 'b\'s other socket has bytes for ga too');
    // A file and a datagram socket at descriptors of a, and a socket of a dead net instance.
    const file = new OpenFile('vfs', O.RDWR, '/f', { vfsHandle: 1 });
    a.p.fds.replace(4, file);
    const udp = await api(t).socket(AF.INET, SOCK.DGRAM, 0);
    a.p.fds.replace(7, socketFile(t, udp, { stream: false }));
    const stale = socketFile(t, ga.target.socket!);
    stale.generation = -5;
    a.p.fds.replace(8, stale);
    for (const fd of [4, 5, 6, 7, 8]) assert.equal(hint(a, fd), 0, `fd ${fd} not marked`);
    // Descriptors: b's, a file, a datagram socket, a stale socket, no index at all.
    for (const fd of [5, 6, 4, 7, 8, 9, -1, 1.5, 64, 1e9, NaN, Infinity]) {
      for (const op of [DirectOp.RECV, DirectOp.READ, DirectOp.SEND, DirectOp.WRITE]) assert.equal(await call(t, a, op, [fd, 100, 10, 0]), DIRECT_REFUSED, `op ${op} fd ${fd}`);
    }
    // Windows: past its memory, negative, fractional, absurd, NaN.
    for (const [ptr, len] of [[MEMORY - 5, 10], [-1, 4], [0.5, 4], [0, 1e12], [NaN, 4], [0, NaN], [0, -1], [2 ** 53, 1]] as const) {
      assert.equal(await call(t, a, DirectOp.RECV, [3, ptr, len, 0]), DIRECT_REFUSED, `recv window ${ptr}+${len}`);
      assert.equal(await call(t, a, DirectOp.SEND, [3, ptr, len, 0]), DIRECT_REFUSED, `send window ${ptr}+${len}`);
    }
    // Flags the page does not serve: MSG_PEEK, MSG_WAITALL, unknown bits, fractions; and ops net does not serve.
    for (const flags of [MSG.PEEK, 0x100, 1 << 30, 0.5, NaN, -1]) assert.equal(await call(t, a, DirectOp.RECV, [3, 100, 10, flags]), DIRECT_REFUSED, `recv flags ${flags}`);
    for (const op of [DirectOp.PREAD, DirectOp.FSTAT, DirectOp.CLOSE, DirectOp.OPEN, DirectOp.GETPID, 42]) assert.equal(await call(t, a, op, [3, 100, 10, 0]), DIRECT_REFUSED, `op ${op}`);
    assert.equal(untouched(a.memory), 0, 'a\'s memory is unchanged');
    assert.equal(untouched(b.memory), 0, 'b\'s memory is unchanged');
    // a's own socket is served, its 64 bytes only, into a's memory.
    assert.equal(await call(t, a, DirectOp.RECV, [3, 100, 1000, 0]), 64);
    assert.equal(untouched(a.memory, [100, 64]), 0);
    assert.deepEqual([...new Set(a.memory.subarray(100, 164))], [0x42]);
    // ga still holds b's 64 bytes: nobody read them.
    assert.equal(await call(t, b, DirectOp.RECV, [5, 0, 1000, 0]), 64);
    direct.detach(a.p); direct.detach(b.p);
  });
});

test('close, dup2 over a descriptor and exit revoke at once; a socket shared by two processes serves both', async () => {
  await withDirect(async (t, direct) => {
    const a = makeProcess(direct), b = makeProcess(direct);
    const [f1, g1] = await pair(t);
    const [f2, g2] = await pair(t);
    a.p.fds.replace(3, f1);
    b.p.fds.replace(3, g1);
    b.p.fds.replace(4, g2);
    b.memory.set([1, 2, 3], 0);
    b.memory.set([7, 8, 9, 10], 10);
    assert.equal(await call(t, b, DirectOp.WRITE, [3, 0, 3]), 3);
    assert.equal(await call(t, b, DirectOp.WRITE, [4, 10, 4]), 4);
    // dup2(f2, 3): descriptor 3 now names the second socket, whose 4 bytes come.
    f2.refs = 1;
    a.p.fds.replace(3, f2);
    assert.equal(await call(t, a, DirectOp.READ, [3, 0, 100]), 4);
    assert.deepEqual([...a.memory.subarray(0, 4)], [7, 8, 9, 10]);
    // close(3): refused from then on; the socket's cell goes with its last descriptor.
    a.p.fds.remove(3);
    assert.equal(hint(a, 3), 0);
    assert.equal(await call(t, a, DirectOp.READ, [3, 0, 100]), DIRECT_REFUSED, 'read after close');
    direct.release(f2);
    // Spawn's inheritance: f1 in a (fd 5) and in a child c (fd 0): both are served, from one queue.
    const c = makeProcess(direct);
    f1.refs = 2;
    a.p.fds.replace(5, f1);
    c.p.fds.replace(0, f1);
    assert.equal(await call(t, c, DirectOp.RECV, [0, 50, 2, 0]), 2);
    assert.equal(await call(t, a, DirectOp.RECV, [5, 50, 2, 0]), 1);
    assert.deepEqual([c.memory[50], c.memory[51], a.memory[50]], [1, 2, 3]);
    // c exits: its page serves nothing any more, a's still does.
    direct.detach(c.p);
    assert.equal(await call(t, b, DirectOp.WRITE, [3, 0, 3]), 3);
    const ctl = new Int32Array(c.page, 0, 4);
    ctl[DIRECT_OP] = DirectOp.RECV;
    new Float64Array(c.page, DIRECT_REGS_OFFSET, DIRECT_REGS).set([0, 60, 3, 0]);
    Atomics.store(ctl, DIRECT_STATE, DirectState.REQUEST);
    ringBell(new Int32Array(t.bellFor('net')));
    assert.equal(await call(t, a, DirectOp.RECV, [5, 70, 3, 0]), 3, 'a is served');
    // Not served: refused (the row is no longer c's), or not answered.
    const state = Atomics.load(ctl, DIRECT_STATE);
    if (state === DirectState.DONE) assert.equal(new Float64Array(c.page, DIRECT_REGS_OFFSET, DIRECT_REGS)[DIRECT_RESULT], DIRECT_REFUSED, 'the page of the process that exited is refused');
    else assert.equal(state, DirectState.REQUEST, 'the page of the process that exited is not answered');
    assert.equal(untouched(c.memory, [50, 2]), 0, 'nothing reached c\'s memory after it exited');
    direct.detach(a.p); direct.detach(b.p);
    assert.deepEqual(direct.counts, { processes: 0, sockets: 3 }, 'sockets keep their cells until their last close');
  });
});

test('net crashes during a direct call: the call is refused (the kernel path takes over), sockets of the dead instance are never served, new ones are', async () => {
  await withDirect(async (t, direct) => {
    const a = makeProcess(direct), b = makeProcess(direct);
    const [fa, fb] = await pair(t);
    a.p.fds.replace(3, fa);
    b.p.fds.replace(3, fb);
    const record = t.get('net')!;
    const generation = record.generation;
    // The next call net's server takes crashes it: this direct call.
    await t.armFault('net', 'crash');
    assert.equal(await call(t, a, DirectOp.SEND, [3, 0, 10, 0]), DIRECT_REFUSED, 'the call in flight is answered refused');
    const deadline = Date.now() + 10_000;
    while (t.get('net')?.state !== 'running' || t.get('net')!.generation === generation) {
      assert.ok(Date.now() < deadline, 'net restarted');
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(hint(a, 3), 0, 'the old socket is not marked');
    assert.equal(await call(t, a, DirectOp.SEND, [3, 0, 10, 0]), DIRECT_REFUSED, 'a socket of the dead instance is not served');
    assert.equal(await call(t, b, DirectOp.RECV, [3, 0, 10, MSG.DONTWAIT]), DIRECT_REFUSED);
    // A socket of the new instance is.
    const [ha, hb] = await pair(t);
    a.p.fds.replace(4, ha);
    b.p.fds.replace(4, hb);
    assert.equal(await call(t, a, DirectOp.SEND, [4, 0, 10, 0]), 10);
    assert.equal(await call(t, b, DirectOp.RECV, [4, 0, 100, 0]), 10);
    direct.detach(a.p); direct.detach(b.p);
  });
});

test('net unloaded and loaded again: its sockets keep their old generation, so a socket numbered alike in the new instance is not reached through them', async () => {
  await withDirect(async (t, direct) => {
    const a = makeProcess(direct), b = makeProcess(direct);
    const [fa] = await pair(t);
    a.p.fds.replace(3, fa);
    const before = t.get('net')!.generation;
    await t.unload('net');
    assert.equal(hint(a, 3), 0, 'revoked at the unload');
    await t.load(net, 'user');
    assert.ok(t.get('net')!.generation > before, 'the new instance counts on from the old one');
    // The new instance numbers its sockets from 1 again: b's first pair has fa's number.
    const [fb, gb] = await pair(t);
    assert.equal(fb.target.socket, fa.target.socket);
    b.p.fds.replace(3, fb);
    b.p.fds.replace(4, gb);
    a.p.fds.replace(3, fa); // a's descriptor written again (a dup2 of itself)
    b.memory.fill(0x42, 0, 8);
    assert.equal(await call(t, b, DirectOp.SEND, [4, 0, 8, 0]), 8);
    assert.equal(hint(a, 3), 0, 'a\'s old socket is not granted');
    assert.equal(await call(t, a, DirectOp.RECV, [3, 0, 100, 0]), DIRECT_REFUSED, 'a reaches nothing of b\'s socket');
    assert.equal(untouched(a.memory), 0);
    assert.equal(await call(t, b, DirectOp.RECV, [3, 0, 100, 0]), 8, 'b\'s bytes are still b\'s');
    direct.detach(a.p); direct.detach(b.p);
  });
});

test('while an eBPF program watches the syscalls nothing is served on the page; afterwards the sockets are granted again', async () => {
  await withDirect(async (t, direct) => {
    const a = makeProcess(direct);
    const [fa, fb] = await pair(t);
    a.p.fds.replace(3, fa);
    a.p.fds.replace(4, fb);
    direct.setSlowPath(true);
    assert.equal(hint(a, 3), 0);
    assert.equal(await call(t, a, DirectOp.WRITE, [3, 0, 4]), DIRECT_REFUSED, 'a write the kernel must see');
    a.p.fds.replace(5, fa);
    assert.equal(hint(a, 5), 0, 'a descriptor made meanwhile is not granted either');
    direct.setSlowPath(false);
    assert.equal(hint(a, 3), HINT_FILE);
    assert.equal(await call(t, a, DirectOp.WRITE, [5, 0, 4]), 4);
    assert.equal(await call(t, a, DirectOp.READ, [4, 0, 100]), 4);
    direct.detach(a.p);
  });
});
