// The records `sysinfo` returns (encoded with lib/codec), one type per SysInfo.* table.

export interface PsRecord {
  pid: number;
  ppid: number;
  pgid: number;
  state: string; // 'running' | 'blocked' | 'stopped' | 'zombie'
  name: string; // argv[0]
  cwd: string;
  syscalls: number;
  /** Id of the thread running it (0 once it has exited); a thread runs many processes in turn. */
  thread: number;
}

/** Process threads (kernel/proc/pool.ts): how many were started, reused, discarded; how many wait. */
export interface ThreadsRecord {
  started: number;
  reused: number;
  discarded: number;
  ready: number;
  booting: number;
}

export interface ModRecord {
  name: string;
  domain: 'kernel' | 'user' | 'sandbox';
  state: string; // 'running' | 'restarting' | 'failed' | 'unloaded'
  restarts: number;
  description: string;
}

export interface LogRecord {
  ms: number; // since boot
  line: string;
}

export interface MemRegionRecord {
  owner: string;
  tag: string;
  offset: number;
  length: number;
  checksum: number;
}

export interface MemArenaRecord {
  arena: string; // 'kernel' or the component's name
  size: number;
  regions: MemRegionRecord[];
}

export interface MountRecord {
  source: string;
  target: string;
  fstype: string;
  /** 'ro' or 'rw'. */
  options: string;
}

export interface PresetRecord {
  preset: string;
  ipc: string;
  placement: Record<string, 'kernel' | 'user' | 'sandbox' | 'kernel-wasm' | 'user-wasm'>;
}
