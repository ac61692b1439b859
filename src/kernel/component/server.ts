// The kernel's side of a user-domain component: its thread, its channel, its arena,
// the calls in flight, and the heartbeat the supervisor watches. The server's own side
// is server-runtime.ts, running in the component's thread.

import type { Value } from '../../lib/codec.js';
import { Doorbell } from '../../lib/poller.js';
import type { Manifest, DeviceKind } from '../../abi/component.js';
import type { ThreadHandle, Platform } from '../platform.js';
import { ShmEndpoint, PortEndpoint, channelMemory, type Endpoint } from '../ipc/endpoint.js';
import { Rpc, type CallHandler, type PendingCall } from '../ipc/rpc.js';
import type { MemArenaRecord } from '../../abi/sysinfo.js';

export type Transport = 'shm' | 'postmessage';

/** What the server thread is told at start (see server-runtime.ts). */
export interface ServerInit {
  type: 'init';
  name: string;
  transport: Transport;
  channel: SharedArrayBuffer | undefined;
  kernelBell: SharedArrayBuffer;
  serverBell: SharedArrayBuffer;
  heartbeat: SharedArrayBuffer;
  arena: SharedArrayBuffer;
  config: Record<string, Value>;
  device: { kind: DeviceKind; memory: SharedArrayBuffer } | undefined;
  spinUs: number;
  wildWriteBytes: number;
}

export type ServerEvent =
  | { type: 'ready' }
  | { type: 'init-failed'; error: string }
  | { type: 'rpc'; m: unknown }
  | { type: 'memstat'; id: number; arena: MemArenaRecord }
  | { type: 'shutdown-done' };

export interface ServerOptions {
  platform: Platform;
  manifest: Manifest;
  transport: Transport;
  kernelBell: Doorbell;
  kernelBellMemory: SharedArrayBuffer;
  config: Record<string, Value>;
  device: { kind: DeviceKind; memory: SharedArrayBuffer } | undefined;
  arenaBytes: number;
  channelBytes: number;
  spinUs: number;
  wildWriteBytes: number;
  /** Serves calls the server makes (to the kernel or, relayed, to peers). */
  serve: CallHandler;
  /** The thread died or misbehaved; the supervisor takes over. */
  onDeath: (reason: string) => void;
}

export class UserServer {
  readonly thread: ThreadHandle;
  readonly rpc: Rpc;
  readonly endpoint: Endpoint;
  readonly heartbeat: Int32Array;
  readonly arena: SharedArrayBuffer;
  lastBeat = -1;
  lastBeatAt = performance.now();
  dead = false;
  private readonly ready: Promise<void>;
  private memstatWaiters = new Map<number, (r: MemArenaRecord) => void>();
  private nextMemstat = 1;

  constructor(private readonly o: ServerOptions) {
    this.thread = o.platform.createThread('server');
    this.arena = new SharedArrayBuffer(o.arenaBytes);
    const heartbeat = new SharedArrayBuffer(4);
    this.heartbeat = new Int32Array(heartbeat);
    const serverBellMemory = new SharedArrayBuffer(4);
    const channel = o.transport === 'shm' ? channelMemory(o.channelBytes) : undefined;
    const rpcListeners: ((m: unknown) => void)[] = [];
    this.endpoint = channel !== undefined
      ? new ShmEndpoint(channel, 0, new Doorbell(serverBellMemory))
      : new PortEndpoint({ post: (m) => this.thread.post({ type: 'rpc', m }), onMessage: (h) => rpcListeners.push(h) });
    this.rpc = new Rpc(this.endpoint, o.serve, (e) => this.die(`kernel-side handler failed: ${String(e)}`));

    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => { readyResolve = resolve; readyReject = reject; });
    this.ready.catch(() => {});
    this.thread.onMessage((raw) => {
      const ev = raw as ServerEvent;
      switch (ev.type) {
        case 'ready': readyResolve(); return;
        case 'init-failed': readyReject(new Error(ev.error)); return;
        case 'rpc': for (const l of rpcListeners) l(ev.m); return;
        case 'memstat': this.memstatWaiters.get(ev.id)?.(ev.arena); this.memstatWaiters.delete(ev.id); return;
        case 'shutdown-done': this.shutdownDone?.(); return;
      }
    });
    this.thread.onExit((error) => {
      readyReject(new Error(error ?? 'server thread exited during start'));
      this.die(error ?? 'server thread exited');
    });
    const init: ServerInit = {
      type: 'init', name: o.manifest.name, transport: o.transport, channel, kernelBell: o.kernelBellMemory,
      serverBell: serverBellMemory, heartbeat, arena: this.arena, config: o.config, device: o.device,
      spinUs: o.spinUs, wildWriteBytes: o.wildWriteBytes,
    };
    this.thread.post(init);
  }

  started(): Promise<void> { return this.ready; }

  call(method: string, args: Value[], replays = 0): Promise<Value> {
    return this.rpc.call(this.o.manifest.name, method, args, replays);
  }

  poll(): boolean { return this.endpoint.poll(); }

  armFault(kind: string): void { this.thread.post({ type: 'fault', kind }); }

  memstat(): Promise<MemArenaRecord> {
    const id = this.nextMemstat++;
    return new Promise((resolve) => { this.memstatWaiters.set(id, resolve); this.thread.post({ type: 'memstat', id }); });
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

  /** Whether the heartbeat stalled longer than `timeoutMs`. */
  hung(timeoutMs: number): boolean {
    const beat = Atomics.load(this.heartbeat, 0);
    const now = performance.now();
    if (beat !== this.lastBeat) { this.lastBeat = beat; this.lastBeatAt = now; return false; }
    // NOTE: the first beat comes only once the thread has loaded its code, which on a
    // loaded machine takes seconds: a server that never beat yet gets ten timeouts.
    if (beat === 0) return now - this.lastBeatAt > timeoutMs * 10;
    return now - this.lastBeatAt > timeoutMs;
  }

  die(reason: string): void {
    if (this.dead) return;
    this.dead = true;
    this.thread.terminate();
    this.o.onDeath(reason);
  }

  drain(): PendingCall[] { return this.rpc.drain(); }
}
