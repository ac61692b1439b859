// extbug: test modules for claim C9, one per bug of the hostile eBPF set
// (test/bpf/c/hostile/), written as a loadable module instead: `insmod extbug-NAME`
// runs the bug in the module's init, unchecked, wherever the preset puts the module.
// In the kernel domain (monolithic) that is the kernel's own thread and memory, as a
// C module's init runs in a C kernel; in a user-domain server it is that server's.
//
//   oob-map            a "map value" of 8 bytes, then an index gone negative: 1 MiB of
//                      stores just before it (the kernel arena's regions before its own)
//   null-map           a lookup that found nothing, used without a check (TypeError)
//   unbounded-loop     a loop whose bound never comes
//   stack-overflow     recursion without a base case (RangeError)
//   ctx-arith          an offset added to its context's address and written to: the
//                      start of its address space's arena, another component's memory
//   disallowed-helper  calls what its type may not: reads the registers of every device
//                      mapped in its address space, none of them granted to it
//   pointer-leak       publishes kernel addresses (its own region's and its neighbours')
//                      in the kernel log
//
// Nothing here knows its domain (ARCHITECTURE.md rule 1): what the bug does is the preset's.

import type { ComponentContext, ComponentFactory, ComponentInstance, Manifest } from '../../abi/component.js';
import { EXTBUG_BUGS } from '../../abi/services.js';

export type ExtBug = typeof EXTBUG_BUGS[number];

/** Bytes the context-arithmetic bug writes, and how far below its map value the out-of-bounds index reaches. */
const WILD_BYTES = 64 << 10, OOB_BYTES = 1 << 20;

function run(bug: ExtBug, ctx: ComponentContext): void {
  const name = ctx.name;
  const value = ctx.arena.alloc(name, 8, 'map value');
  switch (bug) {
    case 'oob-map': {
      // value[i] with i computed from input and never checked: it went negative.
      const start = Math.max(0, value.bytes.byteOffset - OOB_BYTES);
      new Uint8Array(value.bytes.buffer, start, value.bytes.byteOffset - start).fill(0xa5);
      ctx.log(`${name}: wrote ${value.bytes.byteOffset - start} bytes before its map value`);
      return;
    }
    case 'null-map': {
      const table = new Map<number, Uint8Array>();
      const found = table.get(1) as Uint8Array;
      found[0] = 1; // the unchecked null: throws a TypeError
      return;
    }
    case 'unbounded-loop': {
      let i = 0;
      // The bound is data that never arrives.
      while (value.bytes[0] === 0) i = (i + 1) | 0;
      ctx.log(`${name}: ${i}`);
      return;
    }
    case 'stack-overflow': {
      const deeper = (n: number): number => deeper(n + 1) + 1;
      ctx.log(`${name}: ${deeper(0)}`);
      return;
    }
    case 'ctx-arith': {
      // The context's address plus an offset: the first bytes of its address space's arena.
      const bytes = Math.min(WILD_BYTES, value.bytes.byteOffset);
      new Uint8Array(value.bytes.buffer, 0, bytes).fill(0x5a);
      ctx.log(`${name}: wrote ${bytes} bytes at its context's address plus an offset`);
      return;
    }
    case 'disallowed-helper': {
      const reached = ctx.arena.windows().filter((w) => w.owner !== name);
      for (const w of reached) {
        const words = new Int32Array(w.memory, 0, 8);
        ctx.log(`${name}: read ${w.owner}'s ${w.tag} registers: ${[...words].map((x) => (x >>> 0).toString(16)).join(' ')}`);
      }
      ctx.log(`${name}: reached ${reached.length} devices not granted to it`);
      return;
    }
    case 'pointer-leak': {
      const regions = ctx.arena.list().filter((r) => r.owner !== name).slice(0, 8);
      ctx.log(`${name}: its map value at 0x${value.bytes.byteOffset.toString(16)}; ${regions.map((r) => `${r.owner} ${r.tag} at 0x${r.offset.toString(16)}`).join(', ') || 'no other regions in its address space'}`);
      return;
    }
  }
}

function module(bug: ExtBug): { manifest: Manifest; create: ComponentFactory } {
  return {
    manifest: { name: `extbug-${bug}`, description: `test module (claim C9): the ${bug} bug of the hostile eBPF set, unchecked`, uses: [] },
    create: (ctx): ComponentInstance => ({
      async init(): Promise<void> { run(bug, ctx); },
    }),
  };
}

/** The modules, by component name (`extbug-oob-map`, ...). */
export const EXTBUG_MODULES: Record<string, { manifest: Manifest; create: ComponentFactory }> = Object.fromEntries(EXTBUG_BUGS.map((b) => [`extbug-${b}`, module(b)]));
