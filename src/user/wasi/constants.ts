// The numbers of WASI preview1 (witx `wasi_snapshot_preview1`): errnos, rights, file
// types, flags, and the byte layouts of the records the guest reads and writes.
// Linux errnos (abi/errno.ts, what kernelkit's syscalls return) map to WASI errnos
// through `wasiErrno`; everything else in the layer speaks WASI numbers.

/** WASI errno values. */
export const E = {
  SUCCESS: 0, '2BIG': 1, ACCES: 2, ADDRINUSE: 3, ADDRNOTAVAIL: 4, AFNOSUPPORT: 5, AGAIN: 6,
  ALREADY: 7, BADF: 8, BADMSG: 9, BUSY: 10, CANCELED: 11, CHILD: 12, CONNABORTED: 13,
  CONNREFUSED: 14, CONNRESET: 15, DEADLK: 16, DESTADDRREQ: 17, DOM: 18, DQUOT: 19, EXIST: 20,
  FAULT: 21, FBIG: 22, HOSTUNREACH: 23, IDRM: 24, ILSEQ: 25, INPROGRESS: 26, INTR: 27,
  INVAL: 28, IO: 29, ISCONN: 30, ISDIR: 31, LOOP: 32, MFILE: 33, MLINK: 34, MSGSIZE: 35,
  MULTIHOP: 36, NAMETOOLONG: 37, NETDOWN: 38, NETRESET: 39, NETUNREACH: 40, NFILE: 41,
  NOBUFS: 42, NODEV: 43, NOENT: 44, NOEXEC: 45, NOLCK: 46, NOLINK: 47, NOMEM: 48, NOMSG: 49,
  NOPROTOOPT: 50, NOSPC: 51, NOSYS: 52, NOTCONN: 53, NOTDIR: 54, NOTEMPTY: 55,
  NOTRECOVERABLE: 56, NOTSOCK: 57, NOTSUP: 58, NOTTY: 59, NXIO: 60, OVERFLOW: 61,
  OWNERDEAD: 62, PERM: 63, PIPE: 64, PROTO: 65, PROTONOSUPPORT: 66, PROTOTYPE: 67, RANGE: 68,
  ROFS: 69, SPIPE: 70, SRCH: 71, STALE: 72, TIMEDOUT: 73, TXTBSY: 74, XDEV: 75, NOTCAPABLE: 76,
} as const;

// Linux errno -> WASI errno, for every Linux errno that has a WASI twin (the names are
// the same; WASI numbers them alphabetically). Linux errnos without a twin are listed
// apart below with the nearest meaning.
const LINUX_TO_WASI: Record<number, number> = {
  1: E.PERM, 2: E.NOENT, 3: E.SRCH, 4: E.INTR, 5: E.IO, 6: E.NXIO, 7: E['2BIG'], 8: E.NOEXEC,
  9: E.BADF, 10: E.CHILD, 11: E.AGAIN, 12: E.NOMEM, 13: E.ACCES, 14: E.FAULT, 16: E.BUSY,
  17: E.EXIST, 18: E.XDEV, 19: E.NODEV, 20: E.NOTDIR, 21: E.ISDIR, 22: E.INVAL, 23: E.NFILE,
  24: E.MFILE, 25: E.NOTTY, 26: E.TXTBSY, 27: E.FBIG, 28: E.NOSPC, 29: E.SPIPE, 30: E.ROFS,
  31: E.MLINK, 32: E.PIPE, 33: E.DOM, 34: E.RANGE, 35: E.DEADLK, 36: E.NAMETOOLONG,
  37: E.NOLCK, 38: E.NOSYS, 39: E.NOTEMPTY, 40: E.LOOP, 42: E.NOMSG, 43: E.IDRM,
  67: E.NOLINK, 71: E.PROTO, 72: E.MULTIHOP, 74: E.BADMSG, 75: E.OVERFLOW, 84: E.ILSEQ,
  88: E.NOTSOCK, 89: E.DESTADDRREQ, 90: E.MSGSIZE, 91: E.PROTOTYPE, 92: E.NOPROTOOPT,
  93: E.PROTONOSUPPORT, 95: E.NOTSUP, 97: E.AFNOSUPPORT, 98: E.ADDRINUSE, 99: E.ADDRNOTAVAIL,
  100: E.NETDOWN, 101: E.NETUNREACH, 102: E.NETRESET, 103: E.CONNABORTED, 104: E.CONNRESET,
  105: E.NOBUFS, 106: E.ISCONN, 107: E.NOTCONN, 110: E.TIMEDOUT, 111: E.CONNREFUSED,
  113: E.HOSTUNREACH, 114: E.ALREADY, 115: E.INPROGRESS, 116: E.STALE, 122: E.DQUOT,
  125: E.CANCELED, 130: E.OWNERDEAD, 131: E.NOTRECOVERABLE,
  // No WASI twin: ENOTBLK (15) is a bad argument, EUCLEAN (117, a corrupt filesystem)
  // and ENODATA (61) are I/O failures.
  15: E.INVAL, 61: E.IO, 117: E.IO,
};

/** The WASI errno for a Linux errno (EIO for one WASI has no word for). */
export function wasiErrno(linuxErrno: number): number {
  return LINUX_TO_WASI[linuxErrno] ?? E.IO;
}

/** Rights bits (u64; all fit below 2^30, so plain numbers would do, but the ABI is bigint). */
export const R = {
  FD_DATASYNC: 1n << 0n, FD_READ: 1n << 1n, FD_SEEK: 1n << 2n, FD_FDSTAT_SET_FLAGS: 1n << 3n,
  FD_SYNC: 1n << 4n, FD_TELL: 1n << 5n, FD_WRITE: 1n << 6n, FD_ADVISE: 1n << 7n,
  FD_ALLOCATE: 1n << 8n, PATH_CREATE_DIRECTORY: 1n << 9n, PATH_CREATE_FILE: 1n << 10n,
  PATH_LINK_SOURCE: 1n << 11n, PATH_LINK_TARGET: 1n << 12n, PATH_OPEN: 1n << 13n,
  FD_READDIR: 1n << 14n, PATH_READLINK: 1n << 15n, PATH_RENAME_SOURCE: 1n << 16n,
  PATH_RENAME_TARGET: 1n << 17n, PATH_FILESTAT_GET: 1n << 18n, PATH_FILESTAT_SET_SIZE: 1n << 19n,
  PATH_FILESTAT_SET_TIMES: 1n << 20n, FD_FILESTAT_GET: 1n << 21n, FD_FILESTAT_SET_SIZE: 1n << 22n,
  FD_FILESTAT_SET_TIMES: 1n << 23n, PATH_SYMLINK: 1n << 24n, PATH_REMOVE_DIRECTORY: 1n << 25n,
  PATH_UNLINK_FILE: 1n << 26n, POLL_FD_READWRITE: 1n << 27n, SOCK_SHUTDOWN: 1n << 28n,
  SOCK_ACCEPT: 1n << 29n,
} as const;

export const RIGHTS_ALL = (1n << 30n) - 1n;

/** What an open regular file (or pipe, or device) may be asked to do. */
export const RIGHTS_FILE = R.FD_DATASYNC | R.FD_READ | R.FD_SEEK | R.FD_FDSTAT_SET_FLAGS | R.FD_SYNC |
  R.FD_TELL | R.FD_WRITE | R.FD_ADVISE | R.FD_ALLOCATE | R.FD_FILESTAT_GET | R.FD_FILESTAT_SET_SIZE |
  R.FD_FILESTAT_SET_TIMES | R.POLL_FD_READWRITE;

/** What an open directory may be asked to do (it hands RIGHTS_ALL down to what it opens). */
export const RIGHTS_DIR = R.FD_FDSTAT_SET_FLAGS | R.FD_SYNC | R.FD_ADVISE | R.PATH_CREATE_DIRECTORY |
  R.PATH_CREATE_FILE | R.PATH_LINK_SOURCE | R.PATH_LINK_TARGET | R.PATH_OPEN | R.FD_READDIR |
  R.PATH_READLINK | R.PATH_RENAME_SOURCE | R.PATH_RENAME_TARGET | R.PATH_FILESTAT_GET |
  R.PATH_FILESTAT_SET_SIZE | R.PATH_FILESTAT_SET_TIMES | R.FD_FILESTAT_GET | R.FD_FILESTAT_SET_TIMES |
  R.PATH_SYMLINK | R.PATH_REMOVE_DIRECTORY | R.PATH_UNLINK_FILE | R.POLL_FD_READWRITE;

/** A socket: read and write (also as sock_recv/sock_send), poll, flags, shutdown and accept. */
export const RIGHTS_SOCKET = R.FD_READ | R.FD_WRITE | R.FD_FDSTAT_SET_FLAGS | R.FD_FILESTAT_GET |
  R.POLL_FD_READWRITE | R.SOCK_SHUTDOWN | R.SOCK_ACCEPT;

/** A terminal: no seek and no tell, which is how wasi-libc's isatty() recognises one. */
export const RIGHTS_TTY = RIGHTS_FILE & ~(R.FD_SEEK | R.FD_TELL);

export const FILETYPE = {
  UNKNOWN: 0, BLOCK_DEVICE: 1, CHARACTER_DEVICE: 2, DIRECTORY: 3, REGULAR_FILE: 4,
  SOCKET_DGRAM: 5, SOCKET_STREAM: 6, SYMBOLIC_LINK: 7,
} as const;

export const FDFLAGS = { APPEND: 1, DSYNC: 2, NONBLOCK: 4, RSYNC: 8, SYNC: 16 } as const;
export const OFLAGS = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const;
export const LOOKUP_SYMLINK_FOLLOW = 1;
export const FSTFLAGS = { ATIM: 1, ATIM_NOW: 2, MTIM: 4, MTIM_NOW: 8 } as const;
export const CLOCKID = { REALTIME: 0, MONOTONIC: 1, PROCESS_CPUTIME: 2, THREAD_CPUTIME: 3 } as const;
export const EVENTTYPE = { CLOCK: 0, FD_READ: 1, FD_WRITE: 2 } as const;
export const SUBCLOCKFLAGS_ABSTIME = 1;
export const EVENTRWFLAGS_HANGUP = 1;
export const PREOPENTYPE_DIR = 0;
/**
 * Not in preview1 (a proposal for it was never adopted): what fd_prestat_get answers
 * for a preopened listener, so that wasi-libc's scan for preopened directories steps
 * over it instead of stopping there (docs/wasi.md, "Sockets").
 */
export const PREOPENTYPE_SOCKET = 1;
/** sock_recv's ri_flags, sock_recv's ro_flags, sock_shutdown's sd_flags. */
export const RIFLAGS = { RECV_PEEK: 1, RECV_WAITALL: 2 } as const;
export const ROFLAGS = { RECV_DATA_TRUNCATED: 1 } as const;
export const SDFLAGS = { RD: 1, WR: 2 } as const;

/** Record sizes in guest memory. */
export const SIZE = { FILESTAT: 64, FDSTAT: 24, PRESTAT: 8, DIRENT: 24, SUBSCRIPTION: 48, EVENT: 32, IOVEC: 8 } as const;
