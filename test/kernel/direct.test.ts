// The direct path, attacked from the process's side: a test plays a process whose
// runtime writes anything it likes into its direct page (the program itself cannot
// reach the page; the runtime could, if it were subverted). vfs's server must serve
// only what the kernel's table grants that process — its own descriptors, with their
// rights, within its own memory — and nothing after close, exit or a vfs restart.
//
// vfs runs in a server "thread" in this process (in-process.ts); the kernel side is
// the real DirectFiles over real Process objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ComponentInstance } from '../../src/abi/component.js';
import type { Grant } from '../../src/abi/grant.js';
import { AT, O, STAT_FIELDS } from '../../src/abi/fs.js';
import { KernelError, Errno } from '../../src/abi/errno.js';
import type { FsCred } from '../../src/abi/cred.js';
import { asPid } from '../../src/abi/ids.js';
import {
  DIRECT_FD_EVENTS, DIRECT_PATH_HINT, DIRECT_OP, RING_HEAD, RING_TAIL, directTableViews, DIRECT_REFUSED, DIRECT_REGS, DIRECT_REGS_OFFSET, DIRECT_RESULT, DIRECT_STATE, DirectOp, DirectState, type DirectStart, DIRECT_HINTS_OFFSET, DIRECT_FDS, HINT_DIR, HINT_FILE,
} from '../../src/abi/direct.js';
import { TRAP_PAGE_BYTES } from '../../src/abi/trap.js';
import { ringBell } from '../../src/lib/poller.js';
import type { ComponentTable } from '../../src/kernel/component/table.js';
import type { ComponentModule } from '../../src/kernel/component/server-runtime.js';
import { DirectFiles } from '../../src/kernel/proc/direct.js';
import { Process } from '../../src/kernel/proc/process.js';
import { Limits } from '../../src/kernel/proc/limits.js';
import { OpenFile } from '../../src/kernel/fs/file.js';
import { defaultParams } from '../../src/kernel/params.js';
import { withTable } from './in-process.js';

// File contents of the test vfs: byte i of handle h is (h * 16 + i) & 0xff, 100 bytes.
const byteOf = (handle: number, i: number): number => (handle * 16 + i) & 0xff;
const SIZE = 100;
/** Writes the test vfs took: handle, offset, bytes. */
const written: [number, number, number[]][] = [];
/** Handles the test vfs closed (handle 77's close fails with EIO, after closing). */
const closedHandles: number[] = [];
/** Path calls the test vfs took: method, base, path, the credentials it was given (and open's flags and mode). */
const pathCalls: { method: string; base: unknown; path: string; cred: FsCred; flags?: number; mode?: number }[] = [];
/** Handles the test vfs's open gives out; an open of 'slow' waits for this. */
let nextHandle = 200;
function gate(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}
let slowOpen = gate();

const vfs: ComponentModule = {
  manifest: { name: 'vfs', description: 'test vfs', uses: [] },
  create: (): ComponentInstance => ({
    async readInto(handle: number, offset: number, dst: Grant) {
      // Handle 99: a bug that is not an errno (the server dies with it).
      if (handle === 99) throw new Error('injected: vfs bug');
      const n = Math.max(0, Math.min(dst.length, SIZE - offset));
      dst.write(0, Uint8Array.from({ length: n }, (_, i) => byteOf(handle, offset + i)));
      return n;
    },
    async writeFrom(handle: number, offset: number, src: Grant) {
      written.push([handle, offset, [...src.read(0, src.length)]]);
      return { written: src.length, end: (offset < 0 ? SIZE : offset) + src.length };
    },
    async stat(base: unknown, path: string, follow: boolean, cred: FsCred) {
      pathCalls.push({ method: follow ? 'stat' : 'lstat', base, path, cred });
      if (path.endsWith('missing')) throw new KernelError(Errno.ENOENT);
      const st: Record<string, number> = {};
      for (const f of STAT_FIELDS) st[f] = 0;
      st.size = path.length;
      return st;
    },
    async unlink(base: unknown, path: string, cred: FsCred) {
      pathCalls.push({ method: 'unlink', base, path, cred });
      if (cred.uid !== 0) throw new KernelError(Errno.EACCES);
    },
    async open(base: unknown, path: string, flags: number, mode: number, cred: FsCred) {
      pathCalls.push({ method: 'open', base, path, cred, flags, mode });
      if (path === 'slow') await slowOpen.promise;
      if (path.endsWith('missing')) throw new KernelError(Errno.ENOENT);
      const handle = nextHandle++;
      if (path.endsWith('dir')) return { handle, kind: 'dir', mode: 0o40755, rdev: 0, path: '/canonical/dir' };
      if ((flags & O.DIRECTORY) !== 0) { nextHandle--; throw new KernelError(Errno.ENOTDIR); }
      if (path.startsWith('/dev/')) return { handle, kind: 'dev', mode: 0o20666, rdev: 0x103 };
      return { handle, kind: 'file', mode: 0o100644, rdev: 0 };
    },
    async close(handle: number) {
      closedHandles.push(handle);
      if (handle === 77) throw new KernelError(Errno.EIO);
    },
    async fstat(handle: number) {
      const st: Record<string, number> = {};
      for (const f of STAT_FIELDS) st[f] = 0;
      st.size = SIZE;
      st.ino = handle;
      return st;
    },
    async rmdir(base: unknown, path: string, cred: FsCred) {
      pathCalls.push({ method: 'rmdir', base, path, cred });
    },
    async fsync(handle: number, dataOnly: boolean) {
      synced.push([handle, dataOnly]);
    },
  }),
};
/** The fsyncs the test vfs was asked for: handle, data only. */
const synced: [number, boolean][] = [];

interface Proc { p: Process; start: DirectStart; memory: Uint8Array }

let nextPid = 10;

function makeProcess(direct: DirectFiles): Proc {
  const memory = new SharedArrayBuffer(4096);
  const p = new Process(asPid(nextPid++), 'attacker', ['attacker'], 1, 1, '/', new SharedArrayBuffer(TRAP_PAGE_BYTES), memory, 256, Limits.defaults(defaultParams));
  const start = direct.attach(p);
  assert.ok(start !== undefined, 'a direct page for the process');
  return { p, start, memory: new Uint8Array(memory).fill(0x11) };
}

function file(t: ComponentTable, handle: number, flags: number = O.RDWR): OpenFile {
  const f = new OpenFile('vfs', flags, `/f${handle}`, { vfsHandle: handle });
  f.generation = t.get('vfs')!.generation;
  return f;
}

/** Whatever the process's runtime writes into its page: op and registers. Rings vfs's bell. */
function request(t: ComponentTable, proc: Proc, op: number, regs: number[]): Int32Array {
  const ctl = new Int32Array(proc.start.page, 0, 4);
  const r = new Float64Array(proc.start.page, DIRECT_REGS_OFFSET, DIRECT_REGS);
  r.fill(0);
  regs.forEach((v, i) => { r[i] = v; });
  ctl[DIRECT_OP] = op;
  Atomics.store(ctl, DIRECT_STATE, DirectState.REQUEST);
  const bell = new Int32Array(t.get('vfs')!.bell);
  ringBell(bell);
  return ctl;
}

/** Sends a request and waits (letting the in-process server run) for its answer. */
async function call(t: ComponentTable, proc: Proc, op: number, regs: number[]): Promise<number> {
  const ctl = request(t, proc, op, regs);
  const deadline = Date.now() + 10_000;
  while (Atomics.load(ctl, DIRECT_STATE) === DirectState.REQUEST) {
    if (Date.now() > deadline) throw new Error('no answer on the direct page');
    await new Promise((r) => setImmediate(r));
  }
  const result = new Float64Array(proc.start.page, DIRECT_REGS_OFFSET, DIRECT_REGS)[DIRECT_RESULT]!;
  Atomics.store(ctl, DIRECT_STATE, DirectState.IDLE);
  return result;
}

/** A table with the test vfs in the user domain and the kernel's direct path over it. */
async function withDirect(body: (t: ComponentTable, direct: DirectFiles) => Promise<void>): Promise<void> {
  await withTable({ vfs }, 'shm', [[vfs, 'user']], async (t) => {
    const record = t.get('vfs')!;
    const direct = new DirectFiles({
      bell: record.bell,
      generation: () => t.get('vfs')!.generation,
      post: (m) => { const r = t.get('vfs'); if (r?.state === 'running') r.server?.post(m); },
    }, 8, 16);
    t.serverEvents = (name, event) => { if (name === 'vfs') { if (event === 'up') direct.serverUp(); else direct.serverDown(); } };
    direct.serverUp();
    await body(t, direct);
  });
}

const untouched = (memory: Uint8Array, except: [number, number] = [0, 0]): number[] =>
  [...memory.subarray(0, except[0]), ...memory.subarray(except[0] + except[1])].filter((b) => b !== 0x11);

test('a process reaches only what its own descriptors grant, with their rights, within its own memory', async () => {
  await withDirect(async (t, direct) => {
    const a = makeProcess(direct), b = makeProcess(direct);
    a.p.fds.replace(3, file(t, 1, O.RDONLY));
    b.p.fds.replace(4, file(t, 2));
    // Granted: fd 3 of a, read into a's memory at 100.
    assert.equal(await call(t, a, DirectOp.READ, [3, 100, 10]), 10);
    assert.deepEqual([...a.memory.subarray(100, 110)], Array.from({ length: 10 }, (_, i) => byteOf(1, i)));
    assert.equal(a.p.fds.get(3).file.offset, 10, 'the kernel sees the offset vfs moved');
    // Forged: b's descriptor, a descriptor a never had, descriptors that are no index.
    for (const fd of [4, 5, 0, -1, 1.5, 64, 1e9, NaN]) assert.equal(await call(t, a, DirectOp.READ, [fd, 200, 10]), DIRECT_REFUSED, `fd ${fd}`);
    // Rights: fd 3 is read-only.
    assert.equal(await call(t, a, DirectOp.WRITE, [3, 100, 4]), DIRECT_REFUSED);
    assert.equal(await call(t, a, DirectOp.PWRITE, [3, 100, 4, 0]), DIRECT_REFUSED);
    // Memory: a window past a's memory, a negative one, a fractional one.
    for (const [ptr, len] of [[4090, 10], [-1, 4], [0.5, 4], [0, 1e12]] as const) assert.equal(await call(t, a, DirectOp.READ, [3, ptr, len]), DIRECT_REFUSED, `window ${ptr}+${len}`);
    assert.equal(await call(t, a, DirectOp.FSTAT, [3, 4096 - 8]), DIRECT_REFUSED, 'a stat record past the memory');
    assert.equal(await call(t, a, 42, [3, 0, 4]), DIRECT_REFUSED, 'an op that does not exist');
    assert.deepEqual(untouched(a.memory, [100, 10]), [], 'a\'s memory outside the granted window is unchanged');
    assert.deepEqual(untouched(b.memory), [], 'b\'s memory is unchanged');
    assert.equal(written.length, 0, 'nothing was written');
    // b's own descriptor works for b, in b's memory.
    assert.equal(await call(t, b, DirectOp.PWRITE, [4, 8, 3, 50]), 3);
    assert.deepEqual(written.pop(), [2, 50, [0x11, 0x11, 0x11]]);
    assert.equal(await call(t, b, DirectOp.FSTAT, [4, 0]), 0);
    assert.equal(new DataView(b.memory.buffer).getFloat64(STAT_FIELDS.indexOf('size') * 8, true), SIZE);
    direct.detach(a.p); direct.detach(b.p);
    assert.deepEqual(direct.counts, { processes: 0, files: 2 }, 'files keep their slots until their last close');
  });
});

test('close revokes at once; after exit a reused slot serves nothing of the old process', async () => {
  await withDirect(async (t, direct) => {
    const a = makeProcess(direct);
    const f = file(t, 3);
    a.p.fds.replace(3, f);
    assert.equal(await call(t, a, DirectOp.READ, [3, 0, 4]), 4);
    a.p.fds.remove(3);
    assert.equal(await call(t, a, DirectOp.READ, [3, 0, 4]), DIRECT_REFUSED, 'read after close');
    assert.equal(await call(t, a, DirectOp.LSEEK, [3, 0, 0, 0, 0]), DIRECT_REFUSED, 'lseek after close');
    direct.release(f);
    // a exits; c takes its slot and opens a file at the same descriptor.
    a.p.fds.replace(3, file(t, 4));
    direct.detach(a.p);
    // The server is not told of the exit: a's page, still in its hands, is refused.
    assert.equal(await call(t, a, DirectOp.READ, [3, 0, 4]), DIRECT_REFUSED, 'a call on the page of a process that exited');
    const c = makeProcess(direct);
    c.p.fds.replace(3, file(t, 5));
    const stale = request(t, a, DirectOp.READ, [3, 0, 8]);
    assert.equal(await call(t, c, DirectOp.READ, [3, 0, 8]), 8, 'c is served');
    // Not served: never answered (the server forgot the page), or refused (the slot is c's now).
    const answered = Atomics.load(stale, DIRECT_STATE) === DirectState.DONE;
    if (answered) assert.equal(new Float64Array(a.start.page, DIRECT_REGS_OFFSET, DIRECT_REGS)[DIRECT_RESULT], DIRECT_REFUSED, 'the old page of a is refused');
    else assert.equal(Atomics.load(stale, DIRECT_STATE), DirectState.REQUEST, 'the old page of a is not answered');
    assert.deepEqual(untouched(a.memory, [0, 4]), [], 'nothing reached a\'s memory after it exited');
    direct.detach(c.p);
  });
});

test("close is served for a file's only descriptor; the kernel drops it from the close ring; anything shared, forged or stale is refused", async () => {
  await withDirect(async (t, direct) => {
    const a = makeProcess(direct), b = makeProcess(direct);
    closedHandles.length = 0;
    const before = direct.counts.files;
    a.p.fds.replace(3, file(t, 7));
    assert.equal(await call(t, a, DirectOp.CLOSE, [3]), 0);
    assert.deepEqual(closedHandles, [7], 'vfs closed the handle');
    assert.ok(a.p.fds.peek(3) !== undefined, 'the kernel has not looked yet');
    assert.equal(await call(t, a, DirectOp.READ, [3, 0, 4]), DIRECT_REFUSED, 'the entry went with the close');
    assert.equal(direct.takeFdEvents(), true);
    assert.equal(a.p.fds.peek(3), undefined, 'the descriptor left the kernel\'s table');
    assert.equal(direct.counts.files, before, 'its file slot was freed');
    assert.equal(direct.takeFdEvents(), false, 'each close is taken once');
    // Shared: two descriptors of one open file (dup), or one in each of two processes (spawn).
    const f = file(t, 8);
    a.p.fds.replace(4, f); f.refs++; a.p.fds.replace(5, f);
    assert.equal(await call(t, a, DirectOp.CLOSE, [4]), DIRECT_REFUSED, 'a dup\'d file');
    a.p.fds.remove(5); f.refs--; // the kernel closes one of them
    assert.equal(await call(t, a, DirectOp.CLOSE, [4]), 0, 'its last descriptor');
    const g = file(t, 9);
    a.p.fds.replace(6, g); g.refs++; b.p.fds.replace(6, g);
    assert.equal(await call(t, a, DirectOp.CLOSE, [6]), DIRECT_REFUSED, 'a file shared with another process');
    // Forged: b's descriptor from a, descriptors that are no index, one never opened.
    b.p.fds.replace(9, file(t, 10));
    for (const fd of [9, -1, 64, 1.5, NaN, 12]) assert.equal(await call(t, a, DirectOp.CLOSE, [fd]), DIRECT_REFUSED, `fd ${fd}`);
    assert.deepEqual(closedHandles, [7, 8], 'vfs closed nothing it was not granted');
    assert.equal(direct.takeFdEvents(), true);
    assert.equal(a.p.fds.peek(4), undefined);
    assert.ok(a.p.fds.peek(6) !== undefined && b.p.fds.peek(6) !== undefined && b.p.fds.peek(9) !== undefined, 'the refused descriptors are all still open');
    // vfs's close fails with an errno: the process hears it, and the descriptor is gone anyway (as in Unix).
    a.p.fds.replace(7, file(t, 77));
    assert.equal(await call(t, a, DirectOp.CLOSE, [7]), -Errno.EIO);
    direct.takeFdEvents();
    assert.equal(a.p.fds.peek(7), undefined);
    // A full close ring: refused, nothing closed.
    const ring = directTableViews(direct.memory, 8, 16).fdIndex;
    const head = Atomics.load(ring, RING_HEAD);
    Atomics.store(ring, RING_HEAD, head + DIRECT_FD_EVENTS);
    a.p.fds.replace(8, file(t, 11));
    assert.equal(await call(t, a, DirectOp.CLOSE, [8]), DIRECT_REFUSED, 'no room on the ring');
    Atomics.store(ring, RING_HEAD, head);
    assert.equal(Atomics.load(ring, RING_TAIL), head);
    // A stale event: the process closed directly, then died before the kernel looked; exit drains first.
    assert.equal(await call(t, a, DirectOp.CLOSE, [8]), 0);
    direct.detach(a.p);
    assert.equal(a.p.fds.peek(8), undefined, 'detach took the close first');
    // After exit nothing of a is served; a new process at the same descriptor is its own.
    const c = makeProcess(direct);
    c.p.fds.replace(8, file(t, 12));
    request(t, a, DirectOp.CLOSE, [8]); // a's old page
    assert.equal(await call(t, c, DirectOp.READ, [8, 0, 4]), 4, 'c is served');
    assert.ok(c.p.fds.peek(8) !== undefined && !closedHandles.includes(12), 'c\'s descriptor is untouched');
    direct.detach(b.p); direct.detach(c.p);
  });
});

test('descriptors of one open file share its offset with each other and with the kernel', async () => {
  await withDirect(async (t, direct) => {
    const a = makeProcess(direct), b = makeProcess(direct);
    const f = file(t, 6);
    a.p.fds.replace(3, f);
    f.refs++;
    b.p.fds.replace(7, f);
    assert.equal(await call(t, a, DirectOp.READ, [3, 0, 10]), 10);
    assert.equal(await call(t, b, DirectOp.READ, [7, 0, 10]), 10);
    assert.deepEqual([...b.memory.subarray(0, 10)], Array.from({ length: 10 }, (_, i) => byteOf(6, 10 + i)), 'b read on where a stopped');
    assert.equal(f.offset, 20);
    f.offset = 95; // the kernel moves it (lseek on its own path)
    assert.equal(await call(t, a, DirectOp.READ, [3, 0, 10]), 5);
    assert.equal(await call(t, a, DirectOp.LSEEK, [3, 0, 0, -10, 2]), SIZE - 10, 'SEEK_END from vfs\'s size');
    assert.equal(f.offset, SIZE - 10);
    assert.equal(await call(t, a, DirectOp.LSEEK, [3, 0, 0, -1000, 1]), DIRECT_REFUSED, 'a seek before the start is the kernel\'s to refuse');
    // O_APPEND set later (fcntl) is seen at once.
    f.flags = O.RDWR | O.APPEND;
    assert.equal(await call(t, b, DirectOp.WRITE, [7, 0, 2]), 2);
    assert.deepEqual(written.pop(), [6, -1, [...b.memory.subarray(0, 2)]], 'an append write asks vfs for the end');
    assert.equal(f.offset, SIZE + 2);
    direct.detach(a.p); direct.detach(b.p);
    direct.release(f);
    assert.equal(f.offset, SIZE + 2, 'the offset moves back into the open file');
  });
});

test('a vfs that dies mid-call: the call is refused (the kernel answers it), old files are not served, new ones are', async () => {
  await withDirect(async (t, direct) => {
    const a = makeProcess(direct);
    const old = file(t, 1);
    a.p.fds.replace(3, old);
    a.p.fds.replace(4, file(t, 99));
    assert.equal(await call(t, a, DirectOp.READ, [4, 0, 4]), DIRECT_REFUSED, 'the call in flight at the crash');
    const deadline = Date.now() + 10_000;
    while (t.get('vfs')!.state !== 'running' || t.get('vfs')!.generation !== 1) {
      if (Date.now() > deadline) throw new Error('vfs was not restarted');
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(old.cell, undefined, 'files of the dead instance lost their slots');
    assert.equal(await call(t, a, DirectOp.READ, [3, 0, 4]), DIRECT_REFUSED, 'a file of the dead instance');
    a.p.fds.replace(5, file(t, 2));
    assert.equal(await call(t, a, DirectOp.READ, [5, 0, 4]), 4, 'a file opened in the new instance');
    assert.deepEqual([...a.memory.subarray(0, 4)], [0, 1, 2, 3].map((i) => byteOf(2, i)));
    direct.detach(a.p);
  });
});

/** The pid whose getpid the test pm dies on. */
let crashPid = -1;

/** A test pm: every answer names the pid it was asked for, so a test sees whose pid pm used. */
const pm: ComponentModule = {
  manifest: { name: 'pm', description: 'test pm', uses: [] },
  create: (): ComponentInstance => ({
    async getpid(pid: number) { if (pid === crashPid) throw new Error('injected: pm bug'); return pid; },
    async getppid(pid: number) { return pid + 1000; },
    async getpgid(caller: number, pid: number) { return caller * 10000 + pid; },
    async getsid(caller: number, pid: number) { return caller * 10000 + pid + 1; },
  }),
};

test("pm's page answers for the pid the kernel told pm, whatever the process writes; not after exit; refused while pm restarts", async () => {
  await withTable({ vfs, pm }, 'shm', [[vfs, 'user'], [pm, 'user']], async (t) => {
    const link = (name: string): ConstructorParameters<typeof DirectFiles>[0] => ({
      bell: t.get(name)!.bell,
      generation: () => t.get(name)!.generation,
      post: (m) => { const r = t.get(name); if (r?.state === 'running') r.server?.post(m); },
    });
    const direct = new DirectFiles(link('vfs'), 8, 16, link('pm'));
    t.serverEvents = (name, event) => {
      if (name === 'vfs') { if (event === 'up') direct.serverUp(); else direct.serverDown(); }
      if (name === 'pm') { if (event === 'up') direct.pmUp(); else direct.pmDown(); }
    };
    direct.serverUp();
    const a = makeProcess(direct);
    const toPm = (proc: Proc): Proc => ({ ...proc, start: { ...proc.start, page: proc.start.pm!.page, serverBell: proc.start.pm!.serverBell } });
    const viaPm = async (proc: Proc, op: number, regs: number[]): Promise<number> => {
      const page = toPm(proc);
      const ctl = new Int32Array(page.start.page, 0, 4);
      const r = new Float64Array(page.start.page, DIRECT_REGS_OFFSET, DIRECT_REGS);
      r.fill(0);
      regs.forEach((v, i) => { r[i] = v; });
      ctl[DIRECT_OP] = op;
      Atomics.store(ctl, DIRECT_STATE, DirectState.REQUEST);
      const bell = new Int32Array(proc.start.pm!.serverBell);
      ringBell(bell);
      const deadline = Date.now() + 10_000;
      while (Atomics.load(ctl, DIRECT_STATE) === DirectState.REQUEST) {
        if (Date.now() > deadline) throw new Error('no answer on the pm page');
        await new Promise((resolve) => setImmediate(resolve));
      }
      Atomics.store(ctl, DIRECT_STATE, DirectState.IDLE);
      return r[DIRECT_RESULT]!;
    };
    assert.ok(a.start.pm !== undefined, 'a page to pm');
    assert.equal(new Uint8Array(a.start.pm.page, 64, 1)[0], 1, 'the hint says: ask pm directly');
    // Whatever the process puts in the registers, pm answers for a's pid.
    assert.equal(await viaPm(a, DirectOp.GETPID, [999, 999]), a.p.pid);
    assert.equal(await viaPm(a, DirectOp.GETPPID, [1]), a.p.pid + 1000);
    assert.equal(await viaPm(a, DirectOp.GETPGID, [7]), a.p.pid * 10000 + 7);
    assert.equal(await viaPm(a, DirectOp.GETSID, [0]), a.p.pid * 10000 + 1);
    assert.equal(await viaPm(a, DirectOp.GETPGID, [-3]), DIRECT_REFUSED, 'a bad target is the kernel\'s to refuse');
    // pm serves no file calls, vfs no pid calls.
    a.p.fds.replace(3, file(t, 1));
    assert.equal(await viaPm(a, DirectOp.READ, [3, 0, 4]), DIRECT_REFUSED);
    assert.equal(await call(t, a, DirectOp.GETPID, []), DIRECT_REFUSED);
    // A crash of pm mid-call: refused (answered by the kernel), served again after the restart.
    const victim = makeProcess(direct);
    crashPid = victim.p.pid;
    assert.equal(await viaPm(victim, DirectOp.GETPID, []), DIRECT_REFUSED);
    const deadline = Date.now() + 10_000;
    while (t.get('pm')!.state !== 'running' || t.get('pm')!.generation !== 1) {
      if (Date.now() > deadline) throw new Error('pm was not restarted');
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(await viaPm(a, DirectOp.GETPID, []), a.p.pid, 'the new pm has the page too');
    // Exit: the hint is cleared and pm forgets the page.
    direct.detach(a.p);
    assert.equal(new Uint8Array(a.start.pm.page, 64, 1)[0], 0);
    direct.detach(victim.p);
  });
});

test('path calls act as the process the kernel says, from its cwd, and follow its credentials as they change', async () => {
  await withDirect(async (t, direct) => {
    const a = makeProcess(direct);
    const put = (at: number, text: string | Uint8Array): [number, number] => {
      const b = typeof text === 'string' ? new TextEncoder().encode(text) : text;
      a.memory.set(b, at);
      return [at, b.length];
    };
    const hint = (): number => new Uint8Array(a.start.page, DIRECT_PATH_HINT, 1)[0]!;
    // A process of uid 1000 with a cwd open in vfs (handle 7).
    a.p.cred = { uid: 1000, euid: 1000, suid: 1000, gid: 100, egid: 100, sgid: 100, groups: [100, 4], umask: 0o22 };
    const cwd = new OpenFile('vfs', O.RDONLY | O.DIRECTORY, '/home/u', { vfsHandle: 7, isDir: true });
    cwd.generation = t.get('vfs')!.generation;
    a.p.cwdDir = cwd;
    direct.afterSyscall(a.p);
    assert.equal(hint(), 1, 'the path hint is on');
    pathCalls.length = 0;
    const [rel, relLen] = put(1000, 'notes.txt');
    assert.equal(await call(t, a, DirectOp.STAT, [rel, relLen, 2000]), 0);
    assert.equal(new DataView(a.memory.buffer).getFloat64(2000 + STAT_FIELDS.indexOf('size') * 8, true), 'notes.txt'.length, 'the stat record lands in the buffer');
    const [abs, absLen] = put(1100, '/etc/missing');
    assert.equal(await call(t, a, DirectOp.LSTAT, [abs, absLen, 2000]), -Errno.ENOENT, 'vfs\'s errno comes back as is');
    assert.equal(await call(t, a, DirectOp.UNLINK, [rel, relLen]), -Errno.EACCES);
    assert.deepEqual(pathCalls, [
      { method: 'stat', base: { dir: 7 }, path: 'notes.txt', cred: { uid: 1000, gid: 100, groups: [100, 4], pid: a.p.pid } },
      { method: 'lstat', base: '/', path: '/etc/missing', cred: { uid: 1000, gid: 100, groups: [100, 4], pid: a.p.pid } },
      { method: 'unlink', base: { dir: 7 }, path: 'notes.txt', cred: { uid: 1000, gid: 100, groups: [100, 4], pid: a.p.pid } },
    ]);
    // Whatever the process writes, it cannot name other credentials: they are the row's.
    // A syscall changes them (setuid to root, here); the row follows before it returns.
    a.p.cred.euid = 0;
    a.p.cred.groups = [0];
    direct.afterSyscall(a.p);
    pathCalls.length = 0;
    assert.equal(await call(t, a, DirectOp.UNLINK, [rel, relLen]), 0);
    assert.deepEqual(pathCalls.map((c) => c.cred), [{ uid: 0, gid: 100, groups: [0], pid: a.p.pid }]);
    // And back down: a process that dropped root acts without it at once.
    a.p.cred.euid = 1000;
    direct.afterSyscall(a.p);
    assert.equal(await call(t, a, DirectOp.UNLINK, [rel, relLen]), -Errno.EACCES);
    pathCalls.length = 0;
    // Refused (the kernel does these with its own checks): a path off memory, too long, not UTF-8; a stat record off memory.
    assert.equal(await call(t, a, DirectOp.STAT, [4090, 10, 2000]), DIRECT_REFUSED, 'a path past the memory');
    assert.equal(await call(t, a, DirectOp.STAT, [0, 4097, 2000]), DIRECT_REFUSED, 'a path over 4096 bytes');
    assert.equal(await call(t, a, DirectOp.STAT, [-1, 4, 2000]), DIRECT_REFUSED, 'a negative pointer');
    const [bad, badLen] = put(1200, Uint8Array.of(0x2f, 0xff, 0xfe));
    assert.equal(await call(t, a, DirectOp.STAT, [bad, badLen, 2000]), DIRECT_REFUSED, 'not UTF-8');
    assert.equal(await call(t, a, DirectOp.STAT, [rel, relLen, 4096 - 8]), DIRECT_REFUSED, 'a stat record past the memory');
    assert.deepEqual(pathCalls, [], 'vfs was asked nothing');
    // More supplementary groups than the row holds: the kernel path.
    a.p.cred.groups = Array.from({ length: 17 }, (_, i) => i + 1);
    direct.afterSyscall(a.p);
    assert.equal(hint(), 0);
    assert.equal(await call(t, a, DirectOp.STAT, [abs, absLen, 2000]), DIRECT_REFUSED, 'too many groups');
    a.p.cred.groups = [100];
    direct.afterSyscall(a.p);
    assert.equal(hint(), 1);
    // Traced: still served; the server reports the call in the trace ring, with the path
    // as it was when the call was made (the process may reuse the buffer at once).
    a.p.trace = { uid: 0, privileged: true, json: false, holders: 1, emit: () => {}, flushed: () => Promise.resolve(), close: () => Promise.resolve() };
    direct.traced(a.p);
    assert.equal(hint(), 1);
    assert.equal(await call(t, a, DirectOp.STAT, [abs, absLen, 2000]), -Errno.ENOENT, 'traced');
    a.memory.fill(0x41, abs, abs + absLen);
    assert.deepEqual(direct.takeTraced()?.map((c) => [c.pid, c.op, c.path, c.result, c.bytes]), [[a.p.pid, DirectOp.STAT, '/etc/missing', -Errno.ENOENT, 0]]);
    put(1100, '/etc/missing');
    a.p.trace = undefined;
    direct.traced(a.p);
    // Every call through the kernel (an eBPF program on the syscall tracepoints).
    direct.setSlowPath(true);
    assert.equal(await call(t, a, DirectOp.STAT, [abs, absLen, 2000]), DIRECT_REFUSED, 'slow path');
    direct.setSlowPath(false);
    assert.equal(hint(), 1);
    assert.equal(await call(t, a, DirectOp.STAT, [abs, absLen, 2000]), -Errno.ENOENT, 'served again');
    // pm serves no path calls; after exit nothing is served.
    direct.detach(a.p);
    assert.equal(hint(), 0);
    assert.equal(await call(t, a, DirectOp.STAT, [abs, absLen, 2000]), DIRECT_REFUSED, 'after exit');
  });
});

test('open acts as the row says, takes the lowest free descriptor, is served directly at once and installed by the kernel; what it cannot do is refused before vfs is asked', async () => {
  await withDirect(async (t, direct) => {
    const a = makeProcess(direct), b = makeProcess(direct);
    const put = (at: number, text: string): [number, number] => { const bytes = new TextEncoder().encode(text); a.memory.set(bytes, at); return [at, bytes.length]; };
    a.p.cred = { uid: 1000, euid: 1000, suid: 1000, gid: 100, egid: 100, sgid: 100, groups: [100], umask: 0o27 };
    const cwd = new OpenFile('vfs', O.RDONLY | O.DIRECTORY, '/home/u', { vfsHandle: 7, isDir: true });
    cwd.generation = t.get('vfs')!.generation;
    a.p.cwdDir = cwd;
    for (const fd of [0, 1, 2]) a.p.fds.replace(fd, new OpenFile('dev', O.RDWR, '/dev/tty', { rdev: 0x500 }));
    direct.afterSyscall(a.p);
    closedHandles.length = 0;
    pathCalls.length = 0;
    const [rel, relLen] = put(1000, 'notes.txt');
    assert.equal(await call(t, a, DirectOp.OPEN, [rel, relLen, O.WRONLY | O.CREAT | O.CLOEXEC, 0o666]), 3, 'the lowest free descriptor');
    assert.deepEqual(pathCalls, [{ method: 'open', base: { dir: 7 }, path: 'notes.txt', cred: { uid: 1000, gid: 100, groups: [100], pid: a.p.pid }, flags: O.WRONLY | O.CREAT | O.CLOEXEC, mode: 0o640 }], 'as the row says: ids, cwd, umask');
    const handle = nextHandle - 1;
    // Served directly before the kernel has looked: the server filled a file slot for it.
    assert.equal(await call(t, a, DirectOp.WRITE, [3, 0, 5]), 5);
    assert.deepEqual(written.pop(), [handle, 0, [0x11, 0x11, 0x11, 0x11, 0x11]]);
    assert.equal(await call(t, a, DirectOp.READ, [3, 0, 4]), DIRECT_REFUSED, 'opened write-only');
    assert.equal(a.p.fds.peek(3), undefined, 'the kernel has not looked yet');
    // A second open before the kernel looked takes the next descriptor; b's table is its own.
    assert.equal(await call(t, a, DirectOp.OPEN, [rel, relLen, O.RDONLY, 0]), 4);
    const [brel, brelLen] = [3000, 9];
    b.memory.set(new TextEncoder().encode('/etc/motd'), brel);
    direct.afterSyscall(b.p);
    assert.equal(await call(t, b, DirectOp.OPEN, [brel, brelLen, O.RDONLY, 0]), 0);
    assert.equal(direct.takeFdEvents(), true);
    const e = a.p.fds.peek(3)!;
    assert.ok(e !== undefined && e.cloexec, 'installed, close-on-exec');
    assert.deepEqual([e.file.kind, e.file.path, e.file.target.vfsHandle, e.file.flags, e.file.offset, e.file.refs], ['vfs', 'notes.txt', handle, O.WRONLY, 5, 1]);
    assert.equal(a.p.fds.peek(4)!.cloexec, false);
    assert.equal(b.p.fds.peek(0)!.file.path, '/etc/motd');
    // The kernel's own calls see the offset the server moved; closes go either way.
    e.file.offset = 2;
    assert.equal(await call(t, a, DirectOp.WRITE, [3, 0, 1]), 1);
    assert.deepEqual(written.pop()!.slice(0, 2), [handle, 2]);
    assert.equal(await call(t, a, DirectOp.CLOSE, [3]), 0);
    direct.takeFdEvents();
    assert.equal(a.p.fds.peek(3), undefined);
    assert.equal(await call(t, a, DirectOp.OPEN, [rel, relLen, O.RDWR, 0]), 3, 'its descriptor is free again');
    // A directory and a device: installed as the kernel's open would, not served directly.
    const [dir, dirLen] = put(1100, 'sub/dir');
    const [dev, devLen] = put(1200, '/dev/null');
    assert.equal(await call(t, a, DirectOp.OPEN, [dir, dirLen, O.RDONLY, 0]), 5);
    assert.equal(await call(t, a, DirectOp.OPEN, [dev, devLen, O.WRONLY, 0]), 6);
    direct.takeFdEvents();
    assert.deepEqual([a.p.fds.peek(5)!.file.kind, a.p.fds.peek(5)!.file.target.isDir, a.p.fds.peek(5)!.file.path], ['vfs', true, '/canonical/dir']);
    assert.deepEqual([a.p.fds.peek(6)!.file.kind, a.p.fds.peek(6)!.file.target.rdev], ['dev', 0x103]);
    assert.equal(await call(t, a, DirectOp.WRITE, [6, 0, 1]), DIRECT_REFUSED, 'a device is the kernel\'s');
    // vfs's errno comes back; nothing is installed.
    const [missing, missingLen] = put(1300, 'missing');
    assert.equal(await call(t, a, DirectOp.OPEN, [missing, missingLen, O.RDONLY, 0]), -Errno.ENOENT);
    // O_DIRECTORY goes to vfs, which checks it: a directory is installed, a file is ENOTDIR.
    assert.equal(await call(t, a, DirectOp.OPEN, [dir, dirLen, O.RDONLY | O.DIRECTORY, 0]), 7);
    assert.equal(pathCalls.at(-1)!.flags, O.RDONLY | O.DIRECTORY, 'vfs was asked with the flag');
    assert.equal(await call(t, a, DirectOp.OPEN, [rel, relLen, O.RDONLY | O.DIRECTORY, 0]), -Errno.ENOTDIR);
    direct.takeFdEvents();
    assert.deepEqual([a.p.fds.peek(7)!.file.target.isDir, a.p.fds.peek(8)], [true, undefined]);
    assert.equal(await call(t, a, DirectOp.CLOSE, [7]), DIRECT_REFUSED, 'a directory is closed by the kernel');
    a.p.fds.remove(7);
    direct.afterSyscall(a.p);
    // Refused before vfs is asked: bad flags or mode, an empty
    // or too long path, a path off the process's memory, no free descriptor below the limit.
    const asked = pathCalls.length;
    const [long, longLen] = put(1400, 'x'.repeat(300));
    for (const [regs, why] of [
      [[rel, relLen, 3, 0], 'access mode 3'], [[rel, relLen, NaN, 0], 'flags NaN'], [[rel, relLen, O.RDONLY, 0.5], 'mode 0.5'],
      [[rel, 0, O.RDONLY, 0], 'an empty path'], [[long, longLen, O.RDONLY, 0], 'a path longer than the ring keeps'], [[4090, 10, O.RDONLY, 0], 'a path off memory'],
    ] as const) assert.equal(await call(t, a, DirectOp.OPEN, [...regs]), DIRECT_REFUSED, why);
    a.p.fds.limit = 7;
    direct.afterSyscall(a.p); // setrlimit
    assert.equal(await call(t, a, DirectOp.OPEN, [rel, relLen, O.RDONLY, 0]), DIRECT_REFUSED, 'no descriptor free below RLIMIT_NOFILE');
    assert.equal(pathCalls.length, asked, 'vfs was not asked');
    a.p.fds.limit = 256;
    direct.afterSyscall(a.p);
    // The process dies while vfs opens: the server closes what it opened; nothing is installed anywhere.
    slowOpen = gate();
    const [slow, slowLen] = put(1800, 'slow');
    const pending = request(t, a, DirectOp.OPEN, [slow, slowLen, O.RDONLY, 0]);
    while (pathCalls.at(-1)?.path !== 'slow') await new Promise((r) => setImmediate(r));
    direct.detach(a.p);
    const c = makeProcess(direct); // takes a's row
    slowOpen.resolve();
    const slowHandle = nextHandle;
    while (!closedHandles.includes(slowHandle)) await new Promise((r) => setImmediate(r));
    assert.equal(Atomics.load(pending, DIRECT_STATE), DirectState.DONE);
    assert.equal(new Float64Array(a.start.page, DIRECT_REGS_OFFSET, DIRECT_REGS)[DIRECT_RESULT], DIRECT_REFUSED, 'the kernel answered the dead process\'s call, not the server');
    direct.takeFdEvents();
    assert.deepEqual(c.p.fds.list(), [], 'c got nothing of it');
    direct.detach(b.p); direct.detach(c.p);
  });
});

test('openat from a directory descriptor starts where the kernel would: the directory the row names, beneath it when asked; any other descriptor is the kernel\'s', async () => {
  await withDirect(async (t, direct) => {
    const a = makeProcess(direct);
    const put = (at: number, text: string): [number, number] => { const bytes = new TextEncoder().encode(text); a.memory.set(bytes, at); return [at, bytes.length]; };
    const cwd = new OpenFile('vfs', O.RDONLY | O.DIRECTORY, '/', { vfsHandle: 3, isDir: true });
    cwd.generation = t.get('vfs')!.generation;
    a.p.cwdDir = cwd;
    const dir = new OpenFile('vfs', O.RDONLY | O.DIRECTORY, '/srv', { vfsHandle: 40, isDir: true });
    dir.generation = t.get('vfs')!.generation;
    a.p.fds.replace(5, dir);
    a.p.fds.replace(6, file(t, 41));
    const stale = new OpenFile('vfs', O.RDONLY | O.DIRECTORY, '/old', { vfsHandle: 42, isDir: true });
    stale.generation = t.get('vfs')!.generation - 1;
    a.p.fds.replace(7, stale);
    a.p.fds.replace(8, new OpenFile('dev', O.RDWR, '/dev/tty', { rdev: 0x500 }));
    direct.afterSyscall(a.p);
    const hints = new Uint8Array(a.start.page, DIRECT_HINTS_OFFSET, DIRECT_FDS);
    assert.deepEqual([hints[5], hints[6], hints[7], hints[8]], [HINT_DIR, HINT_FILE, 0, 0], 'only a directory of this vfs is an openat base');
    pathCalls.length = 0;
    const [rel, relLen] = put(100, 'db.sqlite-journal');
    const [abs, absLen] = put(200, '/etc/passwd');
    const openat = (dirfd: number, ptr: number, len: number, flags: number): Promise<number> => call(t, a, DirectOp.OPENAT, [ptr, len, flags, 0o644, dirfd]);
    assert.equal(await openat(5, rel, relLen, O.RDWR | O.CREAT | O.RESOLVE_BENEATH), 0);
    assert.equal(await openat(5, rel, relLen, O.RDONLY), 1);
    assert.equal(await openat(5, abs, absLen, O.RDONLY | O.RESOLVE_BENEATH), 2, 'vfs answers for an absolute path beneath (EXDEV there)');
    assert.equal(await openat(5, abs, absLen, O.RDONLY), 3);
    assert.equal(await openat(AT.FDCWD, rel, relLen, O.RDONLY | O.RESOLVE_BENEATH), 4);
    assert.deepEqual(pathCalls.map((c) => c.base), [{ dir: 40, beneath: true }, { dir: 40 }, { dir: 40, beneath: true }, '/', { dir: 3, beneath: true }], 'the bases the kernel\'s pathBase makes');
    // Not a directory the row names: a file, a stale instance's directory, a device, closed,
    // out of range or not an integer — refused before vfs is asked, so the kernel answers.
    let asked = pathCalls.length;
    for (const [dirfd, why] of [[6, 'a file'], [7, 'an older vfs instance\'s directory'], [8, 'a device'], [9, 'closed'], [-1, 'negative'], [DIRECT_FDS, 'past the table'], [5.5, 'not an integer'], [NaN, 'NaN']] as const) {
      assert.equal(await openat(dirfd, rel, relLen, O.RDONLY | O.RESOLVE_BENEATH), DIRECT_REFUSED, why);
    }
    // fstatat and unlinkat (rmdir with AT_REMOVEDIR) start from the same bases, with the
    // flags the kernel takes; others are the kernel's to refuse (EINVAL).
    pathCalls.length = 0;
    assert.equal(await call(t, a, DirectOp.FSTATAT, [rel, relLen, 2048, AT.SYMLINK_NOFOLLOW | AT.RESOLVE_BENEATH, 5]), 0);
    assert.equal(new DataView(a.memory.buffer).getFloat64(2048 + STAT_FIELDS.indexOf('size') * 8, true), 'db.sqlite-journal'.length, 'the stat landed in the buffer');
    assert.equal(await call(t, a, DirectOp.FSTATAT, [abs, absLen, 2048, 0, 5]), 0);
    assert.equal(await call(t, a, DirectOp.UNLINKAT, [rel, relLen, AT.RESOLVE_BENEATH, 0, 5]), 0);
    assert.equal(await call(t, a, DirectOp.UNLINKAT, [rel, relLen, AT.REMOVEDIR, 0, AT.FDCWD]), 0);
    assert.deepEqual(pathCalls.map((c) => [c.method, c.base]), [['lstat', { dir: 40, beneath: true }], ['stat', '/'], ['unlink', { dir: 40, beneath: true }], ['rmdir', { dir: 3 }]]);
    for (const [op, regs, why] of [
      [DirectOp.FSTATAT, [rel, relLen, 2048, AT.REMOVEDIR, 5], 'fstatat with AT_REMOVEDIR'], [DirectOp.UNLINKAT, [rel, relLen, AT.SYMLINK_NOFOLLOW, 0, 5], 'unlinkat with AT_SYMLINK_NOFOLLOW'],
      [DirectOp.FSTATAT, [rel, relLen, 2048, 0.5, 5], 'flags 0.5'], [DirectOp.FSTATAT, [rel, relLen, 4090, 0, 5], 'a stat buffer off memory'],
      [DirectOp.FSTATAT, [rel, relLen, 2048, 0, 6], 'from a file'], [DirectOp.UNLINKAT, [rel, relLen, 0, 0, 7], 'from an older instance\'s directory'],
    ] as const) assert.equal(await call(t, a, op, [...regs]), DIRECT_REFUSED, why);
    assert.equal(pathCalls.length, 4, 'vfs was not asked');
    // fsync and fdatasync of a file the row names; not of a directory or a device.
    synced.length = 0;
    assert.equal(await call(t, a, DirectOp.FSYNC, [6]), 0);
    assert.equal(await call(t, a, DirectOp.FDATASYNC, [6]), 0);
    assert.equal(await call(t, a, DirectOp.FSYNC, [5]), DIRECT_REFUSED, 'a directory');
    assert.equal(await call(t, a, DirectOp.FSYNC, [8]), DIRECT_REFUSED, 'a device');
    assert.deepEqual(synced, [[41, false], [41, true]]);
    // A process whose cwd the row does not name (not opened yet): openat from a directory
    // descriptor needs none; a path from the cwd goes to the kernel.
    a.p.cwdDir = undefined;
    direct.afterSyscall(a.p);
    assert.equal(await openat(5, rel, relLen, O.RDONLY | O.RESOLVE_BENEATH), 9, 'the lowest descriptor free');
    assert.deepEqual(pathCalls.at(-1)!.base, { dir: 40, beneath: true });
    const served = pathCalls.length;
    assert.equal(await openat(AT.FDCWD, rel, relLen, O.RDONLY), DIRECT_REFUSED, 'no cwd in the row');
    assert.equal(await openat(AT.FDCWD, rel, relLen, O.RDONLY | O.RESOLVE_BENEATH), DIRECT_REFUSED, 'no cwd in the row (beneath)');
    assert.equal(await call(t, a, DirectOp.STAT, [rel, relLen, 1024]), DIRECT_REFUSED, 'stat from no cwd');
    assert.equal(pathCalls.length, served);
    // The descriptor closed (or named something else): its entry goes at once.
    a.p.fds.remove(5);
    assert.equal(hints[5], 0);
    asked = pathCalls.length;
    assert.equal(await openat(5, rel, relLen, O.RDONLY), DIRECT_REFUSED, 'closed since');
    assert.equal(pathCalls.length, asked, 'vfs was not asked');
    direct.takeFdEvents();
    direct.detach(a.p);
  });
});

test('after a vfs restart a relative path waits for the cwd to be reopened; an absolute one is served by the new instance', async () => {
  await withDirect(async (t, direct) => {
    const a = makeProcess(direct);
    const cwd = new OpenFile('vfs', O.RDONLY | O.DIRECTORY, '/', { vfsHandle: 3, isDir: true });
    cwd.generation = t.get('vfs')!.generation;
    a.p.cwdDir = cwd;
    direct.afterSyscall(a.p);
    a.p.fds.replace(4, file(t, 99));
    const enc = new TextEncoder();
    a.memory.set(enc.encode('x'), 1000);
    a.memory.set(enc.encode('/x'), 1010);
    assert.equal(await call(t, a, DirectOp.READ, [4, 0, 4]), DIRECT_REFUSED, 'vfs dies on this call');
    const deadline = Date.now() + 10_000;
    while (t.get('vfs')!.state !== 'running' || t.get('vfs')!.generation !== 1) {
      if (Date.now() > deadline) throw new Error('vfs was not restarted');
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(new Uint8Array(a.start.page, DIRECT_PATH_HINT, 1)[0], 0, 'no path calls until the kernel looked again');
    direct.afterSyscall(a.p); // the process's next trapped syscall
    pathCalls.length = 0;
    assert.equal(await call(t, a, DirectOp.STAT, [1000, 1, 2000]), DIRECT_REFUSED, 'the cwd is of the dead instance');
    assert.equal(await call(t, a, DirectOp.STAT, [1010, 2, 2000]), 0, 'an absolute path is served');
    // The kernel reopens the cwd (its own path does, at the next relative call).
    const fresh = new OpenFile('vfs', O.RDONLY | O.DIRECTORY, '/', { vfsHandle: 5, isDir: true });
    fresh.generation = t.get('vfs')!.generation;
    a.p.cwdDir = fresh;
    direct.afterSyscall(a.p);
    assert.equal(await call(t, a, DirectOp.STAT, [1000, 1, 2000]), 0);
    assert.deepEqual(pathCalls.map((c) => c.base), ['/', { dir: 5 }]);
    direct.detach(a.p);
  });
});
