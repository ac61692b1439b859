// What a component sees of the system: the context it is created with. A component
// never knows its domain (ARCHITECTURE.md rule 1): `peer()` hands it an object with
// the peer's interface, made from the service list: direct calls when both sit in the
// kernel domain, messages on a channel otherwise; `arena` is the kernel arena or its own.

import type { Value } from '../lib/codec.js';
import type { Arena } from '../lib/arena.js';

/** Calls a component may make into the kernel core (MINIX's "kernel calls"). */
export interface KernelCalls {
  /** Sends `sig` to every process of group `pgid` (console: ^C). */
  signalGroup(pgid: number, sig: number): Promise<void>;
  /** A snapshot of the kernel's process table (pm rebuilds its state from it on restart). */
  processTable(): Promise<ProcessRecord[]>;
  /** Terminates a process's thread: the mechanism behind pm's decisions. */
  terminate(pid: number, code: number, signal: number): Promise<void>;
  /**
   * What /proc shows (abi/procfs.ts): 'processes' (every ProcProcess), 'process' (one,
   * ESRCH when `pid` is gone), 'fds' (its ProcFd list) or 'system' (ProcSystem).
   */
  procInfo(topic: string, pid: number): Promise<unknown>;
  /**
   * eth0's XDP hook (the NIC driver calls it while the device's XDP word is set): runs
   * the attached program on each received frame and returns the frames to pass up, in
   * order, and those to send back out (XDP_TX), as the program left them.
   */
  xdp(frames: Uint8Array[]): Promise<{ pass: Uint8Array[]; tx: Uint8Array[] }>;
  /**
   * Maps lent memory `id` into the calling server: a grant vfs passed on names a
   * process's memory this server has not seen yet (a server runtime's call, for the
   * servers vfs passes grants to; in the kernel domain there is nothing to map).
   */
  mapLent(id: number): Promise<void>;
}

export interface ProcessRecord {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  uid: number;
  euid: number;
  suid: number;
  state: 'running' | 'zombie';
  name: string;
  exitCode: number;
  exitSignal: number;
}

export interface ComponentContext {
  readonly name: string;
  /** Memory this component allocates its buffers from. */
  readonly arena: Arena;
  /** Configuration from the preset and boot (e.g. the initramfs for vfs). */
  readonly config: Readonly<Record<string, Value>>;
  /** Appends a line to the kernel log (dmesg), prefixed with the component's name. */
  log(message: string): void;
  /** The interface of another component this one was given a capability for. */
  peer<T>(name: string): T;
  readonly kernel: KernelCalls;
  /** The device this driver was bound to (its queue memory and interrupt), if any. */
  readonly device?: DeviceBinding;
  /**
   * In the kernel domain: a grant this component was handed for a call may go on to a
   * peer for that same call (the kernel's own binding carries it, as a C kernel passes
   * a user buffer down to the filesystem). Absent elsewhere: only the kernel lends.
   */
  readonly lends?: boolean;
  /** In the sandbox domain: the component's WebAssembly instance (kernel/sandbox/). */
  readonly sandbox?: SandboxBinding;
}

/**
 * A WebAssembly instance in the sandbox domain, as its glue sees it: direct calls to
 * its exports (each with fresh fuel), and copies into and out of its linear memory. A
 * trap ends the instance: the call throws, and the supervisor starts a fresh one.
 */
export interface SandboxBinding {
  call(name: string, ...args: number[]): number;
  copyIn(ptr: number, data: Uint8Array): void;
  copyOut(ptr: number, length: number): Uint8Array;
}

/** A device as a driver sees it: shared queue memory and an interrupt to wait on. */
export type DeviceKind = 'block' | 'console' | 'hostfs' | 'timer' | 'nic' | 'nic1';

export interface DeviceBinding {
  readonly kind: DeviceKind;
  readonly memory: SharedArrayBuffer;
  /** Rings the device's doorbell (the driver wrote requests). */
  notify(): void;
  /** Resolves at the next interrupt (or at once if one is pending since the last call). */
  interrupt(): Promise<void>;
}

/**
 * A component module exports `manifest` and `create`. The object `create` returns is
 * the component's interface: its async methods are what peers and the kernel call.
 */
export interface Manifest {
  readonly name: string;
  readonly description: string;
  /**
   * What this component may call: its capabilities. A component name grants all of
   * its service, 'name.method' one method; 'kernel.…' names kernel calls (logging
   * needs none). The kernel makes one channel per edge; nothing else is reachable.
   * Which methods are replayed after a restart is in the service list (abi/services.ts).
   */
  readonly uses: readonly string[];
  /** The device it drives, if a driver. */
  readonly device?: DeviceKind;
}

export interface ComponentInstance {
  /** Runs once after creation; boot waits for it. */
  init?(): Promise<void>;
  /** Flush and stop (shutdown, rmmod). */
  shutdown?(): Promise<void>;
  /** Whether the component has users that make unloading unsafe (rmmod: EBUSY). */
  busy?(): boolean;
  /**
   * An integrity check of the component's own state (its arena's contents as it last
   * left them, its metadata): undefined when sound, else what is damaged. The
   * supervisor runs it on user-domain servers every `selfCheckMs` and restarts a server
   * that reports damage: a server whose state a wild write corrupted still answers, but
   * wrongly, and would otherwise never be restarted. Keep one call short (check a slice).
   */
  selfCheck?(): string | undefined;
  [method: string]: unknown;
}

export type ComponentFactory = (ctx: ComponentContext) => ComponentInstance;

/**
 * Where component `name` runs under a placement: where it is placed; a filesystem the
 * placement does not name (ext2, proc) runs where vfs does; anything else in the kernel
 * under the `monolithic` preset and in a user domain elsewhere.
 */
export function placedDomain(preset: string, placement: Readonly<Record<string, string>>, name: string): 'kernel' | 'user' | 'sandbox' | 'kernel-wasm' | 'user-wasm' {
  const placed = placement[name] ?? (name === 'ext2' || name === 'proc' ? placement['vfs'] : undefined);
  if (placed === 'kernel' || placed === 'user' || placed === 'sandbox' || placed === 'kernel-wasm' || placed === 'user-wasm') return placed;
  return preset === 'monolithic' ? 'kernel' : 'user';
}
