// The inside of a user-domain server thread: builds the component's context (its own
// arena, its device binding, peers reached through the kernel channel), wraps the
// instance for fault injection, and serves calls until the thread is ended. An
// exception that is not an errno escapes to the host as an uncaught error, which ends
// the thread: the kernel's supervisor sees the exit and restarts the component.

import { Arena, checksum } from '../../lib/arena.js';
import { Doorbell, pollLoop, type LoopHost } from '../../lib/poller.js';
import type { Value } from '../../lib/codec.js';
import type { ComponentContext, ComponentFactory, ComponentInstance, KernelCalls, Manifest } from '../../abi/component.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { ShmEndpoint, PortEndpoint, type Endpoint, type PortLike } from '../ipc/endpoint.js';
import { Rpc } from '../ipc/rpc.js';
import { bindDevice } from '../device.js';
import { wrapComponent, isFaultType, type FaultState } from './fault.js';
import type { ServerInit } from './server.js';

export interface ComponentModule { manifest: Manifest; create: ComponentFactory }

export interface ServerHost extends LoopHost {
  /** Messages from the kernel thread (init, fault arming, memstat). */
  port: PortLike;
  /** Makes `error` an uncaught exception of this thread (ending it). */
  crash(error: unknown): never;
  startHeartbeat(word: Int32Array): void;
}

function peerProxy<T>(rpc: Rpc, name: string): T {
  const cache = new Map<string, (...args: Value[]) => Promise<Value>>();
  return new Proxy({}, {
    get(_target, method): unknown {
      if (typeof method !== 'string' || method === 'then') return undefined;
      let fn = cache.get(method);
      if (fn === undefined) { fn = (...args: Value[]) => rpc.call(name, method, args); cache.set(method, fn); }
      return fn;
    },
  }) as T;
}

export async function runServer(host: ServerHost, modules: Record<string, ComponentModule>): Promise<void> {
  const init = await new Promise<ServerInit>((resolve) => host.port.onMessage((m) => {
    if ((m as { type?: string }).type === 'init') resolve(m as ServerInit);
  }));
  const mod = modules[init.name];
  if (mod === undefined) { host.port.post({ type: 'init-failed', error: `no component named ${init.name}` }); return; }

  const arena = new Arena(init.name, init.arena);
  const faults: FaultState = { armed: undefined, leaking: false };
  const rpcListeners: ((m: unknown) => void)[] = [];
  const endpoint: Endpoint = init.transport === 'shm' && init.channel !== undefined
    ? new ShmEndpoint(init.channel, 1, new Doorbell(init.kernelBell))
    : new PortEndpoint({ post: (m) => host.port.post({ type: 'rpc', m }), onMessage: (h) => rpcListeners.push(h) });

  let instance: ComponentInstance = {};
  const rpc = new Rpc(endpoint, async (_to, method, args) => {
    const fn = instance[method];
    if (typeof fn !== 'function' || method === 'init' || method === 'shutdown' || method === 'busy') throw new KernelError(Errno.ENOSYS, `${init.name} has no method ${method}`);
    return (await (fn as (...a: Value[]) => Promise<Value>)(...args)) ?? null;
  }, (e) => host.crash(e));

  host.port.onMessage((raw) => {
    const m = raw as { type?: string; kind?: string; id?: number; m?: unknown };
    if (m.type === 'rpc') for (const l of rpcListeners) l(m.m);
    else if (m.type === 'fault' && typeof m.kind === 'string' && isFaultType(m.kind)) faults.armed = m.kind;
    else if (m.type === 'shutdown') {
      Promise.resolve(instance.shutdown?.()).catch(() => {}).finally(() => host.port.post({ type: 'shutdown-done' }));
    }
    else if (m.type === 'memstat') {
      host.port.post({
        type: 'memstat', id: m.id,
        arena: { arena: init.name, size: arena.size, regions: arena.list().map((r) => ({ owner: r.owner, tag: r.tag, offset: r.offset, length: r.length, checksum: checksum(r.bytes) })) },
      });
    }
  });

  const kernelCalls = peerProxy<KernelCalls>(rpc, 'kernel');
  const ctx: ComponentContext = {
    name: init.name,
    arena,
    config: init.config,
    log: (message) => { void rpc.call('kernel', 'log', [message]); },
    peer: <T>(name: string): T => peerProxy<T>(rpc, name),
    kernel: kernelCalls,
    device: init.device === undefined ? undefined : bindDevice(init.device.kind, init.device.memory),
  };

  // The server's address space: its own arena and, if granted, its own device.
  if (init.device !== undefined) arena.mapWindow({ owner: init.name, tag: init.device.kind, memory: init.device.memory });
  host.startHeartbeat(new Int32Array(init.heartbeat));
  const bell = new Doorbell(init.serverBell);
  if (init.transport === 'shm') {
    void pollLoop({ doorbell: bell, poll: () => endpoint.poll(), spinUs: init.spinUs, host, running: () => true }).catch((e) => host.crash(e));
  }
  try {
    instance = wrapComponent(mod.create(ctx), init.name, arena, init.wildWriteBytes, faults);
    await instance.init?.();
  } catch (e) {
    host.port.post({ type: 'init-failed', error: e instanceof Error ? e.message : String(e) });
    return;
  }
  host.port.post({ type: 'ready' });
}
