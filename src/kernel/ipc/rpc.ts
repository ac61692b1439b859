// Remote calls over an endpoint: numbered requests, replies matched by id, errors
// carried as errno, every reply checked before the caller sees it (ReplyCheck). The
// caller keeps the record of every call in flight so that it can be failed or replayed
// when the server on the other side dies (the supervisor for the kernel's calls,
// component/peer-link.ts for a server's calls to a peer).

import type { Value } from '../../lib/codec.js';
import { KernelError, Errno, isKernelError } from '../../abi/errno.js';
import type { Endpoint } from './endpoint.js';
import type { Message } from './message.js';

export interface PendingCall {
  readonly id: number;
  readonly to: string;
  readonly method: string;
  readonly args: Value[];
  /** How many times this call was already replayed on a restarted server. */
  readonly replays: number;
  /** Set for a traced call (kernel/trace.ts): told the sizes of its messages. */
  readonly probe?: CallProbe | undefined;
  resolve(v: Value): void;
  reject(e: Error): void;
}

/** Serves calls that arrive on the endpoint. Throw KernelError for an errno reply. */
export type CallHandler = (to: string, method: string, args: Value[]) => Promise<Value>;

/** Checks a reply before the caller sees it (abi/services.ts checkReply); throws KernelError(EIO). */
export type ReplyCheck = (to: string, method: string, value: Value, args: readonly Value[]) => Value;

/** What a traced call learns of its messages: their sizes (-1: not visible) and layouts. */
export interface CallProbe {
  sent(bytes: number, fixed: boolean): void;
  replied(bytes: number, fixed: boolean): void;
}

let armed: CallProbe | undefined;

/**
 * Arms `probe` for the next call made on any Rpc in this thread (undefined disarms).
 * Caller must disarm right after the synchronous part of the call it meant.
 */
export function armProbe(probe: CallProbe | undefined): void { armed = probe; }

export class Rpc {
  private nextId = 1;
  private readonly pending = new Map<number, PendingCall>();
  /** Other messages (fault arming) go here. */
  onControl: (message: Message) => void = () => {};

  constructor(readonly endpoint: Endpoint, private readonly serve: CallHandler, private readonly onServeError: (e: unknown) => void, private readonly check?: ReplyCheck) {
    endpoint.setHandler((m) => this.receive(m));
  }

  call(to: string, method: string, args: Value[], replays = 0): Promise<Value> {
    return new Promise<Value>((resolve, reject) => {
      const id = this.nextId++;
      const probe = armed;
      const call: PendingCall = { id, to, method, args, replays, resolve, reject, probe };
      this.pending.set(id, call);
      try {
        this.endpoint.send({ t: 'call', id, to, m: method, a: args });
        // The one test an untraced call pays for tracing.
        if (probe !== undefined) { armed = undefined; probe.sent(this.endpoint.lastBytes, this.endpoint.lastFixed); }
      } catch (e) {
        this.pending.delete(id);
        reject(new KernelError(Errno.E2BIG, e instanceof Error ? e.message : String(e)));
      }
    });
  }

  /** Calls in flight, oldest first. */
  inFlight(): PendingCall[] { return [...this.pending.values()]; }

  /** Takes every call in flight out of this rpc (the peer died); the caller settles them. */
  drain(): PendingCall[] {
    const calls = this.inFlight();
    this.pending.clear();
    return calls;
  }

  private receive(m: Message): void {
    switch (m.t) {
      case 'call':
        this.serve(m.to, m.m, m.a).then(
          (v) => this.endpoint.send({ t: 'ok', id: m.id, v, nr: m.nr }),
          (e: unknown) => {
            if (isKernelError(e)) this.endpoint.send({ t: 'err', id: m.id, errno: e.errno, msg: e.message });
            else this.onServeError(e);
          },
        );
        return;
      case 'ok': {
        const c = this.pending.get(m.id);
        if (c === undefined) return;
        this.pending.delete(m.id);
        if (c.probe !== undefined) c.probe.replied(this.endpoint.lastBytes, this.endpoint.lastFixed);
        if (this.check === undefined) { c.resolve(m.v); return; }
        let v: Value;
        try { v = this.check(c.to, c.method, m.v, c.args); } catch (e) { c.reject(e as Error); return; }
        c.resolve(v);
        return;
      }
      case 'err': {
        const c = this.pending.get(m.id);
        if (c === undefined) return;
        this.pending.delete(m.id);
        if (c.probe !== undefined) c.probe.replied(this.endpoint.lastBytes, this.endpoint.lastFixed);
        c.reject(new KernelError(m.errno, m.msg.replace(/^E[A-Z]+: /, '')));
        return;
      }
      default:
        this.onControl(m);
    }
  }
}
