// The server's side of the direct path (abi/direct.ts, kernel side proc/direct.ts):
// in vfs's server thread, the poll loop scans the direct pages of the processes the
// kernel attached and serves read, write, pread, pwrite, fstat and lseek of the
// descriptors the kernel's table grants, calling the component's own methods
// (readInto, writeFrom, fstat) with a grant over the caller's buffer, and close of a
// descriptor that is the only one of its open file (the kernel hears of it on the
// close ring). One copy, two
// threads: the process's and this one. It also serves stat, lstat and unlink of a
// path, with the credentials and cwd the kernel wrote in the process's row (the path
// grant): the process names only a path, never who it is. In pm's thread it serves getpid, getppid,
// getpgid and getsid for the pid the kernel said each page is. In net's thread it serves
// read, write, send and recv of the stream sockets net's own table grants (proc/direct-net.ts),
// when the call would not wait.
//
// What a process can name is only its own descriptors: the table, which it cannot
// reach, says which file (vfs handle, flags, shared offset) each one is. Anything the
// table does not grant — a descriptor closed a moment ago, one of another process, a
// pipe, a buffer outside the process's memory — is answered "refused", and the process
// asks the kernel, which answers with all its checks.

import {
  DIRECT_FD_EVENTS, DIRECT_FD_EVENT_PATH, DIRECT_FD_EVENT_WORDS, DIRECT_SPARE_CELLS, EV_FD, EV_FLAGS, EV_GEN, EV_HANDLE, EV_KIND, EV_MODE, EV_PATH_BYTES,
  EV_PID, EV_RDEV, EV_SLOT, FdEvent, SLOT_FDS_OPEN, SLOT_FD_LIMIT, SLOT_UMASK, DIRECT_HINTS_OFFSET, DIRECT_PATH_MAX, FILE_SOLE, SLOT_CWD, SLOT_GID, SLOT_GROUP0, SLOT_NGROUPS, SLOT_PATH_OK, SLOT_UID,
  DIRECT_FDS, DIRECT_FILE_WORDS, DIRECT_OP, DIRECT_REFUSED, DIRECT_REGS, DIRECT_REGS_OFFSET, DIRECT_RESULT, DIRECT_SLOT_WORDS,
  DIRECT_STATE, DIRECT_WAITING, DIRECT_TRACE_EVENTS, DIRECT_TRACE_PATH, DIRECT_TRACE_WORDS, DirectOp, DirectState, FILE_FLAGS, FILE_HANDLE, FILE_LIVE, FILE_OFFSET,
  SLOT_FD0, SLOT_DIR0, SLOT_PID, SLOT_TRACED, RING_HEAD, RING_TAIL, HINT_FILE, directTableViews, type DirectTableViews,
} from '../../abi/direct.js';
import { Errno, isKernelError } from '../../abi/errno.js';
import { MSG } from '../../abi/net.js';
import { SERVICES, checkReply } from '../../abi/services.js';
import { AT, O, OFF_MAX, SEEK, STAT_FIELDS, openFileFlags, type Stat } from '../../abi/fs.js';
import type { ComponentInstance } from '../../abi/component.js';
import type { PathBase, VfsOpenResult } from '../../abi/services.js';
import type { FsCred } from '../../abi/cred.js';
import { WindowGrant } from '../ipc/grant.js';
import { answerWord, type Linger } from '../../lib/poller.js';
import type { DirectControl } from '../proc/direct.js';

interface Page { slot: number; pid: number; ctl: Int32Array; regs: Float64Array; hints: Uint8Array; memory: Uint8Array; memoryId: number; view: DataView; busy: boolean }

type FileCalls = {
  readInto(handle: number, offset: number, dst: WindowGrant): Promise<number>;
  writeFrom(handle: number, offset: number, src: WindowGrant): Promise<{ written: number; end: number }>;
  fstat(handle: number): Promise<Stat>;
  close(handle: number): Promise<void>;
  open(base: PathBase, path: string, flags: number, mode: number, cred: FsCred): Promise<VfsOpenResult>;
  stat(base: PathBase, path: string, follow: boolean, cred: FsCred): Promise<Stat>;
  unlink(base: PathBase, path: string, cred: FsCred): Promise<void>;
  rmdir(base: PathBase, path: string, cred: FsCred): Promise<void>;
  fsync(handle: number, dataOnly: boolean): Promise<void>;
};

// Paths are decoded as the kernel's copyinString does: invalid UTF-8 is not served here.
const pathDecoder = new TextDecoder('utf-8', { fatal: true });
const pathEncoder = new TextEncoder();
/** The calls that name a path in registers 0 and 1. */
const PATH_CALLS = new Set<number>([DirectOp.STAT, DirectOp.LSTAT, DirectOp.UNLINK, DirectOp.OPEN, DirectOp.OPENAT, DirectOp.FSTATAT, DirectOp.UNLINKAT]);

// Grant ids the direct path names its windows with (only for messages and errors; the
// memory itself is the page's process's).
const DIRECT_GRANT = -1;

// Replies are checked as every reply is (abi/services.ts): a malformed one is EIO.
function checkedBy<T>(service: 'vfs' | 'pm', method: string, result: unknown, args: readonly unknown[]): T {
  return checkReply(SERVICES[service]!.byName.get(method)!, service, result, args) as T;
}
const checked = <T>(method: string, result: unknown, args: readonly unknown[]): T => checkedBy<T>('vfs', method, result, args);

type NetDirect = {
  directSend(id: number, src: WindowGrant, nonBlocking: boolean): number | undefined;
  directRecv(id: number, dst: WindowGrant, nonBlocking: boolean): number | undefined;
};

const isErrnoResult = (r: number): boolean => r < 0 && r >= -4095;

type PidCalls = Record<'getpid' | 'getppid', (pid: number) => Promise<number>> & Record<'getpgid' | 'getsid', (pid: number, target: number) => Promise<number>>;

export class DirectServer {
  private slots: Int32Array | undefined;
  private files: Float64Array | undefined;
  private trace: DirectTableViews | undefined;
  /** The vfs generation the kernel said this instance is (echoed in the descriptor ring's opens). */
  private generation = 0;
  private readonly pages = new Map<number, Page>();

  /**
   * `name`: the component this thread runs — vfs serves the file calls, pm the pid
   * calls, anything else nothing. `instance`: the component (read when a call comes).
   */
  constructor(private readonly name: string, private readonly instance: () => ComponentInstance, private readonly crash: (e: unknown) => void, private readonly linger?: Linger) {}

  /** A control message from the kernel; true if it was one of the direct path's. */
  control(m: DirectControl | { type: string }): boolean {
    const c = m as DirectControl;
    switch (c.type) {
      case 'direct-table':
        this.trace = directTableViews(c.memory, c.processes, c.files);
        this.generation = c.generation;
        ({ slots: this.slots, files: this.files } = this.trace);
        return true;
      case 'direct-process':
        this.pages.set(c.slot, {
          slot: c.slot, pid: c.pid, ctl: new Int32Array(c.page, 0, 4), regs: new Float64Array(c.page, DIRECT_REGS_OFFSET, DIRECT_REGS), hints: new Uint8Array(c.page, DIRECT_HINTS_OFFSET, DIRECT_FDS),
          memory: c.memory === undefined ? new Uint8Array(0) : new Uint8Array(c.memory), memoryId: c.memoryId ?? DIRECT_GRANT, view: new DataView(c.memory ?? new ArrayBuffer(0)), busy: false,
        });
        return true;
      default: return false;
    }
  }

  /** Whether a page holds a call not started yet (one may come before the loop saw its page). */
  waiting(): boolean {
    for (const page of this.pages.values()) if (!page.busy && Atomics.load(page.ctl, DIRECT_STATE) === DirectState.REQUEST) return true;
    return false;
  }

  /** Starts every waiting call; true if there was one. */
  poll(): boolean {
    let worked = false;
    for (const page of this.pages.values()) {
      if (page.busy || Atomics.load(page.ctl, DIRECT_STATE) !== DirectState.REQUEST) continue;
      worked = true;
      page.busy = true;
      const started = performance.now();
      this.serve(page).then(
        (result) => { page.busy = false; this.answer(page, result, started); },
        (e: unknown) => {
          page.busy = false;
          if (isKernelError(e)) this.answer(page, -e.errno, started);
          else this.crash(e); // a fault in the component (a grant violation too): the supervisor restarts it
        },
      );
    }
    return worked;
  }

  private answer(page: Page, result: number, started: number): void {
    // The kernel may have answered already (the process's slot went); then the page is not ours.
    if (this.pages.get(page.slot) !== page || Atomics.load(page.ctl, DIRECT_STATE) !== DirectState.REQUEST) return;
    if (result !== DIRECT_REFUSED && this.traced(page)) this.report(page, result, (performance.now() - started) * 1000);
    page.regs[DIRECT_RESULT] = result;
    const woke = answerWord(page.ctl, DIRECT_STATE, DIRECT_WAITING, DirectState.DONE);
    this.linger?.answered(woke);
  }

  private traced(page: Page): boolean {
    const slots = this.slots;
    return slots !== undefined && Atomics.load(slots, page.slot * DIRECT_SLOT_WORDS + SLOT_TRACED) === 1 && Atomics.load(slots, page.slot * DIRECT_SLOT_WORDS + SLOT_PID) === page.pid;
  }

  // A traced process's call goes into the trace ring before it is answered, so the
  // kernel sees it before the process's next syscall. A full ring drops it.
  private report(page: Page, result: number, us: number): void {
    const t = this.trace!;
    const head = Atomics.load(t.traceIndex, RING_HEAD);
    if (((head - Atomics.load(t.traceIndex, RING_TAIL)) | 0) >= DIRECT_TRACE_EVENTS) return;
    const op = Atomics.load(page.ctl, DIRECT_OP);
    const moved = op === DirectOp.READ || op === DirectOp.WRITE || op === DirectOp.PREAD || op === DirectOp.PWRITE || op === DirectOp.SEND || op === DirectOp.RECV;
    const i = (head >>> 0) % DIRECT_TRACE_EVENTS;
    // A path call's path, copied now: the process's memory is its own again once answered.
    let pathLen = 0;
    if (PATH_CALLS.has(op)) {
      const ptr = page.regs[0]!, len = page.regs[1]!;
      if (Number.isInteger(ptr) && Number.isInteger(len) && ptr >= 0 && len >= 0 && ptr + len <= page.memory.length) {
        pathLen = len;
        t.tracePaths.set(page.memory.subarray(ptr, ptr + Math.min(len, DIRECT_TRACE_PATH)), i * DIRECT_TRACE_PATH);
      }
    }
    t.traceEvents.set([page.pid, op, ...page.regs.subarray(0, 5), result, moved && result > 0 ? result : 0, us, pathLen], i * DIRECT_TRACE_WORDS);
    Atomics.store(t.traceIndex, RING_HEAD, (head + 1) | 0);
  }

  /** The file cell the descriptor in `page`'s request names, if the kernel granted it to this process. */
  private cell(page: Page, fd: number): number {
    const slots = this.slots, files = this.files;
    if (slots === undefined || files === undefined || !Number.isInteger(fd) || fd < 0 || fd >= DIRECT_FDS) return -1;
    const base = page.slot * DIRECT_SLOT_WORDS;
    // The slot must still be this process's: a page left over from a process that is gone serves nothing.
    if (Atomics.load(slots, base + SLOT_PID) !== page.pid) return -1;
    const file = Atomics.load(slots, base + SLOT_FD0 + fd) - 1;
    const live = file < 0 || (file + 1) * DIRECT_FILE_WORDS > files.length ? 0 : files[file * DIRECT_FILE_WORDS + FILE_LIVE];
    if (live !== 1 && live !== FILE_SOLE) return -1;
    return file * DIRECT_FILE_WORDS;
  }

  // close: only of a descriptor that is the only one of its file (FILE_SOLE), and only
  // if the row still names it when the entry is taken away (compare-and-exchange: the
  // kernel may have revoked it meanwhile). The handle is closed, then the descriptor
  // goes on the descriptor ring, before the answer: the process's next trap finds the
  // kernel's table without it. A close vfs refuses with an errno still frees the
  // descriptor, as in Unix.
  private async serveClose(page: Page, fd: number): Promise<number> {
    const slots = this.slots!, files = this.files!;
    const at = this.cell(page, fd);
    if (at < 0 || files[at + FILE_LIVE] !== FILE_SOLE || this.ringFull()) return DIRECT_REFUSED;
    const entry = page.slot * DIRECT_SLOT_WORDS + SLOT_FD0 + fd;
    const file = at / DIRECT_FILE_WORDS;
    if (Atomics.compareExchange(slots, entry, file + 1, 0) !== file + 1) return DIRECT_REFUSED;
    page.hints[fd] = 0;
    const handle = files[at + FILE_HANDLE]!;
    let result = 0;
    try {
      checked<void>('close', await (this.instance() as unknown as FileCalls).close(handle), [handle]);
    } catch (e) {
      if (!isKernelError(e)) throw e;
      result = -e.errno;
    }
    this.post(FdEvent.CLOSED, page.pid, fd, file, handle);
    return result;
  }

  // open of a path (open, or openat from the cwd), as the process the row says: vfs
  // opens it, then the server takes the lowest descriptor the row's bitmap has free
  // and, for a regular file, a spare file slot it fills (handle, flags, offset 0) and
  // names in the row, so the process's next write is served here too. The descriptor
  // goes on the ring before the answer; the kernel installs it. Anything the kernel
  // would do differently is refused before vfs is asked: bad flags, a directory
  // descriptor the row does not name, no free descriptor below DIRECT_FDS, a full ring, a
  // path longer than the ring keeps. O_DIRECTORY is vfs's to check (ENOTDIR), as on the
  // kernel's path; the directory it opens is installed as any other. openat from a
  // directory descriptor (WASI's path_open, with RESOLVE_BENEATH) starts from the
  // directory's handle in the row, the base the kernel's pathBase makes.
  private async serveOpen(page: Page, op: number): Promise<number> {
    const req = this.pathRequest(page);
    if (req === undefined) return DIRECT_REFUSED;
    const r = page.regs, flags = r[2]!, mode = r[3]!;
    if (!Number.isInteger(flags) || !Number.isInteger(mode) || (flags & O.ACCMODE) === 3) return DIRECT_REFUSED;
    if (req.bytes.length === 0 || req.bytes.length > DIRECT_FD_EVENT_PATH || this.ringFull() || this.freeFd(req.row) < 0) return DIRECT_REFUSED;
    const base = this.openBase(req, op === DirectOp.OPENAT ? r[4]! : AT.FDCWD, (flags & O.RESOLVE_BENEATH) !== 0);
    if (base === undefined) return DIRECT_REFUSED;
    const slots = this.slots!, files = this.files!;
    const umask = Atomics.load(slots, req.row + SLOT_UMASK);
    const args = [base, req.path, flags, mode & 0o7777 & ~umask, req.cred] as const;
    const vfs = this.instance() as unknown as FileCalls;
    const opened = checked<VfsOpenResult>('open', await vfs.open(...args), args);
    // Taken now, after vfs answered: the process waits, so nothing else of its table moved
    // — unless it died meanwhile (its row is cleared or another's), which the pid check sees.
    const fd = this.freeFd(req.row);
    if (fd < 0 || Atomics.load(slots, req.row + SLOT_PID) !== page.pid) {
      await vfs.close(opened.handle).catch(() => {});
      return DIRECT_REFUSED;
    }
    const word = req.row + SLOT_FDS_OPEN + (fd >>> 5);
    Atomics.or(slots, word, 1 << (fd & 31));
    let slot = -1;
    if (opened.kind === 'file') slot = this.takeSpare();
    if (slot >= 0) {
      const at = slot * DIRECT_FILE_WORDS;
      files[at + FILE_HANDLE] = opened.handle;
      files[at + FILE_FLAGS] = openFileFlags(flags);
      files[at + FILE_OFFSET] = 0;
      files[at + FILE_LIVE] = FILE_SOLE;
      Atomics.store(slots, req.row + SLOT_FD0 + fd, slot + 1);
      page.hints[fd] = HINT_FILE;
    }
    const kind = opened.kind === 'file' ? FdEvent.OPENED_FILE : opened.kind === 'dir' ? FdEvent.OPENED_DIR : FdEvent.OPENED_DEV;
    // A directory reached through a symlink is named by its canonical path, as the kernel's own open names it.
    const named = opened.kind === 'dir' && typeof opened.path === 'string' ? pathEncoder.encode(opened.path) : req.bytes;
    this.post(kind, page.pid, fd, slot, opened.handle, flags, opened.rdev, opened.mode, named.length <= DIRECT_FD_EVENT_PATH ? named : req.bytes);
    // The row went to another process while this was written: take the grant back (the kernel closes the file).
    if (Atomics.load(slots, req.row + SLOT_PID) !== page.pid && slot >= 0) Atomics.compareExchange(slots, req.row + SLOT_FD0 + fd, slot + 1, 0);
    return fd;
  }

  /**
   * Where an open's path starts, as the kernel's pathBase decides it: `/` for an absolute
   * path (unless beneath), else the cwd or the directory descriptor `dirfd` names in the
   * row (undefined: the row names none, so the kernel answers — EBADF, ENOTDIR, EIO).
   */
  private openBase(req: { row: number; base: PathBase | undefined; path: string }, dirfd: number, beneath: boolean): PathBase | undefined {
    if (dirfd === AT.FDCWD) {
      if (!beneath) return req.base;
      const cwd = Atomics.load(this.slots!, req.row + SLOT_CWD) - 1;
      return cwd < 0 ? undefined : { dir: cwd, beneath: true };
    }
    if (!Number.isInteger(dirfd) || dirfd < 0 || dirfd >= DIRECT_FDS) return undefined;
    if (req.path.startsWith('/') && !beneath) return '/';
    const dir = Atomics.load(this.slots!, req.row + SLOT_DIR0 + dirfd) - 1;
    if (dir < 0) return undefined;
    return beneath ? { dir, beneath: true } : { dir };
  }

  /** The lowest descriptor free in the row's bitmap, below its limit; -1 if none. */
  private freeFd(row: number): number {
    const slots = this.slots!;
    const limit = Math.min(Atomics.load(slots, row + SLOT_FD_LIMIT), DIRECT_FDS);
    for (let fd = 0; fd < limit; fd++) if ((Atomics.load(slots, row + SLOT_FDS_OPEN + (fd >>> 5)) & (1 << (fd & 31))) === 0) return fd;
    return -1;
  }

  /** A file slot the kernel set aside, or -1. */
  private takeSpare(): number {
    const spare = this.trace!.spareCells;
    for (let i = 0; i < DIRECT_SPARE_CELLS; i++) {
      const v = Atomics.load(spare, i);
      if (v !== 0 && Atomics.compareExchange(spare, i, v, 0) === v) return v - 1;
    }
    return -1;
  }

  private ringFull(): boolean {
    const t = this.trace!;
    return ((Atomics.load(t.fdIndex, RING_HEAD) - Atomics.load(t.fdIndex, RING_TAIL)) | 0) >= DIRECT_FD_EVENTS;
  }

  // Only this thread writes the head; the caller checked for room before it acted.
  private post(kind: number, pid: number, fd: number, slot: number, handle: number, flags = 0, rdev = 0, mode = 0, path: Uint8Array = new Uint8Array(0)): void {
    const t = this.trace!;
    const head = Atomics.load(t.fdIndex, RING_HEAD);
    const i = (head >>> 0) % DIRECT_FD_EVENTS;
    const e = t.fdEvents.subarray(i * DIRECT_FD_EVENT_WORDS, (i + 1) * DIRECT_FD_EVENT_WORDS);
    e[EV_KIND] = kind; e[EV_PID] = pid; e[EV_FD] = fd; e[EV_SLOT] = slot; e[EV_HANDLE] = handle;
    e[EV_FLAGS] = flags; e[EV_RDEV] = rdev; e[EV_MODE] = mode; e[EV_PATH_BYTES] = path.length; e[EV_GEN] = this.generation;
    t.fdPaths.set(path, i * DIRECT_FD_EVENT_PATH);
    Atomics.store(t.fdIndex, RING_HEAD, (head + 1) | 0);
  }

  private window(page: Page, ptr: number, length: number, writable: boolean): WindowGrant | undefined {
    if (!Number.isInteger(ptr) || !Number.isInteger(length) || ptr < 0 || length < 0 || ptr + length > page.memory.length) return undefined;
    return new WindowGrant(page.memory, { grant: page.memoryId, offset: ptr, length, writable });
  }

  // pm: the pid calls, for the pid the kernel said this page is (the process names no pid of its own but a target).
  private async servePid(page: Page, op: number): Promise<number> {
    const pm = this.instance() as unknown as PidCalls;
    const target = page.regs[0]!;
    switch (op) {
      case DirectOp.GETPID: return checkedBy<number>('pm', 'getpid', await pm.getpid(page.pid), [page.pid]);
      case DirectOp.GETPPID: return checkedBy<number>('pm', 'getppid', await pm.getppid(page.pid), [page.pid]);
      case DirectOp.GETPGID: case DirectOp.GETSID: {
        // Bad arguments are the kernel's to refuse (EINVAL), as on its own path.
        if (!Number.isInteger(target) || target < 0) return DIRECT_REFUSED;
        const method = op === DirectOp.GETPGID ? 'getpgid' : 'getsid';
        return checkedBy<number>('pm', method, await pm[method](page.pid, target), [page.pid, target]);
      }
      default: return DIRECT_REFUSED;
    }
  }

  // The path of a path call (registers 0 and 1) and whom it is for, from the row's path
  // grant; undefined when the grant does not cover it (refused: the kernel does it).
  private pathRequest(page: Page): { row: number; base: PathBase | undefined; path: string; bytes: Uint8Array; cred: FsCred } | undefined {
    const slots = this.slots;
    if (slots === undefined) return undefined;
    const row = page.slot * DIRECT_SLOT_WORDS;
    if (Atomics.load(slots, row + SLOT_PID) !== page.pid || Atomics.load(slots, row + SLOT_PATH_OK) !== 1) return undefined;
    const r = page.regs;
    const ptr = r[0]!, len = r[1]!;
    if (!Number.isInteger(ptr) || !Number.isInteger(len) || ptr < 0 || len < 0 || len > DIRECT_PATH_MAX || ptr + len > page.memory.length) return undefined;
    const bytes = page.memory.slice(ptr, ptr + len);
    let path: string;
    try { path = pathDecoder.decode(bytes); } catch { return undefined; }
    // A relative path from a cwd the row does not name (not opened yet, or of an older
    // instance) has no base here: the calls that start from the cwd refuse it.
    const cwd = Atomics.load(slots, row + SLOT_CWD) - 1;
    const base: PathBase | undefined = path.startsWith('/') ? '/' : cwd < 0 ? undefined : { dir: cwd };
    const groups: number[] = [];
    const n = Atomics.load(slots, row + SLOT_NGROUPS);
    for (let i = 0; i < n; i++) groups.push(Atomics.load(slots, row + SLOT_GROUP0 + i));
    const cred: FsCred = { uid: Atomics.load(slots, row + SLOT_UID), gid: Atomics.load(slots, row + SLOT_GID), groups, pid: page.pid };
    // The grant may have been withdrawn while the ids were read (a trace attached): look again.
    if (Atomics.load(slots, row + SLOT_PATH_OK) !== 1) return undefined;
    return { row, base, path, bytes, cred };
  }

  // vfs: stat, lstat, unlink of a path, and fstatat and unlinkat (with AT_REMOVEDIR,
  // rmdir) from the cwd or a directory descriptor, as the process the row says.
  // Anything the grant does not cover — a traced process, a cwd of a dead instance for
  // a relative path, a directory descriptor the row does not name, flags the kernel
  // refuses, a path it would refuse before asking vfs (off user memory, too long, not
  // UTF-8) — is refused, and the kernel does it with its checks.
  private async servePath(page: Page, op: number): Promise<number> {
    const req = this.pathRequest(page);
    if (req === undefined) return DIRECT_REFUSED;
    const { path, cred } = req;
    const r = page.regs;
    const at = op === DirectOp.FSTATAT || op === DirectOp.UNLINKAT;
    const flags = op === DirectOp.FSTATAT ? r[3]! : op === DirectOp.UNLINKAT ? r[2]! : 0;
    const allowed = op === DirectOp.FSTATAT ? AT.SYMLINK_NOFOLLOW | AT.RESOLVE_BENEATH : AT.REMOVEDIR | AT.RESOLVE_BENEATH;
    if (at && (!Number.isInteger(flags) || (flags & ~allowed) !== 0)) return DIRECT_REFUSED;
    const base = at ? this.openBase(req, r[4]!, (flags & AT.RESOLVE_BENEATH) !== 0) : req.base;
    if (base === undefined) return DIRECT_REFUSED;
    const vfs = this.instance() as unknown as FileCalls;
    if (op === DirectOp.UNLINK || op === DirectOp.UNLINKAT) {
      if ((flags & AT.REMOVEDIR) !== 0) checked<void>('rmdir', await vfs.rmdir(base, path, cred), [base, path, cred]);
      else checked<void>('unlink', await vfs.unlink(base, path, cred), [base, path, cred]);
      return 0;
    }
    const out = r[2]!;
    if (!Number.isInteger(out) || out < 0 || out + STAT_FIELDS.length * 8 > page.memory.length) return DIRECT_REFUSED;
    const follow = op === DirectOp.STAT || (op === DirectOp.FSTATAT && (flags & AT.SYMLINK_NOFOLLOW) === 0);
    const st = checked<Stat>('stat', await vfs.stat(base, path, follow, cred), [base, path, follow, cred]);
    STAT_FIELDS.forEach((f, i) => page.view.setFloat64(out + i * 8, st[f], true));
    return 0;
  }

  // net: read, write, send and recv of a stream socket the row grants (the cell holds
  // net's socket number and the open file's flags). The registers name a descriptor, a
  // window of the process's memory and MSG flags; the socket layer serves the call only
  // if it would not wait (directSend, directRecv), copying once between the window and
  // the socket's buffer. Flags other than MSG_DONTWAIT and MSG_NOSIGNAL (send) or
  // MSG_DONTWAIT (recv) — MSG_PEEK, MSG_WAITALL, unknown bits — are the kernel's.
  private serveSocket(page: Page, op: number): number {
    if (op !== DirectOp.READ && op !== DirectOp.WRITE && op !== DirectOp.SEND && op !== DirectOp.RECV) return DIRECT_REFUSED;
    const r = page.regs;
    const at = this.cell(page, r[0]!);
    if (at < 0) return DIRECT_REFUSED;
    const files = this.files!;
    const id = files[at + FILE_HANDLE]!;
    const sending = op === DirectOp.WRITE || op === DirectOp.SEND;
    const flags = op === DirectOp.SEND || op === DirectOp.RECV ? r[3]! : 0;
    const known = sending ? MSG.DONTWAIT | MSG.NOSIGNAL : MSG.DONTWAIT;
    if (!Number.isInteger(flags) || (flags & ~known) !== 0) return DIRECT_REFUSED;
    const length = r[2]!;
    // A window outside the process's memory (NaN, negative, past its end) is the kernel's to refuse (EFAULT).
    const g = this.window(page, r[1]!, length, !sending);
    if (g === undefined) return DIRECT_REFUSED;
    const nonBlocking = (files[at + FILE_FLAGS]! & O.NONBLOCK) !== 0 || (flags & MSG.DONTWAIT) !== 0;
    const net = this.instance() as unknown as NetDirect;
    try {
      const result = sending ? net.directSend(id, g, nonBlocking) : net.directRecv(id, g, nonBlocking);
      if (result === undefined) return DIRECT_REFUSED;
      // A count within the window, or an errno (as every reply is checked: anything else is EIO).
      if (!Number.isInteger(result) || result > length || (result < 0 && !isErrnoResult(result))) return -Errno.EIO;
      return result;
    } finally { g.revoke(); }
  }

  private async serve(page: Page): Promise<number> {
    const op = Atomics.load(page.ctl, DIRECT_OP);
    if (op >= DirectOp.GETPID && op <= DirectOp.GETSID) return this.name === 'pm' ? this.servePid(page, op) : DIRECT_REFUSED;
    if (this.name === 'net') return this.serveSocket(page, op);
    if (this.name !== 'vfs') return DIRECT_REFUSED;
    if (op === DirectOp.STAT || op === DirectOp.LSTAT || op === DirectOp.UNLINK || op === DirectOp.FSTATAT || op === DirectOp.UNLINKAT) return this.servePath(page, op);
    if (op === DirectOp.OPEN || op === DirectOp.OPENAT) return this.serveOpen(page, op);
    const r = page.regs;
    if (op === DirectOp.CLOSE) return this.serveClose(page, r[0]!);
    const at = this.cell(page, r[0]!);
    if (at < 0) return DIRECT_REFUSED;
    const files = this.files!;
    const handle = files[at + FILE_HANDLE]!;
    const flags = files[at + FILE_FLAGS]!;
    const readable = (flags & O.ACCMODE) !== O.WRONLY, writable = (flags & O.ACCMODE) !== O.RDONLY;
    const vfs = this.instance() as unknown as FileCalls;
    switch (op) {
      case DirectOp.READ: case DirectOp.PREAD: {
        if (!readable) return DIRECT_REFUSED;
        const positioned = op === DirectOp.PREAD;
        const offset = positioned ? r[3]! : files[at + FILE_OFFSET]!;
        if (!Number.isSafeInteger(offset) || offset < 0) return DIRECT_REFUSED;
        const g = this.window(page, r[1]!, r[2]!, true);
        if (g === undefined) return DIRECT_REFUSED;
        try {
          const n = checked<number>('readInto', await vfs.readInto(handle, offset, g), [handle, offset, g]);
          if (!positioned) files[at + FILE_OFFSET] = offset + n;
          return n;
        } finally { g.revoke(); }
      }
      case DirectOp.WRITE: case DirectOp.PWRITE: {
        if (!writable) return DIRECT_REFUSED;
        const positioned = op === DirectOp.PWRITE;
        const append = !positioned && (flags & O.APPEND) !== 0;
        const offset = positioned ? r[3]! : append ? -1 : files[at + FILE_OFFSET]!;
        if (!Number.isSafeInteger(offset) || (offset < 0 && !append)) return DIRECT_REFUSED;
        const g = this.window(page, r[1]!, r[2]!, false);
        if (g === undefined) return DIRECT_REFUSED;
        try {
          const w = checked<{ written: number; end: number }>('writeFrom', await vfs.writeFrom(handle, offset, g), [handle, offset, g]);
          if (!positioned) files[at + FILE_OFFSET] = append ? w.end : offset + w.written;
          return w.written;
        } finally { g.revoke(); }
      }
      case DirectOp.FSTAT: {
        const ptr = r[1]!;
        if (!Number.isInteger(ptr) || ptr < 0 || ptr + STAT_FIELDS.length * 8 > page.memory.length) return DIRECT_REFUSED;
        const st = checked<Stat>('fstat', await vfs.fstat(handle), [handle]);
        STAT_FIELDS.forEach((f, i) => page.view.setFloat64(ptr + i * 8, st[f], true));
        return 0;
      }
      case DirectOp.FSYNC: case DirectOp.FDATASYNC: {
        const dataOnly = op === DirectOp.FDATASYNC;
        checked<void>('fsync', await vfs.fsync(handle, dataOnly), [handle, dataOnly]);
        return 0;
      }
      case DirectOp.LSEEK: {
        const offset = r[3]!, whence = r[4]!;
        if (!Number.isSafeInteger(offset)) return DIRECT_REFUSED;
        let base: number;
        if (whence === SEEK.SET) base = 0;
        else if (whence === SEEK.CUR) base = files[at + FILE_OFFSET]!;
        else if (whence === SEEK.END) base = checked<Stat>('fstat', await vfs.fstat(handle), [handle]).size;
        else return DIRECT_REFUSED;
        const to = base + offset;
        // Errors (a negative or too large offset, a malformed size) are the kernel's to tell.
        if (!Number.isSafeInteger(base) || base < 0 || to < 0 || to > OFF_MAX) return DIRECT_REFUSED;
        files[at + FILE_OFFSET] = to;
        return to;
      }
      default: return DIRECT_REFUSED;
    }
  }
}
