// The inside of a user-domain server thread: builds the component's context (its own
// arena, its device binding, peers reached through the channel ends the kernel gave
// it — or through the kernel under the relayed transports), wraps the instance for
// fault injection, and serves calls until the thread is ended. An
// exception that is not an errno escapes to the host as an uncaught error, which ends
// the thread: the kernel's supervisor sees the exit and restarts the component.

import { Arena, checksum } from '../../lib/arena.js';
import { Doorbell, Linger, pollLoop, type LoopHost } from '../../lib/poller.js';
import type { Value } from '../../lib/codec.js';
import type { ComponentContext, ComponentFactory, ComponentInstance, KernelCalls, Manifest } from '../../abi/component.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { SandboxInstance } from '../sandbox/instance.js';
import { SERVICES, KERNEL, checkReply, grants, lendRefusal, passesGrants, unheldGrant, type ServiceDef } from '../../abi/services.js';
import { ShmEndpoint, PortEndpoint, type Endpoint, type PortLike } from '../ipc/endpoint.js';
import { codecWire, fixedWire } from '../ipc/wire.js';
import type { ChannelEnd } from '../ipc/channel.js';
import { Rpc } from '../ipc/rpc.js';
import { bindDevice } from '../device.js';
import { wrapComponent, isFaultType, type FaultState } from './fault.js';
import { PeerLink, bindClient } from './peer-link.js';
import type { ServerInit, ServerControl } from './server.js';
import { WindowGrant, callWithGrants } from '../ipc/grant.js';
import { DirectServer } from './direct-server.js';

/** How long a server that beats from its poll loop sleeps on its doorbell at most (ms): nothing needs it awake. */
const IDLE_SLEEP_MS = 1000;

/** How long a call with a grant waits for the kernel's message that maps the memory. */
const LENT_MEMORY_WAIT_MS = 2000;

export interface ComponentModule { manifest: Manifest; create: ComponentFactory }

export interface ServerHost extends LoopHost {
  /** Messages from the kernel thread (init, fault arming, memstat). */
  port: PortLike;
  /** Makes `error` an uncaught exception of this thread (ending it). */
  crash(error: unknown): never;
  /** Bumps `word` now and then every `periodMs` while the thread runs. */
  startHeartbeat(word: Int32Array, periodMs: number): void;
  /** Whether the thread is still meant to run (an in-process host ends its loop with it); default always. */
  running?(): boolean;
}

/** The component modules by name, or a loader of one (a host that loads only the component a thread runs). */
export type ComponentModules = Record<string, ComponentModule> | ((name: string) => Promise<ComponentModule | undefined>);

export async function runServer(host: ServerHost, modules: ComponentModules): Promise<void> {
  // One listener for the thread's life: what the kernel sends after init (a fault to
  // arm, channel wiring) while the component's module is still loading is kept and
  // handed to the control handler once it exists, not dropped.
  const early: unknown[] = [];
  const route: { control?: (m: unknown) => void } = {};
  const init = await new Promise<ServerInit>((resolve) => host.port.onMessage((m) => {
    if (route.control !== undefined) route.control(m);
    else if ((m as { type?: string }).type === 'init') resolve(m as ServerInit);
    else early.push(m);
  }));
  // A WebAssembly build (user-wasm) is the module NAME-wasm, given its instance as ctx.sandbox.
  const wanted = init.wasm?.module ?? init.name;
  const mod = typeof modules === 'function' ? await modules(wanted).catch(() => undefined) : modules[wanted];
  const own = SERVICES[init.name];
  if (mod === undefined || own === undefined) { host.port.post({ type: 'init-failed', error: `no component named ${init.name}` }); return; }
  const uses = mod.manifest.uses;

  const arena = new Arena(init.name, init.arena);
  const faults: FaultState = { armed: undefined, leaking: false };
  const rpcListeners: ((m: unknown) => void)[] = [];
  const check = (to: string, method: string, v: Value, args: readonly Value[]): Value => {
    const def = SERVICES[to]?.byName.get(method);
    if (def === undefined) throw new KernelError(Errno.ENOSYS, `no method ${to}.${method}`);
    return checkReply(def, to, v, args) as Value;
  };
  // The kernel channel: the kernel's calls to this server, and this server's kernel
  // calls (and, under the relayed transports, its calls to peers).
  const endpoint: Endpoint = init.transport === 'postmessage' || init.channel === undefined
    ? new PortEndpoint({ post: (m) => host.port.post({ type: 'rpc', m }), onMessage: (h) => rpcListeners.push(h) })
    : new ShmEndpoint(init.channel, 1, new Doorbell(init.kernelBell), init.transport === 'shm' ? fixedWire(own, KERNEL) : codecWire);

  let instance: ComponentInstance = {};
  // Memory the kernel lent windows of, mapped into this server (the 'memory' message may
  // arrive after the call that needs it: the call waits for it, a while).
  const lent = new Map<number, Uint8Array>();
  // The lent memory id of each direct page's process, by slot.
  const directMemory = new Map<number, number>();
  const lentWaiters = new Map<number, (() => void)[]>();
  const lentMemory = async (id: number, passedOn = false): Promise<Uint8Array> => {
    const deadline = performance.now() + LENT_MEMORY_WAIT_MS;
    // A grant vfs passed on may name a process's memory the kernel has not mapped here
    // yet: ask for it (the kernel maps only memory it lent, and only into a server vfs
    // passes grants to).
    if (passedOn && !lent.has(id)) await rpc.call('kernel', 'mapLent', [id]);
    for (let m = lent.get(id); ; m = lent.get(id)) {
      if (m !== undefined) return m;
      if (performance.now() > deadline) throw new KernelError(Errno.EFAULT, `grant ${id}: no such memory was lent`);
      await new Promise<void>((resolve) => {
        const list = lentWaiters.get(id) ?? [];
        list.push(resolve);
        lentWaiters.set(id, list);
        setTimeout(resolve, LENT_MEMORY_WAIT_MS);
      });
    }
  };
  // Server dispatch: only the methods of this component's service list.
  const serve = async (_to: string, method: string, args: Value[], passedOn = false): Promise<Value> => {
    const fn = own.byName.has(method) ? instance[method] : undefined;
    if (typeof fn !== 'function') throw new KernelError(Errno.ENOSYS, `${init.name} has no method ${method}`);
    const at = own.byName.get(method)!.grants;
    if (at.length === 0) return (await (fn as (...a: Value[]) => Promise<Value>)(...args)) ?? null;
    // A grant reference becomes a grant over the lent memory, for this call only. A bad
    // reference is an errno; a component that then reaches outside its window faults.
    return await callWithGrants(at, args, method, async (ref) => ({ memory: await lentMemory(ref.grant, passedOn) }),
      async (a) => (await (fn as (...x: unknown[]) => Promise<Value>)(...a)) ?? null);
  };
  const rpc = new Rpc(endpoint, serve, (e) => host.crash(e), check);

  // Direct channels (shm): the ends the kernel gave this server.
  const links = new Map<string, PeerLink>();
  const clients = new Map<string, ShmEndpoint>();
  const linkFor = (peer: string): PeerLink => {
    let l = links.get(peer);
    if (l === undefined) { l = new PeerLink(SERVICES[peer]!, (e) => host.crash(e)); links.set(peer, l); }
    return l;
  };
  const attachClient = (end: ChannelEnd): void => {
    const ep = new ShmEndpoint(end.memory, end.side, new Doorbell(end.peerBell), fixedWire(own, undefined));
    // Replies to calls from an earlier instance of the client land in the old end: dropped with it.
    // Only the kernel lends memory: a grant from another component is refused, unless
    // it is vfs passing on one it holds (services.ts passesGrants; its runtime sends
    // only a live grant's own window, below).
    new Rpc(ep, (to, method, args) => { const refused = lendRefusal(end.peer, init.name, method, true); return refused !== undefined ? Promise.reject(refused) : serve(to, method, args, true); }, (e) => host.crash(e));
    clients.set(end.peer, ep);
  };
  const bell = new Doorbell(init.serverBell);
  // Processes' direct calls (vfs under shm; the kernel attaches them, proc/direct.ts).
  // The loop polls on after a direct answer woke its process (ServerInit.lingerUs).
  const linger = new Linger(init.lingerUs);
  const direct = new DirectServer(init.name, () => instance, (e) => host.crash(e), linger);
  for (const end of init.links) linkFor(end.peer).up(end);
  for (const peer of init.down) linkFor(peer).down();
  for (const end of init.clients) attachClient(end);

  const control = (raw: unknown): void => {
    const m = raw as ServerControl;
    if (m.type === 'rpc') for (const l of rpcListeners) l(m.m);
    else if (m.type === 'fault' && isFaultType(m.kind)) { faults.armed = m.kind; host.port.post({ type: 'fault-armed' }); }
    // A new end may already hold messages (the peer sent before this arrived): wake the loop.
    else if (m.type === 'peer-up' && SERVICES[m.end.peer] !== undefined) { linkFor(m.end.peer).up(m.end); bell.ring(); }
    else if (m.type === 'peer-down') links.get(m.peer)?.down();
    else if (m.type === 'peer-gone') links.get(m.peer)?.gone(m.errno);
    else if (m.type === 'client') { attachClient(m.end); bell.ring(); }
    else if (m.type === 'memory') {
      lent.set(m.id, new Uint8Array(m.memory));
      for (const wake of lentWaiters.get(m.id)?.splice(0) ?? []) wake();
    }
    else if (m.type === 'memory-gone') lent.delete(m.id);
    else if (direct.control(m)) {
      // A direct page's process memory is lent memory too: vfs may pass grants of it on.
      // The slot's previous process (gone: the kernel does not say so) lends no more.
      if (m.type === 'direct-process') {
        const before = directMemory.get(m.slot);
        if (before !== undefined) { directMemory.delete(m.slot); lent.delete(before); }
        if (m.memory !== undefined && m.memoryId !== undefined) { lent.set(m.memoryId, new Uint8Array(m.memory)); directMemory.set(m.slot, m.memoryId); }
      }
      // The loop polls again only for a call that came before its page did: waking it
      // for nothing would spin this thread on the other core while the process starts.
      if (direct.waiting()) bell.ring();
    }
    else if (m.type === 'shutdown') {
      Promise.resolve(instance.shutdown?.()).catch(() => {}).finally(() => host.port.post({ type: 'shutdown-done' }));
    }
    else if (m.type === 'selfcheck') {
      let damage: string | undefined;
      try { damage = instance.selfCheck?.(); } catch (e) { damage = e instanceof Error ? e.message : String(e); }
      host.port.post({ type: 'selfcheck', id: m.id, damage: damage ?? null });
    }
    else if (m.type === 'memstat') {
      host.port.post({
        type: 'memstat', id: m.id,
        arena: { arena: init.name, size: arena.size, regions: arena.list().map((r) => ({ owner: r.owner, tag: r.tag, offset: r.offset, length: r.length, checksum: checksum(r.bytes) })) },
      });
    }
  };
  route.control = control;
  for (const m of early.splice(0)) control(m);

  const viaKernel = (to: string) => (method: string, args: Value[]): Promise<Value> => rpc.call(to, method, args);
  // A grant passed on to a peer (vfs -> ext2) travels as its own reference, and only a
  // live grant over memory the kernel lent this server: anything else the component
  // puts there (a reference it made up, a revoked grant) is refused before it leaves.
  const passOn = (service: ServiceDef, method: string, args: Value[]): Value[] => {
    const at = service.byName.get(method)?.grants ?? [];
    // (One that may not pass grants on is refused by the receiver, in the same words as ever.)
    if (at.length === 0 || !passesGrants(init.name)) return args;
    const out = [...args];
    for (const i of at) {
      const g = args[i] as unknown;
      const ref = g instanceof WindowGrant ? WindowGrant.passable(g, lent) : undefined;
      if (ref === undefined) throw unheldGrant(init.name, service.name, method, g instanceof WindowGrant);
      out[i] = { ...ref } as unknown as Value;
    }
    return out;
  };
  const ctx: ComponentContext = {
    name: init.name,
    arena,
    config: init.config,
    log: (message) => { void rpc.call('kernel', 'log', [message]); },
    peer: <T>(name: string): T => {
      const service = SERVICES[name];
      if (!grants(uses, name) || name === 'kernel' || service === undefined) throw new KernelError(Errno.EPERM, `${init.name} holds no capability for ${name}`);
      // Direct: the channel end for this edge. Relayed (mach, postmessage): through the kernel.
      const call = init.transport === 'shm' ? ((l: PeerLink) => (method: string, args: Value[]) => { try { return l.call(method, passOn(service, method, args)); } catch (e) { return Promise.reject(e); } })(linkFor(name)) : viaKernel(name);
      return bindClient<T>(service, init.name, uses, call);
    },
    kernel: bindClient<KernelCalls>(KERNEL, init.name, uses, viaKernel('kernel')),
    device: init.device === undefined ? undefined : bindDevice(init.device.kind, init.device.memory),
    // vfs under shm passes the process's grants on to the filesystem servers.
    ...(init.transport === 'shm' && passesGrants(init.name) ? { lends: true } : {}),
  };

  // The server's address space: its own arena and, if granted, its own device.
  if (init.device !== undefined) arena.mapWindow({ owner: init.name, tag: init.device.kind, memory: init.device.memory });
  const heartbeat = new Int32Array(init.heartbeat);
  // Beats from the poll loop while it is awake (ServerInit.loopBeats), else from a timer.
  if (init.loopBeats) Atomics.add(heartbeat, 0, 1);
  else host.startHeartbeat(heartbeat, init.heartbeatMs);
  if (init.transport !== 'postmessage') {
    const poll = (): boolean => {
      let worked = endpoint.poll();
      for (const l of links.values()) if (l.poll()) worked = true;
      for (const c of clients.values()) if (c.poll()) worked = true;
      if (direct.poll()) worked = true;
      return worked;
    };
    const beats = init.loopBeats ? { tick: () => { Atomics.add(heartbeat, 0, 1); }, tickMs: init.heartbeatMs, sleepMs: IDLE_SLEEP_MS } : {};
    void pollLoop({ doorbell: bell, poll, spinUs: init.spinUs, linger, host, running: () => host.running?.() ?? true, ...beats }).catch((e) => host.crash(e));
  }
  try {
    if (init.wasm !== undefined) {
      // Its own linear memory inside its own thread; a trap ends the server like any crash.
      const device = ctx.device;
      const wasm = SandboxInstance.load(init.wasm.bytes, {
        name: init.name, rules: { maxBytes: init.wasm.maxBytes, maxPages: init.wasm.maxPages, startFuel: init.wasm.fuel }, fuel: init.wasm.fuel,
        device: init.device?.memory, notify: () => device?.notify(), log: (m) => ctx.log(m), onTrap: (t) => host.crash(t),
      });
      (ctx as { sandbox?: ComponentContext['sandbox'] }).sandbox = { call: (n, ...a) => wasm.call(n, ...a), copyIn: (p, d) => wasm.copyIn(p, d), copyOut: (p, l) => wasm.copyOut(p, l) };
    }
    instance = wrapComponent(mod.create(ctx), init.name, arena, init.wildWriteBytes, faults, own);
    await instance.init?.();
  } catch (e) {
    host.port.post({ type: 'init-failed', error: e instanceof Error ? e.message : String(e) });
    return;
  }
  host.port.post({ type: 'ready' });
}
