// Resource limits (getrlimit/setrlimit), numbered as in Linux. A limit is a pair: the
// soft limit is what the kernel enforces, the hard limit the ceiling the soft one may
// be raised to. Values are float64 like every syscall argument; RLIM_INFINITY is the
// float64 infinity ("unlimited").

export const RLIMIT = { CPU: 0, NOFILE: 7, AS: 9 } as const;
export type RlimitResource = (typeof RLIMIT)[keyof typeof RLIMIT];

export const RLIM_INFINITY = Infinity;

/** The units of each resource: CPU seconds, open files, bytes of memory. */
export const RLIMIT_NAMES: Record<RlimitResource, string> = { 0: 'cpu', 7: 'nofile', 9: 'as' };

export function isRlimitResource(n: number): n is RlimitResource {
  return n === RLIMIT.CPU || n === RLIMIT.NOFILE || n === RLIMIT.AS;
}

export interface Rlimit { soft: number; hard: number }
