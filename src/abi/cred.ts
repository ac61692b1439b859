// Credentials: who a process is (real, effective and saved user and group ids,
// supplementary groups, umask) and what that lets it do. The kernel keeps a Cred per
// process (kernel/proc/process.ts) and hands vfs the part permission checks need
// (FsCred) with every path or handle call; pm keeps the user ids for kill and the
// per-user process limit. Root (euid 0) holds every capability, as in Linux without
// a capability bounding set; the names say which privilege a check stands for.

/** The ids vfs checks permissions against (Linux's fsuid/fsgid are the effective ids here). */
export interface FsCred {
  readonly uid: number;
  readonly gid: number;
  readonly groups: readonly number[];
  /** The asking process, when a process asks: what /proc/self names. */
  readonly pid?: number;
}

/** A process's credentials. */
export interface Cred {
  uid: number;
  euid: number;
  suid: number;
  gid: number;
  egid: number;
  sgid: number;
  groups: number[];
  umask: number;
}

export const ROOT_UID = 0;
export const ROOT_GID = 0;

/** Highest uid/gid a process may take (ext2 stores 16 bits of each in the classic inode). */
export const MAX_ID = 65535;

/** Supplementary groups a process may have (NGROUPS_MAX is 65536 in Linux; small here). */
export const NGROUPS_MAX = 32;

/** Privileges, named as Linux names them (capabilities(7)); root holds them all. */
export const Cap = {
  CHOWN: 'CAP_CHOWN',
  DAC_OVERRIDE: 'CAP_DAC_OVERRIDE',
  FOWNER: 'CAP_FOWNER',
  FSETID: 'CAP_FSETID',
  KILL: 'CAP_KILL',
  SETGID: 'CAP_SETGID',
  SETUID: 'CAP_SETUID',
  SYS_MODULE: 'CAP_SYS_MODULE',
  SYS_ADMIN: 'CAP_SYS_ADMIN',
  SYS_RESOURCE: 'CAP_SYS_RESOURCE',
  SYS_RAWIO: 'CAP_SYS_RAWIO',
  NET_BIND_SERVICE: 'CAP_NET_BIND_SERVICE',
} as const;

export type Capability = (typeof Cap)[keyof typeof Cap];

export const rootCred = (): Cred => ({ uid: 0, euid: 0, suid: 0, gid: 0, egid: 0, sgid: 0, groups: [], umask: 0o022 });

/** Whether credentials `c` hold `cap`: only the effective root does. */
export function capable(c: { readonly euid: number }, _cap: Capability): boolean {
  return c.euid === ROOT_UID;
}

/** The part of `c` vfs checks file permissions against. */
export const fsCred = (c: Cred, pid?: number): FsCred => (pid === undefined ? { uid: c.euid, gid: c.egid, groups: c.groups } : { uid: c.euid, gid: c.egid, groups: c.groups, pid });

/** vfs callers that are the system itself (boot mounts, unit tests). */
export const ROOT_FS_CRED: FsCred = { uid: 0, gid: 0, groups: [] };

/** Whether `c` is in group `gid` (effective or supplementary). */
export const inGroup = (c: FsCred, gid: number): boolean => c.gid === gid || c.groups.includes(gid);

export const isId = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_ID;

/** Set-user-id, set-group-id and sticky bits of a mode. */
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;

/** What access(2)-style checks ask for. */
export const MAY = { EXEC: 1, WRITE: 2, READ: 4 } as const;
