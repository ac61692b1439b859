// A wild write the page's button asks for, watched as `memstat -f COMPONENT
// wild-write` watches one in the guest (src/user/bin/memstat.ts): the checksum of every
// region of every arena before, the fault armed, one request to the component (so it
// fires now, not at some later request), the checksums after. The regions whose bytes
// changed are the write's damage: on a kernel-domain component they can belong to its
// neighbours in the shared kernel arena; a user-domain component has an arena of its
// own. Between the two snapshots only the poke runs (the shell is waiting for input),
// so what changed is the fault and the one request's own work.
//
// Besides the regions, the bytes themselves: the kernel arena and the faulting
// component's own (a user-domain server's arena, which the kernel holds) are copied
// before and compared after, so the page also sees writes that landed in memory no
// region holds (the written spans).

import type { Kernel } from '../../kernel/kernel.js';
import type { MemArenaRecord } from '../../abi/sysinfo.js';

export interface RegionKey { arena: string; owner: string; tag: string; offset: number }
/** Bytes [from, to) of an arena that the watched request changed. */
export interface WrittenSpan { arena: string; from: number; to: number }
export interface WildWriteReport { component: string; changed: RegionKey[]; written: WrittenSpan[]; arenas: MemArenaRecord[]; error?: string }

/** Spans closer than this are reported as one. */
const SPAN_GAP = 256;
/** At most this many spans per arena (the rest merge into the last). */
const MAX_SPANS = 64;

function spans(arena: string, before: Uint8Array, after: Uint8Array): WrittenSpan[] {
  const out: WrittenSpan[] = [];
  const a = new Int32Array(before.buffer, before.byteOffset, before.length >> 2), b = new Int32Array(after.buffer, after.byteOffset, after.length >> 2);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const at = i << 2;
    const last = out[out.length - 1];
    if (last !== undefined && (at - last.to < SPAN_GAP || out.length >= MAX_SPANS)) last.to = at + 4;
    else out.push({ arena, from: at, to: at + 4 });
  }
  return out;
}

/** One harmless request to `component`, through the kernel's checked interfaces. */
async function poke(k: Kernel, component: string): Promise<void> {
  const call = <T>(name: string): T => k.components.iface<T>(name);
  switch (component) {
    case 'blk': await k.blk.size(); return;
    case 'console': await k.console.write(0, new Uint8Array(0)); return;
    case 'pm': await k.pm.getppid(1); return;
    case 'hostfs': await call<{ shares(): Promise<unknown> }>('hostfs').shares(); return;
    // vfs answers stat('/') itself; with an ext2 root, it asks ext2 for the root's attributes.
    default: await k.vfs.stat('/', '/', true);
  }
}

const keyOf = (a: string, r: { owner: string; tag: string; offset: number }): string => `${a}|${r.owner}|${r.tag}|${r.offset}`;

export async function watchWildWrite(k: Kernel, component: string): Promise<WildWriteReport> {
  const server = k.components.get(component)?.server;
  const memories: [string, Uint8Array][] = [['kernel', k.arena.memory], ...(server === undefined ? [] : [[component, new Uint8Array(server.arena)] as [string, Uint8Array]])];
  const copies = memories.map(([, m]) => m.slice());
  const before = new Map<string, number>();
  for (const a of await k.components.memstat()) for (const r of a.regions) before.set(keyOf(a.arena, r), r.checksum);
  await k.components.armFault(component, 'wild-write');
  let error: string | undefined;
  try { await poke(k, component); } catch (e) { error = e instanceof Error ? e.message : String(e); }
  const arenas = await k.components.memstat();
  const changed: RegionKey[] = [];
  for (const a of arenas) {
    for (const r of a.regions) {
      const was = before.get(keyOf(a.arena, r));
      if (was !== undefined && was !== r.checksum) changed.push({ arena: a.arena, owner: r.owner, tag: r.tag, offset: r.offset });
    }
  }
  const written = memories.flatMap(([name, m], i) => spans(name, copies[i]!, m));
  return { component, changed, written, arenas, ...(error === undefined ? {} : { error }) };
}
