// The kernel's side of the direct path (abi/direct.ts): processes call vfs's server
// thread for read, write, pread, pwrite, fstat and lseek of their open files, without
// the kernel thread on the hot path, while the kernel keeps the authority. It holds the
// direct table (shared with vfs's server only) and keeps it equal to the descriptor
// tables:
//
//   spawn           the process gets a slot and a direct page; vfs's server is sent
//                   the page and the process's user memory ('direct-process')
//   fd installed    a regular file opened in the current vfs instance gets a file
//                   slot (its offset moves there, OpenFile.cell) and the descriptor
//                   names it; anything else (pipes, devices, directories) names
//                   nothing: the kernel path
//   fd removed      the entry is cleared before close returns: revoked
//   last close      the file slot is freed (its offset moves back into the OpenFile)
//   direct close    a file one descriptor names (FILE_SOLE) may be closed by vfs's
//                   server, which clears the entry, closes its handle and posts the
//                   descriptor on the descriptor ring; the kernel drains the ring
//                   before it serves any trap (takeFdEvents) and drops it then
//   direct open     vfs's server opens a path as the row's path grant says (ids,
//                   cwd, umask), takes the lowest descriptor the row's bitmap has
//                   free, fills a spare file slot the kernel set aside for a regular
//                   file, and posts the descriptor on the ring; the kernel installs
//                   an open file adopting that slot at that descriptor
//   exit            the slot is cleared and freed; vfs's server is not told (no wake-up):
//                   a page whose pid the row no longer holds serves nothing, and the
//                   slot's next process's page replaces it
//
//   path calls      stat, lstat and unlink of a path go to vfs's server too, with the
//                   credentials and cwd handle the kernel wrote in the process's row
//                   (refreshed after every trapped syscall, so a setuid, setgroups or
//                   chdir is in the row before the process runs again; off while the
//                   process is traced or the cwd is of a dead vfs instance)
//
// When pm runs in the user domain too, each process also gets a page to pm's server
// for getpid, getppid, getpgid and getsid: pm is told which pid the page is and
// answers for that pid only; the page needs no table.
//   vfs died        every file slot and entry is cleared (files of the dead instance
//                   fail with EIO on the kernel path); a call in flight is answered
//                   "refused" so the process traps; the new server gets the table and
//                   every page again
//
// The server side is kernel/component/direct-server.ts; the process side is
// user/runtime/process.ts.

import {
  DIRECT_GROUPS, DIRECT_PATH_HINT, SLOT_CWD, SLOT_GID, SLOT_GROUP0, SLOT_NGROUPS, SLOT_PATH_OK, SLOT_UID,
  DIRECT_FD_EVENTS, DIRECT_FD_EVENT_PATH, DIRECT_FD_EVENT_WORDS, DIRECT_SPARE_CELLS, EV_FD, EV_FLAGS, EV_GEN, EV_HANDLE, EV_KIND, EV_MODE, EV_PATH_BYTES, EV_PID, EV_RDEV, EV_SLOT,
  FdEvent, SLOT_FDS_OPEN, SLOT_FD_LIMIT, SLOT_UMASK, DIRECT_FDS, DIRECT_FILE_WORDS, DIRECT_HINTS_OFFSET, DIRECT_PAGE_BYTES, DIRECT_REFUSED, DIRECT_REGS, DIRECT_REGS_OFFSET, DIRECT_RESULT,
  DIRECT_SLOT_WORDS, DIRECT_STATE, DIRECT_WAITING, DIRECT_TRACE_EVENTS, DIRECT_TRACE_PATH, DIRECT_TRACE_WORDS, DirectState, FILE_HANDLE, SLOT_FD0, SLOT_DIR0, SLOT_PID, SLOT_TRACED, HINT_FILE, HINT_DIR,
  RING_HEAD, RING_TAIL, directTableBytes, directTableViews, type DirectStart, type DirectTableViews,
} from '../../abi/direct.js';
import { OpenFile } from '../fs/file.js';
import { O, openFileFlags } from '../../abi/fs.js';
import { answerWord } from '../../lib/poller.js';
import type { Process } from './process.js';

/** How the direct path reaches vfs's server (component/table.ts). */
export interface DirectServer {
  /** The server's doorbell memory, kept across restarts. */
  bell: SharedArrayBuffer;
  /** The current vfs generation (handles of older instances are stale). */
  generation(): number;
  /** Posts a control message to the running server (dropped while none runs). */
  post(message: DirectControl): void;
  /** Closes a handle of the current instance the server opened for a process that is gone (vfs only). */
  close?(handle: number): void;
}

/** Kernel to vfs's server thread. */
export type DirectControl =
  | { type: 'direct-table'; memory: SharedArrayBuffer; processes: number; files: number; generation: number }
  | { type: 'direct-process'; slot: number; pid: number; page: SharedArrayBuffer; memory: SharedArrayBuffer | undefined; memoryId?: number };

/** A call a traced process made on the direct path, as the server (`to`: vfs, or net for a socket call) reported it. */
export interface DirectCall { pid: number; op: number; regs: number[]; result: number; bytes: number; us: number; path: string | undefined; to?: string }

export interface Page { page: SharedArrayBuffer; ctl: Int32Array; regs: Float64Array; hints: Uint8Array; pathHint: Uint8Array }
/** What the row's path grant says now (compared after each syscall; `groups` by identity, then contents). */
interface PathGrant { ok: number; cwd: number; uid: number; gid: number; groups: readonly number[]; umask: number; fdLimit: number }
interface Attached extends Page { p: Process; slot: number; pm: Page | undefined; grant: PathGrant | undefined; unwatch?: () => void }

export function makePage(): Page {
  const page = new SharedArrayBuffer(DIRECT_PAGE_BYTES);
  return {
    page, ctl: new Int32Array(page, 0, 4), regs: new Float64Array(page, DIRECT_REGS_OFFSET, DIRECT_REGS), hints: new Uint8Array(page, DIRECT_HINTS_OFFSET, DIRECT_FDS),
    pathHint: new Uint8Array(page, DIRECT_PATH_HINT, 1),
  };
}

export class DirectFiles {
  readonly memory: SharedArrayBuffer;
  private readonly slots: Int32Array;
  private readonly files: Float64Array;
  private readonly traceIndex: Int32Array;
  private readonly traceEvents: Float64Array;
  private readonly tracePaths: Uint8Array;
  private readonly fdIndex: Int32Array;
  private readonly fdEvents: Float64Array;
  private readonly fdPaths: Uint8Array;
  private readonly spareCells: Int32Array;
  /** File slots set aside in spareCells (or taken by the server, their event not drained yet). */
  private readonly spare = new Set<number>();
  private readonly freeSlots: number[] = [];
  private readonly freeFiles: number[] = [];
  private readonly attached = new Map<number, Attached>();
  private readonly holders = new Map<number, OpenFile>();
  /** Every call goes through the kernel for now (setSlowPath). */
  private slowPath = false;

  /** `pm`: pm's server, when it too runs in the user domain (the pid calls). */
  constructor(private readonly server: DirectServer, private readonly processes: number, private readonly fileSlots: number, private readonly pm?: DirectServer) {
    this.memory = new SharedArrayBuffer(directTableBytes(processes, fileSlots));
    ({ slots: this.slots, files: this.files, traceIndex: this.traceIndex, traceEvents: this.traceEvents, fdIndex: this.fdIndex, fdEvents: this.fdEvents, fdPaths: this.fdPaths, spareCells: this.spareCells, tracePaths: this.tracePaths } = directTableViews(this.memory, processes, fileSlots));
    for (let i = processes - 1; i >= 0; i--) this.freeSlots.push(i);
    for (let i = fileSlots - 1; i >= 0; i--) this.freeFiles.push(i);
  }

  /** Gives `p` a slot and a page; undefined when no slot is free (the process uses the kernel path only). */
  attach(p: Process): DirectStart | undefined {
    const slot = this.freeSlots.pop();
    if (slot === undefined) return undefined;
    const a: Attached = { ...makePage(), p, slot, pm: this.pm === undefined ? undefined : makePage(), grant: undefined };
    const page = a.page;
    this.attached.set(p.pid, a);
    this.slots.fill(0, slot * DIRECT_SLOT_WORDS, (slot + 1) * DIRECT_SLOT_WORDS);
    Atomics.store(this.slots, slot * DIRECT_SLOT_WORDS + SLOT_PID, p.pid);
    Atomics.store(this.slots, slot * DIRECT_SLOT_WORDS + SLOT_TRACED, p.trace !== undefined ? 1 : 0);
    for (const [fd, e] of p.fds.list()) this.fdChanged(p, fd, e.file);
    a.unwatch = p.fds.watch((fd, file) => this.fdChanged(p, fd, file));
    this.writeGrant(a);
    this.server.post({ type: 'direct-process', slot, pid: p.pid, page, memory: p.userMemory, memoryId: p.memoryId });
    if (a.pm === undefined || this.pm === undefined) return { page, serverBell: this.server.bell };
    // pm answers for the pid it is told here; it needs none of the process's memory.
    a.pm.hints[0] = p.trace === undefined && !this.slowPath ? 1 : 0;
    this.pm.post({ type: 'direct-process', slot, pid: p.pid, page: a.pm.page, memory: undefined });
    return { page, serverBell: this.server.bell, pm: { page: a.pm.page, serverBell: this.pm.bell } };
  }

  /**
   * Called after each syscall `p` trapped, before it runs again: its credentials or
   * cwd may have changed (setuid, setgroups, chdir, a vfs restart), and the row's
   * path grant must say what the kernel would check with. A few compares when
   * nothing changed.
   */
  afterSyscall(p: Process): void {
    const a = this.attached.get(p.pid);
    if (a === undefined) return;
    const want = this.grantOf(p);
    const had = a.grant;
    if (had !== undefined && had.ok === want.ok && had.cwd === want.cwd && had.uid === want.uid && had.gid === want.gid && had.umask === want.umask
      && had.fdLimit === want.fdLimit && sameGroups(had.groups, want.groups)) return;
    this.writeGrant(a, want);
  }

  private grantOf(p: Process): PathGrant {
    const c = p.cred;
    const cwd = p.cwdDir !== undefined && p.cwdDir.generation === this.server.generation() && p.cwdDir.target.vfsHandle !== undefined ? p.cwdDir.target.vfsHandle : -1;
    const ok = !this.slowPath && c.groups.length <= DIRECT_GROUPS ? 1 : 0;
    return { ok, cwd, uid: c.euid, gid: c.egid, groups: c.groups, umask: c.umask, fdLimit: Math.min(p.fds.limit, DIRECT_FDS) };
  }

  // The ids first and the grant bit last, so the server never sees a half-written
  // grant marked usable (and the hint only once the row says the same).
  private writeGrant(a: Attached, g = this.grantOf(a.p)): void {
    const base = a.slot * DIRECT_SLOT_WORDS;
    const s = this.slots;
    Atomics.store(s, base + SLOT_PATH_OK, 0);
    a.pathHint[0] = 0;
    Atomics.store(s, base + SLOT_CWD, g.cwd + 1);
    Atomics.store(s, base + SLOT_UID, g.uid);
    Atomics.store(s, base + SLOT_GID, g.gid);
    const n = Math.min(g.groups.length, DIRECT_GROUPS);
    Atomics.store(s, base + SLOT_NGROUPS, n);
    for (let i = 0; i < DIRECT_GROUPS; i++) Atomics.store(s, base + SLOT_GROUP0 + i, i < n ? g.groups[i]! : 0);
    Atomics.store(s, base + SLOT_UMASK, g.umask);
    Atomics.store(s, base + SLOT_FD_LIMIT, g.fdLimit);
    Atomics.store(s, base + SLOT_PATH_OK, g.ok);
    a.pathHint[0] = g.ok;
    a.grant = { ...g, groups: [...g.groups] };
  }

  /** The process is gone: its entries are revoked, its slot freed. */
  detach(p: Process): void {
    const a = this.attached.get(p.pid);
    if (a === undefined) return;
    // What the server closed or opened for it reaches the table first (exit closes the rest).
    this.takeFdEvents();
    this.attached.delete(p.pid);
    a.unwatch?.();
    a.pathHint[0] = 0;
    this.slots.fill(0, a.slot * DIRECT_SLOT_WORDS, (a.slot + 1) * DIRECT_SLOT_WORDS);
    answerRefused(a);
    // The servers are not told (a message wakes a server thread on every exit): vfs
    // serves nothing on a page whose pid the row no longer holds, pm answers a dead
    // pid's own calls with what it knows of it, and the slot's next process's page
    // replaces this one.
    if (a.pm !== undefined) { a.pm.hints[0] = 0; answerRefused(a.pm); }
    this.freeSlots.push(a.slot);
  }

  /** Descriptor `fd` of `p` now names `file` (undefined: closed). Synchronous: revocation is immediate. */
  private fdChanged(p: Process, fd: number, file: OpenFile | undefined): void {
    const a = this.attached.get(p.pid);
    if (a === undefined || fd < 0 || fd >= DIRECT_FDS) return;
    const slot = file !== undefined && !this.slowPath ? this.fileSlot(file) : -1;
    const dir = file !== undefined && !this.slowPath ? this.dirHandle(file) : -1;
    const row = a.slot * DIRECT_SLOT_WORDS;
    Atomics.store(this.slots, row + SLOT_FD0 + fd, slot + 1);
    Atomics.store(this.slots, row + SLOT_DIR0 + fd, dir + 1);
    a.hints[fd] = slot >= 0 ? HINT_FILE : dir >= 0 ? HINT_DIR : 0;
    // The bitmap of descriptors in use, which the server's opens take the lowest free one of.
    const bit = 1 << (fd & 31), word = row + SLOT_FDS_OPEN + (fd >>> 5);
    if (file !== undefined) Atomics.or(this.slots, word, bit); else Atomics.and(this.slots, word, ~bit);
  }

  /** The vfs handle of a directory of the current vfs instance (openat's base), or -1. */
  private dirHandle(file: OpenFile): number {
    return this.ofCurrentVfs(file) && file.target.isDir === true ? file.target.vfsHandle! : -1;
  }

  /** Whether `file` is a handle of the vfs instance running now. */
  private ofCurrentVfs(file: OpenFile): boolean {
    return file.kind === 'vfs' && file.target.vfsHandle !== undefined && file.generation === this.server.generation();
  }

  /** Every descriptor entry of a row (files and directories) revoked, with its hints. */
  private clearEntries(a: Attached): void {
    const row = a.slot * DIRECT_SLOT_WORDS;
    this.slots.fill(0, row + SLOT_FD0, row + SLOT_FD0 + DIRECT_FDS);
    this.slots.fill(0, row + SLOT_DIR0, row + SLOT_DIR0 + DIRECT_FDS);
    a.hints.fill(0);
  }

  /** The file slot of `file`, made on first use; -1 when it cannot be served directly. */
  private fileSlot(file: OpenFile): number {
    // A socket's cell is in net's table (direct-net.ts), never here.
    if (file.kind === 'socket') return -1;
    if (file.cell !== undefined) return file.cellSlot;
    if (!this.ofCurrentVfs(file) || file.target.isDir === true) return -1;
    const slot = this.freeFiles.pop();
    if (slot === undefined) return -1;
    const at = slot * DIRECT_FILE_WORDS;
    this.files[at + FILE_HANDLE] = file.target.vfsHandle!;
    // Marks the cell live last (1, or FILE_SOLE while one descriptor names the file).
    file.attachCell(this.files.subarray(at, at + DIRECT_FILE_WORDS), slot);
    this.holders.set(slot, file);
    return slot;
  }

  /** The last descriptor of `file` closed: its slot goes. */
  release(file: OpenFile): void {
    if (file.cell === undefined || file.kind === 'socket') return;
    const slot = file.cellSlot;
    file.detachCell();
    this.files.fill(0, slot * DIRECT_FILE_WORDS, (slot + 1) * DIRECT_FILE_WORDS);
    this.holders.delete(slot);
    this.freeFiles.push(slot);
  }

  /** Tracing started or stopped for `p`: vfs's server reports its direct calls while it is traced. */
  traced(p: Process): void {
    const a = this.attached.get(p.pid);
    if (a === undefined) return;
    Atomics.store(this.slots, a.slot * DIRECT_SLOT_WORDS + SLOT_TRACED, p.trace !== undefined ? 1 : 0);
    this.writeGrant(a);
    // pm's page does not report calls: a traced process asks pm through the kernel, which shows the hop.
    if (a.pm !== undefined) a.pm.hints[0] = p.trace === undefined && !this.slowPath ? 1 : 0;
  }

  /**
   * While `on`, nothing is served directly: every descriptor entry and hint is cleared
   * (vfs's server refuses what the table no longer grants) and pm's pages are off, so
   * each syscall traps into the kernel — for eBPF programs on the syscall tracepoints,
   * which must see every call. Off again, the entries are made from the descriptor
   * tables as at spawn.
   */
  setSlowPath(on: boolean): void {
    if (on === this.slowPath) return;
    this.slowPath = on;
    for (const a of this.attached.values()) {
      if (on) {
        this.clearEntries(a);
      } else {
        for (const [fd, e] of a.p.fds.list()) this.fdChanged(a.p, fd, e.file);
      }
      if (a.pm !== undefined) a.pm.hints[0] = a.p.trace === undefined && !on ? 1 : 0;
      this.writeGrant(a);
    }
  }

  /**
   * Applies the descriptors vfs's server closed and opened on the direct path since
   * the last time (the descriptor ring), in order: the kernel calls it before it serves
   * any trap, so a process's next syscall finds its table as its calls left it. True
   * if there were any.
   */
  takeFdEvents(): boolean {
    const head = Atomics.load(this.fdIndex, RING_HEAD);
    let tail = Atomics.load(this.fdIndex, RING_TAIL);
    if (head === tail) return false;
    const v = this.fdEvents;
    for (; tail !== head; tail = (tail + 1) | 0) {
      const i = (tail >>> 0) % DIRECT_FD_EVENTS;
      const e = i * DIRECT_FD_EVENT_WORDS;
      if (v[e + EV_KIND] === FdEvent.CLOSED) this.closed(v[e + EV_PID]!, v[e + EV_FD]!, v[e + EV_SLOT]!, v[e + EV_HANDLE]!);
      else this.opened(v.subarray(e, e + DIRECT_FD_EVENT_WORDS), this.fdPaths.subarray(i * DIRECT_FD_EVENT_PATH, i * DIRECT_FD_EVENT_PATH + Math.min(DIRECT_FD_EVENT_PATH, v[e + EV_PATH_BYTES]!)));
    }
    Atomics.store(this.fdIndex, RING_TAIL, tail);
    this.refillSpare();
    return true;
  }

  // Only the descriptor the server was granted is dropped: if the process or the
  // file changed since (it died and exit closed its files, vfs restarted), the event
  // is stale and the kernel's table is already right.
  private closed(pid: number, fd: number, slot: number, handle: number): void {
    const a = this.attached.get(pid);
    const e = a?.p.fds.peek(fd);
    if (a === undefined || e === undefined || e.file.cellSlot !== slot || e.file.target.vfsHandle !== handle) return;
    a.p.fds.remove(fd);
    // The server closed the handle: what is left of closeFile is the kernel's own part.
    if (--e.file.refs === 0) this.release(e.file);
  }

  // The server opened a file for a process: it becomes an open file at the descriptor
  // the server took, adopting the slot the server filled. If the process is gone (or
  // the descriptor is not free: a server that broke the protocol), nobody will close
  // it: the kernel does, and the slot goes back.
  private opened(ev: Float64Array, pathBytes: Uint8Array): void {
    const pid = ev[EV_PID]!, fd = ev[EV_FD]!, slot = ev[EV_SLOT]!, handle = ev[EV_HANDLE]!, flags = ev[EV_FLAGS]!, kind = ev[EV_KIND]!;
    const current = ev[EV_GEN] === this.server.generation();
    const a = this.attached.get(pid);
    const path = pathDecoder.decode(pathBytes.slice()); // a copy: a browser decodes no view of shared memory
    const file = new OpenFile(kind === FdEvent.OPENED_DEV ? 'dev' : 'vfs', openFileFlags(flags), path, {
      vfsHandle: handle, rdev: ev[EV_RDEV]!, isDir: kind === FdEvent.OPENED_DIR, mode: ev[EV_MODE]!,
    });
    file.generation = ev[EV_GEN]!;
    if (slot >= 0 && this.spare.delete(slot)) {
      const at = slot * DIRECT_FILE_WORDS;
      file.adoptCell(this.files.subarray(at, at + DIRECT_FILE_WORDS), slot);
      this.holders.set(slot, file);
    }
    if (current && a !== undefined && a.p.fds.peek(fd) === undefined && fd < a.p.fds.limit) {
      try { a.p.fds.replace(fd, file, (flags & O.CLOEXEC) !== 0); return; } catch { /* the process is exiting: closed below */ }
    }
    this.release(file);
    // A handle of a dead instance died with it (and its number may be reused by the new one).
    if (current) this.server.close?.(handle);
  }

  // Keeps DIRECT_SPARE_CELLS free file slots set aside for the server's opens.
  private refillSpare(): void {
    for (let i = 0; i < DIRECT_SPARE_CELLS; i++) {
      if (Atomics.load(this.spareCells, i) !== 0) continue;
      const slot = this.freeFiles.pop();
      if (slot === undefined) return;
      this.files.fill(0, slot * DIRECT_FILE_WORDS, (slot + 1) * DIRECT_FILE_WORDS);
      this.spare.add(slot);
      Atomics.store(this.spareCells, i, slot + 1);
    }
  }

  // vfs died: the slots set aside (and any a dead server took without posting) go back.
  private reclaimSpare(): void {
    for (let i = 0; i < DIRECT_SPARE_CELLS; i++) Atomics.store(this.spareCells, i, 0);
    for (const slot of this.spare) { this.files.fill(0, slot * DIRECT_FILE_WORDS, (slot + 1) * DIRECT_FILE_WORDS); this.freeFiles.push(slot); }
    this.spare.clear();
  }

  /** Takes the traced calls vfs's server reported since the last time, oldest first. */
  takeTraced(): DirectCall[] | undefined {
    return takeTraceRing({ traceIndex: this.traceIndex, traceEvents: this.traceEvents, tracePaths: this.tracePaths }, 'vfs');
  }

  /** vfs's server died: nothing of the old instance is served directly any more. */
  serverDown(): void {
    this.takeFdEvents();
    this.reclaimSpare();
    for (const slot of [...this.holders.keys()]) this.release(this.holders.get(slot)!);
    for (const a of this.attached.values()) {
      this.clearEntries(a);
      Atomics.store(this.slots, a.slot * DIRECT_SLOT_WORDS + SLOT_PATH_OK, 0);
      a.pathHint[0] = 0;
      a.grant = undefined; // written again after the process's next syscall (its cwd reopened)
      answerRefused(a);
    }
  }

  /** A (new) vfs server is ready: it gets the table and every page. */
  serverUp(): void {
    this.refillSpare();
    this.server.post({ type: 'direct-table', memory: this.memory, processes: this.processes, files: this.fileSlots, generation: this.server.generation() });
    for (const a of this.attached.values()) this.server.post({ type: 'direct-process', slot: a.slot, pid: a.p.pid, page: a.page, memory: a.p.userMemory, memoryId: a.p.memoryId });
  }

  /** pm's server died: calls in flight on its pages are refused (the kernel path waits for the restart). */
  pmDown(): void {
    for (const a of this.attached.values()) if (a.pm !== undefined) answerRefused(a.pm);
  }

  /** A (new) pm server is ready: it gets every page. */
  pmUp(): void {
    for (const a of this.attached.values()) if (a.pm !== undefined) this.pm?.post({ type: 'direct-process', slot: a.slot, pid: a.p.pid, page: a.pm.page, memory: undefined });
  }

  /** Processes and open files served directly now (sysinfo, leak checks). */
  get counts(): { processes: number; files: number } { return { processes: this.attached.size, files: this.holders.size }; }
}

/** The calls a server reported in a direct table's trace ring since the last time, oldest first. */
export function takeTraceRing(t: Pick<DirectTableViews, 'traceIndex' | 'traceEvents' | 'tracePaths'>, to: string): DirectCall[] | undefined {
  const head = Atomics.load(t.traceIndex, RING_HEAD);
  let tail = Atomics.load(t.traceIndex, RING_TAIL);
  if (head === tail) return undefined;
  const out: DirectCall[] = [];
  const v = t.traceEvents;
  for (; tail !== head; tail = (tail + 1) | 0) {
    const i = (tail >>> 0) % DIRECT_TRACE_EVENTS, e = i * DIRECT_TRACE_WORDS;
    const pathLen = v[e + 10]!;
    const path = pathLen === 0 ? undefined : pathDecoder.decode(t.tracePaths.slice(i * DIRECT_TRACE_PATH, i * DIRECT_TRACE_PATH + Math.min(pathLen, DIRECT_TRACE_PATH))) + (pathLen > DIRECT_TRACE_PATH ? '...' : '');
    out.push({ pid: v[e]!, op: v[e + 1]!, regs: [...v.subarray(e + 2, e + 7)], result: v[e + 7]!, bytes: v[e + 8]!, us: v[e + 9]!, path, to });
  }
  Atomics.store(t.traceIndex, RING_TAIL, tail);
  return out;
}

/** A call the server will never answer (it died, or the process's slot is going): answered "refused", so the process asks the kernel. */
export function answerRefused(a: { ctl: Int32Array; regs: Float64Array }): void {
  if (Atomics.load(a.ctl, DIRECT_STATE) !== DirectState.REQUEST) return;
  a.regs[DIRECT_RESULT] = DIRECT_REFUSED;
  answerWord(a.ctl, DIRECT_STATE, DIRECT_WAITING, DirectState.DONE);
}

const pathDecoder = new TextDecoder();

function sameGroups(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
