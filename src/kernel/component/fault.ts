// Fault injection. `fault COMPONENT TYPE` arms a fault that fires inside the
// component, in the component's own thread, at the start of its next request:
//
//   crash       an uncaught exception (kernel domain: a panic; user domain: the
//               server dies and the supervisor restarts it)
//   wild-write  writes `wildWriteBytes` of garbage just past the component's first
//               buffer, into whatever lies next in its arena: in the shared kernel
//               arena that is a neighbour's memory, in a user domain its own (or the
//               edge of its arena, which traps)
//   hang        an endless loop (kernel domain: the whole kernel stops and the
//               machine's watchdog reports it; user domain: the heartbeat stops and
//               the supervisor kills and restarts the server)
//   bad-reply   the request returns a malformed result instead of its answer
//   leak        the component allocates memory it never frees, every request
//
// The component's code is not involved: the wrapper does this around its methods, so
// the same fault behaves per domain only through where the component runs.

import type { Arena } from '../../lib/arena.js';
import type { ComponentInstance } from '../../abi/component.js';
import { checkReply, type ServiceDef, type MethodDef } from '../../abi/services.js';
import { KernelError, Errno, isKernelError } from '../../abi/errno.js';

export const FAULT_TYPES = ['crash', 'wild-write', 'hang', 'bad-reply', 'leak'] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

export function isFaultType(s: string): s is FaultType {
  return (FAULT_TYPES as readonly string[]).includes(s);
}

/** The error an injected crash throws; not a KernelError, so nothing treats it as an errno. */
export class InjectedCrash extends Error {
  constructor(readonly component: string) { super(`injected crash in ${component}`); this.name = 'InjectedCrash'; }
}

/** What a bad reply looks like: a value no caller expects. */
export const BAD_REPLY = { corrupted: 0xbad } as const;

export interface FaultState {
  /** The fault for the next call; stays 'leak' once leaking, so a call tests only this field. */
  armed: FaultType | undefined;
  /** Leaking: every request allocates memory it never frees. */
  leaking: boolean;
}

/** Fires `type` now, in the calling thread. Returns true when the request should answer BAD_REPLY. */
export function fire(type: FaultType, component: string, arena: Arena, wildWriteBytes: number): boolean {
  switch (type) {
    case 'crash':
      throw new InjectedCrash(component);
    case 'hang':
      // NOTE: deliberately endless; only the watchdog or the supervisor ends it.
      for (;;) { /* spin */ }
    case 'wild-write': {
      const mine = arena.list(component);
      const start = mine.length > 0 ? mine[0]!.offset + mine[0]!.length : 0;
      const memory = arena.memory;
      for (let i = 0; i < wildWriteBytes; i++) {
        const at = start + i;
        // A C driver's stray pointer runs off the end of the arena into unmapped
        // memory and faults there; so does ours.
        if (at >= memory.length) throw new RangeError(`${component}: wild write reached the end of arena '${arena.name}' at offset ${at} (page fault)`);
        memory[at] = (0xa5 ^ i) & 0xff;
      }
      return false;
    }
    case 'bad-reply':
      return true;
    case 'leak':
      return false;
  }
}

/**
 * The binding of a component instance, made once at load from its service list: one
 * function per method, which is the direct call plus one field test (an armed fault
 * or a leak takes the slow path and fires at the start of the call). Lifecycle
 * methods are bound as they are. A method the instance lacks answers ENOSYS.
 *
 * `kernelDomain`: the caller is in the same address space and trusts the reply, as in
 * a C kernel, so the one malformed reply that can occur there — the injected one — is
 * handed to the same reply check the user-domain callers run (abi/services.ts), and
 * anything the fault throws that is not an errno goes to `panic` naming the component.
 */
export function wrapComponent(instance: ComponentInstance, name: string, arena: Arena, wildWriteBytes: number, state: FaultState, service: ServiceDef, kernelDomain?: { panic: (cause: string) => never }): ComponentInstance {
  const wrapped: ComponentInstance = {};
  for (const key of ['init', 'shutdown', 'busy', 'selfCheck'] as const) {
    const fn = instance[key];
    if (typeof fn === 'function') wrapped[key] = (fn as (...a: unknown[]) => unknown).bind(instance) as never;
  }
  const slow = (def: MethodDef, method: (...args: unknown[]) => unknown, args: unknown[]): unknown => {
    const type = state.armed;
    if (type === 'leak') state.leaking = true;
    state.armed = state.leaking ? 'leak' : undefined;
    if (state.leaking) { try { arena.alloc(name, 256 << 10, 'leak'); } catch { /* arena full: the leak has done its damage */ } }
    let bad = false;
    try {
      bad = type !== undefined && fire(type, name, arena, wildWriteBytes);
    } catch (e) {
      if (kernelDomain === undefined || isKernelError(e)) throw e;
      kernelDomain.panic(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    }
    if (!bad) return method.apply(instance, args);
    if (kernelDomain === undefined) return Promise.resolve(BAD_REPLY);
    return Promise.resolve(BAD_REPLY).then((v) => checkReply(def, name, v, args));
  };
  for (const def of service.methods) {
    const fn = instance[def.name];
    if (typeof fn !== 'function') {
      wrapped[def.name] = () => Promise.reject(new KernelError(Errno.ENOSYS, `${name} has no method ${def.name}`));
      continue;
    }
    const method = fn as (...args: unknown[]) => unknown;
    wrapped[def.name] = (...args: unknown[]): unknown => {
      if (state.armed !== undefined) return slow(def, method, args);
      return method.apply(instance, args);
    };
  }
  // The calls a server thread makes for the direct path that are not in the service list
  // (net's directSend and directRecv), armed faults firing on them as on any call; a
  // bad reply is a malformed answer (NaN), which the direct server refuses to pass on.
  for (const key of DIRECT_ONLY) {
    const fn = instance[key];
    if (typeof fn !== 'function') continue;
    const method = fn as (...args: unknown[]) => unknown;
    wrapped[key] = (...args: unknown[]): unknown => {
      if (state.armed === undefined) return method.apply(instance, args);
      const type = state.armed;
      state.armed = state.leaking ? 'leak' : undefined;
      return fire(type, name, arena, wildWriteBytes) ? NaN : method.apply(instance, args);
    };
  }
  return wrapped;
}

/** Instance methods only the component's own server thread calls (the direct path), never over a channel. */
const DIRECT_ONLY = ['directSend', 'directRecv'] as const;
