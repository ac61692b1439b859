// Remote calls over an endpoint: numbered requests, replies matched by id, errors
// carried as errno, every reply checked before the caller sees it (ReplyCheck). The
// caller keeps the record of every call in flight so that it can be failed or replayed
// when the server on the other side dies (the supervisor for the kernel's calls,
// component/peer-link.ts for a server's calls to a peer).
//
// The hot path allocates what a promise-returning call must and nothing else: the
// promise and its record (no executor closure: one bound capture per Rpc), the
// outgoing messages are one reused object per kind (an shm endpoint lays a message out
// before `send` returns), a fixed reply is the wire's reused object, and
// a handler that answers at once (returns a value, not a promise) is answered in the
// same delivery, with no promise and no closure on the serving side.

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

/**
 * Serves calls that arrive on the endpoint: a value (answered at once) or a promise of
 * one. Throw (or reject with) KernelError for an errno reply; anything else thrown is
 * the server's failure (`onServeError`).
 */
export type CallHandler = (to: string, method: string, args: Value[]) => Value | Promise<Value>;

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

type Settle<T> = (v: T) => void;

const NO_ARGS: Value[] = [];

// A call in flight: plain fields, no closures of its own.
class Call implements PendingCall {
  constructor(
    readonly id: number, readonly to: string, readonly method: string, readonly args: Value[], readonly replays: number,
    readonly resolve: Settle<Value>, readonly reject: Settle<Error>, readonly probe: CallProbe | undefined,
  ) {}
}

export class Rpc {
  private nextId = 1;
  // Calls in flight, by id: slot `id & (size - 1)` of a table that only grows (doubling
  // keeps ids that differed in their low bits apart), so a call and its reply touch one
  // array element and no hash map.
  private pending: (Call | undefined)[] = new Array<Call | undefined>(16).fill(undefined);
  private inFlightCount = 0;
  /** Other messages (fault arming) go here. */
  onControl: (message: Message) => void = () => {};
  // Outgoing messages, one reused object per kind where `send` is done with a message
  // when it returns (endpoint.sendCopies: shm).
  private readonly callMessage: Message & { t: 'call' } = { t: 'call', id: 0, to: '', m: '', a: [] };
  private readonly okMessage: Message & { t: 'ok' } = { t: 'ok', id: 0, v: null, nr: undefined };
  // The settle functions of the promise being made (see call): one executor per Rpc, not one per call.
  private resolveNext: Settle<Value> = () => {};
  private rejectNext: Settle<Error> = () => {};
  private readonly capture = (resolve: Settle<Value>, reject: Settle<Error>): void => { this.resolveNext = resolve; this.rejectNext = reject; };

  constructor(readonly endpoint: Endpoint, private readonly serve: CallHandler, private readonly onServeError: (e: unknown) => void, private readonly check?: ReplyCheck) {
    endpoint.setHandler((m) => this.receive(m));
  }

  call(to: string, method: string, args: Value[], replays = 0): Promise<Value> {
    const promise = new Promise<Value>(this.capture);
    const id = this.takeId();
    const probe = armed;
    this.pending[id & (this.pending.length - 1)] = new Call(id, to, method, args, replays, this.resolveNext, this.rejectNext, probe);
    this.inFlightCount++;
    const reuse = this.endpoint.sendCopies;
    const m = reuse ? this.callMessage : { t: 'call' as const, id, to, m: method, a: args };
    m.id = id; m.to = to; m.m = method; m.a = args;
    try {
      this.endpoint.send(m);
      // The one test an untraced call pays for tracing.
      if (probe !== undefined) { armed = undefined; probe.sent(this.endpoint.lastBytes, this.endpoint.lastFixed); }
    } catch (e) {
      this.take(id);
      this.rejectNext(new KernelError(Errno.E2BIG, e instanceof Error ? e.message : String(e)));
    } finally {
      if (reuse) m.a = NO_ARGS; // keep nothing of the call alive
    }
    return promise;
  }

  /** Calls in flight, oldest first. */
  inFlight(): PendingCall[] { return this.pending.filter((c): c is Call => c !== undefined).sort((a, b) => a.id - b.id); }

  /** Takes every call in flight out of this rpc (the peer died); the caller settles them. */
  drain(): PendingCall[] {
    const calls = this.inFlight();
    this.pending.fill(undefined);
    this.inFlightCount = 0;
    return calls;
  }

  private receive(m: Message): void {
    switch (m.t) {
      case 'call': {
        const id = m.id, nr = m.nr;
        let answer: Value | Promise<Value>;
        try { answer = this.serve(m.to, m.m, m.a); } catch (e) { this.failed(id, e); return; }
        if (answer instanceof Promise) answer.then((v) => this.answer(id, nr, v), (e: unknown) => this.failed(id, e));
        else this.answer(id, nr, answer);
        return;
      }
      case 'ok': {
        const c = this.take(m.id);
        if (c === undefined) return;
        if (c.probe !== undefined) c.probe.replied(this.endpoint.lastBytes, this.endpoint.lastFixed);
        if (this.check === undefined) { c.resolve(m.v); return; }
        let v: Value;
        try { v = this.check(c.to, c.method, m.v, c.args); } catch (e) { c.reject(e as Error); return; }
        c.resolve(v);
        return;
      }
      case 'err': {
        const c = this.take(m.id);
        if (c === undefined) return;
        if (c.probe !== undefined) c.probe.replied(this.endpoint.lastBytes, this.endpoint.lastFixed);
        c.reject(new KernelError(m.errno, m.msg.replace(/^E[A-Z]+: /, '')));
        return;
      }
      default:
        this.onControl(m);
    }
  }

  // A fresh id whose slot is free (the table doubles when every slot is taken). Ids stay
  // below 2^31: they travel as u32 in a fixed record.
  private takeId(): number {
    if (this.inFlightCount === this.pending.length) {
      const grown = new Array<Call | undefined>(2 * this.pending.length).fill(undefined);
      for (const c of this.pending) if (c !== undefined) grown[c.id & (grown.length - 1)] = c;
      this.pending = grown;
    }
    const mask = this.pending.length - 1;
    let id = this.nextId;
    while (this.pending[id & mask] !== undefined) id = (id + 1) & 0x7fffffff || 1;
    this.nextId = (id + 1) & 0x7fffffff || 1;
    return id;
  }

  // The call in flight with this id, taken out of the table (undefined: none, e.g. a
  // reply to a call already failed or drained, whose slot a later call may hold).
  private take(id: number): Call | undefined {
    const slot = id & (this.pending.length - 1);
    const c = this.pending[slot];
    if (c === undefined || c.id !== id) return undefined;
    this.pending[slot] = undefined;
    this.inFlightCount--;
    return c;
  }

  private answer(id: number, nr: number | undefined, v: Value): void {
    const reuse = this.endpoint.sendCopies;
    const m = reuse ? this.okMessage : { t: 'ok' as const, id, v, nr };
    m.id = id; m.v = v; m.nr = nr;
    // A reply that cannot be sent (a value no wire can carry) is the server's failure.
    try { this.endpoint.send(m); } catch (e) { this.onServeError(e); } finally { if (reuse) m.v = null; }
  }

  private failed(id: number, e: unknown): void {
    if (isKernelError(e)) this.endpoint.send({ t: 'err', id, errno: e.errno, msg: e.message });
    else this.onServeError(e);
  }
}
