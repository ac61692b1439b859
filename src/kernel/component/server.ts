// The kernel's side of a user-domain component: its thread, its kernel channel (the
// kernel's calls to it and its kernel calls; its channels to peers are wired by
// channels.ts), its arena, the calls in flight, and the heartbeat the supervisor
// watches. The server's own side is server-runtime.ts, running in the component's thread.

import type { Value } from '../../lib/codec.js';
import { Doorbell } from '../../lib/poller.js';
import type { Manifest, DeviceKind } from '../../abi/component.js';
import type { ThreadHandle, Platform } from '../platform.js';
import { ShmEndpoint, PortEndpoint, channelMemory, type Endpoint } from '../ipc/endpoint.js';
import { Rpc, type CallHandler, type PendingCall } from '../ipc/rpc.js';
import { codecWire, fixedWire } from '../ipc/wire.js';
import type { ChannelEnd } from '../ipc/channel.js';
import { SERVICES, KERNEL, checkReply, type ServiceDef } from '../../abi/services.js';
import { KernelError, Errno } from '../../abi/errno.js';
import type { MemArenaRecord } from '../../abi/sysinfo.js';
import { WindowGrant, isGrantRef } from '../ipc/grant.js';
import type { DirectControl } from '../proc/direct.js';
import { HangJudge } from './hang.js';

/**
 * A component that could not start is an errno for whoever loaded it (insmod, boot): the
 * errno it failed with ("ENODEV: no device bound"), else EIO — never an exception that
 * would take the kernel down.
 */
function startError(message: string): KernelError {
  const m = /^(E[A-Z0-9]+): (.*)$/s.exec(message);
  const errno = m === null ? undefined : (Errno as Record<string, number>)[m[1]!];
  return errno === undefined ? new KernelError(Errno.EIO, message) : new KernelError(errno, m![2]!);
}

/**
 * shm: direct channels between the threads of each `uses` edge, fixed-layout
 * messages (L4-like, the default). mach: the first generation kept on purpose —
 * every server-to-server call relayed through the kernel thread, self-described
 * messages (lib/codec) on shm rings (asynchronous, queued, relayed, copied).
 * postmessage: relayed like mach, over the host's structured-clone message ports.
 */
export type Transport = 'shm' | 'mach' | 'postmessage';

/** What the server thread is told at start (see server-runtime.ts). */
export interface ServerInit {
  type: 'init';
  name: string;
  transport: Transport;
  channel: SharedArrayBuffer | undefined;
  /** Client ends of this server's direct channels (its `uses` edges to other components). */
  links: ChannelEnd[];
  /** Service ends of the direct channels of the components that use this one. */
  clients: ChannelEnd[];
  /** Services it uses that are restarting: calls to them queue until their 'peer-up'. */
  down: string[];
  kernelBell: SharedArrayBuffer;
  serverBell: SharedArrayBuffer;
  heartbeat: SharedArrayBuffer;
  arena: SharedArrayBuffer;
  config: Record<string, Value>;
  device: { kind: DeviceKind; memory: SharedArrayBuffer } | undefined;
  spinUs: number;
  /** After answering a process that slept, keep polling at least this long (µs; params.ts serverSpinAfterWakeUs). */
  lingerUs: number;
  wildWriteBytes: number;
  /** The heartbeat's period (ms). */
  heartbeatMs: number;
  /**
   * Beats come from the server's poll loop while it is awake, none while it sleeps on
   * its doorbell (the supervisor takes a sleeping thread whose CPU time has not moved
   * for alive: hang.ts); false: a timer beats every heartbeatMs, asleep or not.
   */
  loopBeats: boolean;
  /** A WebAssembly build to run in this server instead (user-wasm): its module's name and bytes, and the sandbox's limits. */
  wasm?: { module: string; bytes: Uint8Array; fuel: number; maxBytes: number; maxPages: number };
}

/** Kernel to server thread, after init: fault arming, memstat, shutdown, and channel wiring. */
export type ServerControl =
  | { type: 'rpc'; m: unknown }
  | { type: 'fault'; kind: string }
  | { type: 'memstat'; id: number }
  | { type: 'selfcheck'; id: number }
  | { type: 'shutdown' }
  /** A (restarted or newly loaded) peer's channel end: calls go there now. */
  | { type: 'peer-up'; end: ChannelEnd }
  /** The peer died: its channel is dead; queue until peer-up. */
  | { type: 'peer-down'; peer: string }
  /** The peer was unloaded (ENODEV) or given up (EIO). */
  | { type: 'peer-gone'; peer: string; errno: number }
  /** A (restarted or newly loaded) client's channel end to serve. */
  | { type: 'client'; end: ChannelEnd }
  /** Memory the kernel lends windows of (a process's user memory), mapped before the first grant into it. */
  | { type: 'memory'; id: number; memory: SharedArrayBuffer }
  /** That memory is gone (its process exited): unmap it. */
  | { type: 'memory-gone'; id: number }
  /** The direct path's table and processes (proc/direct.ts). */
  | DirectControl;

export type ServerEvent =
  | { type: 'ready' }
  | { type: 'init-failed'; error: string }
  | { type: 'rpc'; m: unknown }
  | { type: 'memstat'; id: number; arena: MemArenaRecord }
  | { type: 'selfcheck'; id: number; damage: string | null }
  | { type: 'fault-armed' }
  | { type: 'shutdown-done' };

export interface ServerOptions {
  platform: Platform;
  manifest: Manifest;
  transport: Transport;
  kernelBell: Doorbell;
  kernelBellMemory: SharedArrayBuffer;
  config: Record<string, Value>;
  device: { kind: DeviceKind; memory: SharedArrayBuffer } | undefined;
  /** This server thread's doorbell word (every producer towards it rings it). */
  bell: SharedArrayBuffer;
  links: ChannelEnd[];
  clients: ChannelEnd[];
  down: string[];
  arenaBytes: number;
  channelBytes: number;
  spinUs: number;
  lingerUs: number;
  wildWriteBytes: number;
  heartbeatMs: number;
  /**
   * The hang rule by CPU time is on (params.hangCpuMs): where the host also reports the
   * thread's CPU time, a server asleep on its doorbell need not beat (see ServerInit.loopBeats).
   */
  judgedByCpu: boolean;
  /** Server threads the host keeps started ahead of need (params.serverSpareThreads). */
  spareThreads: number;
  /** Serves calls the server makes (to the kernel or, relayed, to peers). */
  serve: CallHandler;
  /** A kernel-side handler failed with something that is not an errno. */
  onServeError: (e: unknown) => void;
  /** The thread died or misbehaved; the supervisor takes over. */
  onDeath: (reason: string) => void;
  /** Memories the kernel lends windows of, by id (component/table.ts). */
  lent: ReadonlyMap<number, SharedArrayBuffer>;
  /** A WebAssembly build to run in the server (ServerInit.wasm). */
  wasm?: ServerInit['wasm'];
}

export class UserServer {
  readonly thread: ThreadHandle;
  readonly rpc: Rpc;
  readonly endpoint: Endpoint;
  readonly heartbeat: Int32Array;
  readonly arena: SharedArrayBuffer;
  /** The server thread's doorbell (asleep: ServerInit.loopBeats). */
  private readonly bell: Doorbell;
  private readonly loopBeats: boolean;
  private readonly createdAt = performance.now();
  /** Until the thread reports ready (its component's init has run). */
  private starting = true;
  dead = false;
  private readonly ready: Promise<void>;
  private memstatWaiters = new Map<number, (r: MemArenaRecord) => void>();
  private nextMemstat = 1;

  constructor(private readonly o: ServerOptions) {
    this.service = SERVICES[o.manifest.name];
    // The spare started now most likely serves this component's next restart (a fault campaign's cell aims at one).
    this.thread = o.platform.createThread('server', {}, o.spareThreads, o.manifest.name);
    this.arena = new SharedArrayBuffer(o.arenaBytes);
    const heartbeat = new SharedArrayBuffer(4);
    this.heartbeat = new Int32Array(heartbeat);
    const serverBellMemory = o.bell;
    this.bell = new Doorbell(serverBellMemory);
    this.loopBeats = o.judgedByCpu && o.transport !== 'postmessage' && this.thread.cpuMs !== undefined;
    const channel = o.transport !== 'postmessage' ? channelMemory(o.channelBytes) : undefined;
    const rpcListeners: ((m: unknown) => void)[] = [];
    this.endpoint = channel !== undefined
      ? new ShmEndpoint(channel, 0, new Doorbell(serverBellMemory), o.transport === 'shm' ? fixedWire(KERNEL, SERVICES[o.manifest.name]) : codecWire)
      : new PortEndpoint({ post: (m) => this.thread.post({ type: 'rpc', m }), onMessage: (h) => rpcListeners.push(h) });
    const check = (to: string, method: string, v: Value, args: readonly Value[]): Value => {
      const def = SERVICES[to]?.byName.get(method);
      if (def === undefined) throw new KernelError(Errno.ENOSYS, `no method ${to}.${method}`);
      return checkReply(def, to, v, args) as Value;
    };
    this.rpc = new Rpc(this.endpoint, o.serve, o.onServeError, check);

    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => { readyResolve = resolve; readyReject = reject; });
    this.ready.catch(() => {});
    this.thread.onMessage((raw) => {
      const ev = raw as ServerEvent;
      switch (ev.type) {
        case 'ready': this.starting = false; readyResolve(); return;
        case 'init-failed': readyReject(startError(ev.error)); return;
        case 'rpc': for (const l of rpcListeners) l(ev.m); return;
        case 'memstat': this.memstatWaiters.get(ev.id)?.(ev.arena); this.memstatWaiters.delete(ev.id); return;
        case 'selfcheck': this.checkWaiter?.(ev.damage ?? undefined); this.checkWaiter = undefined; return;
        case 'shutdown-done': this.shutdownDone?.(); return;
        case 'fault-armed': this.armedWaiters.shift()?.(); return;
      }
    });
    this.thread.onExit((error) => {
      readyReject(new KernelError(Errno.EIO, `${o.manifest.name}: ${error ?? 'server thread exited during start'}`));
      this.die(error ?? 'server thread exited');
    });
    const init: ServerInit = {
      type: 'init', name: o.manifest.name, transport: o.transport, channel, links: o.links, clients: o.clients, down: o.down, kernelBell: o.kernelBellMemory,
      serverBell: serverBellMemory, heartbeat, arena: this.arena, config: o.config, device: o.device,
      spinUs: o.spinUs, lingerUs: o.lingerUs, wildWriteBytes: o.wildWriteBytes, heartbeatMs: o.heartbeatMs, loopBeats: this.loopBeats, ...(o.wasm === undefined ? {} : { wasm: o.wasm }),
    };
    this.thread.post(init);
  }

  started(): Promise<void> { return this.ready; }

  call(method: string, args: Value[], replays = 0): Promise<Value> {
    const grants = this.service?.byName.get(method)?.grants ?? [];
    if (grants.length > 0) {
      // A grant travels as its reference; the memory behind it is mapped into this
      // server once, before the first call that needs it (a replayed call's too).
      args = [...args];
      for (const i of grants) {
        const a = args[i] as unknown;
        if (a instanceof WindowGrant) {
          const lender = WindowGrant.lender(a);
          if (lender !== undefined) this.map(a.ref.grant, lender);
          args[i] = { ...a.ref } as unknown as Value;
        } else if (isGrantRef(a) && !this.mapped.has(a.grant)) {
          const memory = this.o.lent.get(a.grant);
          if (memory === undefined) return Promise.reject(new KernelError(Errno.EFAULT, `grant ${a.grant}: its memory is gone`));
          this.map(a.grant, memory);
        }
      }
    }
    return this.rpc.call(this.o.manifest.name, method, args, replays);
  }

  /** Maps lent memory `id` into this server (once). */
  map(id: number, memory: SharedArrayBuffer): void {
    if (this.mapped.has(id)) return;
    this.post({ type: 'memory', id, memory });
    this.mapped.add(id);
  }

  /** Unmaps a lent memory that is gone. */
  forgetMemory(id: number): void {
    if (this.mapped.delete(id)) this.post({ type: 'memory-gone', id });
  }

  /** Lent memories mapped into this server. */
  private readonly mapped = new Set<number>();
  /** This server's service list (grant positions per method). */
  private readonly service: ServiceDef | undefined;

  poll(): boolean { return this.endpoint.poll(); }

  /**
   * Arms a fault for the server's next request. Resolves once the server thread has it
   * (a call sent after that is the one it hits: the arming travels as a message, calls
   * by channel, so without the wait a call could overtake it) or once the server is
   * gone. A thread that never reads it is one the supervisor ends (start timeout, hang
   * rules), which resolves the wait.
   */
  armFault(kind: string): Promise<void> {
    if (this.dead) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.armedWaiters.push(resolve);
      this.post({ type: 'fault', kind });
    });
  }

  /** Who waits for the server to have its fault armed, in the order the faults were sent. */
  private readonly armedWaiters: (() => void)[] = [];

  /** Sends a control message to the server thread (unless it is dead). */
  post(message: ServerControl): void { if (!this.dead) this.thread.post(message); }

  memstat(): Promise<MemArenaRecord> {
    const id = this.nextMemstat++;
    return new Promise((resolve) => { this.memstatWaiters.set(id, resolve); this.thread.post({ type: 'memstat', id }); });
  }

  private checkWaiter: ((damage: string | undefined) => void) | undefined;

  /**
   * Asks the component to check its own state (ComponentInstance.selfCheck): what is
   * damaged, or undefined. Undefined at once while an earlier check is unanswered.
   */
  selfCheck(): Promise<string | undefined> {
    if (this.checkWaiter !== undefined || this.dead) return Promise.resolve(undefined);
    return new Promise((resolve) => { this.checkWaiter = resolve; this.thread.post({ type: 'selfcheck', id: 0 }); });
  }

  private shutdownDone: (() => void) | undefined;

  /** Asks the component to shut down (flush, unmount) and waits, at most `timeoutMs`. */
  shutdown(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.shutdownDone = () => { clearTimeout(timer); resolve(); };
      this.thread.post({ type: 'shutdown' });
    });
  }

  /**
   * Whether the server is hung (hang.ts: its heartbeat silent for `timeoutMs`, or
   * silent while its thread used `cpuLimitMs` of CPU time; 0: that rule off), or has
   * not finished starting within `startTimeoutMs`. NOTE: a starting component's `init`
   * (vfs unpacking the initramfs) can hold its thread for longer than a short heartbeat
   * timeout; judged by the heartbeat then, a healthy restart was taken for hung and killed.
   */
  hung(timeoutMs: number, startTimeoutMs: number, cpuLimitMs = 0): boolean {
    const beat = Atomics.load(this.heartbeat, 0);
    const now = performance.now();
    if (beat === 0 || this.starting) return now - this.createdAt > startTimeoutMs;
    // A server that beats only while awake is asleep on its doorbell or beating (or hung).
    const idle = this.loopBeats && this.bell.asleep();
    // NOTE: the thread's CPU time is read (a /proc file on Node) only when a rule needs it.
    return this.judge.hung(beat, now, cpuLimitMs > 0 || idle ? this.thread.cpuMs?.() : undefined, timeoutMs, cpuLimitMs, idle);
  }

  private readonly judge = new HangJudge(performance.now());

  die(reason: string): void {
    if (this.dead) return;
    this.stop();
    this.o.onDeath(reason);
  }

  /** Ends the thread without a restart (an unload, a shutdown, a death): no one waits on it after. */
  stop(): void {
    this.dead = true;
    for (const done of this.armedWaiters.splice(0)) done();
    this.thread.terminate();
  }

  drain(): PendingCall[] { return this.rpc.drain(); }
}
