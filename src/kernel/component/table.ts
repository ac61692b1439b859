// The component table: every loaded component, its domain, state and restarts, and
// the object callers use to reach it. In the kernel domain that object is the
// instance itself (wrapped only for fault injection): a call is a direct call. In the
// user domain it is a proxy whose calls go over the component's channel, queue while
// it restarts, and are replayed (idempotent methods) or failed with EIO when it dies.
//
// The supervisor lives here too: it watches user-domain servers (exit, heartbeat)
// and restarts them; a component that fails in the kernel domain panics the kernel.

import { Arena, checksum } from '../../lib/arena.js';
import type { Value } from '../../lib/codec.js';
import type { ComponentContext, ComponentInstance, KernelCalls } from '../../abi/component.js';
import { KernelError, Errno, isKernelError } from '../../abi/errno.js';
import type { ModRecord, MemArenaRecord } from '../../abi/sysinfo.js';
import type { Doorbell } from '../../lib/poller.js';
import type { DeviceKind } from '../../abi/component.js';
import type { Platform } from '../platform.js';
import type { Params } from '../params.js';
import { bindDevice } from '../device.js';
import { wrapComponent, type FaultState, type FaultType } from './fault.js';
import { UserServer, type Transport } from './server.js';
import type { ComponentModule } from './server-runtime.js';
import type { PendingCall } from '../ipc/rpc.js';

export type Domain = 'kernel' | 'user';

/** Times an idempotent call in flight at a crash is replayed on the restarted server. */
const MAX_REPLAYS = 1;

export interface ComponentRecord {
  readonly name: string;
  readonly module: ComponentModule;
  readonly domain: Domain;
  state: 'starting' | 'running' | 'restarting' | 'failed';
  restarts: number;
  /** Bumped at each restart: handles into an older instance are stale. */
  generation: number;
  /** What callers call. */
  readonly iface: ComponentInstance;
  instance: ComponentInstance | undefined;
  readonly faults: FaultState;
  server: UserServer | undefined;
  /** Calls waiting for a restart to finish. */
  waiting: (() => void)[];
}

export interface TableOptions {
  platform: Platform;
  params: Params;
  transport: Transport;
  kernelArena: Arena;
  kernelBell: Doorbell;
  kernelBellMemory: SharedArrayBuffer;
  kernelCalls: KernelCalls & { log(message: string): Promise<void> };
  devices: Record<string, { kind: DeviceKind; memory: SharedArrayBuffer }>;
  /** Device grants by component name (the preset's); a device is bound only where the manifest asks and this grants. */
  grants: Readonly<Record<string, DeviceKind>>;
  config: (name: string) => Record<string, Value>;
  log: (line: string) => void;
  /** A kernel-domain component failed: the kernel panics. */
  panic: (component: string, cause: string) => never;
}

export class ComponentTable {
  private readonly records = new Map<string, ComponentRecord>();
  private readonly servers = new Set<UserServer>();

  constructor(private readonly o: TableOptions) {}

  has(name: string): boolean { return this.records.has(name); }
  get(name: string): ComponentRecord | undefined { return this.records.get(name); }
  list(): ComponentRecord[] { return [...this.records.values()]; }

  /** The interface of component `name` (ENODEV when not loaded). */
  iface<T>(name: string): T {
    const r = this.records.get(name);
    if (r === undefined) throw new KernelError(Errno.ENODEV, `component ${name} is not loaded`);
    return r.iface as T;
  }

  /** Polls every shm channel; true when any had messages. */
  poll(): boolean {
    let worked = false;
    for (const s of this.servers) if (s.poll()) worked = true;
    return worked;
  }

  async load(module: ComponentModule, domain: Domain): Promise<ComponentRecord> {
    const name = module.manifest.name;
    if (this.records.has(name)) throw new KernelError(Errno.EEXIST, `${name} is already loaded`);
    const faults: FaultState = { armed: undefined, leaking: false };
    const iface: ComponentInstance = {};
    const record: ComponentRecord = { name, module, domain, state: 'starting', restarts: 0, generation: 0, iface, instance: undefined, faults, server: undefined, waiting: [] };
    this.records.set(name, record);
    try {
      if (domain === 'kernel') await this.startKernel(record);
      else await this.startUser(record);
    } catch (e) {
      this.records.delete(name);
      throw e;
    }
    record.state = 'running';
    return record;
  }

  // The device a component gets: the one its manifest asks for, if the preset grants
  // it that very device. Everything else gets no device memory at all.
  private grantedDevice(record: ComponentRecord): { kind: DeviceKind; memory: SharedArrayBuffer } | undefined {
    const wanted = record.module.manifest.device;
    if (wanted === undefined) return undefined;
    if (this.o.grants[record.name] !== wanted) {
      this.o.log(`${record.name}: device ${wanted} not granted by the preset; none bound`);
      return undefined;
    }
    return this.o.devices[wanted];
  }

  private context(record: ComponentRecord, arena: Arena): ComponentContext {
    const dev = this.grantedDevice(record);
    // Kernel memory is one address space: a device bound to a kernel-domain driver is
    // mapped where every kernel-domain component can reach it (as MMIO in a C kernel).
    if (dev !== undefined) arena.mapWindow({ owner: record.name, tag: dev.kind, memory: dev.memory });
    return {
      name: record.name,
      arena,
      config: this.o.config(record.name),
      log: (m) => this.o.log(m),
      peer: <T>(name: string): T => {
        if (!record.module.manifest.uses.includes(name)) throw new KernelError(Errno.EPERM, `${record.name} holds no capability for ${name}`);
        return this.lazyIface<T>(name);
      },
      kernel: this.o.kernelCalls,
      device: dev === undefined ? undefined : bindDevice(dev.kind, dev.memory),
    };
  }

  /** A peer reference resolved at call time, so it follows loads and restarts. */
  private lazyIface<T>(name: string): T {
    return new Proxy({}, {
      get: (_t, method): unknown => {
        if (typeof method !== 'string' || method === 'then') return undefined;
        return (...args: unknown[]) => (this.iface<Record<string, (...a: unknown[]) => unknown>>(name)[method]!)(...args);
      },
    }) as T;
  }

  private async startKernel(record: ComponentRecord): Promise<void> {
    const instance = wrapComponent(record.module.create(this.context(record, this.o.kernelArena)), record.name, this.o.kernelArena, this.o.params.wildWriteBytes, record.faults);
    record.instance = instance;
    // Direct calls: the interface is the instance's own (wrapped) methods, and a
    // failure that is not an errno is a kernel bug: panic, naming the component.
    for (const [key, fn] of Object.entries(instance)) {
      if (typeof fn !== 'function') continue;
      const method = fn as (...a: unknown[]) => unknown;
      record.iface[key] = (...args: unknown[]): unknown => {
        let result: unknown;
        try { result = method(...args); } catch (e) { this.kernelFailure(record, e); }
        if (result instanceof Promise) return result.catch((e: unknown) => this.kernelFailure(record, e));
        return result;
      };
    }
    await instance.init?.();
  }

  private kernelFailure(record: ComponentRecord, e: unknown): never {
    if (isKernelError(e)) throw e;
    const cause = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return this.o.panic(record.name, cause);
  }

  private newServer(record: ComponentRecord): UserServer {
    const granted = this.grantedDevice(record);
    const server = new UserServer({
      platform: this.o.platform,
      manifest: record.module.manifest,
      transport: this.o.transport,
      kernelBell: this.o.kernelBell,
      kernelBellMemory: this.o.kernelBellMemory,
      config: this.o.config(record.name),
      device: granted,
      arenaBytes: this.o.params.userArenaBytes,
      channelBytes: this.o.params.channelRingBytes,
      spinUs: this.o.params.serverSpinUs,
      wildWriteBytes: this.o.params.wildWriteBytes,
      serve: (to, method, args) => this.serveFromServer(record, to, method, args),
      onDeath: (reason) => { void this.restart(record, server, reason); },
    });
    return server;
  }

  private async startUser(record: ComponentRecord): Promise<void> {
    const server = this.newServer(record);
    record.server = server;
    this.servers.add(server);
    await server.started();
    // The proxy: one closure per method, created on first use.
    Object.setPrototypeOf(record.iface, new Proxy({}, {
      get: (_t, method): unknown => {
        if (typeof method !== 'string' || method === 'then') return undefined;
        const fn = (...args: Value[]): Promise<Value> => this.callUser(record, method, args);
        record.iface[method] = fn;
        return fn;
      },
    }));
  }

  private async callUser(record: ComponentRecord, method: string, args: Value[]): Promise<Value> {
    while (record.state === 'restarting' || record.state === 'starting') {
      // NOTE: await; the call waits for the restart to finish.
      await new Promise<void>((r) => record.waiting.push(r));
    }
    if (record.state === 'failed' || record.server === undefined) throw new KernelError(Errno.EIO, `${record.name} has failed`);
    return record.server.call(method, args);
  }

  /** A user-domain server calls the kernel or, through the kernel, a peer. */
  private async serveFromServer(record: ComponentRecord, to: string, method: string, args: Value[]): Promise<Value> {
    if (to === 'kernel') {
      const fn = (this.o.kernelCalls as unknown as Record<string, (...a: Value[]) => Promise<Value>>)[method];
      if (typeof fn !== 'function') throw new KernelError(Errno.ENOSYS, `no kernel call ${method}`);
      return (await fn.apply(this.o.kernelCalls, args)) ?? null;
    }
    if (!record.module.manifest.uses.includes(to)) throw new KernelError(Errno.EPERM, `${record.name} holds no capability for ${to}`);
    const target = this.iface<Record<string, (...a: Value[]) => Promise<Value>>>(to);
    return (await target[method]!(...args)) ?? null;
  }

  /** The supervisor: restart a user-domain server that died or hung. */
  private async restart(record: ComponentRecord, dead: UserServer, reason: string): Promise<void> {
    if (record.server !== dead) return;
    this.servers.delete(dead);
    const inFlight: PendingCall[] = dead.drain();
    if (record.state === 'failed') { for (const c of inFlight) c.reject(new KernelError(Errno.EIO)); return; }
    record.state = 'restarting';
    record.restarts++;
    record.generation++;
    this.o.log(`${record.name}: ${reason}; restarting (restart ${record.restarts})`);
    if (record.restarts > this.o.params.maxRestarts) {
      record.state = 'failed';
      this.o.log(`${record.name}: too many restarts, giving up`);
    } else {
      const server = this.newServer(record);
      record.server = server;
      this.servers.add(server);
      try {
        await server.started();
        record.state = 'running';
        this.o.log(`${record.name}: restarted`);
      } catch (e) {
        this.o.log(`${record.name}: restart failed: ${e instanceof Error ? e.message : String(e)}`);
        return; // onDeath of the new server runs the next attempt
      }
    }
    const idempotent = record.module.manifest.idempotent;
    for (const c of inFlight) {
      // Replay once: a request that kills the server every time must not restart it forever.
      if (record.state === 'running' && idempotent.includes(c.method) && c.replays < MAX_REPLAYS) record.server!.call(c.method, c.args, c.replays + 1).then(c.resolve, c.reject);
      else c.reject(new KernelError(Errno.EIO, `${record.name} died during ${c.method}`));
    }
    for (const w of record.waiting.splice(0)) w();
  }

  /** IPC calls in flight to user-domain servers. */
  inFlight(): number {
    let n = 0;
    for (const s of this.servers) n += s.rpc.inFlight().length;
    return n;
  }

  /** Checks every server's heartbeat; called by the kernel about every 100 ms. */
  watch(): void {
    for (const s of this.servers) if (!s.dead && s.hung(this.o.params.heartbeatTimeoutMs)) s.die('hung (no heartbeat)');
  }

  armFault(name: string, type: FaultType): void {
    const r = this.records.get(name);
    if (r === undefined) throw new KernelError(Errno.ENODEV, `component ${name} is not loaded`);
    if (r.domain === 'kernel') r.faults.armed = type;
    else r.server?.armFault(type);
  }

  async unload(name: string): Promise<void> {
    const r = this.records.get(name);
    if (r === undefined) throw new KernelError(Errno.ENOENT, `component ${name} is not loaded`);
    if (r.domain === 'kernel') {
      if (r.instance?.busy?.() === true) throw new KernelError(Errno.EBUSY, `${name} is in use`);
      await r.instance?.shutdown?.();
      this.o.kernelArena.freeOwner(name);
      this.o.kernelArena.unmapWindows(name);
    } else {
      if (r.server !== undefined && r.server.rpc.inFlight().length > 0) throw new KernelError(Errno.EBUSY, `${name} is in use`);
      const busy = await (r.iface as { busy?: () => Promise<boolean> }).busy?.().catch(() => false);
      if (busy === true) throw new KernelError(Errno.EBUSY, `${name} is in use`);
      r.state = 'failed';
      if (r.server !== undefined) { this.servers.delete(r.server); r.server.dead = true; r.server.thread.terminate(); }
    }
    this.records.delete(name);
  }

  /** Shuts components down in reverse boot order: users of a driver before the driver. */
  async shutdownAll(): Promise<void> {
    for (const r of [...this.records.values()].reverse()) {
      try {
        if (r.domain === 'kernel') await r.instance?.shutdown?.();
        else if (r.server !== undefined && !r.server.dead && r.state === 'running') {
          await r.server.shutdown(2000);
          r.server.dead = true;
          r.server.thread.terminate();
        }
      } catch { /* shutting down anyway */ }
    }
  }

  modules(): ModRecord[] {
    return this.list().map((r) => ({ name: r.name, domain: r.domain, state: r.state, restarts: r.restarts, description: r.module.manifest.description }));
  }

  async memstat(): Promise<MemArenaRecord[]> {
    const kernel: MemArenaRecord = {
      arena: 'kernel', size: this.o.kernelArena.size,
      regions: this.o.kernelArena.list().map((r) => ({ owner: r.owner, tag: r.tag, offset: r.offset, length: r.length, checksum: checksum(r.bytes) })),
    };
    const users = await Promise.all(this.list().filter((r) => r.domain === 'user' && r.server !== undefined && r.state === 'running').map((r) => r.server!.memstat()));
    return [kernel, ...users];
  }
}
