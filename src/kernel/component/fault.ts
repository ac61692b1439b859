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
  armed: FaultType | undefined;
  /** Leaking: allocate this much per request. */
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
 * Wraps every method of a component instance so an armed fault fires at the start of
 * the next call. A kernel-domain call stays a direct call plus one field check.
 */
export function wrapComponent(instance: ComponentInstance, name: string, arena: Arena, wildWriteBytes: number, state: FaultState): ComponentInstance {
  const wrapped: ComponentInstance = {};
  const proto = Object.getPrototypeOf(instance) as object | null;
  const names = new Set<string>([...Object.keys(instance), ...(proto !== null && proto !== Object.prototype ? Object.getOwnPropertyNames(proto) : [])]);
  for (const key of names) {
    if (key === 'constructor') continue;
    const fn = (instance as Record<string, unknown>)[key];
    if (typeof fn !== 'function') continue;
    const method = fn as (...args: unknown[]) => unknown;
    const lifecycle = key === 'init' || key === 'shutdown' || key === 'busy';
    wrapped[key] = lifecycle ? method.bind(instance) : (...args: unknown[]): unknown => {
      if (state.armed !== undefined || state.leaking) {
        const type = state.armed;
        state.armed = undefined;
        if (type === 'leak') state.leaking = true;
        if (state.leaking) { try { arena.alloc(name, 256 << 10, 'leak'); } catch { /* arena full: the leak has done its damage */ } }
        if (type !== undefined && fire(type, name, arena, wildWriteBytes)) return Promise.resolve(BAD_REPLY);
      }
      return method.apply(instance, args);
    };
  }
  return wrapped;
}
