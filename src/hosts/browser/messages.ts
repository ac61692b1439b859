// The messages between the page (machine.ts) and the kernel worker (kernel-worker.ts).
import type { BootConfig } from '../../kernel/kernel.js';
import type { LeakReport, Platform } from '../../kernel/platform.js';
import type { ModRecord, MemArenaRecord } from '../../abi/sysinfo.js';
import type { WildWriteReport } from './watch-fault.js';

/** What went between two components (ComponentTable.peerTraffic): calls the kernel made or relayed, or bytes on a direct channel. */
export interface PeerTraffic { from: string; to: string; calls?: number; bytes?: number }

export type ToKernel =
  | { type: 'boot'; config: BootConfig; heartbeat: SharedArrayBuffer; machine: Platform['machine']; memstat: boolean }
  | { type: 'fault'; component: string; kind: string }
  | { type: 'read-file'; id: number; path: string }
  | { type: 'shutdown' };

export type FromKernel =
  | { type: 'halt'; status: number; leaks: LeakReport }
  | { type: 'panic'; text: string }
  | { type: 'log'; line: string }
  | { type: 'trace'; line: string }
  | { type: 'status'; modules: ModRecord[]; procs: { pid: number; name: string }[]; links: PeerTraffic[] }
  | { type: 'armed'; component: string; kind: string; error?: string }
  | { type: 'file'; id: number; data?: Uint8Array; error?: string }
  | { type: 'memstat'; arenas: MemArenaRecord[] }
  | { type: 'wild-write'; report: WildWriteReport };
