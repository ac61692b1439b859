// The component table: every loaded component, its domain, state and restarts, and
// the object the kernel and kernel-domain callers use to reach it — a binding made
// once at load from the service list (abi/services.ts). In the kernel domain that
// object holds the instance's own methods (plus one field test for fault injection):
// a call is a direct call. In the user domain its methods send on the component's
// kernel channel; calls queue while it restarts and are replayed (idempotent methods)
// or failed with EIO when it dies.
//
// Channels between components are wired by channels.ts (one per `uses` edge, direct
// between the two threads). The supervisor lives here too: it watches user-domain
// servers (exit, heartbeat) and restarts them, re-wiring their channels; a component
// that fails in the kernel domain panics the kernel. The sandbox domain (a WebAssembly
// build in the kernel thread) has its own supervisor in sandbox.ts.

import { Arena, checksum } from '../../lib/arena.js';
import type { Value } from '../../lib/codec.js';
import type { ComponentContext, ComponentInstance, KernelCalls } from '../../abi/component.js';
import { KernelError, Errno, isKernelError } from '../../abi/errno.js';
import { grants } from '../../abi/services.js';
import type { ModRecord, MemArenaRecord } from '../../abi/sysinfo.js';
import type { Doorbell } from '../../lib/poller.js';
import type { DeviceKind } from '../../abi/component.js';
import type { Platform } from '../platform.js';
import type { Params } from '../params.js';
import { bindDevice } from '../device.js';
import { SERVICES, KERNEL, lendRefusal, passesGrants, unheldGrant, type ServiceDef } from '../../abi/services.js';
import { WindowGrant, callWithGrants } from '../ipc/grant.js';
import { wrapComponent, type FaultState, type FaultType } from './fault.js';
import { UserServer, type Transport, type ServerInit } from './server.js';
import type { ComponentModule } from './server-runtime.js';
import type { PendingCall } from '../ipc/rpc.js';
import { MAX_REPLAYS, bindClient } from './peer-link.js';
import { Channels, usedServices } from './channels.js';
import { SandboxComponent, isSandboxModule } from './sandbox.js';

export type Domain = 'kernel' | 'user' | 'sandbox';

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
  /** Its instance's supervisor (sandbox domain). */
  sandbox?: SandboxComponent;
  /** A WebAssembly build's module bytes given at load (insmod FILE), used again at each restart; else the image's. */
  wasmBytes?: Uint8Array;
  /** The doorbell word of its server thread (user domain), kept across restarts. */
  readonly bell: SharedArrayBuffer;
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
  /** A file of the image (the initramfs), for WebAssembly components' modules; undefined when absent. */
  imageFile?: (path: string) => Uint8Array | undefined;
  /** The kernel arena's memory as a WebAssembly memory: where an unsandboxed WebAssembly module's memory lives. */
  kernelArenaMemory?: WebAssembly.Memory;
}

export class ComponentTable {
  private readonly records = new Map<string, ComponentRecord>();
  private readonly servers = new Set<UserServer>();
  private readonly channels: Channels;
  /** Server-to-server calls the kernel thread relayed (the mach and postmessage transports; 0 under shm). */
  relayed = 0;
  /** Component -> component calls the kernel made (a kernel-domain caller's direct call) or relayed, per edge. */
  private readonly peerCalls = new Map<string, { from: string; to: string; calls: number }>();
  /**
   * Makes each relayed call (`call`) on the relay's behalf, when set (kernel/trace.ts
   * sets it once something is traced). Called before the relay's first await: the
   * client's endpoint still holds the message of this call.
   */
  relayTap: ((from: string, to: string, method: string, args: Value[], call: () => Promise<Value>) => Promise<Value>) | undefined;

  /** Told when a user-domain server is ready ('up') and when it died, was given up or unloaded ('down'): the direct paths follow vfs, pm and net (proc/direct.ts, direct-net.ts). */
  serverEvents: ((name: string, event: 'up' | 'down') => void) | undefined;

  constructor(private readonly o: TableOptions) {
    this.channels = new Channels({
      records: this.records, ringBytes: o.params.channelRingBytes, kernelBell: o.kernelBellMemory,
      serve: (service, client, method, args) => this.serveOnChannel(service, client, method, args),
      failure: (service, e) => this.kernelFailure(this.records.get(service), e),
    });
  }

  /** Memory the kernel lends windows of to user-domain servers (processes' user memory), by id. */
  readonly lent = new Map<number, SharedArrayBuffer>();

  /** Lent memory `id` is gone (its process exited): every server that mapped it unmaps it. */
  forgetMemory(id: number): void {
    if (!this.lent.delete(id)) return;
    for (const s of this.servers) s.forgetMemory(id);
  }

  /** Whether server-to-server calls take direct channels (shm) or the kernel relay (mach, postmessage). */
  get direct(): boolean { return this.o.transport === 'shm'; }

  /**
   * Whether calls to `name` take grants: always in the kernel domain (a direct
   * reference); in the user domain under shm. The first-generation transports (mach,
   * postmessage) copy bulk data through their messages, as they did.
   */
  lendsTo(name: string): boolean {
    const r = this.records.get(name);
    return r !== undefined && (r.domain !== 'user' || this.direct);
  }

  has(name: string): boolean { return this.records.has(name); }
  get(name: string): ComponentRecord | undefined { return this.records.get(name); }
  list(): ComponentRecord[] { return [...this.records.values()]; }

  /** The interface of component `name` (ENODEV when not loaded). */
  iface<T>(name: string): T {
    const r = this.records.get(name);
    if (r === undefined) throw new KernelError(Errno.ENODEV, `component ${name} is not loaded`);
    return r.iface as T;
  }

  /** Polls every shm channel with a kernel end; true when any had messages. */
  poll(): boolean {
    let worked = this.channels.poll();
    for (const s of this.servers) if (s.poll()) worked = true;
    return worked;
  }

  /**
   * Loads `module` into `domain`. `wasm`: a WebAssembly build's module bytes (insmod
   * FILE) instead of the image's; `unsandboxed`: that build in the kernel domain, its
   * memory in the kernel arena (kernel/sandbox/module.ts).
   */
  async load(module: ComponentModule, domain: Domain, wasm?: Uint8Array, unsandboxed = false): Promise<ComponentRecord> {
    const name = module.manifest.name;
    if (this.records.has(name)) throw new KernelError(Errno.EEXIST, `${name} is already loaded`);
    if (SERVICES[name] === undefined || name === 'kernel') throw new KernelError(Errno.ENOENT, `${name} is not in the service list`);
    const faults: FaultState = { armed: undefined, leaking: false };
    const iface: ComponentInstance = {};
    const record: ComponentRecord = { name, module, domain, state: 'starting', restarts: 0, generation: this.unloaded.get(name) ?? 0, iface, instance: undefined, faults, server: undefined, bell: this.bellFor(name), waiting: [], ...(wasm === undefined ? {} : { wasmBytes: wasm }) };
    this.records.set(name, record);
    try {
      if (domain === 'sandbox' || unsandboxed) await this.startSandbox(record, wasm, unsandboxed);
      else if (domain === 'kernel') await this.startKernel(record);
      else await this.startUser(record);
    } catch (e) {
      this.records.delete(name);
      this.channels.unwire(name, Errno.ENODEV);
      throw e;
    }
    record.state = 'running';
    // A sandboxed component lives in the kernel thread: user-domain clients reach it as they reach a kernel-domain one.
    if (domain !== 'user' && this.direct) this.channels.kernelServiceUp(record);
    if (domain === 'user' && !unsandboxed) this.serverEvents?.(name, 'up');
    return record;
  }

  private readonly bells = new Map<string, SharedArrayBuffer>();
  /**
   * The generation a component loaded again after an unload starts from (one past its
   * last): handles and sockets of the unloaded instance carry its generation, and a new
   * instance numbering from 0 again would take them for its own.
   */
  private readonly unloaded = new Map<string, number>();

  /**
   * The doorbell memory of `name`'s server thread: made once per name and kept across
   * restarts and reloads, so a process can be given it before the server first starts
   * (the direct path to net, which loads at the first socket()).
   */
  bellFor(name: string): SharedArrayBuffer {
    let bell = this.bells.get(name);
    if (bell === undefined) { bell = new SharedArrayBuffer(4); this.bells.set(name, bell); }
    return bell;
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

  private context(record: ComponentRecord, arena: Arena, lends = false): ComponentContext {
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
        const service = SERVICES[name];
        if (!usedServices(record.module.manifest).includes(name) || service === undefined) throw new KernelError(Errno.EPERM, `${record.name} holds no capability for ${name}`);
        return this.peerBinding<T>(record, service);
      },
      kernel: bindClient(KERNEL, record.name, record.module.manifest.uses, (method, args) => this.kernelCall(method, args)),
      device: dev === undefined ? undefined : bindDevice(dev.kind, dev.memory),
      ...(lends ? { lends } : {}),
    };
  }

  /**
   * A kernel-domain component's binding to a peer: one function per method of the
   * peer's service, made once; each call looks the peer up (so it follows rmmod,
   * insmod and restarts) and calls its binding. A method the manifest narrows away
   * fails with EPERM.
   */
  private peerBinding<T>(record: ComponentRecord, service: ServiceDef): T {
    const counter = this.peerCounter(record.name, service.name);
    return bindClient<T>(service, record.name, record.module.manifest.uses, (method, args) => {
      counter.calls++;
      // A grant passed on (vfs -> ext2) must be one the caller holds, its call not over:
      // the kernel-domain caller hands the object itself, never a reference it made up.
      for (const i of service.byName.get(method)?.grants ?? []) {
        if (!WindowGrant.live(args[i])) return Promise.reject(unheldGrant(record.name, service.name, method, args[i] instanceof WindowGrant));
      }
      const target = this.iface<Record<string, (...a: Value[]) => Promise<Value>>>(service.name);
      return target[method]!(...args);
    });
  }

  private kernelCall(method: string, args: Value[]): Promise<Value> {
    const fn = (this.o.kernelCalls as unknown as Record<string, (...a: Value[]) => Promise<Value>>)[method];
    if (typeof fn !== 'function') return Promise.reject(new KernelError(Errno.ENOSYS, `no kernel call ${method}`));
    return fn.apply(this.o.kernelCalls, args);
  }

  private async startKernel(record: ComponentRecord): Promise<void> {
    const instance = wrapComponent(record.module.create(this.context(record, this.o.kernelArena, true)), record.name, this.o.kernelArena, this.o.params.wildWriteBytes, record.faults,
      SERVICES[record.name]!, { panic: (cause) => this.o.panic(record.name, cause) });
    record.instance = instance;
    // Direct calls: the binding is the instance's own (wrapped) methods. A failure that
    // is not an errno is a kernel bug: the syscall dispatcher (or the kernel end of a
    // channel) panics.
    for (const def of SERVICES[record.name]!.methods) record.iface[def.name] = instance[def.name];
    await instance.init?.();
  }

  // The sandbox domain: the component's WebAssembly module, checked, metered and
  // instantiated in this thread; its glue is created with the instance (sandbox.ts).
  private async startSandbox(record: ComponentRecord, wasm: Uint8Array | undefined, unsandboxed: boolean): Promise<void> {
    const module = record.module;
    if (!isSandboxModule(module)) throw new KernelError(Errno.ENOEXEC, `${record.name} has no WebAssembly build`);
    const dev = this.grantedDevice(record);
    const sandbox = new SandboxComponent({
      name: record.name, module, service: SERVICES[record.name]!, params: this.o.params,
      binary: () => wasm ?? this.o.imageFile?.(module.wasm.path) ?? (() => { throw new KernelError(Errno.ENOENT, `${record.name}: no /${module.wasm.path} in the image`); })(),
      device: dev?.memory,
      // Its memory is its own linear memory; the arena it is handed stays empty (nothing of the kernel's).
      context: () => this.context(record, new Arena(`sandbox:${record.name}`, new ArrayBuffer(0))),
      log: (m) => this.o.log(m),
      state: record,
      panic: (cause) => this.o.panic(record.name, cause),
      ...(unsandboxed ? { unsandboxed: { arena: this.o.kernelArena, memory: this.o.kernelArenaMemory ?? (() => { throw new KernelError(Errno.ENOEXEC, 'this kernel arena is not a WebAssembly memory'); })() } } : {}),
    });
    record.sandbox = sandbox;
    sandbox.bind(record.iface);
    await sandbox.start();
  }

  private kernelFailure(record: ComponentRecord | undefined, e: unknown): never {
    if (isKernelError(e)) throw e;
    const cause = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return this.o.panic(record?.name ?? 'kernel', cause);
  }

  /** A call that arrived on a channel's kernel end, for kernel-domain component `service`. */
  private serveOnChannel(service: string, client: string, method: string, args: Value[]): Promise<Value> {
    const c = this.records.get(client);
    if (c === undefined || !grants(c.module.manifest.uses, service, method)) return Promise.reject(new KernelError(Errno.EPERM, `${client} holds no capability for ${service}.${method}`));
    const refused = lendRefusal(client, service, method, true);
    if (refused !== undefined) return Promise.reject(refused);
    const target = this.iface<Record<string, ((...a: Value[]) => Promise<Value>) | undefined>>(service);
    const fn = target[method];
    if (fn === undefined) return Promise.reject(new KernelError(Errno.ENOSYS, `${service} has no method ${method}`));
    const at = SERVICES[service]?.byName.get(method)?.grants ?? [];
    if (at.length === 0) return fn(...args);
    // A grant a user-domain vfs passes on: a window of a memory the kernel lent, over
    // that memory, for this call only.
    return callWithGrants(at, args, `${client} -> ${service}.${method}`, (ref) => {
      const memory = this.lent.get(ref.grant);
      if (memory === undefined) throw new KernelError(Errno.EFAULT, `${client}: grant ${ref.grant} of ${service}.${method} is not of lent memory`);
      return { memory: new Uint8Array(memory), lender: memory };
    }, (a) => fn(...(a as Value[])));
  }

  /**
   * Lends process memory `id`: a server maps it when a call that needs it goes there
   * (server.ts), or when it asks for it because vfs passed it a grant of it (mapLent).
   */
  lendMemory(id: number, memory: SharedArrayBuffer): void {
    if (!this.lent.has(id)) this.lent.set(id, memory);
  }

  // Whether a user-domain server may receive grants passed on by a peer: it takes
  // grants, and a component that passes grants on uses it (vfs -> ext2).
  private passedGrants(name: string): boolean {
    if (!this.direct || !passesGrants(name)) return false;
    for (const r of this.records.values()) if (r.name !== name && passesGrants(r.name) && usedServices(r.module.manifest).includes(name)) return true;
    return false;
  }

  /** A new server thread for `record`, its channels wired; `announce` tells its clients once it is ready. */
  private newServer(record: ComponentRecord): { server: UserServer; announce: () => void } {
    const granted = this.grantedDevice(record);
    const wiring = this.direct ? this.channels.wireStart(record) : { links: [], clients: [], down: [], announce: () => {} };
    const server: UserServer = new UserServer({
      platform: this.o.platform,
      manifest: record.module.manifest,
      transport: this.o.transport,
      kernelBell: this.o.kernelBell,
      kernelBellMemory: this.o.kernelBellMemory,
      config: this.o.config(record.name),
      device: granted,
      bell: record.bell,
      links: wiring.links,
      clients: wiring.clients,
      down: wiring.down,
      arenaBytes: this.o.params.userArenaBytes,
      channelBytes: this.o.params.channelRingBytes,
      spinUs: this.o.params.serverSpinUs,
      lingerUs: this.o.params.serverSpinAfterWakeUs,
      wildWriteBytes: this.o.params.wildWriteBytes,
      heartbeatMs: this.o.params.heartbeatPeriodMs, judgedByCpu: this.o.params.hangCpuMs > 0,
      spareThreads: this.o.params.serverSpareThreads,
      serve: (to, method, args) => this.serveFromServer(record, to, method, args),
      // A kernel-domain component failed serving a relayed or kernel call: a kernel bug.
      onServeError: (e) => this.kernelFailure(undefined, e),
      onDeath: (reason) => { void this.restart(record, server, reason); },
      lent: this.lent,
      ...(this.wasmFor(record)),
    });
    return { server, announce: wiring.announce };
  }

  // A WebAssembly build placed in the user domain (user-wasm): its server runs the module.
  private wasmFor(record: ComponentRecord): { wasm?: ServerInit['wasm'] } {
    const module = record.module;
    if (!isSandboxModule(module)) return {};
    const bytes = record.wasmBytes ?? this.o.imageFile?.(module.wasm.path);
    if (bytes === undefined) throw new KernelError(Errno.ENOENT, `${record.name}: no /${module.wasm.path} in the image`);
    const p = this.o.params;
    return { wasm: { module: `${record.name}-wasm`, bytes, fuel: p.sandboxFuel, maxBytes: p.sandboxModuleBytes, maxPages: p.sandboxPages } };
  }

  private async startUser(record: ComponentRecord): Promise<void> {
    const { server, announce } = this.newServer(record);
    record.server = server;
    this.servers.add(server);
    // The binding: one function per method of the service list, made once.
    for (const def of SERVICES[record.name]!.methods) {
      const method = def.name;
      record.iface[method] = (...args: Value[]): Promise<Value> => this.callUser(record, method, args);
    }
    await server.started();
    announce();
  }

  private async callUser(record: ComponentRecord, method: string, args: Value[]): Promise<Value> {
    while (record.state === 'restarting' || record.state === 'starting') {
      // NOTE: await; the call waits for the restart to finish.
      await new Promise<void>((r) => record.waiting.push(r));
    }
    if (record.state === 'failed' || record.server === undefined) throw new KernelError(Errno.EIO, `${record.name} has failed`);
    return record.server.call(method, args);
  }

  /**
   * A user-domain server calls the kernel on its kernel channel — or, under the relayed
   * transports (mach, postmessage), a peer through the kernel. Every call is checked
   * against the caller's manifest here, whatever its own side claimed.
   */
  private async serveFromServer(record: ComponentRecord, to: string, method: string, args: Value[]): Promise<Value> {
    // The runtime of a server vfs passes grants on to asks for the memory a grant names:
    // granted by the structure (passedGrants), not by a `uses` entry; only memory lent.
    if (to === 'kernel' && method === 'mapLent') {
      const id = args[0];
      const memory = typeof id === 'number' ? this.lent.get(id) : undefined;
      if (!this.passedGrants(record.name) || memory === undefined) throw new KernelError(Errno.EFAULT, `${record.name}: no lent memory ${String(id)} to map`);
      record.server?.map(id as number, memory);
      return null;
    }
    const uses = record.module.manifest.uses;
    if (!grants(uses, to, method)) throw new KernelError(Errno.EPERM, `${record.name} holds no capability for ${to}.${method}`);
    if (to === 'kernel') return (await this.kernelCall(method, args)) ?? null;
    const refused = lendRefusal(record.name, to, method);
    if (refused !== undefined) throw refused;
    if (this.direct) throw new KernelError(Errno.EPERM, `${record.name}: calls to ${to} go on its own channel, not through the kernel`);
    const target = this.iface<Record<string, ((...a: Value[]) => Promise<Value>) | undefined>>(to);
    const fn = target[method];
    if (fn === undefined) throw new KernelError(Errno.ENOSYS, `${to} has no method ${method}`);
    this.relayed++;
    this.peerCounter(record.name, to).calls++;
    if (this.relayTap !== undefined) return (await this.relayTap(record.name, to, method, args, () => fn(...args))) ?? null;
    return (await fn(...args)) ?? null;
  }

  /** The supervisor: restart a user-domain server that died or hung. */
  private async restart(record: ComponentRecord, dead: UserServer, reason: string): Promise<void> {
    if (record.server !== dead) return;
    this.servers.delete(dead);
    const inFlight: PendingCall[] = dead.drain();
    if (record.state === 'failed') { for (const c of inFlight) c.reject(new KernelError(Errno.EIO)); return; }
    // Its clients' channels are dead with it: they queue until the new one is wired.
    if (this.direct) this.channels.serverDown(record);
    this.serverEvents?.(record.name, 'down');
    record.state = 'restarting';
    record.restarts++;
    record.generation++;
    this.o.log(`${record.name}: ${reason}; restarting (restart ${record.restarts})`);
    if (record.restarts > this.o.params.maxRestarts) {
      record.state = 'failed';
      this.o.log(`${record.name}: too many restarts, giving up`);
      if (this.direct) this.channels.unwire(record.name, Errno.EIO);
    } else {
      const { server, announce } = this.newServer(record);
      record.server = server;
      this.servers.add(server);
      try {
        await server.started();
        record.state = 'running';
        announce();
        this.serverEvents?.(record.name, 'up');
        this.o.log(`${record.name}: restarted`);
      } catch (e) {
        this.o.log(`${record.name}: restart failed: ${e instanceof Error ? e.message : String(e)}`);
        // A thread whose component's init failed is still there: end it, so that its
        // onDeath runs the next attempt (bounded by maxRestarts).
        if (!server.dead) server.die('its init failed');
        // onDeath of the new server runs the next attempt. NOTE: await; the calls that
        // were in flight in the dead server wait for that attempt's outcome, then are
        // replayed or failed below (returning here left them unanswered for good).
        while (record.state === 'restarting') await new Promise<void>((r) => record.waiting.push(r));
      }
    }
    const service = SERVICES[record.name]!;
    for (const c of inFlight) {
      // Replay once: a request that kills the server every time must not restart it forever.
      if (record.state === 'running' && service.byName.get(c.method)?.idempotent === true && c.replays < MAX_REPLAYS) record.server!.call(c.method, c.args, c.replays + 1).then(c.resolve, c.reject);
      else c.reject(new KernelError(Errno.EIO, `${record.name} died during ${c.method}`));
    }
    for (const w of record.waiting.splice(0)) w();
  }

  /** IPC calls in flight between the kernel and user-domain servers. */
  inFlight(): number {
    let n = 0;
    for (const s of this.servers) n += s.rpc.inFlight().length;
    return n;
  }

  private lastSelfCheck = performance.now();

  /**
   * Checks every server's heartbeat; called by the kernel every supervisorTickMs. Every
   * `selfCheckMs` it also asks each running server to check its own state, and
   * restarts one that reports damage (MINIX 3's reincarnation server acts on more than
   * crashes): a wild write that corrupted a server without crashing it would otherwise
   * leave it answering wrongly for ever.
   */
  watch(): void {
    for (const s of this.servers) if (!s.dead && s.hung(this.o.params.heartbeatTimeoutMs, this.o.params.serverStartTimeoutMs, this.o.params.hangCpuMs)) s.die('hung (no heartbeat)');
    const every = this.o.params.selfCheckMs;
    const now = performance.now();
    if (every <= 0 || now - this.lastSelfCheck < every) return;
    this.lastSelfCheck = now;
    for (const r of this.records.values()) {
      const s = r.server;
      if (r.domain !== 'user' || r.state !== 'running' || s === undefined || s.dead) continue;
      void s.selfCheck().then((damage) => {
        if (damage === undefined || r.server !== s || s.dead) return;
        s.die(`damaged (self-check: ${damage})`);
      });
    }
  }

  /** Arms `type` for the component's next request; resolves once it is armed (Server.armFault). */
  async armFault(name: string, type: FaultType): Promise<void> {
    const r = this.records.get(name);
    if (r === undefined) throw new KernelError(Errno.ENODEV, `component ${name} is not loaded`);
    if (r.sandbox !== undefined) r.sandbox.armFault(type);
    else if (r.domain === 'kernel') r.faults.armed = type;
    else await r.server?.armFault(type);
  }

  async unload(name: string): Promise<void> {
    const r = this.records.get(name);
    if (r === undefined) throw new KernelError(Errno.ENOENT, `component ${name} is not loaded`);
    if (r.sandbox !== undefined) {
      if (r.sandbox.busy()) throw new KernelError(Errno.EBUSY, `${name} is in use`);
      await r.sandbox.shutdown();
      r.state = 'failed';
      this.o.kernelArena.freeOwner(name);
    } else if (r.domain === 'kernel') {
      if (r.instance?.busy?.() === true) throw new KernelError(Errno.EBUSY, `${name} is in use`);
      await r.instance?.shutdown?.();
      this.o.kernelArena.freeOwner(name);
      this.o.kernelArena.unmapWindows(name);
    } else {
      if (r.server !== undefined && r.server.rpc.inFlight().length > 0) throw new KernelError(Errno.EBUSY, `${name} is in use`);
      r.state = 'failed';
      if (r.server !== undefined) { this.servers.delete(r.server); r.server.stop(); }
      this.serverEvents?.(name, 'down');
    }
    this.records.delete(name);
    this.unloaded.set(name, r.generation + 1);
    this.channels.unwire(name, Errno.ENODEV);
  }

  /** Shuts components down in reverse boot order: users of a driver before the driver. */
  async shutdownAll(): Promise<void> {
    for (const r of [...this.records.values()].reverse()) {
      try {
        if (r.sandbox !== undefined) await r.sandbox.shutdown();
        else if (r.domain === 'kernel') await r.instance?.shutdown?.();
        else if (r.server !== undefined && !r.server.dead && r.state === 'running') {
          await r.server.shutdown(2000);
          r.server.stop();
        }
      } catch { /* shutting down anyway */ }
    }
  }

  private peerCounter(from: string, to: string): { from: string; to: string; calls: number } {
    const key = `${from}>${to}`;
    let c = this.peerCalls.get(key);
    if (c === undefined) { c = { from, to, calls: 0 }; this.peerCalls.set(key, c); }
    return c;
  }

  /**
   * What went between components, as far as the kernel sees it: calls it made for a
   * kernel-domain caller or relayed (mach, postmessage), and bytes on the direct
   * channels it wired (shm), whose rings it can read but does not carry.
   */
  peerTraffic(): { from: string; to: string; calls?: number; bytes?: number }[] {
    const calls = [...this.peerCalls.values()].filter((c) => c.calls > 0).map((c) => ({ from: c.from, to: c.to, calls: c.calls }));
    return [...calls, ...this.channels.traffic().filter((t) => t.bytes > 0)];
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
    const sandboxed = this.list().filter((r) => r.domain === 'sandbox' && r.state === 'running').map((r) => r.sandbox?.memstat()).filter((a) => a !== undefined);
    return [kernel, ...users, ...sandboxed];
  }
}
