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
//                        1 = worth trying directly. Only a hint: the server decides
//                        from the table below, which the process cannot reach.
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
//                        credentials vfs checks permissions with, written by the
//                        kernel at spawn and again after any syscall that changed them
//   Float64 file slots after them, 4 each: [0] live: 1, or 2 when exactly one
//                        descriptor in one process names the open file (the kernel
//                        keeps it equal to the file's reference count; only then may
//                        the server close it) [1] vfs handle [2] open flags
//                        [3] the file offset — shared by every descriptor of the open
//                        file, in any process; the kernel reads and writes it there too
//   the trace ring:      Int32 [0] head (events written, by the server) [1] tail (read,
//                        by the kernel), then DIRECT_TRACE_EVENTS events of
//                        DIRECT_TRACE_WORDS Float64: pid, op, the five request
//                        registers, result, bytes, µs
//                        (a full ring drops the event: tracing never blocks a call)
//   the close ring:      Int32 [0] head (by the server) [1] tail (by the kernel), then
//                        DIRECT_CLOSE_EVENTS events of DIRECT_CLOSE_WORDS Float64: pid,
//                        fd, file slot, vfs handle — a descriptor the server closed.
//                        The server clears the row's entry before it closes and posts
//                        the event before it answers; the kernel drains the ring before
//                        it serves any trap (and at every turn of its loop), removing
//                        the descriptor from its table without asking vfs again. A
//                        full ring refuses the close (the kernel path does it).
//
// A result of DIRECT_REFUSED means "not served here, ask the kernel": the process then
// traps as it always did, and the kernel answers with all its checks (EBADF, EFAULT,
// EIO for a file of a restarted vfs, ...).

export const DirectState = { IDLE: 0, REQUEST: 1, DONE: 2 } as const;
export const DirectOp = { READ: 1, WRITE: 2, PREAD: 3, PWRITE: 4, FSTAT: 5, LSEEK: 6, CLOSE: 11, GETPID: 7, GETPPID: 8, GETPGID: 9, GETSID: 10, STAT: 20, LSTAT: 21, UNLINK: 22 } as const;

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
export const DIRECT_SLOT_WORDS = SLOT_GROUP0 + DIRECT_GROUPS;
export const DIRECT_FILE_WORDS = 4;
export const FILE_LIVE = 0, FILE_HANDLE = 1, FILE_FLAGS = 2, FILE_OFFSET = 3;
/** FILE_LIVE of a file one descriptor names: the server may close it. */
export const FILE_SOLE = 2;
export const DIRECT_TRACE_EVENTS = 256;
export const DIRECT_TRACE_WORDS = 10;
export const TRACE_HEAD = 0, TRACE_TAIL = 1;
export const DIRECT_CLOSE_EVENTS = 256;
export const DIRECT_CLOSE_WORDS = 4;

/** Bytes of a direct table for `processes` process slots and `files` file slots. */
export function directTableBytes(processes: number, files: number): number {
  const procBytes = Math.ceil((processes * DIRECT_SLOT_WORDS * 4) / 8) * 8;
  return procBytes + files * DIRECT_FILE_WORDS * 8 + 8 + DIRECT_TRACE_EVENTS * DIRECT_TRACE_WORDS * 8 + 8 + DIRECT_CLOSE_EVENTS * DIRECT_CLOSE_WORDS * 8;
}

export interface DirectTableViews { slots: Int32Array; files: Float64Array; traceIndex: Int32Array; traceEvents: Float64Array; closeIndex: Int32Array; closeEvents: Float64Array }

/** The views of a direct table. */
export function directTableViews(memory: SharedArrayBuffer, processes: number, files: number): DirectTableViews {
  const procBytes = Math.ceil((processes * DIRECT_SLOT_WORDS * 4) / 8) * 8;
  const traceAt = procBytes + files * DIRECT_FILE_WORDS * 8;
  const closeAt = traceAt + 8 + DIRECT_TRACE_EVENTS * DIRECT_TRACE_WORDS * 8;
  return {
    slots: new Int32Array(memory, 0, processes * DIRECT_SLOT_WORDS),
    files: new Float64Array(memory, procBytes, files * DIRECT_FILE_WORDS),
    traceIndex: new Int32Array(memory, traceAt, 2),
    traceEvents: new Float64Array(memory, traceAt + 8, DIRECT_TRACE_EVENTS * DIRECT_TRACE_WORDS),
    closeIndex: new Int32Array(memory, closeAt, 2),
    closeEvents: new Float64Array(memory, closeAt + 8, DIRECT_CLOSE_EVENTS * DIRECT_CLOSE_WORDS),
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
