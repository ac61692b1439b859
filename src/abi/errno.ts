// The error numbers every layer speaks: syscalls return -errno, components throw
// KernelError(errno), IPC carries the number. Values are Linux's, so a person who
// knows errno(3) reads them without a table.

export const Errno = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, ENOEXEC: 8,
  EBADF: 9, ECHILD: 10, EAGAIN: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14, ENOTBLK: 15, EBUSY: 16,
  EEXIST: 17, EXDEV: 18, ENODEV: 19, ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23,
  EMFILE: 24, ENOTTY: 25, EFBIG: 27, ENOSPC: 28, ESPIPE: 29, EROFS: 30, EMLINK: 31,
  EPIPE: 32, ERANGE: 34, ENAMETOOLONG: 36, ENOSYS: 38, ENOTEMPTY: 39, ELOOP: 40,
  EOVERFLOW: 75, EILSEQ: 84, ENOTSUP: 95, ETIMEDOUT: 110, ESTALE: 116, EUCLEAN: 117,
  // Sockets (abi/net.ts).
  ENOTSOCK: 88, EDESTADDRREQ: 89, EMSGSIZE: 90, EPROTOTYPE: 91, ENOPROTOOPT: 92, EPROTONOSUPPORT: 93,
  EAFNOSUPPORT: 97, EADDRINUSE: 98, EADDRNOTAVAIL: 99, ENETUNREACH: 101, ECONNABORTED: 103, ECONNRESET: 104,
  ENOBUFS: 105, EISCONN: 106, ENOTCONN: 107, ECONNREFUSED: 111, EHOSTUNREACH: 113, EALREADY: 114, EINPROGRESS: 115,
} as const;

export type ErrnoName = keyof typeof Errno;
export type ErrnoValue = (typeof Errno)[ErrnoName];

const names = new Map<number, string>(Object.entries(Errno).map(([k, v]) => [v, k]));

const messages: Record<number, string> = {
  1: 'Operation not permitted', 2: 'No such file or directory', 3: 'No such process',
  4: 'Interrupted system call', 5: 'Input/output error', 6: 'No such device or address',
  7: 'Argument list too long', 8: 'Exec format error', 9: 'Bad file descriptor',
  10: 'No child processes', 11: 'Resource temporarily unavailable', 12: 'Cannot allocate memory',
  13: 'Permission denied', 14: 'Bad address', 15: 'Block device required', 16: 'Device or resource busy', 17: 'File exists',
  18: 'Invalid cross-device link', 19: 'No such device', 20: 'Not a directory', 21: 'Is a directory',
  22: 'Invalid argument', 23: 'Too many open files in system', 24: 'Too many open files',
  25: 'Inappropriate ioctl for device', 27: 'File too large', 28: 'No space left on device',
  29: 'Illegal seek', 30: 'Read-only file system', 31: 'Too many links', 32: 'Broken pipe',
  34: 'Result out of range', 36: 'File name too long', 38: 'Function not implemented',
  39: 'Directory not empty', 40: 'Too many levels of symbolic links', 75: 'Value too large',
  84: 'Invalid or incomplete multibyte character', 95: 'Operation not supported',
  110: 'Connection timed out', 116: 'Stale file handle', 117: 'Structure needs cleaning',
  88: 'Socket operation on non-socket', 89: 'Destination address required', 90: 'Message too long',
  91: 'Protocol wrong type for socket', 92: 'Protocol not available', 93: 'Protocol not supported',
  97: 'Address family not supported by protocol', 98: 'Address already in use', 99: 'Cannot assign requested address',
  101: 'Network is unreachable', 103: 'Software caused connection abort', 104: 'Connection reset by peer',
  105: 'No buffer space available', 106: 'Transport endpoint is already connected', 107: 'Transport endpoint is not connected',
  111: 'Connection refused', 113: 'No route to host', 114: 'Operation already in progress', 115: 'Operation now in progress',
};

export function errnoName(errno: number): string {
  return names.get(errno) ?? `E${errno}`;
}

export function strerror(errno: number): string {
  return messages[errno] ?? `Unknown error ${errno}`;
}

// NOTE: an errno is an answer, not a bug. Capturing a stack trace for one costs 4–8 µs
// on these machines (most of a fast syscall), so a KernelError is made without one
// (V8's stackTraceLimit; elsewhere the assignment does nothing). Bugs are other errors
// and keep their stacks.
const errorClass = Error as unknown as { stackTraceLimit?: number };

/** An error that carries an errno across every boundary (direct call, IPC, syscall). */
export class KernelError extends Error {
  constructor(readonly errno: number, detail?: string) {
    const limit = errorClass.stackTraceLimit;
    errorClass.stackTraceLimit = 0;
    super(detail === undefined ? `${errnoName(errno)}: ${strerror(errno)}` : `${errnoName(errno)}: ${detail}`);
    errorClass.stackTraceLimit = limit;
    this.name = 'KernelError';
  }
}

/** Throws KernelError(errno) — for one-line guards: `if (!x) fail(Errno.ENOENT)`. */
export function fail(errno: number, detail?: string): never {
  throw new KernelError(errno, detail);
}

export function isKernelError(e: unknown): e is KernelError {
  return e instanceof Error && typeof (e as KernelError).errno === 'number' && e.name === 'KernelError';
}
