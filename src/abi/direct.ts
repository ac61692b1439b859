// The direct path: a process calls the server that holds its files (vfs, in the user
// domain under shm) without the kernel thread in between. Two memories, both made by
// the kernel:
//
// The direct page, one per process, shared by the process and the server only:
//   Int32  [0] state     IDLE -> REQUEST (process) -> DONE (server, or the kernel when
//                        the server died) -> IDLE (process)
//   Int32  [1] op        DirectOp
//   Int32  [2]           reserved
//   Int32  [3] waiting   1 while the process sleeps for the answer (notified only then)
//   Float64 at byte 16:  [0] fd [1] ptr [2] length [3] offset or whence [4] offset (lseek) [5] result
//   Uint8  at byte 64:   one hint per descriptor below DIRECT_FDS, written by the kernel:
//                        1 = its file calls are worth trying directly, 2 = a directory
//                        openat from it is. Only a hint: the server decides from the
//                        table below, which the process cannot reach.
//                        (open and openat: [0] path [1] length [2] flags [3] mode,
//                        fstatat: [0] path [1] length [2] stat buffer [3] flags,
//                        unlinkat: [0] path [1] length [2] flags; the *at calls'
//                        [4] is the directory descriptor or AT_FDCWD)
//   Uint8  at byte 128:  the path hint: 1 = stat, lstat and unlink are worth trying
//                        directly (the kernel keeps it equal to the row's path grant).
//
// The direct table, one per boot, shared by the kernel and the server only (the
// process never sees it): the kernel's grant of each process's descriptors.
//   Int32 process slots, DIRECT_SLOT_WORDS each: [0] pid (0: free), [1] traced (1: the
//                        server reports each call in the trace ring), [2 + fd] file
//                        slot + 1 (0: this descriptor is not served directly), then the
//                        path grant: [SLOT_PATH_OK] 1 = path calls may be served,
//                        [SLOT_CWD] the cwd's vfs handle + 1 (0: relative paths go to
//                        the kernel), [SLOT_UID] [SLOT_GID] the filesystem ids,
//                        [SLOT_NGROUPS] and DIRECT_GROUPS supplementary groups — the
//                        credentials vfs checks permissions with, [SLOT_UMASK] the
//                        umask, [SLOT_FD_LIMIT] descriptors an open may take (below
//                        min(RLIMIT_NOFILE, DIRECT_FDS)) — written by the kernel at
//                        spawn and again after any syscall that changed them — and
//                        [SLOT_FDS_OPEN] two words: a bit per descriptor below
//                        DIRECT_FDS that names anything (kept by the kernel; the
//                        server sets one as it opens), and [SLOT_DIR0 + fd] the vfs
//                        handle + 1 of a directory the descriptor names (0: none, or
//                        one of an older vfs instance): openat's base
//   Float64 file slots after them, 4 each: [0] live: 1, or 2 when exactly one
//                        descriptor in one process names the open file (the kernel
//                        keeps it equal to the file's reference count; only then may
//                        the server close it) [1] vfs handle [2] open flags
//                        [3] the file offset — shared by every descriptor of the open
//                        file, in any process; the kernel reads and writes it there too
//   the trace ring:      Int32 [0] head (events written, by the server) [1] tail (read,
//                        by the kernel), then DIRECT_TRACE_EVENTS events of
//                        DIRECT_TRACE_WORDS Float64: pid, op, the five request
//                        registers, result, bytes, µs, the path's length (path
//                        calls), and DIRECT_TRACE_PATH bytes of the path per event
//                        (at the end of the table)
//                        (a full ring drops the event: tracing never blocks a call)
//   the descriptor ring: Int32 [0] head (by the server) [1] tail (by the kernel), then
//                        DIRECT_FD_EVENTS events of DIRECT_FD_EVENT_WORDS Float64 —
//                        [0] kind (FdEvent) [1] pid [2] fd [3] file slot (-1: none)
//                        [4] vfs handle [5] open flags [6] rdev [7] mode [8] path
//                        bytes [9] the vfs generation the server was told — and, per event, DIRECT_FD_EVENT_PATH bytes of path:
//                        the descriptors the server closed or opened. The server posts
//                        the event before it answers; the kernel drains the ring
//                        before it serves any trap (and at every turn of its loop), so
//                        a process's next syscall finds the kernel's table as the call
//                        left it. A full ring refuses the call (the kernel path does
//                        it). A close: the server clears the row's entry, closes the
//                        handle, and the kernel drops the descriptor without asking vfs
//                        again. An open: the server takes the lowest descriptor free in
//                        the row's bitmap (below its limit), fills a spare file slot
//                        and the entry for a regular file, and the kernel installs the
//                        open file at that descriptor (one of a process that is gone is
//                        closed).
//   spare file slots:    Int32 DIRECT_SPARE_CELLS words, each a free file slot + 1 the
//                        kernel set aside for the server's opens (0: taken; refilled
//                        as the kernel drains the ring)
//
// A result of DIRECT_REFUSED means "not served here, ask the kernel": the process then
// traps as it always did, and the kernel answers with all its checks (EBADF, EFAULT,
// EIO for a file of a restarted vfs, ...).

export const DirectState = { IDLE: 0, REQUEST: 1, DONE: 2 } as const;
export const DirectOp = {
  READ: 1, WRITE: 2, PREAD: 3, PWRITE: 4, FSTAT: 5, LSEEK: 6, CLOSE: 11, OPEN: 12, OPENAT: 13, FSYNC: 14, FDATASYNC: 15,
  GETPID: 7, GETPPID: 8, GETPGID: 9, GETSID: 10, STAT: 20, LSTAT: 21, UNLINK: 22, FSTATAT: 23, UNLINKAT: 24,
  SEND: 30, RECV: 31,
} as const;

export const DIRECT_STATE = 0;
export const DIRECT_OP = 1;
export const DIRECT_WAITING = 3;
export const DIRECT_REGS_OFFSET = 16;
export const DIRECT_REGS = 6;
export const DIRECT_RESULT = 5;
export const DIRECT_HINTS_OFFSET = 64;
/** Descriptors at or above this always take the kernel path. */
export const DIRECT_FDS = 64;
/** The path hint's byte (stat, lstat, unlink). */
export const DIRECT_PATH_HINT = DIRECT_HINTS_OFFSET + DIRECT_FDS;
export const DIRECT_PAGE_BYTES = DIRECT_PATH_HINT + 8;
/** Supplementary groups a path grant carries; a process with more uses the kernel path. */
export const DIRECT_GROUPS = 16;
/** The longest path served directly (the kernel's own limit). */
export const DIRECT_PATH_MAX = 4096;
/** Not a result any call returns: the server did not serve it (the process traps instead). */
export const DIRECT_REFUSED = -0x7fff_0000;

export const SLOT_PID = 0, SLOT_TRACED = 1, SLOT_FD0 = 2;
export const SLOT_PATH_OK = SLOT_FD0 + DIRECT_FDS, SLOT_CWD = SLOT_PATH_OK + 1, SLOT_UID = SLOT_PATH_OK + 2, SLOT_GID = SLOT_PATH_OK + 3, SLOT_NGROUPS = SLOT_PATH_OK + 4, SLOT_GROUP0 = SLOT_PATH_OK + 5;
export const SLOT_UMASK = SLOT_GROUP0 + DIRECT_GROUPS, SLOT_FD_LIMIT = SLOT_UMASK + 1, SLOT_FDS_OPEN = SLOT_UMASK + 2;
export const SLOT_DIR0 = SLOT_FDS_OPEN + DIRECT_FDS / 32;
export const DIRECT_SLOT_WORDS = SLOT_DIR0 + DIRECT_FDS;
/** The page's hint for a descriptor: its file calls, or openat from the directory it names. */
export const HINT_FILE = 1, HINT_DIR = 2;
export const DIRECT_FILE_WORDS = 4;
export const FILE_LIVE = 0, FILE_HANDLE = 1, FILE_FLAGS = 2, FILE_OFFSET = 3;
/** FILE_LIVE of a file one descriptor names: the server may close it. */
export const FILE_SOLE = 2;
export const DIRECT_TRACE_EVENTS = 256;
export const DIRECT_TRACE_WORDS = 11;
/** Bytes of a traced path call's path the trace keeps (longer ones are cut). */
export const DIRECT_TRACE_PATH = 256;
/** The index words of the trace and descriptor rings: the writer advances RING_HEAD, the kernel RING_TAIL. */
export const RING_HEAD = 0, RING_TAIL = 1;
export const DIRECT_FD_EVENTS = 256;
export const DIRECT_FD_EVENT_WORDS = 10;
/** The longest path an open on the direct path takes (longer ones trap). */
export const DIRECT_FD_EVENT_PATH = 256;
export const FdEvent = { CLOSED: 1, OPENED_FILE: 2, OPENED_DIR: 3, OPENED_DEV: 4 } as const;
export const EV_KIND = 0, EV_PID = 1, EV_FD = 2, EV_SLOT = 3, EV_HANDLE = 4, EV_FLAGS = 5, EV_RDEV = 6, EV_MODE = 7, EV_PATH_BYTES = 8, EV_GEN = 9;
export const DIRECT_SPARE_CELLS = 8;

/** Bytes of a direct table for `processes` process slots and `files` file slots. */
export function directTableBytes(processes: number, files: number): number {
  const procBytes = Math.ceil((processes * DIRECT_SLOT_WORDS * 4) / 8) * 8;
  return procBytes + files * DIRECT_FILE_WORDS * 8 + 8 + DIRECT_TRACE_EVENTS * DIRECT_TRACE_WORDS * 8
    + 8 + DIRECT_FD_EVENTS * (DIRECT_FD_EVENT_WORDS * 8 + DIRECT_FD_EVENT_PATH) + DIRECT_SPARE_CELLS * 4 + DIRECT_TRACE_EVENTS * DIRECT_TRACE_PATH;
}

export interface DirectTableViews { slots: Int32Array; files: Float64Array; traceIndex: Int32Array; traceEvents: Float64Array; fdIndex: Int32Array; fdEvents: Float64Array; fdPaths: Uint8Array; spareCells: Int32Array; tracePaths: Uint8Array }

/** The views of a direct table. */
export function directTableViews(memory: SharedArrayBuffer, processes: number, files: number): DirectTableViews {
  const procBytes = Math.ceil((processes * DIRECT_SLOT_WORDS * 4) / 8) * 8;
  const traceAt = procBytes + files * DIRECT_FILE_WORDS * 8;
  const fdAt = traceAt + 8 + DIRECT_TRACE_EVENTS * DIRECT_TRACE_WORDS * 8;
  const pathsAt = fdAt + 8 + DIRECT_FD_EVENTS * DIRECT_FD_EVENT_WORDS * 8;
  const spareAt = pathsAt + DIRECT_FD_EVENTS * DIRECT_FD_EVENT_PATH;
  return {
    slots: new Int32Array(memory, 0, processes * DIRECT_SLOT_WORDS),
    files: new Float64Array(memory, procBytes, files * DIRECT_FILE_WORDS),
    traceIndex: new Int32Array(memory, traceAt, 2),
    traceEvents: new Float64Array(memory, traceAt + 8, DIRECT_TRACE_EVENTS * DIRECT_TRACE_WORDS),
    fdIndex: new Int32Array(memory, fdAt, 2),
    fdEvents: new Float64Array(memory, fdAt + 8, DIRECT_FD_EVENTS * DIRECT_FD_EVENT_WORDS),
    fdPaths: new Uint8Array(memory, pathsAt, DIRECT_FD_EVENTS * DIRECT_FD_EVENT_PATH),
    spareCells: new Int32Array(memory, spareAt, DIRECT_SPARE_CELLS),
    tracePaths: new Uint8Array(memory, spareAt + DIRECT_SPARE_CELLS * 4, DIRECT_TRACE_EVENTS * DIRECT_TRACE_PATH),
  };
}

/** What a process thread is told of its direct page (ProcessStart.direct). */
export interface DirectStart {
  page: SharedArrayBuffer;
  /** The doorbell word of the server's thread. */
  serverBell: SharedArrayBuffer;
  /**
   * A second page, to pm's server (when pm runs in the user domain): getpid, getppid,
   * getpgid and getsid, answered for the pid the kernel told pm this page is. Its hint
   * 0 says whether to use it (the kernel clears it while the process is traced).
   */
  pm?: { page: SharedArrayBuffer; serverBell: SharedArrayBuffer } | undefined;
}

// The page to net's server (ProcessStart.net, kernel/proc/direct-net.ts): the same page
// layout, serving read, write, send (sendto without an address) and recv (recvfrom
// without one) of stream sockets — registers [0] fd [1] ptr [2] length [3] MSG flags —
// when the call would not block. Its hint per descriptor (HINT_FILE) says "a socket the
// kernel granted". Its table is a direct table of its own, shared by the kernel and
// net's server only: a row per process ([SLOT_PID], [SLOT_TRACED], [SLOT_FD0 + fd] the
// socket cell + 1), and cells of DIRECT_FILE_WORDS: [FILE_LIVE] 1 or FILE_SOLE,
// [FILE_HANDLE] net's socket number, [FILE_FLAGS] the open file's flags (O_NONBLOCK);
// its trace ring as vfs's. The rest of the layout (path grants, the descriptor ring) is
// unused there. The kernel grants stream sockets only, of the net instance running now.
