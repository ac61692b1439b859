// The client side of one channel in a server thread: how a component calls a peer it
// holds a capability for. States, driven by the kernel's wiring messages:
//
//   up      the channel end is attached; calls go straight to the peer's thread
//   down    the peer died and is restarting: calls in flight were taken back, new
//           calls queue; at `up` the idempotent ones are replayed once, the rest EIO
//   gone    the peer is not loaded (ENODEV, the state a link starts in) or was given
//           up (EIO)
//
// The client stub (`bindClient`) is made once per peer from the service list: one
// function per method, checked against the manifest's grants; no Proxy.

import type { Value } from '../../lib/codec.js';
import { Doorbell } from '../../lib/poller.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { checkReply, grants, type ServiceDef } from '../../abi/services.js';
import { ShmEndpoint } from '../ipc/endpoint.js';
import { fixedWire } from '../ipc/wire.js';
import { Rpc, type PendingCall } from '../ipc/rpc.js';
import type { ChannelEnd } from '../ipc/channel.js';

/** Times an idempotent call in flight at a crash is replayed on the restarted peer. */
export const MAX_REPLAYS = 1;

interface Queued { method: string; args: Value[]; replays: number; resolve(v: Value): void; reject(e: Error): void }

export class PeerLink {
  private rpc: Rpc | undefined;
  private endpoint: ShmEndpoint | undefined;
  private state: 'up' | 'down' | 'gone' = 'gone';
  private goneErrno: number = Errno.ENODEV;
  private readonly queued: Queued[] = [];
  private held: PendingCall[] = [];

  constructor(readonly service: ServiceDef, private readonly onError: (e: unknown) => void) {}

  /** Attaches a (new) channel end; replays or fails what the last instance left. */
  up(end: ChannelEnd): void {
    this.endpoint = new ShmEndpoint(end.memory, end.side, new Doorbell(end.peerBell), fixedWire(undefined, this.service));
    this.rpc = new Rpc(this.endpoint, () => Promise.reject(new KernelError(Errno.EPERM, 'a client end serves no calls')), this.onError,
      (to, method, v, args) => checkReply(this.service.byName.get(method)!, to, v, args) as Value);
    this.state = 'up';
    for (const c of this.held.splice(0)) {
      const def = this.service.byName.get(c.method);
      // Replay once: a request that kills the peer every time must not restart it forever.
      if (def?.idempotent === true && c.replays < MAX_REPLAYS) this.rpc.call(this.service.name, c.method, c.args, c.replays + 1).then(c.resolve, c.reject);
      else c.reject(new KernelError(Errno.EIO, `${this.service.name} died during ${c.method}`));
    }
    for (const q of this.queued.splice(0)) this.rpc.call(this.service.name, q.method, q.args, q.replays).then(q.resolve, q.reject);
  }

  /** The peer died: take back the calls in flight; queue new ones until `up`. */
  down(): void {
    if (this.rpc !== undefined) this.held.push(...this.rpc.drain());
    this.rpc = undefined;
    this.endpoint = undefined;
    this.state = 'down';
  }

  /** The peer is gone for good (unloaded: ENODEV; given up: EIO). */
  gone(errno: number): void {
    this.down();
    this.state = 'gone';
    this.goneErrno = errno;
    const why = (method: string): KernelError => new KernelError(errno, `${this.service.name} is ${errno === Errno.ENODEV ? 'not loaded' : 'failed'} (${method})`);
    for (const c of this.held.splice(0)) c.reject(why(c.method));
    for (const q of this.queued.splice(0)) q.reject(why(q.method));
  }

  call(method: string, args: Value[]): Promise<Value> {
    if (this.state === 'up') return this.rpc!.call(this.service.name, method, args);
    if (this.state === 'gone') return Promise.reject(new KernelError(this.goneErrno, `${this.service.name} is ${this.goneErrno === Errno.ENODEV ? 'not loaded' : 'failed'}`));
    return new Promise<Value>((resolve, reject) => this.queued.push({ method, args, replays: 0, resolve, reject }));
  }

  poll(): boolean { return this.endpoint?.poll() ?? false; }

  inFlight(): number { return (this.rpc?.inFlight().length ?? 0) + this.queued.length + this.held.length; }
}

/**
 * The stub a component calls a service through: one function per method of the
 * service list, made once. A method the caller's manifest does not grant fails with
 * EPERM at the caller, before anything is sent.
 */
export function bindClient<T>(service: ServiceDef, caller: string, uses: readonly string[], call: (method: string, args: Value[]) => Promise<Value>): T {
  const stub: Record<string, (...args: Value[]) => Promise<Value>> = {};
  for (const def of service.methods) {
    const method = def.name;
    stub[method] = grants(uses, service.name, method)
      ? (...args: Value[]) => call(method, args)
      : () => Promise.reject(new KernelError(Errno.EPERM, `${caller} holds no capability for ${service.name}.${method}`));
  }
  return stub as T;
}
